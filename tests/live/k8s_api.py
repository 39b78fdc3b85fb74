"""A small Kubernetes API server for tests: serves recorded list responses over real HTTP.

It answers the GET requests the kubernetes client makes for list calls (and a namespaced get
by name), the way the API server does: cluster-wide and namespaced collection paths, `labelSelector` and `fieldSelector`
(equality-based), `limit`/`continue` paging, bearer-token authentication (401), and 403/404
`Status` objects. Bound to 127.0.0.1 on an ephemeral port, in a daemon thread, and shut down when
the `with` block ends.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "k8s"
TOKEN = "recorded-cluster-token"

# plural -> (group/version as in the path, fixture file)
COLLECTIONS: dict[str, tuple[str, str]] = {
    "namespaces": ("v1", "namespaces.json"),
    "pods": ("v1", "pods.json"),
    "services": ("v1", "services.json"),
    "serviceaccounts": ("v1", "serviceaccounts.json"),
    "configmaps": ("v1", "configmaps.json"),
    "secrets": ("v1", "secrets.json"),
    "resourcequotas": ("v1", "resourcequotas.json"),
    "limitranges": ("v1", "limitranges.json"),
    "networkpolicies": ("networking.k8s.io/v1", "networkpolicies.json"),
    "ingresses": ("networking.k8s.io/v1", "ingresses.json"),
    "daemonsets": ("apps/v1", "daemonsets.json"),
    "storageclasses": ("storage.k8s.io/v1", "storageclasses.json"),
    "nodes": ("v1", "nodes.json"),
    "ingressclasses": ("networking.k8s.io/v1", "ingressclasses.json"),
    "deployments": ("apps/v1", "deployments.json"),
    "roles": ("rbac.authorization.k8s.io/v1", "roles.json"),
    "rolebindings": ("rbac.authorization.k8s.io/v1", "rolebindings.json"),
    "clusterroles": ("rbac.authorization.k8s.io/v1", "clusterroles.json"),
    "clusterrolebindings": ("rbac.authorization.k8s.io/v1", "clusterrolebindings.json"),
}
CLUSTER_SCOPED = {
    "namespaces",
    "clusterroles",
    "clusterrolebindings",
    "storageclasses",
    "nodes",
    "ingressclasses",
}


def status(code: int, reason: str, message: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return body


class RecordedKubeAPI:
    """`with RecordedKubeAPI() as api:` serves the fixtures at `api.url` until the block ends.

    `forbidden` holds plurals (or "plural@namespace") answered with 403, as an RBAC-limited reader
    would see them; `requests` records (path, query) of every request served.
    """

    def __init__(self, fixtures: Path = FIXTURES, token: str = TOKEN, forbidden: set[str] | None = None):
        self.fixtures = fixtures
        self.token = token
        self.forbidden = set(forbidden or ())
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --

    def __enter__(self) -> RecordedKubeAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # a stalled client cannot hold a handler thread for longer

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                code, body = api.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def kubeconfig(self, path: Path, context: str = "riverton", token: str | None = None) -> Path:
        """A kubeconfig with one context pointing at this server (JSON is YAML)."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "aicommons-riverton", "cluster": {"server": self.url}}],
            "users": [{"name": "auditor", "user": {"token": token or self.token}}],
            "contexts": [{"name": context, "context": {"cluster": "aicommons-riverton", "user": "auditor"}}],
            "current-context": context,
        }
        path.write_text(json.dumps(config, indent=2))
        return path

    # -- the API --

    def answer(self, raw_path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query)
        self.requests.append((parts.path, query))
        if authorization != f"Bearer {self.token}":
            return 401, status(401, "Unauthorized", "Unauthorized")
        path = parts.path.rstrip("/")
        if path == "/version":
            return 200, self._load("version.json")
        route, name = self._route(path), None
        if route is None and path.count("/") > 1:  # a get by name: the collection's path, then the name
            collection, _, name = path.rpartition("/")
            route = self._route(collection)
        if route is None:
            return 404, status(404, "NotFound", "the server could not find the requested resource")
        group_version, plural, namespace = route
        if plural in self.forbidden or f"{plural}@{namespace}" in self.forbidden:
            group = group_version.rpartition("/")[0]
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            return 403, status(
                403,
                "Forbidden",
                f'{plural}{"." + group if group else ""} is forbidden: User "system:serviceaccount:'
                f'aicommons-system:auditor" cannot list resource "{plural}" in API group "{group}" {scope}',
                group=group,
                kind=plural,
            )
        body = self._load(COLLECTIONS[plural][1])
        if name is not None:
            for item in body["items"]:
                if item["metadata"]["name"] == name and item["metadata"].get("namespace") == namespace:
                    return 200, item
            return 404, status(404, "NotFound", f'{plural} "{name}" not found')
        items = [
            item
            for item in body["items"]
            if (namespace is None or item["metadata"].get("namespace") == namespace)
            and _labels_match(item, _one(query, "labelSelector"))
            and _fields_match(item, _one(query, "fieldSelector"))
        ]
        offset = (
            int(json.loads(base64.b64decode(_one(query, "continue")))["offset"]) if "continue" in query else 0
        )
        limit = int(_one(query, "limit") or 0) or len(items) or 1
        page = items[offset : offset + limit]
        meta: dict[str, Any] = {"resourceVersion": body["metadata"]["resourceVersion"]}
        if offset + limit < len(items):
            meta["continue"] = base64.b64encode(json.dumps({"offset": offset + limit}).encode()).decode()
            meta["remainingItemCount"] = len(items) - offset - limit
        return 200, {"kind": body["kind"], "apiVersion": body["apiVersion"], "metadata": meta, "items": page}

    def _route(self, path: str) -> tuple[str, str, str | None] | None:
        segments = path.strip("/").split("/")
        if segments[:2] == ["api", "v1"]:
            group_version, rest = "v1", segments[2:]
        elif segments[:1] == ["apis"] and len(segments) >= 4:
            group_version, rest = f"{segments[1]}/{segments[2]}", segments[3:]
        else:
            return None
        namespace = None
        if len(rest) == 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if len(rest) != 1 or rest[0] not in COLLECTIONS:
            return None
        plural = rest[0]
        if COLLECTIONS[plural][0] != group_version or (namespace and plural in CLUSTER_SCOPED):
            return None
        return group_version, plural, namespace

    def _load(self, name: str) -> dict[str, Any]:
        return json.loads((self.fixtures / name).read_text())

    def paths(self) -> Iterator[str]:
        return (p for p, _ in self.requests)


def _one(query: dict[str, list[str]], key: str) -> str:
    return (query.get(key) or [""])[0]


def _labels_match(item: dict[str, Any], selector: str) -> bool:
    labels = item["metadata"].get("labels") or {}
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _fields_match(item: dict[str, Any], selector: str) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        negate = "!=" in term
        key, value = term.replace("!=", "=").replace("==", "=").split("=", 1)
        node: Any = item
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if (str(node) == value) == negate:
            return False
    return True
