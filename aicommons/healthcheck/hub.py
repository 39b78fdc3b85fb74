"""The hub's REST API, as the health check uses it (shell: network).

Only what the check needs: who the token is, the test user's server (start with user options,
follow the progress stream, stop and wait until it is gone), and calls to the server's own
REST API through the hub's proxy. The token goes in the ``Authorization`` header and never into
a message.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from aicommons.errors import MissingComponentError


class HubUnreachable(MissingComponentError):
    """The hub does not answer, or refuses the token (exit 3)."""


class HubError(RuntimeError):
    """The hub answered a call with an unexpected status (a failed step, not a missing hub)."""


class HubClient:
    def __init__(self, hub_url: str, token: str, timeout: float = 30.0):
        self.public = hub_url.rstrip("/")
        self.api = self.public + "/hub/api"
        self._token = token
        self.timeout = timeout

    # -- plumbing ---------------------------------------------------------------------------------

    def request(
        self, method: str, url: str, body: Any = None, timeout: float | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"token {self._token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                return resp.status, _json_or_text(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json_or_text(exc.read())
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise HubUnreachable(f"the hub at {self.public} does not answer: {reason}") from None

    def _user_path(self, user: str, server: str) -> str:
        name = urllib.parse.quote(user, safe="")
        if server:
            return f"{self.api}/users/{name}/servers/{urllib.parse.quote(server, safe='')}"
        return f"{self.api}/users/{name}/server"

    # -- calls ------------------------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        """The token's owner; a refused token or a silent hub is exit 3."""
        status, body = self.request("GET", f"{self.api}/user")
        if status in (401, 403):
            raise HubUnreachable(f"the hub at {self.public} refused the token (HTTP {status})")
        if status != 200 or not isinstance(body, dict):
            raise HubUnreachable(f"{self.api}/user answered HTTP {status}: is this a JupyterHub?")
        return body

    def user(self, user: str) -> dict[str, Any]:
        status, body = self.request("GET", f"{self.api}/users/{urllib.parse.quote(user, safe='')}")
        if status == 404:
            raise HubUnreachable(
                f"the hub has no user {user!r}: is the bundle's JupyterHub release (with the "
                f"aicommons-check roles) deployed?"
            )
        if status != 200 or not isinstance(body, dict):
            raise HubError(f"reading user {user!r}: HTTP {status} {_short(body)}")
        return body

    def server(self, user: str, server: str) -> dict[str, Any] | None:
        """The server's model, or None when it does not exist (stopped)."""
        return (self.user(user).get("servers") or {}).get(server)

    def start(self, user: str, server: str, options: dict[str, Any]) -> None:
        status, body = self.request("POST", self._user_path(user, server), options)
        if status not in (201, 202):
            raise HubError(f"starting the server: HTTP {status} {_short(body)}")

    def wait_ready(
        self, user: str, server: str, deadline: float, clock: Callable[[], float]
    ) -> dict[str, Any]:
        """Follow the progress stream until the server is ready; returns its model."""
        url = self._user_path(user, server) + "/progress"
        req = urllib.request.Request(url, headers={"Authorization": f"token {self._token}"})
        last = "no progress event"
        try:
            with urllib.request.urlopen(req, timeout=max(1.0, min(60.0, deadline - clock()))) as resp:
                for raw in resp:
                    if clock() > deadline:
                        raise HubError(f"not ready before the deadline (last event: {last})")
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue  # keep-alive comments and blank separators
                    event = json.loads(line[5:])
                    last = str(event.get("message") or last)
                    if event.get("failed"):
                        raise HubError(f"the hub reports the start failed: {last}")
                    if event.get("ready"):
                        break
        except urllib.error.HTTPError as exc:
            raise HubError(f"progress stream: HTTP {exc.code} {_short(_json_or_text(exc.read()))}") from None
        except TimeoutError:
            raise HubError(f"not ready before the deadline (last event: {last})") from None
        except (urllib.error.URLError, OSError) as exc:
            raise HubUnreachable(f"the hub at {self.public} stopped answering: {exc}") from None
        model = self.server(user, server)
        if not model or not model.get("ready"):
            raise HubError(f"the progress stream ended but the server is not ready (last event: {last})")
        return model

    def stop(self, user: str, server: str, deadline: float, clock: Callable[[], float]) -> None:
        """Stop the server (a pending start is interrupted) and wait until the hub forgets it."""
        status, body = self.request("DELETE", self._user_path(user, server))
        if status not in (202, 204, 404):
            raise HubError(f"stopping the server: HTTP {status} {_short(body)}")
        while True:
            model = self.server(user, server)
            if model is None or not (model.get("ready") or model.get("pending")):
                return
            if clock() > deadline:
                raise HubError(f"the server is still {model.get('pending') or 'running'} after the deadline")
            time.sleep(0.5)

    def server_url(self, model: dict[str, Any]) -> str:
        """The server's base URL through the proxy (the model's `url` is a path on the hub's host)."""
        return urllib.parse.urljoin(self.public + "/", str(model["url"]))

    @property
    def auth_header(self) -> dict[str, str]:
        return {"Authorization": f"token {self._token}"}


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return raw.decode("utf-8", "replace")


def _short(body: Any) -> str:
    if isinstance(body, dict) and "message" in body:
        return str(body["message"])[:200]
    return str(body or "")[:200]
