"""ResourceQuota admission: what each object is charged, and which object a quota refuses.

Counting rules of the API server's quota evaluators (kubernetes pkg/quota/v1/evaluator/core):
- services.go: every Service is 1 ``services``; a NodePort Service is one
  ``services.nodeports`` per port; a LoadBalancer Service is 1 ``services.loadbalancers`` and
  one node port per port too (only ports with an explicit nodePort when
  ``allocateLoadBalancerNodePorts: false``).
- pods.go: 1 ``pods``; ``requests.cpu``/``cpu``, ``requests.memory``/``memory``,
  ``limits.cpu``, ``limits.memory`` from the pod's effective requests and limits
  (component-helpers PodRequests/PodLimits); ``requests.<extended>`` for extended resources
  such as ``nvidia.com/gpu``. A quota on cpu or memory makes every container and init
  container name that resource (Constraints: "must specify ...").
- persistent_volume_claims.go: 1 ``persistentvolumeclaims``, ``requests.storage`` of the
  claim, and the same per storage class (``<class>.storageclass.storage.k8s.io/...``).
- generic object counts ``count/<resource>.<group>``.
The quota admission controller (staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota
controller.go) refuses an object when used + asked > hard for any resource a quota tracks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aicommons.clustercheck.model import Obj
from aicommons.clustercheck.quantities import amount, resource_list

_CORE_COUNTS = {
    "Pod": "pods",
    "Service": "services",
    "PersistentVolumeClaim": "persistentvolumeclaims",
    "ConfigMap": "configmaps",
    "Secret": "secrets",
    "ReplicationController": "replicationcontrollers",
    "ResourceQuota": "resourcequotas",
}
_NATIVE = ("cpu", "memory", "ephemeral-storage", "pods", "storage")
_REQUIRED_FOR = {  # pods.go validationSet -> the container field it needs
    "cpu": ("requests", "cpu"),
    "requests.cpu": ("requests", "cpu"),
    "memory": ("requests", "memory"),
    "requests.memory": ("requests", "memory"),
    "limits.cpu": ("limits", "cpu"),
    "limits.memory": ("limits", "memory"),
}


@dataclass(frozen=True)
class Quota:
    obj: Obj
    hard: Mapping[str, int]
    scopes: tuple[str, ...]
    scope_selector: tuple[Mapping[str, Any], ...]


def quota_of(obj: Obj) -> Quota:
    spec = obj.doc.get("spec") or {}
    hard = {str(k): amount(str(k), v) for k, v in (spec.get("hard") or {}).items()}
    selector = tuple((spec.get("scopeSelector") or {}).get("matchExpressions") or [])
    return Quota(obj=obj, hard=hard, scopes=tuple(spec.get("scopes") or []), scope_selector=selector)


def _plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith(("s", "x")) else "s")


def object_count(doc: Mapping[str, Any]) -> dict[str, int]:
    """generic.ObjectCountQuotaResourceNameFor: ``count/<resource>[.<group>]`` (and the
    legacy names of the core kinds)."""
    kind = str(doc.get("kind", ""))
    api = str(doc.get("apiVersion", ""))
    group = api.split("/")[0] if "/" in api else ""
    name = f"count/{_plural(kind)}" + (f".{group}" if group else "")
    out = {name: 1}
    if not group and kind in _CORE_COUNTS and kind != "Pod":
        out[_CORE_COUNTS[kind]] = 1
    return out


def service_usage(doc: Mapping[str, Any]) -> dict[str, int]:
    """services.go Usage."""
    spec = doc.get("spec") or {}
    ports = list(spec.get("ports") or [])
    kind = spec.get("type") or "ClusterIP"
    usage = {**object_count(doc), "services": 1, "services.loadbalancers": 0, "services.nodeports": 0}
    if kind == "NodePort":
        usage["services.nodeports"] = len(ports)
    elif kind == "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") is False:
            usage["services.nodeports"] = sum(1 for p in ports if p.get("nodePort"))
        else:
            usage["services.nodeports"] = len(ports)
        usage["services.loadbalancers"] = 1
    return usage


def claim_usage(doc: Mapping[str, Any]) -> dict[str, int]:
    """persistent_volume_claims.go Usage (count, requests.storage, per storage class)."""
    spec = doc.get("spec") or {}
    storage = resource_list((spec.get("resources") or {}).get("requests")).get("storage", 0)
    usage = {
        "count/persistentvolumeclaims": 1,
        "persistentvolumeclaims": 1,
        "requests.storage": storage,
    }
    cls = spec.get("storageClassName")
    if cls:
        usage[f"{cls}.storageclass.storage.k8s.io/persistentvolumeclaims"] = 1
        usage[f"{cls}.storageclass.storage.k8s.io/requests.storage"] = storage
    return usage


def pod_usage(requests: Mapping[str, int], limits: Mapping[str, int]) -> dict[str, int]:
    """pods.go PodUsageFunc / podComputeUsageHelper over the pod's effective requests/limits."""
    usage = {"count/pods": 1, "pods": 1}
    for res in ("cpu", "memory", "ephemeral-storage"):
        if res in requests:
            usage[res] = usage[f"requests.{res}"] = requests[res]
        if res in limits:
            usage[f"limits.{res}"] = limits[res]
    for res, value in requests.items():
        if res.startswith("hugepages-"):
            usage[res] = usage[f"requests.{res}"] = value
        elif res not in _NATIVE and not res.startswith("requests.") and "/" in res:
            usage[f"requests.{res}"] = value
    return usage


def missing_for_quota(spec: Mapping[str, Any], tracked: Iterable[str]) -> dict[str, list[str]]:
    """pods.go Constraints: quota resource -> containers that do not set it."""
    out: dict[str, list[str]] = {}
    for resource in sorted(set(tracked) & set(_REQUIRED_FOR)):
        which, name = _REQUIRED_FOR[resource]
        for key in ("initContainers", "containers"):
            for c in spec.get(key) or []:
                if name not in ((c.get("resources") or {}).get(which) or {}):
                    out.setdefault(resource, []).append(str(c.get("name")))
    return out


def _best_effort(spec: Mapping[str, Any]) -> bool:
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            res = c.get("resources") or {}
            if res.get("requests") or res.get("limits"):
                return False
    return True


def _scope_matches(scope: str, spec: Mapping[str, Any], selector: Mapping[str, Any] | None = None) -> bool:
    terminating = spec.get("activeDeadlineSeconds") is not None and int(spec["activeDeadlineSeconds"]) >= 0
    if scope == "Terminating":
        return terminating
    if scope == "NotTerminating":
        return not terminating
    if scope == "BestEffort":
        return _best_effort(spec)
    if scope == "NotBestEffort":
        return not _best_effort(spec)
    if scope == "PriorityClass" and selector is not None:
        cls = spec.get("priorityClassName")
        op, values = selector.get("operator"), list(selector.get("values") or [])
        return {
            "In": cls in values,
            "NotIn": cls not in values,
            "Exists": bool(cls),
            "DoesNotExist": not cls,
        }.get(str(op), False)
    return False


def applies(quota: Quota, pod_spec: Mapping[str, Any] | None) -> bool:
    """A scoped quota only tracks pods in its scopes (and nothing else: MatchesNoScopeFunc)."""
    if not quota.scopes and not quota.scope_selector:
        return True
    if pod_spec is None:
        return False
    return all(_scope_matches(s, pod_spec) for s in quota.scopes) and all(
        _scope_matches(str(e.get("scopeName")), pod_spec, e) for e in quota.scope_selector
    )


def over(quota: Quota, used: Mapping[str, int], asked: Mapping[str, int]) -> list[tuple[str, int, int, int]]:
    """(resource, used, asked, hard) for each tracked resource the object would exceed."""
    return [
        (res, used.get(res, 0), asked[res], hard)
        for res, hard in sorted(quota.hard.items())
        if asked.get(res, 0) > 0 and used.get(res, 0) + asked[res] > hard
    ]
