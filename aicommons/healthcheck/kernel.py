"""Run one cell in a Jupyter server's kernel (shell: network).

Jupyter Server's REST API starts a kernel (``POST api/kernels``); the cell goes as an
``execute_request`` on the kernel's websocket (``api/kernels/<id>/channels``, the JSON form of
the Jupyter messaging protocol); the cell's stdout comes back as ``stream`` messages on iopub,
and the request is done when the kernel reports ``idle`` for it. The kernel is deleted on every
way out. tornado (a dependency of JupyterHub and Jupyter Server) provides the websocket client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.parse
import uuid

from aicommons.healthcheck.hub import HubClient, HubError


def run_cell(client: HubClient, server_url: str, code: str, timeout: float) -> str:
    """The cell's stdout (and the error's traceback text, if it raised)."""
    status, body = client.request("POST", server_url + "api/kernels", {})
    if status != 201 or not isinstance(body, dict) or "id" not in body:
        raise HubError(f"starting a kernel in the server: HTTP {status} {str(body)[:200]}")
    kernel = body["id"]
    try:
        return asyncio.run(asyncio.wait_for(_execute(client, server_url, kernel, code), timeout))
    except TimeoutError:
        raise HubError(f"the kernel did not finish the check within {timeout:.0f} s") from None
    finally:
        # Stopping the server ends the kernel anyway; a failed delete must not hide why we are here.
        with contextlib.suppress(Exception):
            client.request("DELETE", server_url + f"api/kernels/{kernel}")


async def _execute(client: HubClient, server_url: str, kernel: str, code: str) -> str:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    parts = urllib.parse.urlsplit(server_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    url = urllib.parse.urlunsplit(
        (scheme, parts.netloc, parts.path + f"api/kernels/{kernel}/channels", "", "")
    )
    conn = await websocket_connect(HTTPRequest(url, headers=client.auth_header))
    try:
        msg_id = uuid.uuid4().hex
        await conn.write_message(json.dumps(_execute_request(msg_id, code)))
        out: list[str] = []
        while True:
            raw = await conn.read_message()
            if raw is None:
                raise HubError("the kernel's websocket closed before the cell finished")
            msg = json.loads(raw)
            if (msg.get("parent_header") or {}).get("msg_id") != msg_id:
                continue
            kind, content = msg.get("msg_type"), msg.get("content") or {}
            if kind == "stream" and content.get("name") == "stdout":
                out.append(content.get("text", ""))
            elif kind == "error":
                out.append(f"{content.get('ename')}: {content.get('evalue')}\n")
            elif kind == "status" and content.get("execution_state") == "idle":
                return "".join(out)
    finally:
        conn.close()


def _execute_request(msg_id: str, code: str) -> dict[str, object]:
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "aicommons-check",
            "session": uuid.uuid4().hex,
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "channel": "shell",
        "content": {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
    }
