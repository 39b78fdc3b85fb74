"""Lower bounds on what any pool layout can cost: the configuration LP over all types at once.

A column is one node of some type filled with a feasible mix of pods (a configuration);
the LP buys fractional numbers of columns to cover every pod. It relaxes only the
whole-node count, so it bounds every split into pools and every choice of types. Columns
are generated on demand: after each LP solve, a small knapsack per type finds the
configuration with the most negative reduced cost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from aicommons.sizing.binpack import per_node
from aicommons.sizing.capacity import NodeType
from aicommons.sizing.demand import PodDemand, eligible
from aicommons.sizing.optimize import PoolProblem, level_counts, node_capacity

MAX_ROUNDS = 60


def lp_lower_bound(pods: Sequence[PodDemand], candidates: Sequence[NodeType], problem: PoolProblem) -> float:
    """Monthly cost below which no layout of these pods on these types can go."""
    pods = tuple(pods)
    types = []
    for node in candidates:
        ok = [i for i, p in enumerate(pods) if eligible(node, p)]
        if not ok:
            continue
        cap = node_capacity(node, [pods[i] for i in ok], problem.overhead).as_tuple()
        ok = [i for i in ok if per_node(pods[i].vector, cap) >= 1]
        if ok:
            types.append((node.usd_hour, cap, ok))
    return sum(
        hours * _level_bound(pods, counts, types, problem.min_nodes)
        for hours, counts in level_counts(problem, pods)
    )


def _level_bound(
    pods: tuple[PodDemand, ...],
    counts: list[int],
    types: list[tuple[float, tuple[float, ...], list[int]]],
    min_nodes: int,
) -> float:
    need = [i for i, c in enumerate(counts) if c > 0]
    if not need:
        return min_nodes * min(p for p, _, _ in types) if min_nodes and types else 0.0
    columns: list[tuple[float, list[int]]] = []
    for i in need:  # start from the cheapest single-workload node for each pod kind
        best = min(
            (
                (price / min(per_node(pods[i].vector, cap), counts[i]), price, cap)
                for price, cap, ok in types
                if i in ok
            ),
            default=None,
        )
        if best is None:
            return float("inf")
        _, price, cap = best
        col = [0] * len(pods)
        col[i] = min(per_node(pods[i].vector, cap), counts[i])
        columns.append((price, col))
    value = 0.0
    for _ in range(MAX_ROUNDS):
        value, duals, sigma = _master(columns, counts, need, min_nodes)
        added = 0
        for price, cap, ok in types:
            if price - _gain_ceiling(pods, counts, duals, cap, ok) - sigma >= -1e-7 * max(1.0, price):
                continue  # no configuration of this type can have a negative reduced cost
            gain, config = _best_config(pods, counts, duals, cap, ok)
            if price - gain - sigma < -1e-7 * max(1.0, price) and (price, config) not in columns:
                columns.append((price, config))
                added += 1
        if not added:
            break
    return value


def _master(
    columns: list[tuple[float, list[int]]], counts: list[int], need: list[int], min_nodes: int
) -> tuple[float, np.ndarray, float]:
    cost = np.array([c for c, _ in columns])
    rows = [[-col[i] for _, col in columns] for i in need]
    rhs = [-counts[i] for i in need]
    if min_nodes:
        rows.append([-1.0] * len(columns))
        rhs.append(-min_nodes)
    res = linprog(cost, A_ub=np.array(rows, dtype=float), b_ub=np.array(rhs, dtype=float), method="highs")
    if res.status != 0:  # pragma: no cover - the starting columns are always feasible
        raise RuntimeError(res.message)
    marginals = -np.asarray(res.ineqlin.marginals)
    duals = np.zeros(len(counts))
    for k, i in enumerate(need):
        duals[i] = marginals[k]
    sigma = float(marginals[-1]) if min_nodes else 0.0
    return float(res.fun), duals, sigma


def _gain_ceiling(
    pods: tuple[PodDemand, ...], counts: list[int], duals: np.ndarray, cap: tuple[float, ...], ok: list[int]
) -> float:
    """Cheap upper bound on a node's dual value: per dimension, the best value density times capacity."""
    items = [i for i in ok if duals[i] > 1e-12 and counts[i] > 0]
    if not items:
        return 0.0
    by_count = sum(duals[i] * min(counts[i], per_node(pods[i].vector, cap)) for i in items)
    by_dim = min(
        max(duals[i] / pods[i].vector[k] for i in items if pods[i].vector[k] > 0) * cap[k]
        for k in range(len(cap))
        if any(pods[i].vector[k] > 0 for i in items)
    )
    return float(min(by_count, by_dim))


def _best_config(
    pods: tuple[PodDemand, ...], counts: list[int], duals: np.ndarray, cap: tuple[float, ...], ok: list[int]
) -> tuple[float, list[int]]:
    """The configuration of one node of this type worth most at the current duals."""
    ok = [i for i in ok if duals[i] > 1e-12 and counts[i] > 0]
    if not ok:
        return 0.0, [0] * len(pods)
    a = np.array([pods[i].vector for i in ok], dtype=float).T
    upper = np.array([min(counts[i], per_node(pods[i].vector, cap)) for i in ok], dtype=float)
    res = milp(
        c=-duals[ok],
        constraints=[LinearConstraint(a, -np.inf, np.array(cap) + 1e-9)],
        integrality=np.ones(len(ok)),
        bounds=Bounds(np.zeros(len(ok)), upper),
        options={"time_limit": 2.0},
    )
    config = [0] * len(pods)
    if res.x is None:
        return 0.0, config
    for j, i in enumerate(ok):
        config[i] = int(round(res.x[j]))
    return float(sum(duals[i] * config[i] for i in range(len(pods)))), config
