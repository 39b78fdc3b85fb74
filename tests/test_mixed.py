"""Mixed pools and the lower bounds, against exhaustive search over every mix of node types.

Small random cases (``random_cpu_case``: up to 10 pods, 2-5 types, 1-3 demand levels). For
each level, ``cheapest_mixed_level`` finds the least cost of any mix of nodes by dynamic
programming. The bounds must never exceed it; with one or two pod kinds the whole-node
bound must equal it; a mixed pool must be a real layout (its nodes hold the pods at every
level) and, without a cap on its types, cost exactly the exhaustive optimum.
"""

from __future__ import annotations

import math
import random

import pytest

from aicommons.sizing.bounds import group_bound
from aicommons.sizing.demand import Level
from aicommons.sizing.mixed import GROUP_CHARGE, MAX_TYPES, mixed_pool
from aicommons.sizing.optimize import PoolProblem, level_counts, partition_pools
from tests.bruteforce import cheapest_mixed_level, fits, hosts, pool_capacity
from tests.test_optimizer import OVERHEAD, cpu_node, cpu_pod, gpu_node, gpu_pod, random_cpu_case

REL = 1e-7


def exhaustive_levels(pods, types, problem):  # type: ignore[no-untyped-def]
    """(hours, least hourly cost of any mix) per level, in level_counts order. A pool's node
    types are those that hold at least one of its servers (an idle node too is one of them)."""
    demands = [p.vector for p in pods]
    nodes = [(t.usd_hour, pool_capacity(t, pods, OVERHEAD)) for t in types]
    nodes = [(price, cap) for price, cap in nodes if any(fits(d, cap) for d in demands)]
    return [
        (hours, cheapest_mixed_level(demands, counts, nodes, problem.min_nodes))
        for hours, counts in level_counts(problem, pods)
    ]


def feasible_case(rng: random.Random, kinds: int):  # type: ignore[no-untyped-def]
    """A random case where every pod fits some type (drawn again until it does)."""
    while True:
        pods, types, problem = random_cpu_case(rng, kinds)
        exhaustive = exhaustive_levels(pods, types, problem)
        if all(best is not None for _, best in exhaustive):
            return pods, types, problem, exhaustive


@pytest.mark.parametrize("seed", range(40))
def test_bounds_never_exceed_and_whole_nodes_meet_the_exhaustive_optimum(seed: int) -> None:
    rng = random.Random(7000 + seed)
    pods, types, problem, exhaustive = feasible_case(rng, rng.randint(1, 2))
    bound = group_bound(pods, types, problem)
    case = f"pods={pods} types={[(t.name, t.usd_hour) for t in types]} levels={exhaustive}"
    optimum = 0.0
    for level, (hours, best) in zip(bound.levels, exhaustive, strict=True):
        assert best is not None, case
        assert level.hours == hours
        assert level.lp <= best * (1 + REL) + 1e-9, case  # the LP bound is a bound
        assert level.exact is not None and level.exact == pytest.approx(best, rel=REL, abs=1e-9), case
        optimum += hours * best
    # asked where a layout costs more than the LP (everywhere, here), the whole-node bound is the optimum
    whole = bound.whole_usd_month([math.inf] * len(bound.levels))
    assert whole == pytest.approx(optimum, rel=REL), case
    assert bound.lp_usd_month <= whole * (1 + REL)


@pytest.mark.parametrize("seed", range(40))
def test_mixed_pool_is_a_real_layout_at_the_exhaustive_optimum(seed: int) -> None:
    rng = random.Random(8000 + seed)
    pods, types, problem, exhaustive = feasible_case(rng, rng.randint(1, 2))
    bound = group_bound(pods, types, problem)
    layout = mixed_pool(bound, math.inf, max_types=len(types), group_charge=0.0)
    assert layout is not None
    case = f"pods={pods} types={[(t.name, t.usd_hour) for t in types]} layout={layout}"
    demands = [p.vector for p in pods]
    for k, (hours, counts) in enumerate(level_counts(problem, pods)):
        nodes = [g.capacity.as_tuple() for g in layout.groups for _ in range(g.level_nodes[k][1])]
        assert hosts(demands, counts, nodes), case  # every pod has a place at every level
        assert len(nodes) >= problem.min_nodes
        assert layout.level_nodes[k][0] == hours
    optimum = sum(hours * best for hours, best in exhaustive if best is not None)
    assert layout.usd_month == pytest.approx(optimum, rel=1e-6), case
    for g in layout.groups:
        assert g.min_nodes <= g.peak_nodes == max(n for _, n in g.level_nodes)
        assert g.node in types
    # never dearer than the best single-type split (which it may equal)
    single = sum(s.usd_month for s in partition_pools(pods, types, problem) or [])
    assert layout.usd_month <= single * (1 + 1e-6)
    # with the charge per node group, never more groups, and dearer by less than the charges saved
    charged = mixed_pool(bound, math.inf, max_types=len(types))
    assert charged is not None and len(charged.groups) <= len(layout.groups)
    charge = GROUP_CHARGE * bound.lp_usd_month
    assert charged.usd_month <= layout.usd_month + charge * (len(layout.groups) - len(charged.groups)) + 1e-6


@pytest.mark.parametrize("seed", range(15))
def test_mixed_pool_respects_the_cap_on_types_and_the_incumbent(seed: int) -> None:
    rng = random.Random(9000 + seed)
    pods, types, problem, _ = feasible_case(rng, 2)
    bound = group_bound(pods, types, problem)
    free = mixed_pool(bound, math.inf, max_types=len(types))
    assert free is not None
    one = mixed_pool(bound, math.inf, max_types=1)
    if one is not None:
        assert len(one.groups) == 1 and one.usd_month >= free.usd_month * (1 - 1e-9)
    capped = mixed_pool(bound, math.inf)
    assert capped is not None and len(capped.groups) <= MAX_TYPES
    # asked to beat a bill it cannot beat, it gives nothing
    assert mixed_pool(bound, free.usd_month * 0.99, max_types=len(types)) is None


def test_two_servers_at_night_do_not_keep_a_large_node_up() -> None:
    """The case one type per pool gets wrong: the bulk on large nodes, the remainder on a small one."""
    small = cpu_node("m.large", 2, 8, 0.10)
    large = cpu_node("m.4xlarge", 16, 64, 0.80)
    pod = cpu_pod(0, 1.5, 6, 33)
    levels = (Level(200.0, (33,)), Level(530.0, (2,)))
    problem = PoolProblem(levels, (pod,), 1, OVERHEAD)
    bound = group_bound([pod], [small, large], problem)
    layout = mixed_pool(bound, math.inf)
    assert layout is not None
    by_type = {
        g.node.name: dict(zip([h for h, _ in g.level_nodes], [n for _, n in g.level_nodes], strict=True))
        for g in layout.groups
    }
    assert by_type["m.large"][530.0] == 2 and by_type.get("m.4xlarge", {}).get(530.0, 0) == 0
    single = partition_pools([pod], [small, large], problem)
    assert single is not None and layout.usd_month < sum(s.usd_month for s in single)


def test_a_gpu_pool_keeps_to_one_gpu_model() -> None:
    t4 = gpu_node("g4.xlarge", 4, 16, 1, "T4", 16, 0.50)
    t4x4 = gpu_node("g4.12xlarge", 48, 192, 4, "T4", 16, 3.90)
    l4 = gpu_node("g6.xlarge", 4, 16, 1, "L4", 24, 0.45)
    pod = gpu_pod(0, 2, 8, 9, min_memory_gib=12)
    problem = PoolProblem((Level(730.0, (9,)),), (pod,), 0, OVERHEAD)
    bound = group_bound([pod], [t4, t4x4, l4], problem)
    layout = mixed_pool(bound, math.inf, max_types=3)
    assert layout is not None
    assert len({g.node.gpu_model for g in layout.groups}) == 1
