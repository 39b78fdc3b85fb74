"""The exact packer against exhaustive search on small random instances.

Every answer must be a real packing (never below the true minimum), never below its own
lower bound, and exactly the minimum whenever it claims to be proven optimal.
"""

from __future__ import annotations

import math
import random

import pytest

from aicommons.sizing.binpack import (
    Packing,
    first_fit_decreasing,
    fractional_bound,
    pack,
    per_node,
)
from tests.bruteforce import fits, min_nodes

SEEDS = range(12)
PER_SEED = 25


def random_instance(rng: random.Random) -> tuple[list[tuple[float, ...]], list[int], tuple[float, ...]]:
    """1-3 pod kinds, at most 12 pods, on a node that holds only a few of them (so packing matters).

    Vectors are (cpu, memory, pods) on a grid of quarters, so sums are exact in binary floats.
    """
    if rng.random() < 0.5:  # realistic: node sizes and pod requests of notebook servers
        capacity = (
            rng.choice([4.0, 8.0, 15.5]),
            rng.choice([8.0, 16.0, 61.0]),
            float(rng.choice([3, 6, 110])),
        )
        grid = 4
    else:  # awkward: integer sizes on a 10 x 10 node, where first-fit often goes wrong
        capacity, grid = (10.0, 10.0, float(rng.choice([3, 4, 110]))), 1
    kinds = rng.randint(1, 3)
    demands = []
    for _ in range(kinds):
        cpu = rng.randint(1, int(capacity[0] * grid * 0.9)) / grid
        mem = rng.randint(1, int(capacity[1] * grid * 0.9)) / grid
        demands.append((cpu, mem, 1.0))
    counts = [0] * kinds
    for _ in range(rng.randint(1, 12)):
        counts[rng.randrange(kinds)] += 1
    return demands, counts, capacity


def hard_instances(
    seed: int, wanted: int
) -> list[tuple[list[tuple[float, ...]], list[int], tuple[float, ...]]]:
    """Instances where first-fit decreasing is not optimal (by exhaustive search): the exact method must work."""
    rng = random.Random(seed)
    found = []
    while len(found) < wanted:
        demands, counts, capacity = random_instance(rng)
        if len([c for c in counts if c]) < 2 or any(per_node(d, capacity) == 0 for d in demands):
            continue
        ffd = first_fit_decreasing(demands, counts, capacity)
        if ffd > math.ceil(fractional_bound(demands, counts, capacity) - 1e-6) and ffd > (
            min_nodes(demands, counts, capacity) or 0
        ):
            found.append((demands, counts, capacity))
    return found


def check(demands, counts, capacity) -> tuple[Packing | None, int | None]:  # type: ignore[no-untyped-def]
    exact = min_nodes(demands, counts, capacity)
    packing = pack(demands, counts, capacity)
    if exact is None:
        assert packing is None, (demands, counts, capacity)
        return packing, exact
    assert packing is not None, (demands, counts, capacity)
    case = f"demands={demands} counts={counts} capacity={capacity} -> {packing} (exact {exact})"
    assert packing.nodes >= exact, f"impossible packing: {case}"
    assert packing.lower_bound <= exact + 1e-6, f"lower bound above the optimum: {case}"
    assert packing.nodes >= math.ceil(packing.lower_bound - 1e-6), case
    assert packing.nodes <= first_fit_decreasing(demands, counts, capacity), case
    if packing.proven_optimal:
        assert packing.nodes == exact, f"claims optimal but is not: {case}"
    for filling, _ in packing.configurations:  # when the packer lists its node fillings, they must fit
        kept = [d for d, c in zip(demands, counts, strict=True) if c > 0]
        load = [sum(n * d[k] for n, d in zip(filling, kept, strict=True)) for k in range(len(capacity))]
        assert fits(load, capacity), case
    return packing, exact


@pytest.mark.parametrize("seed", SEEDS)
def test_pack_against_exhaustive_search(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(PER_SEED):
        check(*random_instance(rng))


@pytest.mark.parametrize("seed", range(3))
def test_pack_is_exact_where_first_fit_is_not(seed: int) -> None:
    """On instances where first-fit decreasing misses the bound the exact method must find the optimum."""
    methods: dict[str, int] = {}
    for demands, counts, capacity in hard_instances(seed, 8):
        packing, exact = check(demands, counts, capacity)
        assert packing is not None and exact is not None
        methods[packing.method] = methods.get(packing.method, 0) + 1
        assert packing.nodes == exact, (demands, counts, capacity, packing, exact)
        assert first_fit_decreasing(demands, counts, capacity) > exact
    assert set(methods) <= {"column-generation", "lp-rounding"}, methods


@pytest.mark.parametrize(
    ("demands", "counts", "capacity", "expected"),
    [
        # one dimension: 5+3+2 twice fills two nodes exactly
        ([(5.0,), (3.0,), (2.0,)], [2, 2, 2], (10.0,), 2),
        # two dimensions pulling in opposite directions: a CPU-heavy pod pairs with a memory-heavy one
        ([(3.0, 1.0), (1.0, 3.0)], [4, 4], (4.0, 4.0), 4),
        # 38 GiB of memory on 10 GiB nodes needs 4 nodes, and 4 suffice; first-fit decreasing uses 5
        ([(2.0, 4.0, 1.0), (2.0, 3.0, 1.0)], [5, 6], (10.0, 10.0, 4.0), 4),
        # 3 pods per node: 12 pods need 4 nodes, and 4 suffice; first-fit decreasing uses 5
        ([(2.0, 2.0, 1.0), (3.0, 5.0, 1.0)], [8, 4], (10.0, 10.0, 3.0), 4),
    ],
)
def test_pack_known_instances(demands, counts, capacity, expected: int) -> None:  # type: ignore[no-untyped-def]
    assert min_nodes(demands, counts, capacity) == expected  # the brute force agrees with the hand count
    packing = pack(demands, counts, capacity)
    assert packing is not None
    assert packing.nodes == expected
    assert packing.proven_optimal


def test_pack_empty_and_impossible() -> None:
    empty = pack([(1.0, 1.0)], [0], (4.0, 4.0))
    assert empty is not None and empty.nodes == 0 and empty.proven_optimal
    assert pack([(5.0, 1.0)], [1], (4.0, 4.0)) is None
    assert pack([(1.0, 1.0), (1.0, 9.0)], [3, 1], (4.0, 4.0)) is None


def test_pack_single_kind_is_a_division() -> None:
    packing = pack([(0.5, 2.0, 0.0, 1.0)], [20], (1.646, 6.215, 0.0, 22.0))
    assert packing is not None
    assert per_node((0.5, 2.0, 0.0, 1.0), (1.646, 6.215, 0.0, 22.0)) == 3
    assert packing.nodes == 7 and packing.proven_optimal


def test_pod_slots_are_a_dimension() -> None:
    # tiny pods that would fit 100 to a node by CPU and memory, but the node takes only 8 pods
    packing = pack([(0.01, 0.01, 0.0, 1.0)], [20], (4.0, 16.0, 0.0, 8.0))
    assert packing is not None and packing.nodes == 3


def test_zero_demands_do_not_limit() -> None:
    assert per_node((1.0, 0.0, 0.0, 1.0), (4.0, 16.0, 0.0, 110.0)) == 4
    assert per_node((0.0, 0.0, 1.0, 1.0), (4.0, 16.0, 0.0, 110.0)) == 0  # needs a GPU the node lacks


def test_fractional_bound_and_ffd_bracket_the_optimum() -> None:
    rng = random.Random(99)
    for _ in range(60):
        demands, counts, capacity = random_instance(rng)
        exact = min_nodes(demands, counts, capacity)
        if exact is None:
            continue
        assert fractional_bound(demands, counts, capacity) <= exact + 1e-9
        assert first_fit_decreasing(demands, counts, capacity) >= exact
