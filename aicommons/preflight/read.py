"""The shell of `aicommons preflight`: read a ClusterSnapshot with the kubernetes client.

Read-only list calls (nodes, StorageClasses, IngressClasses, DaemonSets, Deployments, Services),
through the live adapter's connection and paging (checks/adapters/live_k8s.py): an unusable
context, refused credentials or an unreachable API server is a MissingComponentError (exit 3); a
kind the reader may not list is recorded in `unreadable` and reported as unverified.
"""

from __future__ import annotations

from typing import Any

from aicommons.checks.adapters.live_k8s import _connect, _Missing, _Reader
from aicommons.errors import MissingComponentError
from aicommons.preflight.snapshot import (
    DEFAULT_CLASS_ANNOTATIONS,
    DEFAULT_INGRESS_CLASS_ANNOTATION,
    GPU_RESOURCE,
    ClusterSnapshot,
    IngressClass,
    LoadBalancerService,
    Node,
    NodeTaint,
    StorageClass,
    Workload,
)


def read_snapshot(context: str | None, kubeconfig: str | None = None) -> ClusterSnapshot:
    """The cluster behind `context` (the kubeconfig's current one when None), as preflight needs it."""
    from kubernetes import client

    api, name, server = _connect(context, kubeconfig)
    reader = _Reader(api, name, server)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    storage, net = client.StorageV1Api(api), client.NetworkingV1Api(api)
    try:
        nodes = reader.list("Node", "nodes", core.list_node)
        classes = reader.list("StorageClass", "storageclasses", storage.list_storage_class)
        ingress = reader.list("IngressClass", "ingressclasses", net.list_ingress_class)
        daemonsets = reader.list("DaemonSet", "daemonsets", apps.list_daemon_set_for_all_namespaces)
        deployments = reader.list("Deployment", "deployments", apps.list_deployment_for_all_namespaces)
        services = reader.list("Service", "services", core.list_service_for_all_namespaces)
    except _Missing as exc:
        raise MissingComponentError(str(exc)) from None
    finally:
        api.close()
    return ClusterSnapshot(
        context=name,
        nodes=tuple(sorted((_node(n) for n in nodes or []), key=lambda n: n.name)),
        storage_classes=tuple(sorted((_storage_class(c) for c in classes or []), key=lambda c: c.name)),
        ingress_classes=tuple(sorted((_ingress_class(c) for c in ingress or []), key=lambda c: c.name)),
        workloads=tuple(
            sorted(
                [_workload("DaemonSet", d) for d in daemonsets or []]
                + [_workload("Deployment", d) for d in deployments or []],
                key=lambda w: (w.kind, w.namespace, w.name),
            )
        ),
        load_balancer_services=tuple(
            sorted(
                (_service(s) for s in services or [] if (s.get("spec") or {}).get("type") == "LoadBalancer"),
                key=lambda s: (s.namespace, s.name),
            )
        ),
        unreadable=dict(sorted(reader.unavailable.items())),
    )


def _meta(item: dict[str, Any]) -> dict[str, Any]:
    return item.get("metadata") or {}


def _node(item: dict[str, Any]) -> Node:
    allocatable = (item.get("status") or {}).get("allocatable") or {}
    taints = (item.get("spec") or {}).get("taints") or []
    gpus = str(allocatable.get(GPU_RESOURCE, "0"))
    return Node(
        name=_meta(item).get("name", ""),
        labels=dict(_meta(item).get("labels") or {}),
        taints=tuple(
            NodeTaint(t.get("key", ""), t.get("value", "") or "", t.get("effect", "")) for t in taints
        ),
        gpu_allocatable=int(gpus) if gpus.isdigit() else 0,
    )


def _storage_class(item: dict[str, Any]) -> StorageClass:
    annotations = _meta(item).get("annotations") or {}
    return StorageClass(
        name=_meta(item).get("name", ""),
        provisioner=item.get("provisioner", ""),
        default=any(annotations.get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS),
    )


def _ingress_class(item: dict[str, Any]) -> IngressClass:
    annotations = _meta(item).get("annotations") or {}
    return IngressClass(
        name=_meta(item).get("name", ""),
        controller=(item.get("spec") or {}).get("controller", ""),
        default=annotations.get(DEFAULT_INGRESS_CLASS_ANNOTATION) == "true",
    )


def _workload(kind: str, item: dict[str, Any]) -> Workload:
    pod = ((item.get("spec") or {}).get("template") or {}).get("spec") or {}
    containers = tuple(
        {"name": c.get("name", ""), "args": list(c.get("args") or []), "env": _plain_env(c.get("env") or [])}
        for c in pod.get("containers") or []
    )
    return Workload(kind, _meta(item).get("namespace", ""), _meta(item).get("name", ""), containers)


POLICY_FLAGS = frozenset({"ENABLE_NETWORK_POLICY"})  # the VPC CNI's policy switch


def _plain_env(env: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Only the literal flags the policy-engine check reads; no other value is kept."""
    return [
        {"name": e["name"], "value": str(e["value"])}
        for e in env
        if e.get("name") in POLICY_FLAGS and "value" in e
    ]


def _service(item: dict[str, Any]) -> LoadBalancerService:
    ingress = ((item.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return LoadBalancerService(
        namespace=_meta(item).get("namespace", ""),
        name=_meta(item).get("name", ""),
        addresses=tuple(sorted(i.get("hostname") or i.get("ip") or "" for i in ingress if i)),
    )
