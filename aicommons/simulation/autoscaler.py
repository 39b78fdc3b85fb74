"""The cluster autoscaler's scale-up decision: which node group grows, and by how many nodes.

Modelled on kubernetes/autoscaler cluster-autoscaler/FAQ.md ("How does scale-up work?", "What are
expanders?"): for pending pods the autoscaler builds a template node per node group, estimates with
its bin-packing estimator how many new nodes of each group the pods need (up to the group's
maximum), and lets the expander pick one option per loop. Pods that would fit on nodes already
being launched do not trigger another scale-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from aicommons.simulation.scenario import Expander, NodeGroup

Shape = tuple[float, float, int]  # cpu, memory GiB, GPU slots
EPS = 1e-9


def fits(free: list[float], pod: Shape) -> bool:
    return free[0] + EPS >= pod[0] and free[1] + EPS >= pod[1] and free[2] >= pod[2]


def take(free: list[float], pod: Shape) -> None:
    free[0] -= pod[0]
    free[1] -= pod[1]
    free[2] -= pod[2]


@dataclass(frozen=True)
class Option:
    """Growing one group by `nodes` nodes schedules the pods at `helped` (indices into the pending list)."""

    group: int
    nodes: int
    helped: tuple[int, ...]
    waste: float


def absorb(rooms: list[list[float]], pods: list[Shape]) -> list[int]:
    """First-fit the pods into the room of nodes already on their way; the indices left over."""
    left = []
    for i, pod in enumerate(pods):
        for room in rooms:
            if fits(room, pod):
                take(room, pod)
                break
        else:
            left.append(i)
    return left


def estimate(group: NodeGroup, index: int, pods: list[Shape], room_nodes: int) -> Option | None:
    """The bin-packing estimator: first-fit the pods onto new template nodes, at most `room_nodes`.

    cluster-autoscaler/FAQ.md: template nodes of a group are identical; the estimate is how many
    such nodes the pending pods need. Pods that fit no template node are not helped by the group.
    """
    template = [group.cpu, group.memory_gib, float(group.gpu)]
    if room_nodes <= 0:
        return None
    rooms: list[list[float]] = []
    helped: list[int] = []
    for i, pod in enumerate(pods):
        if not fits(template, pod):
            continue
        for room in rooms:
            if fits(room, pod):
                take(room, pod)
                helped.append(i)
                break
        else:
            if len(rooms) < room_nodes:
                rooms.append(list(template))
                take(rooms[-1], pod)
                helped.append(i)
    if not helped:
        return None
    n = len(rooms)
    cpu = sum(pods[i][0] for i in helped)
    mem = sum(pods[i][1] for i in helped)
    waste = (n * group.cpu - cpu) / (n * group.cpu) + (n * group.memory_gib - mem) / (n * group.memory_gib)
    return Option(index, n, tuple(helped), waste)


def choose(expander: Expander, options: list[Option], groups: tuple[NodeGroup, ...]) -> Option:
    """The expander's pick (cluster-autoscaler/FAQ.md "What are expanders?").

    least-waste: least idle CPU after scale-up, then least idle memory; we add the two idle shares
    as the waste expander does. most-pods: most pods scheduled. least-nodes: fewest new nodes.
    priority: the highest group priority, least-waste among equals (`--expander=priority,least-waste`).
    The autoscaler breaks remaining ties at random; we take the group listed first, so a run is
    reproducible.
    """
    if expander == "most-pods":
        return min(options, key=lambda o: (-len(o.helped), o.group))
    if expander == "least-nodes":
        return min(options, key=lambda o: (o.nodes, o.group))
    if expander == "priority":
        return min(options, key=lambda o: (-groups[o.group].priority, round(o.waste, 12), o.group))
    return min(options, key=lambda o: (round(o.waste, 12), o.group))
