"""Sizing benchmark: the optimiser against proven lower bounds and a naive baseline.

Over a corpus of generated demand profiles (fixed seed, so every run sizes the same
cities) it prints, per profile, the optimiser's monthly cost for the user and GPU pools,
the configuration-LP bound (fractional nodes), the lower bound (whole nodes: the LP bound
raised where whole nodes are unavoidable, still a proven bound), the naive
one-type-per-pool baseline, both gaps and the solve time; then the summary against the
targets (median gap <= 1%, worst <= 3%, every solve < 1 s).

With `--simulate N` the first N profiles are also simulated as the bundle would run them
(aicommons/simulation: `--seeds` runs of `--weeks` weeks after a day's warm-up) and a second table
gives the simulated estimate (median and 90th percentile over the runs), the share of starts that
waited for a node, the worst pool's 95th-percentile wait for CPU and for GPU pools, the failed
starts a month and the time to simulate.

    python benchmarks/sizing.py [--count N] [--seed S] [--simulate N] [--seeds K] [--weeks W] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from aicommons.profile.model import CityProfile
from aicommons.simulation import simulate
from aicommons.simulation.build import scenario_from_plan
from aicommons.sizing.plan import SizingPlan, size

IMAGE = "quay.io/jupyter/pytorch-notebook:cuda12-2025-10-20"


def generated_profile(rng: random.Random, index: int) -> CityProfile:
    """A plausible city: 10-2000 people at once, a CPU mix and zero to three GPU workloads."""
    peak = int(round(10 ** rng.uniform(1.0, 3.3)))
    workloads: list[dict] = [
        {
            "name": "notebook",
            "image": IMAGE,
            "cpu": {"request": rng.choice([0.25, 0.5, 1]), "limit": 2},
            "memory": {"request": rng.choice([1, 2, 4]), "limit": 8},
            "share": 0.6,
        }
    ]
    if rng.random() < 0.6:
        workloads.append(
            {
                "name": "large-memory",
                "image": IMAGE,
                "cpu": {"request": rng.choice([2, 4]), "limit": 8},
                "memory": {"request": rng.choice([14, 30, 60]), "limit": 64},
                "share": 0.1,
            }
        )
    region = rng.choice(["us-east-1", "eu-central-1"])
    kinds = ["shared", "exclusive", "mig"] + (
        ["training"] if region == "us-east-1" else []
    )  # no p5 price in EU
    gpu_kinds = rng.sample(kinds, k=rng.randint(0, 3))
    for kind in gpu_kinds:
        if kind == "shared":
            gpu = {"min_memory_gib": 4, "sharing": {"mode": "time-sliced", "replicas": rng.choice([2, 4])}}
            spec = {"cpu": {"request": 1, "limit": 4}, "memory": {"request": 6, "limit": 8}, "share": 0.2}
        elif kind == "exclusive":
            gpu = {"count": 1, "min_memory_gib": rng.choice([15, 22, 40])}
            spec = {"cpu": {"request": 4, "limit": 8}, "memory": {"request": 24, "limit": 32}}
            spec["peak"] = max(1, peak // rng.choice([10, 20, 40]))
        elif kind == "mig":
            gpu = {
                "min_memory_gib": 4,
                "models": ["A100"],
                "sharing": {"mode": "mig", "mig_profile": "1g.5gb"},
            }
            spec = {"cpu": {"request": 2, "limit": 4}, "memory": {"request": 12, "limit": 16}}
            spec["peak"] = max(1, peak // rng.choice([10, 25]))
        else:
            gpu = {"count": 8, "min_memory_gib": 70, "models": ["H100"]}
            spec = {"cpu": {"request": 150, "limit": 180}, "memory": {"request": 1500, "limit": 1800}}
            spec["peak"] = rng.choice([1, 2])
        workloads.append({"name": f"gpu-{kind}", "image": IMAGE, "gpu": gpu, **spec})
    data = {
        "apiVersion": "aicommons.dev/v1",
        "kind": "CityProfile",
        "city": {
            "slug": f"city-{index:03d}",
            "name": f"City {index}",
            "country": "US",
            "population": peak * 2000,
        },
        "target": {"provider": "aws", "region": region, "availability_zones": [f"{region}a", f"{region}b"]},
        "users": {
            "registered": peak * 6,
            "peak_concurrent": peak,
            "schedule": {
                "business_hours": {"start": 8, "end": 18, "off_hours_share": rng.choice([0.05, 0.1, 0.2])}
            },
        },
        "workloads": workloads,
        "budget": {"monthly": 10_000_000},
    }
    return CityProfile.model_validate(data)


def run(count: int, seed: int, simulated: int = 0, seeds: int = 3, weeks: int = 1) -> tuple[list[dict], dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        profile = generated_profile(rng, i)
        started = time.perf_counter()
        plan = size(profile)
        elapsed = time.perf_counter() - started
        opt = plan.optimality
        sim = simulated_columns(profile, plan, seeds, weeks) if i < simulated else {}
        rows.append(
            sim
            | {
                "profile": profile.city.slug,
                "peak": profile.users.peak_concurrent,
                "workloads": len(profile.workloads),
                "pools": len(plan.pools),
                "cost": opt.pools_usd_month,
                "lp": opt.lp_bound_usd_month,
                "bound": opt.lower_bound_usd_month,
                "naive": opt.naive_usd_month,
                "gap": max(0.0, opt.gap_share),
                "lp_gap": max(0.0, opt.lp_gap_share),
                "types": max(len(p.node_groups) for p in plan.pools),
                "proven": all(p.proven_optimal for p in plan.pools),
                "seconds": elapsed,
            }
        )
    gaps = [r["gap"] for r in rows]
    saving = [1 - r["cost"] / r["naive"] for r in rows if r["naive"] > 0]
    summary = {
        "profiles": count,
        "median_gap": statistics.median(gaps),
        "worst_gap": max(gaps),
        "median_lp_gap": statistics.median(r["lp_gap"] for r in rows),
        "worst_lp_gap": max(r["lp_gap"] for r in rows),
        "proven": sum(r["proven"] for r in rows),
        "median_saving_vs_naive": statistics.median(saving),
        "max_seconds": max(r["seconds"] for r in rows),
        "median_seconds": statistics.median(r["seconds"] for r in rows),
        "all_proven": all(r["proven"] for r in rows),
    }
    sims = [r for r in rows if "sim" in r]
    if sims:
        summary |= {
            "simulated": len(sims),
            "median_ratio": statistics.median(r["sim"] / r["cost"] for r in sims),
            "worst_ratio": max(r["sim"] / r["cost"] for r in sims),
            "median_sim_seconds": statistics.median(r["sim_seconds"] for r in sims),
            "max_sim_seconds": max(r["sim_seconds"] for r in sims),
            "with_failures": sum(r["failed"] > 0 for r in sims),
        }
    return rows, summary


def simulated_columns(profile: CityProfile, plan: SizingPlan, seeds: int, weeks: int) -> dict:
    """The simulated estimate and service figures of the plan's user and GPU pools.

    Waits over pools: the waited share is weighted by each pool's starts; the p95 is the worst
    pool's of that kind (percentiles of different pools do not combine)."""
    started = time.perf_counter()
    result = simulate(scenario_from_plan(profile, plan), seeds=seeds, weeks=weeks)
    elapsed = time.perf_counter() - started
    role = {p.name: p.role for p in plan.pools}
    starts = sum(p.starts_month.median for p in result.pools)
    waited = sum(p.waited_share * p.starts_month.median for p in result.pools)

    def worst(kind: str) -> float | None:
        waits = [p.wait_p95_seconds for p in result.pools if role[p.name] == kind]
        return max(waits) if waits else None

    return {
        "sim": result.usd_month.median,
        "sim_p90": result.usd_month.p90,
        "waited": waited / starts if starts else 0.0,
        "cpu_p95": worst("user"),
        "gpu_p95": worst("gpu"),
        "failed": sum(p.failed_timeout_month.median + p.failed_full_month.median for p in result.pools),
        "sim_seconds": elapsed,
    }


def simulated_table(rows: list[dict], summary: dict, seeds: int, weeks: int) -> str:
    sims = [r for r in rows if "sim" in r]
    if not sims:
        return ""

    def wait(x: float | None) -> str:
        return "-" if x is None else f"{x:,.0f}"

    lines = [
        "",
        f"Simulated ({seeds} runs of {weeks} week{'s' if weeks > 1 else ''} each):",
        "",
        "| profile | optimiser USD/mo | simulated median | simulated p90 | ratio | waited | wait p95 CPU s | "
        "wait p95 GPU s | failed starts/mo | simulate s |",
        "|" + "---|" * 10,
    ]
    for r in sims:
        lines.append(
            f"| {r['profile']} | {r['cost']:,.2f} | {r['sim']:,.2f} | {r['sim_p90']:,.2f} | "
            f"{r['sim'] / r['cost']:.2f} | {r['waited']:.1%} | {wait(r['cpu_p95'])} | {wait(r['gpu_p95'])} | "
            f"{r['failed']:,.0f} | {r['sim_seconds']:.1f} |"
        )
    s = summary
    lines += [
        "",
        f"Simulated profiles: {s['simulated']}. Simulated estimate over the optimiser's figure: median "
        f"{s['median_ratio']:.2f}, worst {s['worst_ratio']:.2f}. Profiles with failed starts: "
        f"{s['with_failures']} of {s['simulated']}. Time to simulate: median {s['median_sim_seconds']:.1f} s, "
        f"worst {s['max_sim_seconds']:.1f} s.",
    ]
    return "\n".join(lines) + "\n"


def table(rows: list[dict], summary: dict) -> str:
    head = (
        "| profile | peak users | workloads | pools | most types in a pool | optimiser USD/mo | LP bound | "
        "lower bound | naive | gap | LP gap | proven | solve s |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r['profile']} | {r['peak']} | {r['workloads']} | {r['pools']} | {r['types']} | {r['cost']:,.2f} | "
            f"{r['lp']:,.2f} | {r['bound']:,.2f} | {r['naive']:,.2f} | {r['gap']:.2%} | {r['lp_gap']:.2%} | "
            f"{'yes' if r['proven'] else 'no'} | {r['seconds']:.3f} |"
        )
    s = summary
    lines += [
        "",
        f"Profiles: {s['profiles']}. Gap to the lower bound: median {s['median_gap']:.2%} (target <= 1%), "
        f"worst {s['worst_gap']:.2%} (target <= 3%). Gap to the LP bound alone: median "
        f"{s['median_lp_gap']:.2%}, worst {s['worst_lp_gap']:.2%}. Saving against the naive baseline: median "
        f"{s['median_saving_vs_naive']:.1%}. Solve time: median {s['median_seconds']:.3f} s, worst "
        f"{s['max_seconds']:.3f} s (target < 1 s). Profiles whose every pool meets its bound: "
        f"{s['proven']} of {s['profiles']}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--simulate", type=int, default=0, metavar="N", help="simulate the first N profiles")
    parser.add_argument("--seeds", type=int, default=3, help="simulated runs per profile")
    parser.add_argument("--weeks", type=int, default=1, help="measured weeks per run")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    rows, summary = run(args.count, args.seed, args.simulate, args.seeds, args.weeks)
    text = table(rows, summary) + simulated_table(rows, summary, args.seeds, args.weeks)
    sys.stdout.write(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
