"""The scheduler's choice of a node for a pod: filter by room, score by allocation, preempt placeholders.

Taints and selectors are not evaluated pod by pod: each workload names its pool (its node selector
and the tolerations of that pool's taints, render/pools.py), so the engine only offers a pod the
ready nodes of its own pool.
"""

from __future__ import annotations

from aicommons.simulation.autoscaler import EPS, Shape, fits, take
from aicommons.simulation.scenario import NodeGroup, Scoring


class Node:
    """One node of a group: the room user pods have left, what runs on it, and its lifecycle."""

    __slots__ = ("alive", "cpu", "free", "group", "memory", "placeholders", "ready", "token", "users")

    def __init__(self, group: int, spec: NodeGroup) -> None:
        self.group = group
        self.cpu = spec.cpu
        self.memory = spec.memory_gib
        self.free = [spec.cpu, spec.memory_gib, float(spec.gpu)]
        self.users = 0
        self.placeholders = 0
        self.ready = False
        self.alive = True
        self.token = 0  # bumped when the node stops or starts being empty: voids older scale-down checks

    def utilization(self) -> float:
        """The autoscaler's utilization: the larger of requested CPU and memory over allocatable."""
        return max(1 - self.free[0] / self.cpu, 1 - self.free[1] / self.memory)

    def evict_for(self, pod: Shape, ph: Shape) -> int:
        """Evict as few placeholders as make room for the pod; how many were evicted."""
        evicted = 0
        while not fits(self.free, pod) and self.placeholders:
            take(self.free, (-ph[0], -ph[1], -ph[2]))
            self.placeholders -= 1
            evicted += 1
        return evicted

    def move_placeholders(self, others: list[Node], ph: Shape, scoring: Scoring) -> bool:
        """Reschedule this node's placeholders on the other nodes (the autoscaler drains a node only
        when its pods fit elsewhere); nothing moves unless all of them fit."""
        rooms = [list(n.free) for n in others]
        chosen = []
        for _ in range(self.placeholders):
            k = _best(rooms, [n.cpu for n in others], [n.memory for n in others], ph, scoring)
            if k is None:
                return False
            take(rooms[k], ph)
            chosen.append(k)
        for k in chosen:
            take(others[k].free, ph)
            others[k].placeholders += 1
        take(self.free, (-ph[0] * self.placeholders, -ph[1] * self.placeholders, -ph[2] * self.placeholders))
        self.placeholders = 0
        return True


def place(ready: list[Node], pod: Shape, scoring: Scoring) -> Node | None:
    """The feasible node with the best NodeResourcesFit score, the first listed among equals.

    Scores after placing the pod, CPU and memory weighted 1 each (kubernetes
    pkg/scheduler/framework/plugins/noderesources: most_allocated.go scores requested/allocatable,
    least_allocated.go (allocatable - requested)/allocatable). z2jh's user-scheduler configures
    MostAllocated (zero-to-jupyterhub-k8s jupyterhub/values.yaml, scheduling.userScheduler.
    pluginConfig) so that nodes empty out and can be removed; the default scheduler spreads
    (LeastAllocated). The scheduler picks at random among equal scores; we take the oldest node.
    """
    best = None
    best_score = -1.0
    c, m, g = pod
    sign = 1.0 if scoring == "MostAllocated" else -1.0
    for node in ready:
        free = node.free
        if free[0] + EPS >= c and free[1] + EPS >= m and free[2] >= g:
            # MostAllocated: requested share after placing; LeastAllocated: 2 - that share.
            score = sign * ((node.cpu - free[0] + c) / node.cpu + (node.memory - free[1] + m) / node.memory)
            if best is None or score > best_score + 1e-12:
                best, best_score = node, score
    return best


def _best(
    rooms: list[list[float]], cpus: list[float], mems: list[float], pod: Shape, scoring: Scoring
) -> int | None:
    best, best_score = None, -1.0
    for k, free in enumerate(rooms):
        if fits(free, pod):
            used = (cpus[k] - free[0] + pod[0]) / cpus[k] + (mems[k] - free[1] + pod[1]) / mems[k]
            score = used if scoring == "MostAllocated" else 2.0 - used
            if score > best_score + 1e-12:
                best, best_score = k, score
    return best


def preempt(ready: list[Node], pod: Shape, ph: Shape) -> Node | None:
    """A node where evicting placeholders makes room, the fewest evictions first.

    z2jh gives user placeholders a priority below user servers (scheduling.podPriority:
    userPlaceholderPriority -10, defaultPriority 0), so the scheduler's preemption evicts them for a
    real user; kube-scheduler prefers the node needing the fewest victims. The evicted placeholders
    go pending and make the autoscaler add a node.
    """
    best, fewest = None, None
    for node in ready:
        if not node.placeholders:
            continue
        for k in range(1, node.placeholders + 1):
            room = [node.free[0] + k * ph[0], node.free[1] + k * ph[1], node.free[2] + k * ph[2]]
            if fits(room, pod):
                if fewest is None or k < fewest:
                    best, fewest = node, k
                break
    return best
