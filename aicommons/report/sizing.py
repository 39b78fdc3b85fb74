"""The sizing plan as JSON, Markdown, or rich tables for the terminal."""

from __future__ import annotations

import json

from rich.console import Group

from aicommons.report.costly import costly_lines
from aicommons.report.layout import Col, Listing
from aicommons.sizing.plan import SizingPlan


def plan_json(plan: SizingPlan) -> str:
    return json.dumps(plan.model_dump(mode="json"), indent=2) + "\n"


def _pool_rows(plan: SizingPlan) -> list[list[str]]:
    """One row per node group; a mixed pool's further groups leave the pool's columns blank."""
    rows = []
    for p in plan.pools:
        for k, g in enumerate(p.node_groups):
            alloc = f"{g.allocatable.cpu:.2f} CPU, {g.allocatable.memory_gib:.1f} GiB"
            if g.allocatable.gpu:
                alloc += f", {g.allocatable.gpu} GPU" + (
                    " slots" if p.gpu_sharing not in ("", "exclusive") else ""
                )
            first = k == 0
            rows.append(
                [
                    p.name if first else "",
                    p.role if first else "",
                    g.instance_type,
                    f"{g.nodes.min}/{g.nodes.peak}/{g.nodes.max}",
                    alloc,
                    f"{g.usd_hour:.4f}",
                    f"{g.usd_month:,.2f}",
                    (", ".join(p.workloads) or "hub, proxy, system") if first else "",
                ]
            )
    return rows


_POOL_COLS = [
    Col("pool", "id"),
    Col("role", "id"),
    Col("instance type", "id"),
    Col("nodes min/peak/max", "id"),
    Col("per node for pods"),
    Col("USD/hour", "number"),
    Col("USD/month", "number"),
    Col("hosts"),
]
_POOL_HEAD = [c.head for c in _POOL_COLS]
_WORKLOAD_COLS = [
    Col("workload", "id"),
    Col("CPU", "number"),
    Col("memory GiB", "number"),
    Col("GPU"),
    Col("peak servers", "number"),
    Col("pool", "id"),
]
_WORKLOAD_HEAD = [c.head for c in _WORKLOAD_COLS]


def _workload_rows(plan: SizingPlan) -> list[list[str]]:
    rows = []
    for w in plan.workloads:
        gpu = "-" if not w.gpu else f"{w.gpu} ({w.gpu_sharing}, >= {w.gpu_memory_gib:g} GiB)"
        rows.append([w.name, f"{w.cpu:g}", f"{w.memory_gib:g}", gpu, str(w.peak_pods), w.pool])
    return rows


_PROJECT_COLS = [
    Col("project", "id"),
    Col("workload", "id"),
    Col("servers added at peak", "number"),
    Col("pool", "id"),
]
_PROJECT_HEAD = [c.head for c in _PROJECT_COLS]
_COST_COLS = [Col("item", "id"), Col("USD/month", "number"), Col("detail")]
_COSTLY_COLS = [Col("item", "id"), Col("USD/month", "number"), Col("share", "number"), Col("what decides it")]


def _project_rows(plan: SizingPlan) -> list[list[str]]:
    pool = {w.name: w.pool for w in plan.workloads}
    return [[r.project, r.workload, str(r.servers), pool[r.workload]] for r in plan.project_servers]


def _cost_rows(plan: SizingPlan) -> list[list[str]]:
    return [[c.item, f"{c.usd_month:,.2f}", c.detail] for c in plan.cost.breakdown]


def _costly_rows(plan: SizingPlan) -> list[list[str]]:
    return [[c.item, f"{c.usd_month:,.2f}", f"{c.share:.0%}", c.why] for c in costly_lines(plan)]


def _verdict(plan: SizingPlan) -> str:
    c = plan.cost
    margin = (
        f"over budget by ${-c.headroom_usd_month:,.2f}"
        if c.verdict == "over budget"
        else f"within budget (headroom ${c.headroom_usd_month:,.2f})"
    )
    simulated = " (user and GPU pools at their simulated median)" if plan.simulated is not None else ""
    return (
        f"Total ${c.usd_month:,.2f}/month{simulated} against a budget of ${c.budget_usd_month:,.2f}: "
        f"{margin}; minimum viable ${c.minimum_viable_usd_month:,.2f}."
    )


def plan_markdown(plan: SizingPlan) -> str:
    out = [f"# Sizing plan: {plan.city} ({plan.provider}, {plan.region}, {plan.tier} tier)", ""]
    out += ["## Workloads", "", *_md_table(_WORKLOAD_HEAD, _workload_rows(plan)), ""]
    if plan.project_servers:
        out += ["## AI project servers", "", *_md_table(_PROJECT_HEAD, _project_rows(plan)), ""]
    out += ["## Node pools", "", *_md_table(_POOL_HEAD, _pool_rows(plan)), ""]
    out += ["## Monthly cost (USD)", "", *_md_table(["item", "USD/month", "detail"], _cost_rows(plan)), ""]
    out += ["## What costs most", "", *_md_table([c.head for c in _COSTLY_COLS], _costly_rows(plan)), ""]
    out += [_verdict(plan), ""]
    opt = plan.optimality
    out += [
        f"User and GPU pools{' (idealised, the optimiser)' if plan.simulated else ''}: "
        f"${opt.pools_usd_month:,.2f}/month; lower bound ${opt.lower_bound_usd_month:,.2f} "
        f"(gap {opt.gap_share:.2%}; LP bound ${opt.lp_bound_usd_month:,.2f}, gap {opt.lp_gap_share:.2%}); "
        f"one-type baseline ${opt.naive_usd_month:,.2f}.",
        "",
    ]
    if plan.bill_of_materials:
        bom = plan.bill_of_materials
        head = ["server", "pool", "count", "unit USD", "capex USD", "power W", "rack units"]
        rows = [
            [
                b.server,
                b.pool,
                str(b.count),
                f"{b.unit_price_usd:,.0f}",
                f"{b.capex_usd:,.0f}",
                f"{b.power_watts:,.0f}",
                str(b.rack_units),
            ]
            for b in bom.lines
        ]
        out += ["## Bill of materials", "", *_md_table(head, rows), ""]
        out += [
            f"Capital ${bom.capex_usd:,.0f}, {bom.power_kw:g} kW typical, {bom.rack_units} U. {bom.note}",
            "",
        ]
    out += [f"- {n}" for n in plan.notes]
    return "\n".join(out).rstrip() + "\n"


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def plan_tables(plan: SizingPlan) -> Group:
    parts: list[object] = []
    title = f"{plan.city}: {plan.provider} {plan.region}, {plan.tier} tier"
    parts.append(Listing(title + " - workloads", _WORKLOAD_COLS, _workload_rows(plan)))
    if plan.project_servers:
        parts.append(Listing("AI project servers", _PROJECT_COLS, _project_rows(plan)))
    parts.append(Listing("node pools", _POOL_COLS, _pool_rows(plan), ditto=True))
    parts.append(Listing("monthly cost (USD)", _COST_COLS, _cost_rows(plan)))
    parts.append(Listing("what costs most", _COSTLY_COLS, _costly_rows(plan)))
    if plan.bill_of_materials:
        bom = plan.bill_of_materials
        parts.append(
            Listing(
                f"bill of materials: ${bom.capex_usd:,.0f} capital, {bom.power_kw:g} kW, {bom.rack_units} U",
                [Col("server", "id"), Col("pool", "id"), Col("count", "number"), Col("capex USD", "number")],
                [[b.server, b.pool, str(b.count), f"{b.capex_usd:,.0f}"] for b in bom.lines],
            )
        )
    parts.append(_verdict(plan))
    parts += [f"note: {n}" for n in plan.notes]
    return Group(*parts)  # type: ignore[arg-type]


def budget_currency_line(plan: SizingPlan, currency: str, usd_per_unit: float | None) -> str | None:
    """The verdict's money in the budget's currency, USD beside it (prices are in USD); None for USD."""
    if currency == "USD" or not usd_per_unit:
        return None
    c = plan.cost

    def both(usd: float) -> str:
        return f"{usd / usd_per_unit:,.2f} {currency} (${usd:,.2f})"

    return (
        f"In {currency} at {usd_per_unit:g} USD per {currency}: total {both(c.usd_month)}/month against a "
        f"budget of {both(c.budget_usd_month)}; headroom {both(c.headroom_usd_month)}."
    )
