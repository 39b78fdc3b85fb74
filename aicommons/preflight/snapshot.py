"""What `aicommons preflight` reads from a cluster, as plain typed data (the core's only input)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GPU_RESOURCE = "nvidia.com/gpu"
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


@dataclass(frozen=True)
class NodeTaint:
    key: str
    value: str
    effect: str


@dataclass(frozen=True)
class Node:
    name: str
    labels: dict[str, str]
    taints: tuple[NodeTaint, ...] = ()
    gpu_allocatable: int = 0  # nvidia.com/gpu in status.allocatable (0: none advertised)

    def matches(self, selector: dict[str, str]) -> bool:
        return all(self.labels.get(k) == v for k, v in selector.items())

    def has_taint(self, key: str, value: str, effect: str) -> bool:
        return any(t.key == key and t.value == value and t.effect == effect for t in self.taints)


@dataclass(frozen=True)
class StorageClass:
    name: str
    provisioner: str
    default: bool = False


@dataclass(frozen=True)
class IngressClass:
    name: str
    controller: str
    default: bool = False


@dataclass(frozen=True)
class Workload:
    """A DaemonSet or Deployment, with what identifies the CNI, policy agent or a controller."""

    kind: str  # DaemonSet | Deployment
    namespace: str
    name: str
    containers: tuple[dict[str, Any], ...] = ()  # name, args, env (as the API gives them)

    def as_manifest(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "metadata": {"namespace": self.namespace, "name": self.name},
            "spec": {"template": {"spec": {"containers": [dict(c) for c in self.containers]}}},
        }


@dataclass(frozen=True)
class LoadBalancerService:
    namespace: str
    name: str
    addresses: tuple[str, ...] = ()  # status.loadBalancer.ingress hostnames or IPs


@dataclass(frozen=True)
class ClusterSnapshot:
    """The cluster as read; `unreadable` names what could not be read (kind -> why)."""

    context: str
    nodes: tuple[Node, ...] = ()
    storage_classes: tuple[StorageClass, ...] = ()
    ingress_classes: tuple[IngressClass, ...] = ()
    workloads: tuple[Workload, ...] = ()
    load_balancer_services: tuple[LoadBalancerService, ...] = ()
    unreadable: dict[str, str] = field(default_factory=dict)

    def workload_named(self, *names: str) -> Workload | None:
        return next((w for w in self.workloads if w.name in names), None)
