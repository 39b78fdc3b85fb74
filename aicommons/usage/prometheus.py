"""The Prometheus HTTP API client (the shell of the cost report): range queries with timeouts.

Two ways in: a URL the user gives (``--prometheus http://host:9090``, credentials in the URL are
sent as basic auth and never printed), or the Kubernetes API server's service proxy with the
kubeconfig's credentials (``/api/v1/namespaces/NS/services/NAME:PORT/proxy/...``). Every failure
to reach Prometheus is a MissingComponentError (exit 3) naming the address without secrets.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aicommons.errors import InputError, Location, MissingComponentError
from aicommons.usage.series import QUERIES, Observations, parse_matrix

TIMEOUT_SECONDS = 60.0
MAX_POINTS = 10_000  # Prometheus refuses a range query of more than 11,000 points per series
# The service the Prometheus Operator creates for every Prometheus it runs (kube-prometheus-stack).
DEFAULT_SERVICE = "monitoring/prometheus-operated:9090"
HINT = (
    "--prometheus URL (e.g. http://localhost:9090 after `kubectl -n monitoring port-forward "
    "svc/prometheus-operated 9090`), or --prometheus-service NAMESPACE/NAME:PORT with a kubeconfig "
    "context that reaches the cluster"
)


class RangeSource(Protocol):
    """Where range queries go; ``where`` names it in messages (never with credentials)."""

    where: str

    def get(self, params: dict[str, str]) -> Any: ...


def redact(url: str) -> str:
    """The URL without user, password, query or fragment: safe to print."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass
class HttpPrometheus:
    url: str
    timeout: float = TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(
                f"{redact(self.url)!r} is not a Prometheus URL",
                Location(field="--prometheus"),
                "http(s)://host:port",
            )
        self.where = redact(self.url)
        self._auth = (
            "Basic " + base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
            if parts.username
            else None
        )

    def get(self, params: dict[str, str]) -> Any:
        base = self.where.rstrip("/")
        request = urllib.request.Request(f"{base}/api/v1/query_range?{urllib.parse.urlencode(params)}")
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                return _decode(response.read(), self.where)
        except urllib.error.HTTPError as exc:
            return _decode(exc.read(), self.where, status=exc.code)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise MissingComponentError(
                f"Prometheus at {self.where} is not reachable: {reason}", allowed=HINT
            ) from None


@dataclass
class ProxiedPrometheus:
    """Prometheus through the API server's service proxy, with the kubeconfig's credentials."""

    service: str  # NAMESPACE/NAME:PORT
    context: str | None = None
    kubeconfig: Path | None = None
    timeout: float = TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        ns, _, rest = self.service.partition("/")
        name, _, port = rest.partition(":")
        if not (ns and name and port):
            raise InputError(
                f"{self.service!r} is not a service",
                Location(field="--prometheus-service"),
                "NAMESPACE/NAME:PORT",
            )
        self.namespace, self.name, self.port = ns, name, port
        self.where = f"service {ns}/{name}:{port} through the Kubernetes API"
        self._api: Any = None

    def _client(self) -> Any:
        if self._api is None:
            try:
                from kubernetes import config
                from kubernetes.config.config_exception import ConfigException
            except ImportError:
                raise MissingComponentError("the kubernetes package is not installed", allowed=HINT) from None
            from aicommons.deploy.preflight import kubeconfig_file

            try:
                self._api = config.new_client_from_config(
                    config_file=kubeconfig_file(self.kubeconfig), context=self.context
                )
            except (ConfigException, OSError, ValueError) as exc:
                raise MissingComponentError(f"the kubeconfig is not usable: {exc}", allowed=HINT) from None
        return self._api

    def get(self, params: dict[str, str]) -> Any:
        """GET through the API server with the kubeconfig's TLS and token (the client's own REST
        layer, so exec-plugin tokens such as EKS's work; the generated proxy methods take no query)."""
        api = self._client()
        cfg = api.configuration
        path = (
            f"/api/v1/namespaces/{self.namespace}/services/{self.name}:{self.port}/proxy/api/v1/query_range"
        )
        headers = {"Accept": "application/json"}
        for auth in cfg.auth_settings().values():  # the bearer token, refreshed by the client's hook
            if auth.get("in") == "header" and auth.get("value"):
                headers[auth["key"]] = auth["value"]
        url = f"{cfg.host.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
        try:
            response = api.rest_client.request("GET", url, headers=headers, _request_timeout=self.timeout)
        except Exception as exc:  # ApiException (HTTP status) and urllib3's errors: Prometheus is not there
            status, body = getattr(exc, "status", None), getattr(exc, "body", None)
            if status and body:
                return _decode(body, self.where, status=status)
            first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise MissingComponentError(
                f"Prometheus {self.where} is not reachable: {first}", allowed=HINT
            ) from None
        data = response.data if getattr(response, "data", None) is not None else response.read()
        return _decode(data, self.where, status=getattr(response, "status", 200))


def _decode(raw: bytes | str, where: str, status: int = 200) -> Any:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MissingComponentError(
            f"{where} did not answer like the Prometheus API (HTTP {status}, not JSON)", allowed=HINT
        ) from None
    if not isinstance(body, dict) or body.get("status") != "success":
        # Prometheus says "error"; the API server's Status (e.g. no endpoints) says "message"
        error = (
            (body.get("error") or body.get("message") or "no status")
            if isinstance(body, dict)
            else "not JSON"
        )
        raise MissingComponentError(
            f"Prometheus at {where} refused a query (HTTP {status}): {error}", allowed=HINT
        )
    return body


def fetch(source: RangeSource, start: int, end: int, step: int) -> Observations:
    """Every query of the report over [start, end), in chunks Prometheus accepts, series merged by labels."""
    series = {}
    for name, query in QUERIES.items():
        merged: dict[tuple[tuple[str, str], ...], list[list[Any]]] = {}
        chunk = start
        while chunk < end:
            last = min(end, chunk + MAX_POINTS * step) - step  # query_range includes its end
            body = source.get({"query": query, "start": str(chunk), "end": str(last), "step": f"{step}s"})
            for item in body.get("data", {}).get("result") or []:
                key = tuple(sorted(item.get("metric", {}).items()))
                merged.setdefault(key, []).extend(item.get("values") or [])
            chunk = last + step
        answer = {
            "status": "success",
            "data": {
                "resultType": "matrix",
                "result": [{"metric": dict(k), "values": v} for k, v in merged.items()],
            },
        }
        try:
            series[name] = parse_matrix(answer, f"{source.where}: {name}")
        except InputError as exc:  # a malformed answer: what answered is not a usable Prometheus
            raise MissingComponentError(exc.render(), allowed=HINT) from None
    return Observations(start, end, step, series)
