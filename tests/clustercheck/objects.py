"""Small builders of Kubernetes objects for the cluster-check tests."""

from __future__ import annotations

from typing import Any

from aicommons.clustercheck.model import ClusterInput, NodeGroup, Obj, Taint

NS = "team"
GIB = 1024**3
MIB = 1024**2


def container(
    name: str, requests: dict[str, Any] | None = None, limits: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    res: dict[str, Any] = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    return {"name": name, "image": "example/image:1", **({"resources": res} if res else {}), **extra}


def pod_spec(
    *containers: dict[str, Any], init: tuple[dict[str, Any], ...] = (), **extra: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers), **extra}
    if init:
        spec["initContainers"] = list(init)
    return spec


def workload(
    kind: str, name: str, spec: dict[str, Any], replicas: int | None = None, ns: str = NS, **extra: Any
) -> dict[str, Any]:
    api = {"Job": "batch/v1", "CronJob": "batch/v1"}.get(kind, "apps/v1")
    template = {"metadata": {"labels": {"app": name}}, "spec": spec}
    body: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}, "template": template}
    if kind in ("Job",):
        body = {"template": template}
    if kind == "CronJob":
        body = {"schedule": "@daily", "jobTemplate": {"spec": {"template": template}}}
    if replicas is not None:
        body["replicas"] = replicas
    body.update(extra)
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": body}


def limit_range(ns: str = NS, name: str = "limits", **item: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"limits": [{"type": "Container", **item}]},
    }


def quota(hard: dict[str, Any], ns: str = NS, name: str = "quota") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"hard": hard},
    }


def service(name: str, kind: str, ports: int, ns: str = NS, **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"type": kind, "ports": [{"name": f"p{i}", "port": 80 + i} for i in range(ports)], **extra},
    }


def namespace(name: str = NS, level: str | None = None, version: str | None = None) -> dict[str, Any]:
    labels = {}
    if level:
        labels["pod-security.kubernetes.io/enforce"] = level
    if version:
        labels["pod-security.kubernetes.io/enforce-version"] = version
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def group(
    name: str, min_count: int, labels: dict[str, str] | None = None, taints: tuple[Taint, ...] = ()
) -> NodeGroup:
    return NodeGroup(
        name=name,
        pool=name,
        instance_type="m7i.xlarge",
        min_count=min_count,
        max_count=min_count + 5,
        labels=labels or {},
        taints=taints,
        allocatable={"cpu": 3920, "memory": 14 * GIB},
    )


def cluster(
    *docs: dict[str, Any],
    steps: list[int] | None = None,
    groups: tuple[NodeGroup, ...] = (),
    version: str = "1.34",
) -> ClusterInput:
    """Objects in the given order; ``steps`` their creation steps (default: all 1)."""
    steps = steps or [1] * len(docs)
    objects = tuple(Obj("rel", step, doc) for doc, step in zip(docs, steps, strict=True))
    return ClusterInput(objects=objects, node_groups=groups, kubernetes_version=version)
