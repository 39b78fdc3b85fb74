"""The cluster check's input and output: what a cluster would be asked to create, the nodes it
has at their minimum counts, and the findings of each model of the API server, scheduler and
Helm.

Every model (admission, references and order, scheduling) is a pure function
``check(cluster: ClusterInput) -> list[ClusterFinding]`` over these types; the entry point
(`aicommons.clustercheck.run`) builds the input from a rendered bundle and the chart cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# Blueprint controls the findings belong to.
ADMISSION = "AIC-OPS-01"  # ResourceQuota, LimitRange, Pod Security admission, schemas
SCHEDULING = "AIC-OPS-02"  # every pod fits a sized node group at its minimum count
ORDER = "AIC-OPS-03"  # references exist, in dependency order; each release's wait can be met

ControlId = Literal["AIC-OPS-01", "AIC-OPS-02", "AIC-OPS-03"]

PLATFORM_STACK = "platform-stack"  # objects the platform stack creates outside any Helm release


@dataclass(frozen=True)
class Obj:
    """One Kubernetes object the deploy would create.

    ``step`` is its place in the platform stack's creation order: the stack creates step 0
    (namespaces, storage classes, policies) first, then each Helm release in install order
    (Pulumi waits for each release to be ready before the next that depends on it), then the
    manifests created after the releases. Objects of one Helm release share a step.
    """

    release: str  # Helm release name, or PLATFORM_STACK
    step: int
    doc: Mapping[str, Any]
    source: str = ""  # chart template path or bundle file, for the report
    waited: bool = True  # the release (or stack) waits for this object to be ready

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.doc.get("metadata") or {}).get("name", ""))

    @property
    def namespace(self) -> str | None:
        ns = (self.doc.get("metadata") or {}).get("namespace")
        return str(ns) if ns else None

    @property
    def ref(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: str = "NoSchedule"


@dataclass(frozen=True)
class NodeGroup:
    """One sized node group, as the scheduler sees one of its nodes.

    ``allocatable`` is the kubelet's allocatable (before any pod, DaemonSets included), in
    Kubernetes units: cpu in millicores, memory in bytes, pods, and extended resources such as
    ``nvidia.com/gpu`` in their own counts.
    """

    name: str
    pool: str
    instance_type: str
    min_count: int
    max_count: int
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    allocatable: Mapping[str, int]
    zones: tuple[str, ...] = ()
    # What sizing left on each node for DaemonSets (the target's DaemonsetOverhead, GPU extras
    # included on GPU groups), in the units of ``allocatable``: cpu, memory, pods. Empty: not
    # known (a hand-made group), and the overhead is not checked.
    daemonset_budget: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterInput:
    objects: tuple[Obj, ...]
    node_groups: tuple[NodeGroup, ...]
    kubernetes_version: str  # "1.34"
    # What the cluster provides beyond the API server, e.g. "load-balancer" (a controller that
    # gives LoadBalancer Services an address), "cnpg" (the operator is installed by the bundle).
    capabilities: frozenset[str] = frozenset()
    # Where a value came from in the city's profile, for findings: values path or object ref ->
    # profile field (e.g. "workloads[0].cpu.request").
    causes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterFinding:
    control: ControlId
    release: str
    object: str  # Obj.ref
    message: str  # what the cluster would do, with the numbers
    cause: str = ""  # the profile field or value that causes it, when known
    rule: str = ""  # short name of the modelled rule, e.g. "quota.services.nodeports"


@dataclass(frozen=True)
class PodInstance:
    """The pods one workload object asks for, as admission leaves them.

    Built by ``aicommons.clustercheck.pods.effective_pods(cluster)`` from Deployments,
    StatefulSets, DaemonSets, Jobs, CronJobs, bare Pods and operator-made pods (CloudNativePG
    ``Cluster`` instances), after the namespace's LimitRange defaults are applied.
    ``requests`` are in Kubernetes units (cpu millicores, memory bytes, extended resources as
    counts): the pod's effective request (sum of containers, or the largest init container if
    larger, per resource, as the scheduler computes it).
    """

    owner: Obj
    namespace: str
    replicas: int  # pods the object asks for (DaemonSet: 0, see per_node)
    per_node: bool  # a DaemonSet: one pod on every node it selects
    spec: Mapping[str, Any]  # the pod spec after defaulting (nodeSelector, affinity, tolerations, ...)
    requests: Mapping[str, int]
