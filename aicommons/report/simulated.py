"""The `size` report's account of how the plan was chosen on the running-cluster model.

One row per candidate layout (sizing/choose.py) with its simulated median and 90th percentile,
the waits (p50 and p95, CPU and GPU), failed starts a month and the service-level criteria it misses;
then the chosen plan's waits and the reason it was chosen.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aicommons.sizing.choose import Choice
from aicommons.sizing.simulated import PlanOutcome, Sized

_HEAD = [
    "candidate",
    "median USD/month",
    "p90",
    "CPU wait p50/p95",
    "GPU wait p50/p95",
    "failed/month",
    "misses",
]


def _wait(p50: float | None, p95: float | None) -> str:
    return "no starts" if p95 is None else f"{p50:g} / {p95:g} min"


def candidate_rows(choice: Choice) -> list[list[str]]:
    rows = []
    for e in choice.evaluated:
        o = e.outcome
        assert isinstance(o, PlanOutcome)
        mark = " (chosen)" if e is choice.chosen else ""
        rows.append(
            [
                e.candidate.name + mark,
                f"{o.cost_median_usd_month:,.2f}",
                f"{o.cost_p90_usd_month:,.2f}",
                _wait(o.wait_p50_minutes_cpu, o.wait_p95_minutes_cpu),
                _wait(o.wait_p50_minutes_gpu, o.wait_p95_minutes_gpu),
                f"{o.failed_starts_per_month:g}",
                "; ".join(e.misses) or "none",
            ]
        )
    return rows


def choice_lines(sized: Sized) -> list[str]:
    o = sized.outcome
    return [
        f"Chosen on the running-cluster model ({sized.plan.simulated.method if sized.plan.simulated else ''}): "
        f"{sized.choice.reason}.",
        f"Waits to start a server (p50 / p95): CPU {_wait(o.wait_p50_minutes_cpu, o.wait_p95_minutes_cpu)}, "
        f"GPU {_wait(o.wait_p50_minutes_gpu, o.wait_p95_minutes_gpu)}; failed starts "
        f"{o.failed_starts_per_month:g} a month. The total cost above prices the user and GPU pools at "
        "their simulated median.",
        *(f"More nodes needed: {a.line()}" for a in sized.room),
    ]


def choice_json(sized: Sized) -> dict[str, Any]:
    return {
        "candidates": [
            {
                "name": e.candidate.name,
                "how": e.candidate.how,
                "chosen": e is sized.choice.chosen,
                "usd_month_median": e.outcome.cost_median_usd_month,
                "usd_month_p90": e.outcome.cost_p90_usd_month,
                "wait_p50_minutes_cpu": getattr(e.outcome, "wait_p50_minutes_cpu", None),
                "wait_p95_minutes_cpu": e.outcome.wait_p95_minutes_cpu,
                "wait_p50_minutes_gpu": getattr(e.outcome, "wait_p50_minutes_gpu", None),
                "wait_p95_minutes_gpu": e.outcome.wait_p95_minutes_gpu,
                "failed_starts_per_month": e.outcome.failed_starts_per_month,
                "misses": list(e.misses),
            }
            for e in sized.choice.evaluated
        ],
        "node_advice": [
            {
                "pool": a.pool,
                "failed_starts_per_month": a.failed_starts_month,
                "groups": [asdict(g) for g in a.groups],
                "meets_service_level": a.meets,
                "extra_usd_month": a.extra_usd_month,
                "extra_capex_usd": a.extra_capex_usd,
                "knob": a.knob,
                "advice": a.line(),
            }
            for a in sized.room
        ],
    }


def choice_markdown(sized: Sized) -> str:
    out = ["## How the plan was chosen", "", *choice_lines(sized), ""]
    out.append("| " + " | ".join(_HEAD) + " |")
    out.append("|" + "|".join("---" for _ in _HEAD) + "|")
    out += [
        "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in candidate_rows(sized.choice)
    ]
    return "\n".join(out) + "\n"


def choice_parts(sized: Sized) -> list[object]:
    from aicommons.report.layout import Col, Listing

    cols = [Col(_HEAD[0], "id"), *(Col(h, "number") for h in _HEAD[1:3]), *(Col(h) for h in _HEAD[3:])]
    return [*choice_lines(sized), Listing("candidate layouts, simulated", cols, candidate_rows(sized.choice))]
