"""The pool optimiser against brute force over every candidate type and every split into pools.

Small random cases: 1-3 workloads, a handful of node types with random prices, one to three
demand levels over the month. ``tests/bruteforce.py`` prices every (type, split) exhaustively.
"""

from __future__ import annotations

import random

import pytest

from aicommons.profile.model import GpuSharing, GpuSpec
from aicommons.sizing.bounds import lp_lower_bound
from aicommons.sizing.capacity import DaemonsetOverhead, NodeType, Resources
from aicommons.sizing.demand import Level, PodDemand
from aicommons.sizing.optimize import (
    PoolProblem,
    naive_pools,
    node_capacity,
    partition_pools,
    solve_pool,
)
from tests.bruteforce import cheapest_pool, cheapest_split, min_nodes

OVERHEAD = DaemonsetOverhead(
    cpu=0.25, memory_gib=0.5, pods=4, gpu_extra_cpu=0.25, gpu_extra_memory_gib=0.5, gpu_extra_pods=2
)
REL = 1e-9


def cpu_node(name: str, cpu: float, memory: float, price: float, pods: int = 110, **kw) -> NodeType:  # type: ignore[no-untyped-def]
    return NodeType(
        name=name,
        vcpu=cpu,
        memory_gib=memory,
        usd_hour=price,
        allocatable=Resources(cpu=cpu, memory_gib=memory, gpu=0, pods=pods),
        **kw,
    )


def gpu_node(
    name: str, cpu: float, memory: float, gpus: int, model: str, gib: float, price: float
) -> NodeType:
    return NodeType(
        name=name,
        vcpu=cpu,
        memory_gib=memory,
        usd_hour=price,
        allocatable=Resources(cpu=cpu, memory_gib=memory, gpu=0, pods=58),
        gpu_count=gpus,
        gpu_model=model,
        gpu_memory_gib=gib,
    )


def cpu_pod(index: int, cpu: float, memory: float, peak: int) -> PodDemand:
    return PodDemand(index, f"w{index}", cpu, memory, 0, 0.0, peak, "", None)


def gpu_pod(
    index: int, cpu: float, memory: float, peak: int, sharing: str = "exclusive", **spec
) -> PodDemand:  # type: ignore[no-untyped-def]
    mode, _, arg = sharing.partition(":")
    if mode == "time-sliced":
        share = GpuSharing(mode="time-sliced", replicas=int(arg))
    elif mode == "mig":
        share = GpuSharing(mode="mig", mig_profile=arg)
    else:
        share = GpuSharing()
    gpu_spec = GpuSpec(sharing=share, **spec)
    return PodDemand(
        index, f"g{index}", cpu, memory, gpu_spec.count, gpu_spec.min_memory_gib, peak, sharing, gpu_spec
    )


def random_cpu_types(rng: random.Random) -> list[NodeType]:
    shapes = [(2, 8), (4, 16), (4, 8), (8, 32), (8, 16), (16, 64), (2, 16), (4, 32)]
    chosen = rng.sample(shapes, k=rng.randint(2, 5))
    return [
        cpu_node(f"t{i}.{cpu}x{mem}", cpu, mem, round(rng.uniform(0.02, 0.06) * cpu + 0.002 * mem, 4))
        for i, (cpu, mem) in enumerate(chosen)
    ]


def random_levels(rng: random.Random, peaks: list[int]) -> tuple[Level, ...]:
    """The peak for some hours, and up to two lower levels for the rest of the month."""
    levels = [Level(float(rng.randint(100, 300)), tuple(peaks))]
    for _ in range(rng.randint(0, 2)):
        share = rng.choice([0.0, 0.25, 0.5])
        levels.append(Level(float(rng.randint(50, 400)), tuple(int(p * share) for p in peaks)))
    return tuple(levels)


def random_cpu_case(
    rng: random.Random, kinds: int, awkward: bool = False
) -> tuple[list[PodDemand], list[NodeType], PoolProblem]:
    """Pods at peak at most 10 (12 when awkward) in all, so exhaustive search stays small.

    Awkward cases use odd pod sizes that leave gaps on every node shape, where first-fit
    packing goes wrong and only exact packing finds the cheapest layout.
    """
    pods = []
    budget = 12 if awkward else 10
    for i in range(kinds):
        peak = rng.randint(1, max(1, budget - (kinds - i - 1)))
        budget -= peak
        if awkward:
            cpu, mem = rng.choice([1.5, 2.5, 3.5, 4.5, 5.5]), rng.choice([3, 5, 7, 9, 11, 13, 19])
        else:
            cpu, mem = rng.choice([0.5, 1, 1.5, 2, 3]), rng.choice([1, 2, 4, 6, 8, 12])
        pods.append(cpu_pod(i, cpu, mem, peak))
    if awkward:
        shapes = rng.sample([(8, 16), (8, 32), (16, 32), (12, 24), (6, 24), (16, 64)], k=rng.randint(1, 3))
        types = [
            cpu_node(f"t{i}.{c}x{m}", c, m, round(rng.uniform(0.02, 0.06) * c + 0.002 * m, 4))
            for i, (c, m) in enumerate(shapes)
        ]
    else:
        types = random_cpu_types(rng)
    problem = PoolProblem(
        random_levels(rng, [p.peak_pods for p in pods]), tuple(pods), rng.choice([0, 1]), OVERHEAD
    )
    return pods, types, problem


def brute_levels(problem: PoolProblem, pods: list[PodDemand]) -> list[tuple[float, list[int]]]:
    position = {p.workload: i for i, p in enumerate(problem.all_pods)}
    return [(lv.hours_month, [lv.counts[position[p.workload]] for p in pods]) for lv in problem.levels]


def assert_solution_consistent(solution, pods: list[PodDemand], problem: PoolProblem) -> None:  # type: ignore[no-untyped-def]
    """What a pool solution says about itself must hold: its pods fit, its cost adds up."""
    cap = node_capacity(solution.node, solution.pods, problem.overhead)
    assert solution.capacity == cap
    assert solution.usd_month == pytest.approx(solution.node_hours_month * solution.node.usd_hour, rel=REL)
    demands = [p.vector for p in solution.pods]
    peak = [p.peak_pods for p in solution.pods]
    exact_peak = min_nodes(demands, peak, cap.as_tuple())
    assert exact_peak is not None
    assert solution.peak_nodes >= max(problem.min_nodes, exact_peak)
    for hours, nodes in solution.level_nodes:
        assert hours > 0 and nodes >= problem.min_nodes
        assert nodes <= solution.peak_nodes


@pytest.mark.parametrize("seed", range(30))
def test_solve_pool_is_the_cheapest_single_type(seed: int) -> None:
    rng = random.Random(seed)
    for kinds in (1, 2, 3):
        pods, types, problem = random_cpu_case(rng, kinds)
        expected = cheapest_pool(pods, types, brute_levels(problem, pods), problem.min_nodes, OVERHEAD)
        solution = solve_pool(pods, types, problem)
        if expected is None:
            assert solution is None
            continue
        assert solution is not None
        assert_solution_consistent(solution, pods, problem)
        assert solution.usd_month >= expected * (1 - REL), "cheaper than exhaustive search: impossible"
        # the optimiser claims the exact minimum over types, proven or not
        assert solution.usd_month == pytest.approx(expected, rel=REL)
        # and no other type is cheaper for the same pods
        for node in types:
            alone = solve_pool(pods, [node], problem)
            if alone is not None:
                assert alone.usd_month >= solution.usd_month * (1 - REL)


def check_partition(pods: list[PodDemand], types: list[NodeType], problem: PoolProblem) -> None:
    levels = brute_levels(problem, pods)
    expected = cheapest_split(pods, types, levels, problem.min_nodes, OVERHEAD)
    found = partition_pools(pods, types, problem)
    if expected is None:
        assert found is None
        return
    assert found is not None
    # every workload in exactly one pool
    hosted = sorted(p.workload for s in found for p in s.pods)
    assert hosted == sorted(p.workload for p in pods)
    total = sum(s.usd_month for s in found)
    case = f"pods={pods} types={[t.name for t in types]} levels={levels}"
    assert total == pytest.approx(expected, rel=REL), case
    for solution in found:
        assert_solution_consistent(solution, list(solution.pods), problem)
    # the naive baseline is never cheaper; the LP bound is never above the optimum
    naive = naive_pools(pods, types, problem)
    assert naive is not None and naive >= total * (1 - REL), case
    assert lp_lower_bound(pods, types, problem) <= expected * (1 + 1e-7), case


@pytest.mark.parametrize("seed", range(30))
def test_partition_pools_is_the_cheapest_split(seed: int) -> None:
    rng = random.Random(1000 + seed)
    pods, types, problem = random_cpu_case(rng, rng.randint(2, 3))
    check_partition(pods, types, problem)


@pytest.mark.parametrize("chunk", range(4))
def test_partition_pools_on_awkward_sizes(chunk: int) -> None:
    """120 cases in all; a few of them defeat first-fit packing (checked when written)."""
    rng = random.Random(5000 + chunk)
    for _ in range(30):
        pods, types, problem = random_cpu_case(rng, rng.randint(2, 3), awkward=True)
        check_partition(pods, types, problem)


def test_splitting_pays_when_workloads_want_different_shapes() -> None:
    # A CPU-heavy and a memory-heavy workload: each has a type made for it.
    pods = [cpu_pod(0, 3.5, 2, 4), cpu_pod(1, 0.5, 28, 4)]
    types = [
        cpu_node("c.4x8", 4, 8, 0.15),
        cpu_node("r.2x32", 2, 32, 0.15),
        cpu_node("m.8x64", 8, 64, 0.60),
    ]
    problem = PoolProblem((Level(730.0, (4, 4)),), tuple(pods), 0, OVERHEAD)
    found = partition_pools(pods, types, problem)
    assert found is not None
    assert sorted(s.node.name for s in found) == ["c.4x8", "r.2x32"]
    expected = cheapest_split(pods, types, brute_levels(problem, pods), 0, OVERHEAD)
    assert sum(s.usd_month for s in found) == pytest.approx(expected)
    shared = solve_pool(pods, types, problem)
    assert shared is not None and shared.usd_month > sum(s.usd_month for s in found)


def test_sharing_pays_when_workloads_fill_each_others_gaps() -> None:
    # Each alone leaves most of a node idle; together they fill nodes exactly.
    pods = [cpu_pod(0, 2.5, 4, 3), cpu_pod(1, 1, 20, 3)]
    types = [cpu_node("m.odd", 4.5, 26, 0.2)]
    problem = PoolProblem((Level(730.0, (3, 3)),), tuple(pods), 0, DaemonsetOverhead(0, 0, 0))
    found = partition_pools(pods, types, problem)
    assert found is not None and len(found) == 1
    assert found[0].peak_nodes == 3


def test_cpu_pods_never_take_gpu_nodes() -> None:
    pods = [cpu_pod(0, 1, 4, 5)]
    types = [gpu_node("g.cheap", 16, 64, 1, "T4", 16.0, 0.01), cpu_node("m.4x16", 4, 16, 0.2)]
    problem = PoolProblem((Level(730.0, (5,)),), tuple(pods), 1, OVERHEAD)
    solution = solve_pool(pods, types, problem)
    assert solution is not None and solution.node.name == "m.4x16"
    assert solve_pool(pods, types[:1], problem) is None


GPU_TYPES = [
    gpu_node("g.t4x1", 4, 16, 1, "T4", 16.0, 0.53),
    gpu_node("g.t4x4", 48, 192, 4, "T4", 16.0, 3.9),
    gpu_node("g.a10x1", 8, 32, 1, "A10G", 22.35, 1.2),
    gpu_node("g.a10x4", 48, 192, 4, "A10G", 22.35, 5.7),
    gpu_node("p.a100x8", 96, 1152, 8, "A100-40GB", 40.0, 22.0),
]


@pytest.mark.parametrize(
    ("pod", "allowed"),
    [
        (
            gpu_pod(0, 2, 8, 5, count=1, min_memory_gib=15),
            {"g.t4x1", "g.t4x4", "g.a10x1", "g.a10x4", "p.a100x8"},
        ),
        (gpu_pod(0, 2, 8, 3, count=1, min_memory_gib=20), {"g.a10x1", "g.a10x4", "p.a100x8"}),
        (gpu_pod(0, 2, 8, 3, count=2, min_memory_gib=10), {"g.t4x4", "g.a10x4", "p.a100x8"}),
        (gpu_pod(0, 2, 8, 3, count=1, models=["T4"]), {"g.t4x1", "g.t4x4"}),
        (gpu_pod(0, 1, 4, 9, "time-sliced:4", min_memory_gib=5), {"g.a10x1", "g.a10x4", "p.a100x8"}),
        (
            gpu_pod(0, 1, 4, 9, "time-sliced:4", min_memory_gib=4),
            {"g.t4x1", "g.t4x4", "g.a10x1", "g.a10x4", "p.a100x8"},
        ),
        (gpu_pod(0, 2, 12, 6, "mig:2g.10gb", min_memory_gib=9), {"p.a100x8"}),
    ],
    ids=["exclusive-15", "exclusive-20", "two-gpus", "model-t4", "sliced-5", "sliced-4", "mig"],
)
def test_gpu_pool_is_the_cheapest_eligible_type(pod: PodDemand, allowed: set[str]) -> None:
    problem = PoolProblem((Level(200.0, (pod.peak_pods,)), Level(530.0, (0,))), (pod,), 0, OVERHEAD)
    solution = solve_pool([pod], GPU_TYPES, problem)
    assert solution is not None
    assert solution.node.name in allowed
    expected = cheapest_pool([pod], GPU_TYPES, brute_levels(problem, [pod]), 0, OVERHEAD)
    assert solution.usd_month == pytest.approx(expected, rel=REL)
    for node in GPU_TYPES:  # only the allowed types can host the pod at all
        assert (solve_pool([pod], [node], problem) is not None) == (node.name in allowed), node.name
    assert dict(solution.level_nodes)[530.0] == 0  # scales to zero when nobody uses it
    assert dict(solution.level_nodes)[200.0] == solution.peak_nodes


def test_time_slicing_multiplies_gpu_slots_and_mig_splits_gpus() -> None:
    sliced = gpu_pod(0, 0.5, 2, 8, "time-sliced:4", min_memory_gib=2)
    cap = node_capacity(GPU_TYPES[0], [sliced], OVERHEAD)
    assert cap.gpu == 4  # one T4, four slots
    mig = gpu_pod(0, 1, 4, 8, "mig:1g.5gb", min_memory_gib=4)
    assert node_capacity(GPU_TYPES[-1], [mig], OVERHEAD).gpu == 8 * 7  # 7 x 1g.5gb per A100
    exclusive = gpu_pod(0, 1, 4, 8, count=1)
    assert node_capacity(GPU_TYPES[-1], [exclusive], OVERHEAD).gpu == 8


def test_max_nodes_is_respected() -> None:
    pods = [cpu_pod(0, 2, 8, 10)]
    small_fleet = cpu_node("onprem.cheap", 8, 32, 0.01, max_nodes=2)
    fallback = cpu_node("m.8x32", 8, 32, 0.5)
    problem = PoolProblem((Level(730.0, (10,)),), tuple(pods), 0, OVERHEAD)
    assert solve_pool(pods, [small_fleet], problem) is None
    solution = solve_pool(pods, [small_fleet, fallback], problem)
    assert solution is not None and solution.node.name == "m.8x32"
