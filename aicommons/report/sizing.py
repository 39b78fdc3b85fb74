"""The sizing plan as JSON, Markdown, or rich tables for the terminal."""

from __future__ import annotations

import json

from rich.console import Group
from rich.table import Table

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


_POOL_HEAD = [
    "pool",
    "role",
    "instance type",
    "nodes min/peak/max",
    "per node for pods",
    "USD/hour",
    "USD/month",
    "hosts",
]
_WORKLOAD_HEAD = ["workload", "CPU", "memory GiB", "GPU", "peak servers", "pool"]


def _workload_rows(plan: SizingPlan) -> list[list[str]]:
    rows = []
    for w in plan.workloads:
        gpu = "-" if not w.gpu else f"{w.gpu} ({w.gpu_sharing}, >= {w.gpu_memory_gib:g} GiB)"
        rows.append([w.name, f"{w.cpu:g}", f"{w.memory_gib:g}", gpu, str(w.peak_pods), w.pool])
    return rows


_PROJECT_HEAD = ["project", "workload", "servers added at peak", "pool"]


def _project_rows(plan: SizingPlan) -> list[list[str]]:
    pool = {w.name: w.pool for w in plan.workloads}
    return [[r.project, r.workload, str(r.servers), pool[r.workload]] for r in plan.project_servers]


def _cost_rows(plan: SizingPlan) -> list[list[str]]:
    return [[c.item, f"{c.usd_month:,.2f}", c.detail] for c in plan.cost.breakdown]


def _verdict(plan: SizingPlan) -> str:
    c = plan.cost
    return (
        f"Total ${c.usd_month:,.2f}/month against a budget of ${c.budget_usd_month:,.2f}: {c.verdict} "
        f"(headroom ${c.headroom_usd_month:,.2f}; minimum viable ${c.minimum_viable_usd_month:,.2f})."
    )


def plan_markdown(plan: SizingPlan) -> str:
    out = [f"# Sizing plan: {plan.city} ({plan.provider}, {plan.region}, {plan.tier} tier)", ""]
    out += ["## Workloads", "", *_md_table(_WORKLOAD_HEAD, _workload_rows(plan)), ""]
    if plan.project_servers:
        out += ["## AI project servers", "", *_md_table(_PROJECT_HEAD, _project_rows(plan)), ""]
    out += ["## Node pools", "", *_md_table(_POOL_HEAD, _pool_rows(plan)), ""]
    out += ["## Monthly cost (USD)", "", *_md_table(["item", "USD/month", "detail"], _cost_rows(plan)), ""]
    out += [_verdict(plan), ""]
    opt = plan.optimality
    out += [
        f"User and GPU pools: ${opt.pools_usd_month:,.2f}/month; lower bound ${opt.lower_bound_usd_month:,.2f} "
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
    parts.append(_rich_table(title + " - workloads", _WORKLOAD_HEAD, _workload_rows(plan)))
    if plan.project_servers:
        parts.append(_rich_table("AI project servers", _PROJECT_HEAD, _project_rows(plan)))
    parts.append(_rich_table("node pools", _POOL_HEAD, _pool_rows(plan)))
    parts.append(_rich_table("monthly cost (USD)", ["item", "USD/month", "detail"], _cost_rows(plan)))
    if plan.bill_of_materials:
        bom = plan.bill_of_materials
        parts.append(
            _rich_table(
                f"bill of materials: ${bom.capex_usd:,.0f} capital, {bom.power_kw:g} kW, {bom.rack_units} U",
                ["server", "pool", "count", "capex USD"],
                [[b.server, b.pool, str(b.count), f"{b.capex_usd:,.0f}"] for b in bom.lines],
            )
        )
    parts.append(_verdict(plan))
    parts += [f"note: {n}" for n in plan.notes]
    return Group(*parts)  # type: ignore[arg-type]


def _rich_table(title: str, head: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for h in head:
        table.add_column(h, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


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
