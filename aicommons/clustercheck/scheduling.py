"""Does every pod of the bundle schedule on the sized node groups at their minimum counts?
(control AIC-OPS-02)

The model, in order:

1. Each node of each group first takes the DaemonSet pods that select it (node selector,
   required node affinity, taints, as the DaemonSet controller decides; the controller's own
   tolerations included). A DaemonSet pod that selects a node but does not fit it is a
   finding. What they ask together must stay within what sizing left for DaemonSets (the
   target's ``DaemonsetOverhead``): otherwise user servers at peak would not fit the nodes
   sizing bought for them (rule ``sizing.daemonset-overhead``).
2. Every other pod (each replica) is placed first-fit-decreasing (largest GPU, CPU, memory
   request first) on the nodes the groups have at their minimum, through the filters of
   ``filters.py``. A pod no such node can take may go on a new node of a group below its
   maximum, but only when the cluster has an autoscaler to add it; otherwise, or when no
   group can take it at all, it is a finding naming its requests and why each group refused.

First-fit is a feasibility check, not the scheduler's choice: kube-scheduler scores nodes
(least allocated first), so a packing found here can be missed by the real scheduler when
nodes are nearly full, and one missed here can exist. Pod anti-affinity and topology spread
are not modelled (see ``filters.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aicommons.clustercheck.filters import (
    HostPort,
    free_text,
    host_ports,
    port_conflicts,
    quantity,
    requests_text,
    resource_reasons,
    selection_reasons,
)
from aicommons.clustercheck.filters import fits as fits
from aicommons.clustercheck.model import SCHEDULING, ClusterFinding, ClusterInput, NodeGroup, PodInstance

AUTOSCALER = "cluster-autoscaler"  # ClusterInput.capabilities: something adds nodes up to max


@dataclass
class Node:
    """One node during placement: what is left of its allocatable and the pods on it."""

    group: NodeGroup
    index: int
    free: dict[str, int]
    ports: list[HostPort]
    pods: list[str] = field(default_factory=list)
    added: bool = False  # added by the autoscaler, above the group's minimum

    def take(self, pod: PodInstance, name: str) -> None:
        for resource, amount in pod.requests.items():
            if resource != "pods":
                self.free[resource] = self.free.get(resource, 0) - amount
        self.free["pods"] = self.free.get("pods", 0) - 1
        self.ports += host_ports(pod)
        self.pods.append(name)

    def refusals(self, pod: PodInstance) -> list[str]:
        return resource_reasons(pod.requests, self.free) + port_conflicts(host_ports(pod), self.ports)


@dataclass
class Placement:
    """Where the model put every pod, and what it could not place."""

    nodes: list[Node]
    findings: list[ClusterFinding]
    # Pods that went on nodes the autoscaler adds above the minimum: "<pod> -> <group>".
    scaled_up: list[str]


def check(cluster: ClusterInput) -> list[ClusterFinding]:
    """AIC-OPS-02 over a cluster check's input: the bundle's pods on its sized node groups."""
    from aicommons.clustercheck.pods import effective_pods

    autoscaler = AUTOSCALER in cluster.capabilities
    return check_pods(
        effective_pods(cluster), cluster.node_groups, autoscaler=autoscaler, causes=cluster.causes
    )


def check_pods(
    pods: Sequence[PodInstance],
    node_groups: Sequence[NodeGroup],
    *,
    autoscaler: bool = False,
    causes: Mapping[str, str] | None = None,
) -> list[ClusterFinding]:
    """The findings of ``place`` in a stable order."""
    found = place(pods, node_groups, autoscaler=autoscaler, causes=causes).findings
    return sorted(found, key=lambda f: (f.object, f.rule, f.message))


def place(
    pods: Sequence[PodInstance],
    node_groups: Sequence[NodeGroup],
    *,
    autoscaler: bool = False,
    causes: Mapping[str, str] | None = None,
) -> Placement:
    """Place DaemonSet pods on every node, then the other pods first-fit-decreasing."""
    causes = causes or {}
    findings: list[ClusterFinding] = []
    daemonsets = sorted((p for p in pods if p.per_node), key=lambda p: (p.owner.step, p.owner.ref))
    templates = {}
    for group in node_groups:
        template, found = _daemonset_node(daemonsets, group, causes)
        templates[group.name] = template
        findings += found
    nodes = [_copy(templates[g.name], i) for g in node_groups for i in range(g.min_count)]
    scaled_up: list[str] = []
    unplaced: dict[str, list[tuple[PodInstance, str]]] = {}
    for pod, name in _replicas(p for p in pods if not p.per_node):
        node = next((n for n in nodes if not selection_reasons(pod, n.group) and not n.refusals(pod)), None)
        if node is None and autoscaler:
            node = _scale_up(pod, node_groups, nodes, templates)
            if node is not None:
                scaled_up.append(f"{name} -> {node.group.name}")
        if node is None:
            unplaced.setdefault(pod.owner.ref, []).append((pod, name))
            continue
        node.take(pod, name)
    for instances in unplaced.values():
        findings.append(_unplaced(instances, node_groups, nodes, templates, autoscaler, causes))
    return Placement(nodes, findings, scaled_up)


def _daemonset_node(
    daemonsets: Sequence[PodInstance], group: NodeGroup, causes: Mapping[str, str]
) -> tuple[Node, list[ClusterFinding]]:
    """A node of the group with the DaemonSet pods that select it, and the findings."""
    node = Node(group, -1, dict(group.allocatable), [])
    findings = []
    on_node: list[PodInstance] = []
    for ds in daemonsets:
        if selection_reasons(ds, group):
            continue  # the controller makes no pod for this node
        on_node.append(ds)
        refused = node.refusals(ds)
        if refused:
            findings.append(
                ClusterFinding(
                    SCHEDULING,
                    ds.owner.release,
                    ds.owner.ref,
                    f"{ds.owner.name} runs on every {_group_text(group)} node but does not fit there: asks "
                    f"{requests_text(ds.requests)}, {free_text(node.free)} free after the DaemonSets "
                    f"before it ({'; '.join(refused)}); the pod stays Pending on each such node",
                    causes.get(ds.owner.ref, ""),
                    "scheduling.daemonset",
                )
            )
            continue
        node.take(ds, ds.owner.name)
    overhead = _over_budget(on_node, group)
    if overhead is not None:
        findings.append(overhead)
    return node, findings


def daemonset_use(daemonsets: Sequence[PodInstance]) -> dict[str, int]:
    """What the DaemonSet pods on one node ask together: cpu, memory and one pod each."""
    return {
        "cpu": sum(p.requests.get("cpu", 0) for p in daemonsets),
        "memory": sum(p.requests.get("memory", 0) for p in daemonsets),
        "pods": len(daemonsets),
    }


def _over_budget(on_node: Sequence[PodInstance], group: NodeGroup) -> ClusterFinding | None:
    """Rule sizing.daemonset-overhead: the rendered DaemonSets must fit what sizing left for them."""
    budget = group.daemonset_budget
    if not budget or not on_node:
        return None
    use = daemonset_use(on_node)
    over = [r for r in ("cpu", "memory", "pods") if use[r] > budget.get(r, 0)]
    if not over:
        return None
    each = ", ".join(f"{p.owner.name} {requests_text(p.requests)}" for p in on_node)
    releases = ",".join(sorted({p.owner.release for p in on_node}))
    return ClusterFinding(
        SCHEDULING,
        releases,
        f"NodeGroup/{group.name}",
        f"the DaemonSets on each {_group_text(group)} node ask {_use_text(use)}, more {' and '.join(over)} "
        f"than sizing left for DaemonSets ({_use_text(budget)} per node, the target's overhead), so the "
        f"user servers sized for these nodes would not all fit at peak: {each}",
        "",
        "sizing.daemonset-overhead",
    )


def _use_text(use: Mapping[str, int]) -> str:
    return (
        f"{quantity('cpu', use.get('cpu', 0))} CPU / {quantity('memory', use.get('memory', 0))} / "
        f"{use.get('pods', 0)} pods"
    )


def _copy(template: Node, index: int, added: bool = False) -> Node:
    return Node(template.group, index, dict(template.free), list(template.ports), list(template.pods), added)


def _replicas(pods: Iterable[PodInstance]) -> list[tuple[PodInstance, str]]:
    """Every replica, largest first (GPUs, then CPU, then memory), then by object."""
    out = []
    for pod in pods:
        for i in range(pod.replicas):
            name = pod.owner.name if pod.replicas == 1 else f"{pod.owner.name} ({i + 1} of {pod.replicas})"
            out.append((pod, name, i))
    out.sort(
        key=lambda t: (
            -sum(v for k, v in t[0].requests.items() if "/" in k),
            -t[0].requests.get("cpu", 0),
            -t[0].requests.get("memory", 0),
            t[0].owner.ref,
            t[2],
        )
    )
    return [(pod, name) for pod, name, _ in out]


def _scale_up(
    pod: PodInstance, groups: Sequence[NodeGroup], nodes: list[Node], templates: Mapping[str, Node]
) -> Node | None:
    """A new node of the first group below its maximum whose empty node takes the pod."""
    for group in groups:
        count = sum(1 for n in nodes if n.group.name == group.name)
        template = templates[group.name]
        if count < group.max_count and not selection_reasons(pod, group) and not template.refusals(pod):
            node = _copy(template, count, added=True)
            nodes.append(node)
            return node
    return None


def _unplaced(
    instances: list[tuple[PodInstance, str]],
    groups: Sequence[NodeGroup],
    nodes: Sequence[Node],
    templates: Mapping[str, Node],
    autoscaler: bool,
    causes: Mapping[str, str],
) -> ClusterFinding:
    pod = instances[0][0]
    count = f"{len(instances)} of {pod.replicas} replicas" if pod.replicas > 1 else "its pod"
    why = "; ".join(_refusal(pod, g, nodes, templates[g.name], autoscaler) for g in groups)
    scaler = "" if autoscaler else " (the cluster has no autoscaler: groups stay at their minimum)"
    return ClusterFinding(
        SCHEDULING,
        pod.owner.release,
        pod.owner.ref,
        f"{pod.owner.name} asks {requests_text(pod.requests)} and {count} fit no node{scaler}: {why}",
        causes.get(pod.owner.ref, ""),
        "scheduling.unschedulable",
    )


def _refusal(
    pod: PodInstance, group: NodeGroup, nodes: Sequence[Node], template: Node, autoscaler: bool
) -> str:
    """Why one group refused the pod, as short as the reason allows."""
    head = _group_text(group)
    selection = selection_reasons(pod, group)
    if selection:
        return f"{head}: {', '.join(selection)}"
    empty = template.refusals(pod)
    if empty:
        return f"{head} has {free_text(template.free)} free after DaemonSets ({', '.join(empty)})"
    mine = [n for n in nodes if n.group.name == group.name]
    room = f"its {len(mine)} node(s) are full" if mine else "it has no node at its minimum (0)"
    if len(mine) >= group.max_count:
        return f"{head}: {room} and it is at its maximum ({group.max_count})"
    if not autoscaler:
        return (
            f"{head}: {room}; an empty node would take it ({free_text(template.free)} free after DaemonSets) "
            f"but nothing adds one below the maximum ({group.max_count})"
        )
    return f"{head}: {room}"  # pragma: no cover - the autoscaler would have added a node


def _group_text(group: NodeGroup) -> str:
    return f"{group.name} ({group.instance_type})"
