"""Lower bounds on what any pool layout can cost, and the columns the mixed pools are built from.

Two bounds per demand level, both proven:

- the configuration LP over all types at once. A column is one node of some type filled
  with a feasible mix of pods (a configuration); the LP buys fractional numbers of columns
  to cover every pod. It relaxes only the whole-node count, so it bounds every split into
  pools and every choice of types. Columns are generated on demand: after each LP solve, a
  small knapsack per type finds the configuration with the most negative reduced cost.
- the whole-node bound: nodes are bought whole, pods may be split across nodes of a type
  (aggregate capacity per type), and the bill is at least the LP's. Any real layout meets
  all three conditions, so the cheapest whole-node purchase that does is a lower bound too,
  and never below the LP's. It is what a single large node type (eight A100s when only two
  pods run at night) makes unavoidable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog

from aicommons.sizing.binpack import per_node
from aicommons.sizing.capacity import NodeType
from aicommons.sizing.demand import PodDemand, eligible
from aicommons.sizing.optimize import PoolProblem, level_counts, node_capacity
from aicommons.sizing.solver import milp

MAX_ROUNDS = 60
# Branch-and-bound node limits (solver.py: never wall time, so the figures are the same on every
# machine). Stopped there, a solve's dual bound still holds. On the examples and the benchmark
# corpus the whole-node program of a level needs at most 1,408 nodes and the knapsack closes at its root.
KNAPSACK_NODES = 1000
WHOLE_NODES = 5000
TIGHT = 1e-3  # a layout within this share of the LP bound at a level needs no tighter bound there
# Whole nodes matter when few servers run; above this many the LP bound stands alone (it is
# close there, and the integer programs get slow).
SMALL_LEVEL = 300
FEW_TYPES = 6  # ... unless the types are few (then they are large: eight A100s for two servers)
FILL_SLACK = 0.25  # share of a node's price its best configuration may fall short by and still be kept


@dataclass(frozen=True)
class Candidate:
    """A node type that can host some of a group's pods: what one node offers them."""

    node: NodeType
    capacity: tuple[float, ...]
    hosts: tuple[int, ...]  # indexes (within the group) of the pods that fit on an empty node

    @property
    def price(self) -> float:
        return self.node.usd_hour


@dataclass(frozen=True)
class Column:
    candidate: int  # index into the candidates
    pods: tuple[int, ...]  # pods of each kind on one node of that type


@dataclass(frozen=True)
class LevelBound:
    hours: float  # a month
    counts: tuple[int, ...]  # pods of each kind running at this level
    lp: float  # configuration LP optimum, USD an hour
    columns: tuple[Column, ...]  # configurations the LP generated, plus each type's best at the end
    exact: float | None = None  # whole-node optimum, where every configuration could be listed


@dataclass(frozen=True)
class GroupBound:
    pods: tuple[PodDemand, ...]
    candidates: tuple[Candidate, ...]
    levels: tuple[LevelBound, ...]
    min_nodes: int

    @property
    def lp_usd_month(self) -> float:
        return sum(level.hours * level.lp for level in self.levels)

    def whole_usd_month(self, level_costs: Sequence[float]) -> float:
        """The whole-node bound, given what a layout costs an hour at each level.

        It is computed only where the layout costs more than the LP bound (elsewhere the LP
        bound is already met, and the whole-node bound lies between the two).
        """
        total = 0.0
        for level, cost in zip(self.levels, level_costs, strict=True):
            value = level.lp
            if level.exact is not None:
                value = max(level.lp, level.exact)
            elif cost > level.lp * (1 + TIGHT) + 1e-9 and (
                sum(level.counts) <= SMALL_LEVEL or len(self.candidates) <= FEW_TYPES
            ):
                value = max(
                    level.lp, _whole_nodes(self.pods, level.counts, self.candidates, self.min_nodes, level.lp)
                )
            total += level.hours * value
        return total


def candidates_for(
    pods: Sequence[PodDemand], types: Sequence[NodeType], problem: PoolProblem
) -> tuple[Candidate, ...]:
    found = []
    for node in types:
        if node.max_nodes == 0:
            continue
        ok = [i for i, p in enumerate(pods) if eligible(node, p)]
        if not ok:
            continue
        cap = node_capacity(node, [pods[i] for i in ok], problem.overhead).as_tuple()
        ok = [i for i in ok if per_node(pods[i].vector, cap) >= 1]
        if ok:
            found.append(Candidate(node, cap, tuple(ok)))
    return tuple(found)


def group_bound(pods: Sequence[PodDemand], types: Sequence[NodeType], problem: PoolProblem) -> GroupBound:
    """Both bounds at every demand level of the week, for these pods on these types."""
    pods = tuple(pods)
    candidates = candidates_for(pods, types, problem)
    levels = tuple(
        _level(pods, tuple(counts), hours, candidates, problem.min_nodes)
        for hours, counts in level_counts(problem, pods)
    )
    return GroupBound(pods, candidates, levels, problem.min_nodes)


def lp_lower_bound(pods: Sequence[PodDemand], types: Sequence[NodeType], problem: PoolProblem) -> float:
    """Monthly cost below which no layout of these pods on these types can go (the LP bound)."""
    return group_bound(pods, types, problem).lp_usd_month


def _level(
    pods: tuple[PodDemand, ...],
    counts: tuple[int, ...],
    hours: float,
    candidates: tuple[Candidate, ...],
    min_nodes: int,
) -> LevelBound:
    need = [i for i, c in enumerate(counts) if c > 0]
    if not need:
        if not min_nodes or not candidates:
            return LevelBound(hours, counts, 0.0, (), exact=0.0)
        cheapest = min(range(len(candidates)), key=lambda t: (candidates[t].price, candidates[t].node.name))
        price = min_nodes * candidates[cheapest].price
        return LevelBound(hours, counts, price, (Column(cheapest, (0,) * len(pods)),), exact=price)
    columns: list[Column] = []
    for i in need:  # start from the cheapest single-workload node for each pod kind
        best = min(
            (
                (c.price / min(per_node(pods[i].vector, c.capacity), counts[i]), t)
                for t, c in enumerate(candidates)
                if i in c.hosts
            ),
            default=None,
        )
        if best is None:
            inf = float("inf")
            return LevelBound(hours, counts, inf, ())
        t = best[1]
        col = [0] * len(pods)
        col[i] = min(per_node(pods[i].vector, candidates[t].capacity), counts[i])
        columns.append(Column(t, tuple(col)))
    converged = False
    for _ in range(MAX_ROUNDS):
        value, duals, sigma = _master(columns, candidates, counts, need, min_nodes)
        added = 0
        for t, c in enumerate(candidates):
            if c.price - _gain_ceiling(pods, counts, duals, c) - sigma >= -1e-7 * max(1.0, c.price):
                continue  # no configuration of this type can have a negative reduced cost
            gain, config = _best_config(pods, counts, duals, c)
            column = Column(t, config)
            if c.price - gain - sigma < -1e-7 * max(1.0, c.price) and column not in columns:
                columns.append(column)
                added += 1
        if not added:
            converged = True
            break
    # Each type's best configuration at the final prices, where it is not far from paying for
    # itself: what a mixed pool fills up with (a type far from it would not be in a cheap layout).
    for t, c in enumerate(candidates):
        if c.price - _gain_ceiling(pods, counts, duals, c) - sigma > FILL_SLACK * c.price:
            continue
        _, config = _best_config(pods, counts, duals, c)
        column = Column(t, config)
        if any(config) and column not in columns:
            columns.append(column)
    lp = value if converged else 0.0  # an unconverged master is not a bound
    exact = None
    if len(need) <= 2 and sum(counts) <= SMALL_LEVEL and all(c.node.max_nodes is None for c in candidates):
        exact, used = _exact_level(pods, counts, candidates, min_nodes, need)
        columns += [c for c in used if c not in columns]
    return LevelBound(hours, counts, lp, tuple(columns), exact)


def _exact_level(
    pods: tuple[PodDemand, ...],
    counts: tuple[int, ...],
    candidates: tuple[Candidate, ...],
    min_nodes: int,
    need: list[int],
) -> tuple[float | None, list[Column]]:
    """Whole-node optimum at one level of one or two pod kinds, over every configuration.

    Every node of a layout holds a configuration that some listed one covers on a type no
    dearer, so the integer program over the list is the level's optimum: a lower bound for
    any layout, and (its solution) a layout itself. Returns its proven bound and the columns used.
    """
    first, rest = need[0], need[1:]
    cheapest: dict[tuple[int, ...], tuple[float, str, int]] = {}
    for t, c in enumerate(candidates):
        top = min(counts[first], per_node(pods[first].vector, c.capacity)) if first in c.hosts else 0
        for n in range(top + 1):
            room = tuple(cap - n * d for cap, d in zip(c.capacity, pods[first].vector, strict=True))
            config = [0] * len(pods)
            config[first] = n
            for i in rest:
                config[i] = min(counts[i], per_node(pods[i].vector, room)) if i in c.hosts else 0
            key = tuple(config)
            if any(key) and (c.price, c.node.name, t) < cheapest.get(key, (float("inf"), "", -1)):
                cheapest[key] = (c.price, c.node.name, t)
    keys = _undominated(cheapest, first, rest[0] if rest else None)
    a = np.array([[key[i] for key in keys] for i in need] + [[1] * len(keys)], dtype=float)
    res = milp(
        c=np.array([cheapest[k][0] for k in keys]),
        constraints=[LinearConstraint(a, np.array([counts[i] for i in need] + [min_nodes]), np.inf)],
        integrality=np.ones(len(keys)),
        bounds=Bounds(0, np.inf),
        options={"presolve": False},
        node_limit=WHOLE_NODES,
    )
    dual = getattr(res, "mip_dual_bound", None)
    bound = float(dual) if dual is not None and np.isfinite(dual) else None
    used = (
        []
        if res.x is None
        else [Column(cheapest[k][2], k) for k, v in zip(keys, res.x, strict=True) if v > 0.5]
    )
    return bound, used


def _undominated(
    cheapest: dict[tuple[int, ...], tuple[float, str, int]], first: int, second: int | None
) -> list[tuple[int, ...]]:
    """The configurations no other one covers (as many pods of each kind or more) at no higher price.

    A dominated configuration is never needed: the covering one does its work for no more.
    Swept in order of price with a suffix maximum over the first kind's count (a Fenwick tree).
    """
    size = max(key[first] for key in cheapest) + 2
    tree = [-1] * (size + 1)  # max second-kind count among kept keys, indexed by first count from the top

    def update(n: int, m: int) -> None:
        i = size - n
        while i <= size:
            tree[i] = max(tree[i], m)
            i += i & -i

    def best_at_least(n: int) -> int:  # max m over kept keys with first count >= n
        i, out = size - n, -1
        while i > 0:
            out = max(out, tree[i])
            i -= i & -i
        return out

    kept = []
    for key in sorted(cheapest, key=lambda k: (cheapest[k][0], tuple(-v for v in k))):
        n, m = key[first], key[second] if second is not None else 0
        if best_at_least(n) >= m:
            continue
        kept.append(key)
        update(n, m)
    return sorted(kept)


def _master(
    columns: list[Column],
    candidates: tuple[Candidate, ...],
    counts: tuple[int, ...],
    need: list[int],
    min_nodes: int,
) -> tuple[float, np.ndarray, float]:
    cost = np.array([candidates[c.candidate].price for c in columns])
    rows = [[-c.pods[i] for c in columns] for i in need]
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
    pods: tuple[PodDemand, ...], counts: tuple[int, ...], duals: np.ndarray, c: Candidate
) -> float:
    """Cheap upper bound on a node's dual value: per dimension, the best value density times capacity."""
    items = [i for i in c.hosts if duals[i] > 1e-12 and counts[i] > 0]
    if not items:
        return 0.0
    cap = c.capacity
    by_count = sum(duals[i] * min(counts[i], per_node(pods[i].vector, cap)) for i in items)
    by_dim = min(
        max(duals[i] / pods[i].vector[k] for i in items if pods[i].vector[k] > 0) * cap[k]
        for k in range(len(cap))
        if any(pods[i].vector[k] > 0 for i in items)
    )
    return float(min(by_count, by_dim))


def _best_config(
    pods: tuple[PodDemand, ...], counts: tuple[int, ...], duals: np.ndarray, c: Candidate
) -> tuple[float, tuple[int, ...]]:
    """The configuration of one node of this type worth most at the current duals."""
    ok = [i for i in c.hosts if duals[i] > 1e-12 and counts[i] > 0]
    if not ok:
        return 0.0, (0,) * len(pods)
    if len(ok) <= 2:
        return _best_pair(pods, counts, duals, c, ok)
    a = np.array([pods[i].vector for i in ok], dtype=float).T
    upper = np.array([min(counts[i], per_node(pods[i].vector, c.capacity)) for i in ok], dtype=float)
    res = milp(
        c=-duals[ok],
        constraints=[LinearConstraint(a, -np.inf, np.array(c.capacity) + 1e-9)],
        integrality=np.ones(len(ok)),
        bounds=Bounds(np.zeros(len(ok)), upper),
        node_limit=KNAPSACK_NODES,
    )
    config = [0] * len(pods)
    if res.x is None:
        return 0.0, tuple(config)
    for j, i in enumerate(ok):
        config[i] = int(round(res.x[j]))
    return float(sum(duals[i] * config[i] for i in range(len(pods)))), tuple(config)


def _best_pair(
    pods: tuple[PodDemand, ...], counts: tuple[int, ...], duals: np.ndarray, c: Candidate, ok: list[int]
) -> tuple[float, tuple[int, ...]]:
    """The knapsack for one or two pod kinds, by enumerating the first kind's count."""
    first, rest = ok[0], ok[1:]
    vec = pods[first].vector
    best: tuple[float, tuple[int, ...]] = (0.0, (0,) * len(pods))
    for n in range(min(counts[first], per_node(vec, c.capacity)) + 1):
        room = tuple(cap - n * d for cap, d in zip(c.capacity, vec, strict=True))
        config = [0] * len(pods)
        config[first] = n
        for i in rest:
            config[i] = min(counts[i], per_node(pods[i].vector, room))
        value = float(sum(duals[i] * config[i] for i in ok))
        if value > best[0] + 1e-12:
            best = (value, tuple(config))
    return best


def _whole_nodes(
    pods: tuple[PodDemand, ...],
    counts: tuple[int, ...],
    candidates: tuple[Candidate, ...],
    min_nodes: int,
    lp: float,
) -> float:
    """Cheapest whole-node purchase with room for every pod in aggregate that costs at least the LP.

    Variables: n[t] whole nodes of each type, then x[t, i] pods of kind i on type t (fractional).
    """
    need = [i for i, c in enumerate(counts) if c > 0]
    pairs = [(t, i) for t, c in enumerate(candidates) for i in c.hosts if i in need]
    nt, dims = len(candidates), len(pods[0].vector)
    nvar = nt + len(pairs)
    rows, lower, upper = [], [], []

    def row() -> np.ndarray:
        return np.zeros(nvar)

    for i in need:  # every pod placed
        r = row()
        for k, (_, j) in enumerate(pairs):
            if j == i:
                r[nt + k] = 1
        rows.append(r)
        lower.append(counts[i])
        upper.append(np.inf)
    for t, c in enumerate(candidates):  # room on the nodes bought, per dimension and per pod kind
        for d in range(dims):
            r = row()
            r[t] = -c.capacity[d]
            for k, (u, i) in enumerate(pairs):
                if u == t:
                    r[nt + k] = pods[i].vector[d]
            rows.append(r)
            lower.append(-np.inf)
            upper.append(1e-9)
        for k, (u, i) in enumerate(pairs):
            if u == t:
                r = row()
                r[nt + k] = 1
                r[t] = -per_node(pods[i].vector, c.capacity)
                rows.append(r)
                lower.append(-np.inf)
                upper.append(1e-9)
    price = np.array([c.price for c in candidates] + [0.0] * len(pairs))
    rows.append(price.copy())  # at least the LP's bill
    lower.append(lp * (1 - 1e-9))
    upper.append(np.inf)
    if min_nodes:
        r = row()
        r[:nt] = 1
        rows.append(r)
        lower.append(min_nodes)
        upper.append(np.inf)
    most = [c.node.max_nodes if c.node.max_nodes is not None else np.inf for c in candidates]
    res = milp(
        c=price,
        constraints=[LinearConstraint(np.array(rows), np.array(lower), np.array(upper))],
        integrality=np.array([1] * nt + [0] * len(pairs)),
        bounds=Bounds(np.zeros(nvar), np.array(most + [np.inf] * len(pairs))),
        node_limit=WHOLE_NODES,
    )
    dual = getattr(res, "mip_dual_bound", None)  # proven even when the solve stops early
    return float(dual) if dual is not None and np.isfinite(dual) else lp
