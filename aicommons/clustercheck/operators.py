"""Objects nobody in the bundle writes but the cluster will have: those Kubernetes itself makes
in every namespace or cluster, and those an operator makes from an object the bundle creates.

Each rule names its source. An operator's objects appear once the object they come from exists
(they take its wave): the operator must already run, which the CRD rule of `order.py` checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aicommons.clustercheck.model import Obj

# Made in every namespace by kube-controller-manager: the `default` ServiceAccount
# (pkg/controller/serviceaccount/serviceaccounts_controller.go) and the `kube-root-ca.crt`
# ConfigMap (pkg/controller/certificates/rootcacertpublisher/publisher.go).
PER_NAMESPACE = (("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt"))
# Built-in PriorityClasses (pkg/apis/scheduling/types.go, SystemPriorityClasses).
CLUSTER_WIDE = (("PriorityClass", "system-node-critical"), ("PriorityClass", "system-cluster-critical"))


@dataclass(frozen=True)
class Made:
    """An object an operator makes: what, and from which object."""

    kind: str
    namespace: str | None
    name: str
    operator: str  # e.g. "CloudNativePG"
    source: Obj


def cnpg_cluster(obj: Obj) -> Iterator[tuple[str, str]]:
    """CloudNativePG `Cluster` X (cloudnative-pg/cloudnative-pg docs/src/applications.md,
    "Secrets"; docs/src/service_management.md; api/v1/cluster_funcs.go):

    - Secret `X-app` unless `bootstrap.*.secret.name` names the city's own: bootstrap by initdb
      (the default, `cluster_defaults.go` `defaultInitDB`), pg_basebackup or recovery
      (`ShouldCreateApplicationSecret`, `GetApplicationSecretName`);
    - Secret `X-superuser` when `enableSuperuserAccess` is true, unless `superuserSecret`
      names one (`GetSuperuserSecretName`, `GetEnableSuperuserAccess`);
    - Services `X-rw` always, `X-ro` and `X-r` unless listed in
      `managed.services.disabledDefaultServices`.
    """
    spec: Mapping[str, Any] = obj.doc.get("spec") or {}
    name = obj.name
    bootstrap = spec.get("bootstrap") or {}
    method = next((bootstrap[m] for m in ("recovery", "pg_basebackup", "initdb") if m in bootstrap), {})
    if not (method.get("secret") or {}).get("name"):
        yield "Secret", f"{name}-app"
    if spec.get("enableSuperuserAccess") is True and not (spec.get("superuserSecret") or {}).get("name"):
        yield "Secret", f"{name}-superuser"
    disabled = set(((spec.get("managed") or {}).get("services") or {}).get("disabledDefaultServices") or [])
    for suffix in ("rw", "ro", "r"):
        if suffix == "rw" or suffix not in disabled:
            yield "Service", f"{name}-{suffix}"


# (API group, kind) -> (operator, what it makes in the object's namespace).
OPERATORS: dict[tuple[str, str], tuple[str, Callable[[Obj], Iterator[tuple[str, str]]]]] = {
    ("postgresql.cnpg.io", "Cluster"): ("CloudNativePG", cnpg_cluster),
}


def api_group(obj: Obj) -> str:
    api_version = str(obj.doc.get("apiVersion", ""))
    return api_version.rpartition("/")[0]


def operator_made(objects: tuple[Obj, ...]) -> list[Made]:
    out = []
    for obj in objects:
        entry = OPERATORS.get((api_group(obj), obj.kind))
        if entry is None:
            continue
        operator, makes = entry
        for kind, name in makes(obj):
            out.append(Made(kind, obj.namespace, name, operator, obj))
    return out


def built_in(kind: str, namespace: str | None, name: str) -> bool:
    """Kubernetes makes it (in every namespace, or cluster-wide)."""
    if namespace is not None:
        return (kind, name) in PER_NAMESPACE
    return (kind, name) in CLUSTER_WIDE
