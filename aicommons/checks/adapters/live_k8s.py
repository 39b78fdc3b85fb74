"""Inventory from a live cluster: the kubernetes client reading the API through a kubeconfig context.

Every object becomes a `Resource` whose `spec` is the object exactly as the API returns it
(camelCase JSON, `kind` and `apiVersion` filled in as `kubectl get -o json` does for list items,
`metadata.managedFields` dropped). Helm 3 release Secrets are decoded into `HelmRelease`
resources so the Helm-values controls run on the live cluster as they do on a bundle; no other
Secret is ever read, and values under secret-looking keys are replaced by "[redacted]".

Failures map onto the CLI's exit codes: an unreachable API server, a kubeconfig or context that
does not exist, or credentials the server refuses raise `MissingComponentError` (exit 3); a
resource type the reader may not list (403) or the server does not serve (404) is recorded in
`Inventory.unavailable` and the controls that need it report `skipped` with that reason.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aicommons.checks.model import HELM_RELEASE, Resource
from aicommons.errors import MissingComponentError

# Seconds: (connect, read) for every API call; the client retries a refused connection once.
REQUEST_TIMEOUT = (5.0, 30.0)
PAGE_SIZE = 250
HELM_SECRET_TYPE = "helm.sh/release.v1"
# The platform chart labels every object it makes (provenance and audit ConfigMaps included).
PLATFORM_SELECTOR = "app.kubernetes.io/part-of=aicommons"
# Zero-to-JupyterHub: user servers, and every pod of the release (hub, proxy, user servers).
USER_SERVER_SELECTOR = "component=singleuser-server"
JUPYTERHUB_SELECTOR = "app=jupyterhub"
REDACTED = "[redacted]"

# Secret-looking keys (Helm values, container env): the key *ends* with the sensitive word, so
# `client_secret`, `secretToken`, `HF_TOKEN`, `api_key` and CryptKeeper's `keys` are redacted while
# `token_url` or `claim_groups_key` are not. `key` alone is structural (tolerations, selectors,
# secretKeyRef); `existingSecret` names a Secret. PEM private keys and passwords in URLs are
# caught by their content whatever the key.
_SECRET_KEY = re.compile(
    r"(secret|passw(or)?d|token|credentials?|salt|"
    r"(api|access|private|secret|crypto|crypt|signing|encryption|ssh|client|session)[_-]?keys?|^keys)$",
    re.IGNORECASE,
)
_NOT_SECRET_KEYS = {"existingSecret", "automountServiceAccountToken"}
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_URL_PASSWORD = re.compile(r"(://[^/:@\s]+:)([^@/\s]+)(@)")


class _Missing(Exception):
    """Internal: the cluster cannot be used at all (turned into MissingComponentError)."""


@dataclass
class KubeRead:
    """What was read from the cluster: resources, the kinds that could not be read, and the
    cluster's own view of itself (`cluster`: context, server, version, network-policy engine).

    `cluster` is not a resource of its own: the controls read a `KubernetesCluster` for what the
    cloud says (secrets encryption, control-plane logs), which the Kubernetes API cannot show, so
    `live.py` merges it into the EKS cluster when AWS is read and leaves it out otherwise.
    """

    resources: list[Resource] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    cluster: dict[str, Any] = field(default_factory=dict)


# --- Entry point ------------------------------------------------------------------------------


def kubernetes_inventory(
    context: str | None,
    *,
    kubeconfig: str | None = None,
    system_namespaces: Sequence[str] | None = None,
) -> KubeRead:
    """Read the cluster behind `context` (the kubeconfig's current context when None)."""
    from kubernetes import client

    api, context_name, server = _connect(context, kubeconfig)
    reader = _Reader(api, context_name, server)
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    net, apps, storage = client.NetworkingV1Api(api), client.AppsV1Api(api), client.StorageV1Api(api)
    try:
        version = reader.version(client.VersionApi(api))
        reader.read("Namespace", "v1", core.list_namespace)
        for kind, api_version, method, kwargs in (
            ("NetworkPolicy", "networking.k8s.io/v1", net.list_network_policy_for_all_namespaces, {}),
            ("ResourceQuota", "v1", core.list_resource_quota_for_all_namespaces, {}),
            ("LimitRange", "v1", core.list_limit_range_for_all_namespaces, {}),
            (
                "ConfigMap",
                "v1",
                core.list_config_map_for_all_namespaces,
                {"label_selector": PLATFORM_SELECTOR},
            ),
            ("ServiceAccount", "v1", core.list_service_account_for_all_namespaces, {}),
            ("Role", "rbac.authorization.k8s.io/v1", rbac.list_role_for_all_namespaces, {}),
            ("ClusterRole", "rbac.authorization.k8s.io/v1", rbac.list_cluster_role, {}),
            ("RoleBinding", "rbac.authorization.k8s.io/v1", rbac.list_role_binding_for_all_namespaces, {}),
            ("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", rbac.list_cluster_role_binding, {}),
            ("Service", "v1", core.list_service_for_all_namespaces, {}),
            ("Ingress", "networking.k8s.io/v1", net.list_ingress_for_all_namespaces, {}),
            ("DaemonSet", "apps/v1", apps.list_daemon_set_for_all_namespaces, {}),
            ("StorageClass", "storage.k8s.io/v1", storage.list_storage_class, {}),
        ):
            reader.read(kind, api_version, method, **kwargs)
        reader.helm_releases(core)
        reader.pods(core, system_namespaces)
    except _Missing as exc:
        raise MissingComponentError(str(exc)) from None
    return KubeRead(
        resources=reader.out,
        unavailable=reader.unavailable,
        cluster=_cluster(context_name, server, version, reader),
    )


# --- Connecting -------------------------------------------------------------------------------


def _connect(context: str | None, kubeconfig: str | None) -> tuple[Any, str, str]:
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    from aicommons.deploy.preflight import kubeconfig_file

    where = kubeconfig or "the default kubeconfig (KUBECONFIG or ~/.kube/config)"
    kubeconfig = kubeconfig_file(kubeconfig)
    try:
        contexts, current = config.list_kube_config_contexts(config_file=kubeconfig)
    except (ConfigException, OSError) as exc:
        raise MissingComponentError(
            f"no usable kubeconfig in {where}: {_first_line(exc)}; point --kubeconfig or KUBECONFIG at the "
            f"cluster's kubeconfig (for EKS: `aws eks update-kubeconfig --name <cluster>`)"
        ) from None
    names = [c.get("name") for c in contexts or []]
    name = context or (current or {}).get("name")
    if not name:
        raise MissingComponentError(
            f"{where} has no current context; pass --context (available: {', '.join(names) or 'none'})"
        )
    if name not in names:
        raise MissingComponentError(
            f"the kubeconfig context '{name}' does not exist in {where} (available: "
            f"{', '.join(names) or 'none'}); create it (for EKS: `aws eks update-kubeconfig --name <cluster> "
            f"--alias {name}`) or pass an existing --context"
        )
    configuration = client.Configuration()
    try:
        config.load_kube_config(
            config_file=kubeconfig, context=name, client_configuration=configuration, persist_config=False
        )
    except (ConfigException, OSError, ValueError) as exc:
        raise MissingComponentError(
            f"cannot use kubeconfig context '{name}' from {where}: {_first_line(exc)}; check its cluster, "
            f"user and credential entries (`kubectl --context {name} get namespaces`)"
        ) from None
    configuration.retries = 1  # fail fast on a refused connection; the CLI reports it
    return client.ApiClient(configuration), name, configuration.host


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# --- Reading ----------------------------------------------------------------------------------


class _Reader:
    def __init__(self, api: Any, context: str, server: str):
        self.api = api
        self.context = context
        self.where = f"context '{context}' ({server})"
        self.out: list[Resource] = []
        self.unavailable: dict[str, str] = {}
        self._seen: set[tuple[str, str | None, str]] = set()

    def of(self, kind: str) -> list[Resource]:
        return [r for r in self.out if r.kind == kind]

    def _call(self, what: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        """One API call; raises _Missing for transport/authentication failures, returns the
        ApiException for errors that only make this resource type unreadable."""
        import urllib3
        from kubernetes.client.exceptions import ApiException

        try:
            response = method(_preload_content=False, _request_timeout=REQUEST_TIMEOUT, **kwargs)
            return json.loads(response.data)
        except ApiException as exc:
            if exc.status == 401:
                raise _Missing(
                    f"the Kubernetes API of {self.where} refused the credentials (401 Unauthorized) when "
                    f"listing {what}: the token or certificate has expired or is wrong; refresh it (for EKS: "
                    f"`aws sso login` / check `aws sts get-caller-identity`) and retry"
                ) from None
            return exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Missing(
                f"cannot reach the Kubernetes API of {self.where}: {_reason(exc)}; check that the cluster "
                f"is running and reachable from here (VPN, endpoint access) and that "
                f"`kubectl --context {self.context} get namespaces` works"
            ) from None
        except json.JSONDecodeError:
            raise _Missing(
                f"the server of {self.where} answered {what} with something that is not JSON: is it a "
                f"Kubernetes API server?"
            ) from None

    def version(self, version_api: Any) -> dict[str, Any]:
        found = self._call("/version", version_api.get_code)
        return found if isinstance(found, dict) else {}

    def list(self, kind: str, what: str, method: Callable[..., Any], **kwargs: Any) -> list[dict] | None:
        """All items of a list call (following `continue`), or None when it is not readable."""
        items: list[dict] = []
        token: str | None = None
        while True:
            page = self._call(what, method, limit=PAGE_SIZE, _continue=token, **kwargs)
            if not isinstance(page, dict):
                self._unreadable(kind, what, page)
                return None
            items += page.get("items") or []
            token = (page.get("metadata") or {}).get("continue") or None
            if not token:
                return items

    def _unreadable(self, kind: str, what: str, exc: Any) -> None:
        status = getattr(exc, "status", None)
        message = _status_message(exc)
        if status == 403:
            why = f"forbidden: {message}"
        elif status == 404:
            why = f"not served by this cluster (404 for {what})"
        else:
            why = f"error {status} listing {what}: {message}"
        previous = self.unavailable.get(kind)
        self.unavailable[kind] = f"{previous}; {why}" if previous else why

    def add(self, kind: str, api_version: str, item: dict[str, Any]) -> Resource | None:
        meta = item.get("metadata") or {}
        key = (kind, meta.get("namespace"), meta.get("name", "?"))
        if key in self._seen:
            return None
        self._seen.add(key)
        meta.pop("managedFields", None)
        body = {"apiVersion": api_version, "kind": kind, **item}
        redact_env(body)
        resource = Resource(
            kind=kind,
            name=meta.get("name", "?"),
            namespace=meta.get("namespace"),
            labels=dict(meta.get("labels") or {}),
            spec=body,
        )
        self.out.append(resource)
        return resource

    def read(self, kind: str, api_version: str, method: Callable[..., Any], **kwargs: Any) -> list[dict]:
        what = _plural(kind) + (f" ({kwargs['label_selector']})" if "label_selector" in kwargs else "")
        items = self.list(kind, what, method, **kwargs)
        for item in items or []:
            self.add(kind, api_version, item)
        return items or []

    def helm_releases(self, core: Any) -> None:
        """Helm 3 keeps each revision in a Secret; only the current one's metadata and values are kept."""
        secrets = self.list(
            HELM_RELEASE,
            "Helm release secrets (owner=helm)",
            core.list_secret_for_all_namespaces,
            label_selector="owner=helm",
            field_selector=f"type={HELM_SECRET_TYPE}",
        )
        current: dict[tuple[str, str], dict[str, Any]] = {}
        for secret in secrets or []:
            if secret.get("type") != HELM_SECRET_TYPE:
                continue  # only Helm's own records, whatever the server's filtering did
            meta = secret.get("metadata") or {}
            labels = meta.get("labels") or {}
            key = (meta.get("namespace", ""), labels.get("name", meta.get("name", "")))
            if key not in current or _revision_rank(secret) > _revision_rank(current[key]):
                current[key] = secret
        problems = []
        for (namespace, name), secret in sorted(current.items()):
            try:
                release = decode_helm_release((secret.get("data") or {}).get("release", ""))
            except ValueError as exc:
                problems.append(f"the release record of {namespace}/{name} cannot be decoded: {exc}")
                continue
            self.out.append(helm_release_resource(release, namespace=namespace, name=name))
        if problems:
            self.unavailable[HELM_RELEASE] = "; ".join(problems)

    def pods(self, core: Any, system_namespaces: Sequence[str] | None) -> None:
        """User servers, the hub's own pods, and every pod in the system namespaces."""
        if system_namespaces is None:
            from aicommons.checks.controls._kube import SYSTEM_NAMESPACES

            system_namespaces = SYSTEM_NAMESPACES
        for selector in (USER_SERVER_SELECTOR, JUPYTERHUB_SELECTOR):
            for item in (
                self.list(
                    "Pod", f"pods ({selector})", core.list_pod_for_all_namespaces, label_selector=selector
                )
                or []
            ):
                self.add("Pod", "v1", item)
        existing = {r.name for r in self.of("Namespace")}
        for namespace in system_namespaces:
            if "Namespace" not in self.unavailable and namespace not in existing:
                continue
            what = f"pods in namespace {namespace}"
            for item in self.list("Pod", what, core.list_namespaced_pod, namespace=namespace) or []:
                self.add("Pod", "v1", item)


def _plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith("s") else "s")


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    text = str(reason)
    for marker in (
        "Connection refused",
        "timed out",
        "Name or service not known",
        "certificate verify failed",
    ):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:200]


def _status_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if body is None and getattr(exc, "data", None) is not None:
        body = exc.data
    try:
        status = json.loads(body) if body else {}
        if isinstance(status, dict) and status.get("message"):
            return str(status["message"])
    except (TypeError, ValueError):
        pass
    return str(getattr(exc, "reason", None) or exc)


def _revision_rank(secret: Mapping[str, Any]) -> tuple[int, int]:
    labels = (secret.get("metadata") or {}).get("labels") or {}
    try:
        revision = int(labels.get("version", "0"))
    except ValueError:
        revision = 0
    return (1 if labels.get("status") == "deployed" else 0, revision)


# --- Helm releases ----------------------------------------------------------------------------


def decode_helm_release(data: str) -> dict[str, Any]:
    """A Helm 3 release from a Secret's `data.release`: base64 (the API) of base64 (Helm) of gzip
    of JSON. Helm writes the gzip layer unless disabled; both forms are accepted."""
    try:
        blob = base64.b64decode(base64.b64decode(data, validate=True), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64 ({exc})") from None
    if blob[:2] == b"\x1f\x8b":
        try:
            blob = gzip.decompress(blob)
        except (OSError, EOFError) as exc:
            raise ValueError(f"bad gzip ({exc})") from None
    try:
        release = json.loads(blob)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(release, dict):
        raise ValueError("not a Helm release object")
    return release


def encode_helm_release(release: Mapping[str, Any]) -> str:
    """The inverse of `decode_helm_release` (what Helm and the API server store)."""
    inner = base64.b64encode(gzip.compress(json.dumps(release).encode(), mtime=0))
    return base64.b64encode(inner).decode()


def helm_release_resource(release: Mapping[str, Any], *, namespace: str, name: str) -> Resource:
    meta = (release.get("chart") or {}).get("metadata") or {}
    values, redacted = redact(release.get("config") or {})
    info = release.get("info") or {}
    return Resource(
        kind=HELM_RELEASE,
        name=release.get("name") or name,
        namespace=release.get("namespace") or namespace,
        spec={
            "chart": meta.get("name"),
            "version": meta.get("version"),
            "app_version": meta.get("appVersion"),
            "repository": None,  # Helm does not record where a chart came from
            "namespace": release.get("namespace") or namespace,
            "revision": release.get("version"),
            "status": info.get("status"),
            "values": values,
            "redacted": redacted,
        },
    )


def redact(values: Any, path: str = "") -> tuple[Any, list[str]]:
    """A copy of `values` with secret-looking string values replaced by "[redacted]", and the
    dotted paths replaced. Booleans and numbers stay (`automountServiceAccountToken: false`); an
    env-style entry `{name: HF_TOKEN, value: ...}` has its value redacted."""
    found: list[str] = []

    def walk(node: Any, where: str, secret: bool) -> Any:
        if isinstance(node, Mapping):
            named = node.get("name")
            env_like = isinstance(named, str) and "value" in node and is_secret_key(named)
            out = {}
            for key, value in node.items():
                sub = f"{where}.{key}" if where else str(key)
                out[key] = walk(value, sub, is_secret_key(str(key)) or (env_like and key == "value"))
            return out
        if isinstance(node, list):
            return [walk(v, f"{where}[{i}]", secret) for i, v in enumerate(node)]
        if isinstance(node, str) and node:
            if secret or _PEM.search(node):
                found.append(where)
                return REDACTED
            if _URL_PASSWORD.search(node):
                found.append(where)
                return _URL_PASSWORD.sub(rf"\1{REDACTED}\3", node)
        return node

    return walk(values, path, False), found


def is_secret_key(key: str) -> bool:
    return key not in _NOT_SECRET_KEYS and bool(_SECRET_KEY.search(key))


def redact_env(body: dict[str, Any]) -> list[str]:
    """Redact, in place, literal values of secret-looking env variables in an object's containers
    (KubeSpawner puts `JUPYTERHUB_API_TOKEN` straight into each user pod's env)."""
    found: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                sub = f"{where}.{key}" if where else key
                if key == "env" and isinstance(value, list):
                    for i, var in enumerate(value):
                        if (
                            isinstance(var, dict)
                            and is_secret_key(str(var.get("name", "")))
                            and var.get("value")
                        ):
                            var["value"] = REDACTED
                            found.append(f"{sub}[{i}].value")
                else:
                    walk(value, sub)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(body.get("spec"), "spec")
    return found


# --- The cluster's network-policy engine ------------------------------------------------------

# DaemonSet (or container) name -> (engine, enforces NetworkPolicy)
_ENGINES = {
    "calico-node": ("calico", True),
    "canal": ("calico (canal)", True),
    "cilium": ("cilium", True),
    "cilium-agent": ("cilium", True),
    "antrea-agent": ("antrea", True),
    "kube-router": ("kube-router", True),
    "weave-net": ("weave", True),
    "kube-flannel-ds": ("flannel", False),
    "kube-flannel": ("flannel", False),
}


def network_policy_engine(daemonsets: Iterable[Mapping[str, Any]]) -> tuple[bool | None, list[str]]:
    """Does the cluster's CNI enforce NetworkPolicy, judging by its DaemonSets?

    True when a policy engine runs (Calico, Cilium, Antrea, kube-router, Weave, or the VPC CNI's
    network policy agent with `--enable-network-policy=true`); False when only a CNI that ignores
    policies runs (flannel, the VPC CNI without its agent); None when no known CNI is seen.
    """
    enforced: bool | None = None
    evidence: list[str] = []
    for ds in daemonsets:
        meta = ds.get("metadata") or {}
        ref = f"DaemonSet {meta.get('namespace')}/{meta.get('name')}"
        containers = (
            (((ds.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers")
        ) or []
        names = [meta.get("name", "")] + [c.get("name", "") for c in containers]
        engine = next((_ENGINES[n] for n in names if n in _ENGINES), None)
        if meta.get("name") == "aws-node" or "aws-node" in names:
            engine = (
                ("aws-vpc-cni network policy agent", True)
                if _vpc_cni_policy(containers)
                else ("aws-vpc-cni without network policy", False)
            )
        if engine is None:
            continue
        evidence.append(f"{ref}: {engine[0]}")
        enforced = True if engine[1] else (enforced if enforced else False)
    return enforced, evidence


def _vpc_cni_policy(containers: Sequence[Mapping[str, Any]]) -> bool:
    for c in containers:
        if "--enable-network-policy=true" in (c.get("args") or []):
            return True
        for env in c.get("env") or []:
            if env.get("name") == "ENABLE_NETWORK_POLICY" and str(env.get("value")).lower() == "true":
                return True
    return False


def _cluster(context: str, server: str, version: Mapping[str, Any], reader: _Reader) -> dict[str, Any]:
    """The cluster itself, as the Kubernetes API shows it."""
    if "DaemonSet" in reader.unavailable:
        enforced, evidence = None, [f"DaemonSets could not be read: {reader.unavailable['DaemonSet']}"]
    else:
        enforced, evidence = network_policy_engine(r.spec for r in reader.of("DaemonSet"))
    return {
        "context": context,
        "server": server,
        "version": version.get("gitVersion"),
        "network_policy_enforced": enforced,
        "network_policy_evidence": evidence
        or ["no known CNI DaemonSet (calico-node, cilium, aws-node, ...) was found"],
    }
