"""`size`'s "what costs most": the largest cost lines and GPU pools up around the clock, each
with what the plan does there, on a plan whose numbers are worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from aicommons.report.costly import costly_lines
from aicommons.report.sizing import plan_markdown
from aicommons.sizing.plan import SizingPlan


def group(kind: str, usd_hour: float, nodes: tuple[int, int, int], hours: float) -> dict[str, Any]:
    return {
        "name": kind,
        "instance_type": kind,
        "nodes": dict(zip(("min", "peak", "max"), nodes, strict=True)),
        "allocatable": {"cpu": 4.0, "memory_gib": 16.0, "gpu": 0},
        "usd_hour": usd_hour,
        "node_hours_month": hours,
        "usd_month": round(usd_hour * hours, 2),
    }


def pool(name: str, role: str, workloads: list[str], *groups: dict[str, Any]) -> dict[str, Any]:
    main = groups[0]
    return {
        "name": name,
        "role": role,
        "instance_type": main["instance_type"],
        "nodes": {k: sum(g["nodes"][k] for g in groups) for k in ("min", "peak", "max")},
        "allocatable": main["allocatable"],
        "usd_hour": main["usd_hour"],
        "workloads": workloads,
        "node_groups": list(groups),
        "node_hours_month": sum(g["node_hours_month"] for g in groups),
        "usd_month": round(sum(g["usd_month"] for g in groups), 2),
        "proven_optimal": True,
    }


def plan(tier: str, pools: list[dict[str, Any]], other: list[tuple[str, float, str]]) -> SizingPlan:
    lines = [{"item": f"pool:{p['name']}", "usd_month": p["usd_month"], "detail": ""} for p in pools]
    lines += [{"item": i, "usd_month": u, "detail": d} for i, u, d in other]
    total = round(sum(line["usd_month"] for line in lines), 2)
    return SizingPlan.model_validate(
        {
            "city": "testville",
            "provider": "aws",
            "region": "us-east-1",
            "tier": tier,
            "workloads": [],
            "pools": pools,
            "cost": {
                "usd_month": total,
                "breakdown": lines,
                "budget_usd_month": 30000.0,
                "minimum_viable_usd_month": 0.0,
                "verdict": "within budget" if total <= 30000 else "over budget",
                "headroom_usd_month": round(30000 - total, 2),
            },
            "optimality": {
                "pools_usd_month": 0.0,
                "lower_bound_usd_month": 0.0,
                "naive_usd_month": 0.0,
                "gap_share": 0.0,
            },
        }
    )


# core: 2 x c7i.2xlarge x 730 h x $0.357 = $521.22
# gpu-a100: p4d.24xlarge 0/1/2, 730 node-hours x $21.9576 = $16,029.05: its one node never scales down
# user: m6i.8xlarge 1/7/9, 2424.64 node-hours x $1.536 = $3,724.25 (3.3 nodes on average)
# gpu-l40s: g6e.2xlarge 0/8/10, 2707.08 node-hours x $2.2421 = $6,069.54 (3.7 nodes on average)
# gpu-t4: g4dn.xlarge 0/1/2, 730 node-hours x $0.526 = $383.98: up around the clock, the smallest line
# home_storage: $9,600.00
# total: 521.22 + 16,029.05 + 3,724.25 + 6,069.54 + 383.98 + 9,600 = 36,328.04
METRO_LIKE = plan(
    "large",
    [
        pool("core", "core", [], group("c7i.2xlarge", 0.357, (2, 2, 2), 1460)),
        pool("gpu-a100", "gpu", ["train-a100"], group("p4d.24xlarge", 21.9576, (0, 1, 2), 730)),
        pool("user", "user", ["notebook"], group("m6i.8xlarge", 1.536, (1, 7, 9), 2424.64)),
        pool("gpu-l40s", "gpu", ["finetune"], group("g6e.2xlarge", 2.2421, (0, 8, 10), 2707.08)),
        pool("gpu-t4", "gpu", ["gpu-small"], group("g4dn.xlarge", 0.526, (0, 1, 2), 730)),
    ],
    [("home_storage", 9600.0, "6000 homes x 20 GiB gp3")],
)


def test_the_largest_lines_then_gpu_pools_up_around_the_clock() -> None:
    assert METRO_LIKE.cost.usd_month == 36328.04
    lines = costly_lines(METRO_LIKE)
    assert [(c.item, c.usd_month) for c in lines] == [
        ("pool:gpu-a100", 16029.05),
        ("home_storage", 9600.0),
        ("pool:gpu-l40s", 6069.54),
        ("pool:gpu-t4", 383.98),  # fourth: not among the three largest, but never scales down
    ]
    assert [round(c.share, 4) for c in lines] == [
        round(16029.05 / 36328.04, 4),  # 0.4412
        round(9600 / 36328.04, 4),  # 0.2643
        round(6069.54 / 36328.04, 4),  # 0.1671
        round(383.98 / 36328.04, 4),  # 0.0106
    ]
    why = {c.item: c.why for c in lines}
    assert why["pool:gpu-a100"] == (
        "for train-a100: 1 x p4d.24xlarge up around the clock, 730 node-hours: even the quietest hour of "
        "the week needs it (users.schedule and the workloads' peak decide it)"
    )
    assert why["home_storage"] == "6000 homes x 20 GiB gp3"
    # 2707.08 / 730 = 3.708...
    assert why["pool:gpu-l40s"] == "for finetune: g6e.2xlarge: 3.7 nodes up on average, 8 at peak"


def test_a_pool_minimum_and_the_tiers_floor_are_named() -> None:
    small = plan(
        "medium",
        [
            pool("core", "core", [], group("c7i.2xlarge", 0.357, (2, 2, 2), 1460)),
            # 1 kept up at all times; 2424.64 / 730 = 3.32 nodes on average
            pool("user", "user", ["notebook"], group("m6i.8xlarge", 1.536, (1, 7, 9), 2424.64)),
        ],
        [],
    )
    why = {c.item: c.why for c in costly_lines(small)}
    assert why["pool:user"] == (
        "for notebook: m6i.8xlarge: 3.3 nodes up on average, 7 at peak, 1 at all times (the pool's minimum)"
    )
    assert why["pool:core"] == (
        "2 x c7i.2xlarge around the clock for the hub and system services "
        "(2 is the medium tier's high-availability floor; the pilot tier runs 1)"
    )


@pytest.mark.parametrize(
    "total, verdict", [(29000.0, "within budget (headroom $1,000.00)"), (30354.53, "over budget by $354.53")]
)
def test_the_verdict_never_shows_a_negative_headroom(total: float, verdict: str) -> None:
    one = plan(
        "pilot",
        [pool("core", "core", [], group("t3.large", 0.0832, (1, 1, 1), 730))],
        [("object_store", total - 60.74, "")],
    )
    assert one.cost.usd_month == total
    text = plan_markdown(one)
    assert f"against a budget of $30,000.00: {verdict}; minimum viable" in text
    assert "$-" not in text and "headroom $-" not in text
    assert "## What costs most" in text
