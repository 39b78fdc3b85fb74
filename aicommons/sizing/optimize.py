"""Choose instance types and node counts for each pool at least cost.

For a pool (a set of workloads sharing nodes) every candidate type is priced exactly:
nodes needed at each demand level of the week come from the exact packer, times the
hours the level holds, times the type's price. Candidates are visited cheapest-bound
first and the search stops once no remaining type's lower bound can beat the best
found, so the answer is the exact minimum over types. GPU workloads with the same
sharing kind may share a pool or get their own: all partitions of a small group are
tried (dynamic programming over subsets). The lower bound reported beside the answer
is in bounds.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from aicommons.sizing.binpack import first_fit_decreasing, fractional_bound, pack, per_node
from aicommons.sizing.capacity import DaemonsetOverhead, NodeType, Resources, schedulable
from aicommons.sizing.demand import Level, PodDemand, eligible, gpu_slots

MAX_PARTITION_GROUP = 4  # exact partition search up to this many workloads in a group


@dataclass(frozen=True)
class PoolSolution:
    node: NodeType
    capacity: Resources  # what user pods may use on one node
    pods: tuple[PodDemand, ...]
    level_nodes: tuple[tuple[float, int], ...]  # (hours a month, nodes)
    peak_nodes: int
    min_nodes: int
    usd_month: float
    proven_optimal: bool

    @property
    def node_hours_month(self) -> float:
        return sum(h * n for h, n in self.level_nodes)


@dataclass(frozen=True)
class PoolProblem:
    """Everything that decides a pool's cost except the pods' subset and the type."""

    levels: tuple[Level, ...]  # counts indexed like all_pods
    all_pods: tuple[PodDemand, ...]
    min_nodes: int
    overhead: DaemonsetOverhead


def node_capacity(node: NodeType, pods: Sequence[PodDemand], overhead: DaemonsetOverhead) -> Resources:
    sharing = next((p.sharing for p in pods if p.sharing), "")
    return schedulable(node.allocatable, overhead, gpu_slots(node, sharing))


def fits_somewhere(pod: PodDemand, types: Sequence[NodeType], overhead: DaemonsetOverhead) -> bool:
    return any(
        eligible(t, pod) and per_node(pod.vector, node_capacity(t, [pod], overhead).as_tuple()) >= 1
        for t in types
    )


def level_counts(problem: PoolProblem, pods: Sequence[PodDemand]) -> list[tuple[float, list[int]]]:
    index = {p.workload: i for i, p in enumerate(problem.all_pods)}
    merged: dict[tuple[int, ...], float] = {}
    for level in problem.levels:
        counts = tuple(level.counts[index[p.workload]] for p in pods)
        merged[counts] = merged.get(counts, 0.0) + level.hours_month
    return [(h, list(c)) for c, h in sorted(merged.items())]


def solve_pool(
    pods: Sequence[PodDemand], candidates: Sequence[NodeType], problem: PoolProblem
) -> PoolSolution | None:
    """The cheapest single instance type (and node counts) for these pods, or None."""
    pods = tuple(pods)
    demands = [p.vector for p in pods]
    levels = level_counts(problem, pods)
    peak = [p.peak_pods for p in pods]
    options = []
    for node in candidates:
        if node.max_nodes == 0 or not all(eligible(node, p) for p in pods):
            continue
        cap = node_capacity(node, pods, problem.overhead).as_tuple()
        if any(per_node(d, cap) == 0 for d in demands):
            continue
        quick = sum(
            h * max(problem.min_nodes, math.ceil(fractional_bound(demands, c, cap) - 1e-6)) for h, c in levels
        )
        options.append((quick * node.usd_hour, node.name, node, cap))
    options.sort(key=lambda o: (o[0], o[1]))
    best: PoolSolution | None = None
    for quick_cost, _, node, cap in options:
        if best is not None and quick_cost >= best.usd_month - 1e-9:
            break
        solution = _price_type(node, cap, pods, demands, levels, peak, problem.min_nodes)
        if solution is None:
            continue
        if best is None or (solution.usd_month, node.name) < (best.usd_month, best.node.name):
            best = solution
    return best


def _price_type(
    node: NodeType,
    cap: tuple[float, ...],
    pods: tuple[PodDemand, ...],
    demands: list[tuple[float, ...]],
    levels: list[tuple[float, list[int]]],
    peak: list[int],
    min_nodes: int,
) -> PoolSolution | None:
    level_nodes = []
    optimal = True
    peak_packing = pack(demands, peak, cap)
    if peak_packing is None:
        return None
    for hours, counts in levels:
        packing = peak_packing if counts == peak else pack(demands, counts, cap)
        assert packing is not None
        optimal &= packing.proven_optimal
        level_nodes.append((hours, max(min_nodes, packing.nodes)))
    peak_nodes = max(min_nodes, peak_packing.nodes)
    if node.max_nodes is not None and peak_nodes > node.max_nodes:
        return None
    usd = sum(h * n for h, n in level_nodes) * node.usd_hour
    return PoolSolution(
        node=node,
        capacity=Resources(*cap),
        pods=pods,
        level_nodes=tuple(level_nodes),
        peak_nodes=peak_nodes,
        min_nodes=min_nodes,
        usd_month=usd,
        proven_optimal=optimal and peak_packing.proven_optimal,
    )


def partition_pools(
    pods: Sequence[PodDemand], candidates: Sequence[NodeType], problem: PoolProblem
) -> list[PoolSolution] | None:
    """Best split of a group of workloads into pools (each one type), by exact search."""
    pods = tuple(pods)
    if len(pods) <= 1:
        single = solve_pool(pods, candidates, problem)
        return [single] if single else None
    if len(pods) > MAX_PARTITION_GROUP:
        # Too many subsets to search: one shared pool, or one pool per workload, whichever is cheaper.
        layouts = [
            [solve_pool(pods, candidates, problem)],
            [solve_pool([p], candidates, problem) for p in pods],
        ]
        feasible = [[s for s in layout if s] for layout in layouts if all(layout)]
        return min(feasible, key=lambda layout: sum(s.usd_month for s in layout)) if feasible else None
    n = len(pods)

    @cache
    def subset(mask: int) -> PoolSolution | None:
        return solve_pool([pods[i] for i in range(n) if mask >> i & 1], candidates, problem)

    @cache
    def best(mask: int) -> tuple[float, tuple[int, ...]] | None:
        if mask == 0:
            return (0.0, ())
        low = mask & -mask
        answer: tuple[float, tuple[int, ...]] | None = None
        sub = mask
        while sub:
            if sub & low:
                pool = subset(sub)
                rest = best(mask & ~sub)
                if pool is not None and rest is not None:
                    total = pool.usd_month + rest[0]
                    if answer is None or total < answer[0] - 1e-9:
                        answer = (total, (sub, *rest[1]))
            sub = (sub - 1) & mask
        return answer

    found = best((1 << n) - 1)
    if found is None:
        return None
    return [s for s in (subset(m) for m in found[1]) if s is not None]


def naive_pools(
    pods: Sequence[PodDemand], candidates: Sequence[NodeType], problem: PoolProblem
) -> float | None:
    """Baseline: one pool of the cheapest type every pod fits on, packed first-fit; where no
    single type hosts them all, one such pool per workload."""
    together = _naive_pool(pods, candidates, problem)
    if together is not None:
        return together
    alone = [_naive_pool([p], candidates, problem) for p in pods]
    return None if any(a is None for a in alone) else sum(a for a in alone if a is not None)


def _naive_pool(
    pods: Sequence[PodDemand], candidates: Sequence[NodeType], problem: PoolProblem
) -> float | None:
    pods = tuple(pods)
    demands = [p.vector for p in pods]
    usable = []
    for node in candidates:
        if not all(eligible(node, p) for p in pods):
            continue
        cap = node_capacity(node, pods, problem.overhead).as_tuple()
        if all(per_node(d, cap) >= 1 for d in demands):
            usable.append((node.usd_hour, node.name, cap))
    if not usable:
        return None
    price, _, cap = min(usable)
    return sum(
        h * max(problem.min_nodes, first_fit_decreasing(demands, c, cap)) * price
        for h, c in level_counts(problem, pods)
    )
