"""ResourceQuota admission over a whole deploy: every object's charge, in creation order.

Objects are charged in the platform stack's order (``Obj.step``), and within one Helm release
in Helm's install order (helm pkg/release/util/kind_sorter.go InstallOrder); the pods and
claims a controller makes come after the release's own objects. A quota refuses only what
is created after it exists; what came before still counts as used. A refused object is not
charged. DaemonSets are charged one pod per node they select with every node group at its
minimum count: the nodes a fresh deploy has (the autoscaler adds more later, each charged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aicommons.clustercheck import cnpg
from aicommons.clustercheck.filters import selection_reasons
from aicommons.clustercheck.model import ADMISSION, ClusterFinding, ClusterInput, NodeGroup, Obj, PodInstance
from aicommons.clustercheck.pods import AdmittedPod, admitted_pods
from aicommons.clustercheck.quantities import text
from aicommons.clustercheck.quota import (
    Quota,
    applies,
    claim_usage,
    missing_for_quota,
    object_count,
    over,
    pod_usage,
    quota_of,
    service_usage,
)

HELM_INSTALL_ORDER = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
    "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
    "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)  # fmt: skip
_RANK = {k: i for i, k in enumerate(HELM_INSTALL_ORDER)}
_DERIVED = len(HELM_INSTALL_ORDER) + 1  # after every kind, unknown ones included


@dataclass
class _Charge:
    owner: Obj
    what: str  # "Service proxy-public", "pod 2 of 3", ...
    usage: Mapping[str, int]
    pod_spec: Mapping[str, Any] | None = None
    position: tuple[int, int, int] = (0, 0, 0)


@dataclass
class _Ledger:
    quota: Quota
    position: tuple[int, int, int]
    used: dict[str, int] = field(default_factory=dict)


def _position(obj: Obj, index: int) -> tuple[int, int, int]:
    return (obj.step, _RANK.get(obj.kind, len(HELM_INSTALL_ORDER)), index)


def _direct(obj: Obj, index: int) -> _Charge | None:
    if not obj.namespace or obj.kind in ("Pod", "Namespace"):
        return None
    if obj.kind == "Service":
        usage = service_usage(obj.doc)
    elif obj.kind == "PersistentVolumeClaim":
        usage = {**object_count(obj.doc), **claim_usage(obj.doc)}
    else:
        usage = object_count(obj.doc)
    return _Charge(obj, f"{obj.kind} {obj.name}", usage, position=_position(obj, index))


def nodes_at_minimum(daemon: PodInstance, groups: tuple[NodeGroup, ...]) -> int:
    """Nodes a DaemonSet's pod runs on when every group is at its minimum count: those whose
    labels and taints the DaemonSet controller lets it run on (the scheduler's filters)."""
    return sum(g.min_count for g in groups if not selection_reasons(daemon, g))


def _pod_count(pod: AdmittedPod, cluster: ClusterInput) -> int:
    if pod.template.per_node:
        return nodes_at_minimum(pod.template, cluster.node_groups)
    return pod.template.replicas


def _derived(pod: AdmittedPod, index: int, cluster: ClusterInput) -> list[_Charge]:
    owner = pod.template.owner
    position = (owner.step, _DERIVED, index)
    out: list[_Charge] = []
    if cnpg.is_cluster(owner.doc):
        for i in range(cnpg.services(owner.doc)):
            usage = {"services": 1, "count/services": 1}
            out.append(_Charge(owner, f"Service {i + 1} of the operator's", usage, position=position))
    count = _pod_count(pod, cluster)
    per_node = " (one per node at the node groups' minimum counts)" if pod.template.per_node else ""
    for n in range(count):
        for claim in pod.template.claims:
            name = (claim.get("metadata") or {}).get("name", "claim")
            usage = claim_usage(claim)
            out.append(_Charge(owner, f"claim {name} of pod {n + 1} of {count}", usage, position=position))
        usage = pod_usage(pod.requests, pod.limits)
        what = f"pod {n + 1} of {count}{per_node}"
        out.append(_Charge(owner, what, usage, pod_spec=pod.spec, position=position))
    return out


def _cause(cluster: ClusterInput, quota: Quota, resource: str) -> str:
    ref = quota.obj.ref
    return cluster.causes.get(f"{ref}:{resource}") or cluster.causes.get(ref) or f"{ref} spec.hard.{resource}"


def check_quotas(cluster: ClusterInput) -> list[ClusterFinding]:
    """Every object a namespace's ResourceQuota refuses, with used + asked > hard."""
    ledgers: dict[str, list[_Ledger]] = {}
    for i, obj in enumerate(cluster.objects):
        if obj.kind == "ResourceQuota" and obj.namespace:
            ledgers.setdefault(obj.namespace, []).append(_Ledger(quota_of(obj), _position(obj, i)))
    if not ledgers:
        return []
    charges = [c for i, o in enumerate(cluster.objects) if (c := _direct(o, i)) is not None]
    for i, pod in enumerate(admitted_pods(cluster)):
        charges += _derived(pod, i, cluster)
    charges.sort(key=lambda c: c.position)
    findings: dict[tuple[str, str], ClusterFinding] = {}
    for charge in charges:
        books = ledgers.get(charge.owner.namespace or "", [])
        refusals: list[tuple[_Ledger, str, str]] = []
        for book in books:
            if not applies(book.quota, charge.pod_spec) or book.position >= charge.position:
                continue
            if charge.pod_spec is not None:
                for res, names in missing_for_quota(charge.pod_spec, book.quota.hard).items():
                    why = f"it tracks {res}, so every container must set it; {', '.join(names)} do not"
                    refusals.append((book, f"quota.must-specify.{res}", why))
            for res, used, asked, hard in over(book.quota, book.used, charge.usage):
                why = f"{res}: used {text(res, used)} + asked {text(res, asked)} > hard {text(res, hard)}"
                refusals.append((book, f"quota.{res}", why))
        if refusals:
            for book, rule, why in refusals:
                key = (charge.owner.ref, rule)
                if key not in findings:  # the first refused pod of a controller carries the numbers
                    findings[key] = ClusterFinding(
                        control=ADMISSION,
                        release=charge.owner.release,
                        object=charge.owner.ref,
                        message=f"{book.quota.obj.ref} refuses {charge.what}: {why}",
                        cause=_cause(cluster, book.quota, rule.split(".", 1)[1].replace("must-specify.", "")),
                        rule=rule,
                    )
            continue
        for book in books:
            if applies(book.quota, charge.pod_spec):
                for res in book.quota.hard:
                    book.used[res] = book.used.get(res, 0) + charge.usage.get(res, 0)
    return list(findings.values())
