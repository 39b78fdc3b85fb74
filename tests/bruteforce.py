"""Exact answers by exhaustive search, written independently of aicommons.sizing, for small cases.

``min_nodes`` is the fewest identical nodes holding a multiset of pods (dynamic programming
over the multiset of pods still to place: some node must hold a pod of the first remaining
kind, so it is enough to try every node filling that contains one). ``cheapest_pool`` and
``cheapest_split`` price every candidate type and every split of workloads into pools;
``cheapest_mixed_level`` prices any mix of types at one level, and ``hosts`` says whether
given nodes hold given pods.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from functools import cache

from aicommons.sizing.capacity import DaemonsetOverhead, NodeType, schedulable
from aicommons.sizing.demand import PodDemand, eligible, gpu_slots

TOLERANCE = 1e-9
Vector = tuple[float, ...]


def fits(load: Sequence[float], capacity: Sequence[float]) -> bool:
    return all(a <= c + TOLERANCE for a, c in zip(load, capacity, strict=True))


def fillings(demands: Sequence[Vector], counts: Sequence[int], capacity: Vector) -> list[tuple[int, ...]]:
    """Every non-empty node filling (pods per kind) that fits, up to the counts."""
    out = []
    for filling in itertools.product(*(range(c + 1) for c in counts)):
        if not any(filling):
            continue
        load = [sum(n * d[k] for n, d in zip(filling, demands, strict=True)) for k in range(len(capacity))]
        if fits(load, capacity):
            out.append(filling)
    return out


def min_nodes(demands: Sequence[Vector], counts: Sequence[int], capacity: Vector) -> int | None:
    """Fewest nodes of ``capacity`` holding ``counts[i]`` pods of ``demands[i]``; None if a pod fits nowhere."""
    demands = [tuple(d) for d in demands]
    for d, c in zip(demands, counts, strict=True):
        if c > 0 and not fits(d, capacity):
            return None
    options = fillings(demands, counts, capacity)

    @cache
    def solve(state: tuple[int, ...]) -> int:
        if not any(state):
            return 0
        first = next(i for i, s in enumerate(state) if s)
        best = sum(state)  # one pod per node always works
        for filling in options:
            if filling[first] == 0 or any(f > s for f, s in zip(filling, state, strict=True)):
                continue
            rest = tuple(s - f for s, f in zip(state, filling, strict=True))
            best = min(best, 1 + solve(rest))
        return best

    return solve(tuple(counts))


def pool_capacity(node: NodeType, pods: Sequence[PodDemand], overhead: DaemonsetOverhead) -> Vector:
    sharing = next((p.sharing for p in pods if p.sharing), "")
    return schedulable(node.allocatable, overhead, gpu_slots(node, sharing)).as_tuple()


def pool_cost(
    node: NodeType,
    pods: Sequence[PodDemand],
    levels: Sequence[tuple[float, Sequence[int]]],
    peak: Sequence[int],
    min_count: int,
    overhead: DaemonsetOverhead,
) -> float | None:
    """Monthly cost of one pool of ``node`` for these pods over the levels (hours, counts per pod)."""
    if node.max_nodes == 0 or not all(eligible(node, p) for p in pods):
        return None
    cap = pool_capacity(node, pods, overhead)
    demands = [p.vector for p in pods]
    at_peak = min_nodes(demands, peak, cap)
    if at_peak is None or (node.max_nodes is not None and max(at_peak, min_count) > node.max_nodes):
        return None
    total = 0.0
    for hours, counts in levels:
        needed = min_nodes(demands, counts, cap)
        assert needed is not None
        total += hours * max(min_count, needed) * node.usd_hour
    return total


def cheapest_pool(
    pods: Sequence[PodDemand],
    candidates: Sequence[NodeType],
    levels: Sequence[tuple[float, Sequence[int]]],
    min_count: int,
    overhead: DaemonsetOverhead,
) -> float | None:
    """The least monthly cost of one pool (any single candidate type) for these pods."""
    peak = [p.peak_pods for p in pods]
    costs = [pool_cost(t, pods, levels, peak, min_count, overhead) for t in candidates]
    known = [c for c in costs if c is not None]
    return min(known) if known else None


def set_partitions(items: list[int]) -> Iterator[list[list[int]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first], *partition]
        for i in range(len(partition)):
            yield [*partition[:i], [first, *partition[i]], *partition[i + 1 :]]


def cheapest_split(
    pods: Sequence[PodDemand],
    candidates: Sequence[NodeType],
    levels: Sequence[tuple[float, Sequence[int]]],
    min_count: int,
    overhead: DaemonsetOverhead,
) -> float | None:
    """The least total cost over every split of the workloads into pools (each one type).

    ``levels`` give counts for all of ``pods`` (in order); each block takes its own columns.
    """
    best: float | None = None
    for partition in set_partitions(list(range(len(pods)))):
        total = 0.0
        for block in partition:
            block_levels = [(h, [counts[i] for i in block]) for h, counts in levels]
            cost = cheapest_pool([pods[i] for i in block], candidates, block_levels, min_count, overhead)
            if cost is None:
                break
            total += cost
        else:
            best = total if best is None else min(best, total)
    return best


def cheapest_mixed_level(
    demands: Sequence[Vector], counts: Sequence[int], nodes: Sequence[tuple[float, Vector]], min_count: int
) -> float | None:
    """Least hourly cost of any mix of node types (price, capacity) holding the pods, with at least
    ``min_count`` (0 or 1) nodes; None if some pod fits no type. Some node must hold a pod of the
    first remaining kind, so it is enough to try every (type, filling) that contains one."""
    assert min_count in (0, 1)
    demands = [tuple(d) for d in demands]
    if not any(counts):
        return min(price for price, _ in nodes) * min_count if nodes else None
    options = [(price, f) for price, cap in nodes for f in fillings(demands, counts, cap)]

    @cache
    def solve(state: tuple[int, ...]) -> float:
        if not any(state):
            return 0.0
        first = next(i for i, s in enumerate(state) if s)
        best = float("inf")
        for price, filling in options:
            if filling[first] == 0 or any(f > s for f, s in zip(filling, state, strict=True)):
                continue
            best = min(best, price + solve(tuple(s - f for s, f in zip(state, filling, strict=True))))
        return best

    cost = solve(tuple(counts))
    return None if cost == float("inf") else cost


def hosts(demands: Sequence[Vector], counts: Sequence[int], capacities: Sequence[Vector]) -> bool:
    """Whether these nodes (one capacity each) can hold the pods together."""
    demands = [tuple(d) for d in demands]

    @cache
    def place(k: int, state: tuple[int, ...]) -> bool:
        if not any(state):
            return True
        if k == len(capacities):
            return False
        options = [()] + fillings(demands, state, capacities[k])  # type: ignore[list-item]
        for filling in options:
            rest = state if filling == () else tuple(s - f for s, f in zip(state, filling, strict=True))
            if place(k + 1, rest):
                return True
        return False

    return place(0, tuple(counts))
