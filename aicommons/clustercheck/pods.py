"""The pods each workload object asks for, as admission leaves them.

A controller (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) or a
CloudNativePG ``Cluster`` is admitted as an object; its pods are admitted one by one when
the controller creates them, each through the API's defaulting and the LimitRanger
(aicommons.clustercheck.limitranges) of its namespace.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aicommons.clustercheck import cnpg
from aicommons.clustercheck.limitranges import Defaulted, api_defaults, apply_defaults, limit_ranges
from aicommons.clustercheck.model import ClusterInput, Obj, PodInstance
from aicommons.clustercheck.quantities import Resources, pod_resources

_TEMPLATE_AT = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
_TEST_HOOKS = {"test", "test-success", "test-failure"}


@dataclass(frozen=True)
class PodTemplate:
    """The pod an object makes, as written, and how many."""

    owner: Obj
    namespace: str
    metadata: Mapping[str, Any]
    spec: Mapping[str, Any]
    replicas: int  # 0 for a DaemonSet (see per_node)
    per_node: bool
    claims: tuple[Mapping[str, Any], ...] = ()  # claims the controller makes for each pod


@dataclass(frozen=True)
class AdmittedPod:
    """A pod after the API's defaulting and the LimitRanger's defaults."""

    template: PodTemplate
    spec: Mapping[str, Any]
    defaulted: tuple[Defaulted, ...]
    requests: Resources  # the scheduler's effective request
    limits: Resources


def _dig(doc: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = doc
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _is_test_hook(obj: Obj) -> bool:
    hooks = ((obj.doc.get("metadata") or {}).get("annotations") or {}).get("helm.sh/hook", "")
    return bool(set(str(hooks).replace(" ", "").split(",")) & _TEST_HOOKS)


def _replicas(obj: Obj) -> int:
    spec = obj.doc.get("spec") or {}
    if obj.kind in ("Job", "CronJob"):
        job = spec if obj.kind == "Job" else (spec.get("jobTemplate") or {}).get("spec") or {}
        parallel = int(job["parallelism"]) if job.get("parallelism") is not None else 1
        completions = job.get("completions")
        return min(parallel, int(completions)) if completions is not None else parallel
    value = spec.get("replicas")
    return 1 if value is None else int(value)


def pod_template(obj: Obj) -> PodTemplate | None:
    """The pod ``obj`` makes the cluster run, or None when it runs none."""
    namespace = obj.namespace or "default"
    if cnpg.is_cluster(obj.doc):
        return PodTemplate(
            owner=obj,
            namespace=namespace,
            metadata={"labels": {"cnpg.io/cluster": obj.name}},
            spec=cnpg.pod_spec(obj.doc),
            replicas=cnpg.instances(obj.doc),
            per_node=False,
            claims=tuple(cnpg.claims(obj.doc)),
        )
    if _is_test_hook(obj):
        return None
    if obj.kind == "Pod":
        meta, spec, replicas = obj.doc.get("metadata") or {}, obj.doc.get("spec") or {}, 1
    elif obj.kind in _TEMPLATE_AT:
        template = _dig(obj.doc, _TEMPLATE_AT[obj.kind]) or {}
        meta, spec = template.get("metadata") or {}, template.get("spec") or {}
        replicas = 0 if obj.kind == "DaemonSet" else _replicas(obj)
    else:
        return None
    claims: tuple[Mapping[str, Any], ...] = ()
    if obj.kind == "StatefulSet":
        claims = tuple((obj.doc.get("spec") or {}).get("volumeClaimTemplates") or [])
    return PodTemplate(
        owner=obj,
        namespace=namespace,
        metadata=copy.deepcopy(dict(meta)),
        spec=copy.deepcopy(dict(spec)),
        replicas=replicas,
        per_node=obj.kind == "DaemonSet",
        claims=claims,
    )


def pod_templates(cluster: ClusterInput) -> list[PodTemplate]:
    return [t for t in (pod_template(o) for o in cluster.objects) if t is not None]


def _runtime_overheads(cluster: ClusterInput) -> dict[str, Mapping[str, Any]]:
    """RuntimeClass name -> overhead.podFixed (the RuntimeClass admission plugin sets it)."""
    return {
        o.name: (o.doc.get("overhead") or {}).get("podFixed") or {}
        for o in cluster.objects
        if o.kind == "RuntimeClass"
    }


def admit(template: PodTemplate, ranges: list[Obj], overheads: Mapping[str, Any]) -> AdmittedPod:
    spec: dict[str, Any] = copy.deepcopy(dict(template.spec))
    api_defaults(spec)
    defaulted = apply_defaults(spec, ranges)
    runtime = spec.get("runtimeClassName")
    if runtime and overheads.get(runtime) and not spec.get("overhead"):
        spec["overhead"] = dict(overheads[runtime])
    return AdmittedPod(
        template=template,
        spec=spec,
        defaulted=tuple(defaulted),
        requests=pod_resources(spec, "requests"),
        limits=pod_resources(spec, "limits"),
    )


def admitted_pods(cluster: ClusterInput) -> list[AdmittedPod]:
    """Every workload's pod after defaulting, in the order of ``cluster.objects``.

    LimitRanges of the pod's namespace apply whatever their place in the creation order: a pod
    created before its namespace's LimitRange gets the defaults on its first restart.
    """
    ranges = limit_ranges(cluster)
    overheads = _runtime_overheads(cluster)
    return [admit(t, ranges.get(t.namespace, []), overheads) for t in pod_templates(cluster)]


def effective_pods(cluster: ClusterInput) -> list[PodInstance]:
    """The pods each workload asks for, after its namespace's LimitRange defaults."""
    return [
        PodInstance(
            owner=p.template.owner,
            namespace=p.template.namespace,
            replicas=p.template.replicas,
            per_node=p.template.per_node,
            spec=p.spec,
            requests=p.requests,
        )
        for p in admitted_pods(cluster)
    ]
