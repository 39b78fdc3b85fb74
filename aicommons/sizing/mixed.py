"""Mixed pools: up to four instance types under one pool label, chosen by one integer program.

One type per pool wastes whole nodes: 130 servers that fill 4.3 large nodes buy five, and
two servers at night keep a large node up. A pool may instead hold a few node groups of
different types (a large one for the bulk, a small one for the remainder), all selected
by the same pool label, so the autoscaler can add whichever node the waiting server fits.

The integer program works on the configurations the lower bound generated (bounds.py),
for every demand level of the week at once: x[l, j] nodes filled as configuration j at
level l, y[t] whether type t is in the pool (at most MAX_TYPES of them, so a cluster's 30
managed node groups go round, and on GPU pools one GPU model, so the pool's name and label
say which GPU a server gets). It minimises the month's bill plus a small charge per node
group. Every configuration fits a node, so every solution is a real layout; its distance
to the lower bound is reported beside it. The plan keeps it only when it is cheaper than
the best single-type pools.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint

from aicommons.sizing.bounds import GroupBound
from aicommons.sizing.capacity import Resources
from aicommons.sizing.layout import NodeGroupSolution, PoolLayout
from aicommons.sizing.solver import milp

MAX_TYPES = 4
# Each node group is charged this share of the single-type bill in the objective (not in the
# cost reported), so a pool takes on another instance type only for a saving worth having.
GROUP_CHARGE = 0.01
MIP_NODES = 50  # deterministic stop (solver.py); the best layout found by then is kept


def mixed_pool(
    bound: GroupBound, incumbent: float, max_types: int = MAX_TYPES, group_charge: float = GROUP_CHARGE
) -> PoolLayout | None:
    """The cheapest pool of up to `max_types` node types for the group, if cheaper than `incumbent`
    (the month's cost of the best single-type layout); None otherwise."""
    levels = bound.levels
    candidates = bound.candidates
    if not candidates or any(not np.isfinite(level.lp) for level in levels):
        return None
    cols = [(k, col) for k, level in enumerate(levels) for col in level.columns]
    if not cols:
        return None
    used = sorted({col.candidate for _, col in cols})
    slot = {t: s for s, t in enumerate(used)}
    models = sorted({candidates[t].node.gpu_model or "" for t in used})
    gpu = any(candidates[t].node.has_gpu for t in used)
    nx, ny = len(cols), len(used)
    nz = len(models) if gpu else 0
    nvar = nx + ny + nz
    rows, lower, upper = [], [], []

    def add(coefs: dict[int, float], lo: float, hi: float) -> None:
        r = np.zeros(nvar)
        for j, v in coefs.items():
            r[j] += v
        rows.append(r)
        lower.append(lo)
        upper.append(hi)

    for k, level in enumerate(levels):
        mine = [j for j, (lk, _) in enumerate(cols) if lk == k]
        for i, count in enumerate(level.counts):
            if count > 0:
                add({j: cols[j][1].pods[i] for j in mine}, count, np.inf)
        if bound.min_nodes:
            add(dict.fromkeys(mine, 1.0), bound.min_nodes, np.inf)
        for t in used:
            # Never more nodes than servers, nor more than the incumbent's bill buys.
            room = float(max(bound.min_nodes, sum(level.counts)))
            if candidates[t].price > 0:
                room = min(room, incumbent / (level.hours * candidates[t].price))
            if candidates[t].node.max_nodes is not None:
                room = min(room, candidates[t].node.max_nodes)
            add(
                {
                    **{j: 1.0 for j in mine if cols[j][1].candidate == t},
                    nx + slot[t]: -float(int(room + 1e-9)),
                },
                -np.inf,
                0.0,
            )
    add({nx + s: 1.0 for s in range(ny)}, 1.0, max_types)
    if gpu:
        add({nx + ny + m: 1.0 for m in range(nz)}, 1.0, 1.0)
        for t in used:
            add(
                {nx + slot[t]: 1.0, nx + ny + models.index(candidates[t].node.gpu_model or ""): -1.0},
                -np.inf,
                0.0,
            )
    cost = np.zeros(nvar)
    for j, (k, col) in enumerate(cols):
        cost[j] = levels[k].hours * candidates[col.candidate].price
    add(dict(enumerate(cost[:nx])), 0.0, incumbent)
    scale = incumbent if np.isfinite(incumbent) else bound.lp_usd_month
    cost[nx : nx + ny] = group_charge * scale  # another node group has to earn its keep
    res = milp(
        c=cost,
        constraints=[LinearConstraint(np.array(rows), np.array(lower), np.array(upper))],
        integrality=np.ones(nvar),
        bounds=Bounds(np.zeros(nvar), np.concatenate([np.full(nx, np.inf), np.ones(ny + nz)])),
        # Presolve costs more than it saves here; the node limit (deterministic, unlike a time limit)
        # stops a long proof: the best layout found by then is kept, and its gap is reported.
        options={"presolve": False},
        node_limit=MIP_NODES,
    )
    if res.x is None:
        return None
    x = [int(round(v)) for v in res.x[:nx]]
    per_type = {t: [0] * len(levels) for t in used}
    for j, (k, col) in enumerate(cols):
        per_type[col.candidate][k] += x[j]
    chosen = [t for t in used if any(per_type[t])]
    if not chosen:
        return None
    # The pool's floor (min_nodes, as for a single-type pool) sits on the cheapest type the
    # quietest level uses; every other group scales from zero.
    quietest = min(
        range(len(levels)),
        key=lambda k: (sum(candidates[t].price * per_type[t][k] for t in chosen), sum(levels[k].counts), k),
    )
    floor = min(
        (t for t in chosen if per_type[t][quietest] > 0),
        key=lambda t: (candidates[t].price, candidates[t].node.name),
        default=None,
    )
    groups = [
        NodeGroupSolution(
            node=candidates[t].node,
            capacity=Resources(*candidates[t].capacity),
            level_nodes=tuple((level.hours, per_type[t][k]) for k, level in enumerate(levels)),
            min_nodes=min(bound.min_nodes, per_type[t][quietest]) if t == floor else 0,
            peak_nodes=max(per_type[t]),
        )
        for t in chosen
    ]
    groups.sort(key=lambda g: (-g.usd_month, g.node.name))
    return PoolLayout(bound.pods, tuple(groups), proven_optimal=False)  # the caller compares with the bound
