"""The cost report as JSON, CSV, Markdown and rich tables (deterministic: no clock, sorted lines)."""

from __future__ import annotations

import csv
import io
from typing import Any

from aicommons.usage.report import CostReport, ProjectLine

LINE_COLUMNS = ["name", "usd", "share", "node_hours", "gpu_hours", "server_hours"]
QUOTA_COLUMNS = ["quota_gpus", "quota_gpu_hours", "gpu_hours_share", "approved"]


def report_json(report: CostReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def _quota(report: CostReport) -> dict[str, ProjectLine]:
    return {p.project: p for p in report.projects} if report.by == "project" else {}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}" if value == round(value, 2) else f"{value:g}"
    return str(value)


def _rows(report: CostReport) -> tuple[list[str], list[list[str]]]:
    quota = _quota(report)
    header = [report.by, *LINE_COLUMNS[1:]] + (QUOTA_COLUMNS if quota else [])
    rows = []
    for line in report.lines:
        row = [_cell(getattr(line, c)) for c in LINE_COLUMNS]
        if quota:
            p = quota.get(line.name)
            row += [_cell(getattr(p, c)) if p else "" for c in QUOTA_COLUMNS]
        rows.append(row)
    return header, rows


def report_csv(report: CostReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header, rows = _rows(report)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def _pool_rows(report: CostReport) -> tuple[list[str], list[list[str]]]:
    header = ["pool", "nodes seen", "peak", "plan max", "node-hours", "plan node-hours", "usd", "idle usd"]
    header += ["plan usd", "difference", "held"]
    rows = [
        [
            p.pool,
            str(p.nodes_seen),
            str(p.peak_nodes),
            _cell(p.plan_max_nodes),
            _cell(p.node_hours),
            _cell(p.estimate_node_hours),
            _cell(p.usd),
            _cell(p.idle_usd),
            _cell(p.estimate_usd),
            _cell(p.difference_usd),
            _cell(p.held),
        ]
        for p in report.pools
    ]
    return header, rows


def _heading(report: CostReport) -> str:
    mtd = " (month to date)" if report.month_to_date else ""
    return f"{report.city} {report.month}{mtd}: ${report.total_usd:,.2f} measured over {report.hours:g} h"


def _billed_line(report: CostReport) -> str | None:
    b = report.billed
    if b is None:
        return None
    return (
        f"Billed ({b.source}, tag {b.tag}, {b.start} to {b.end}): ${b.usd:,.2f}; measured node cost over "
        f"those days ${b.allocated_usd:,.2f}; difference ${b.difference_usd:,.2f} (storage, network, control plane)"
    )


def report_markdown(report: CostReport) -> str:
    out = [f"# Cost, measured: {_heading(report)}", "", f"## By {report.by}", ""]
    out += _md_table(*_rows(report))
    out += ["", "## Pools against the plan (estimate prorated to the window)", ""]
    out += _md_table(*_pool_rows(report))
    billed = _billed_line(report)
    if billed:
        out += ["", billed]
    out += ["", f"Allocation: {report.allocation_rule}"]
    if report.notes:
        out += ["", "Notes:", "", *(f"- {n}" for n in report.notes)]
    return "\n".join(out) + "\n"


def report_tables(report: CostReport) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    def table(title: str, header: list[str], rows: list[list[str]]) -> Table:
        t = Table(title=title, title_justify="left")
        for i, h in enumerate(header):
            t.add_column(h, justify="left" if i == 0 else "right")
        for r in rows:
            t.add_row(*r)
        return t

    parts: list[Any] = [
        table(f"{_heading(report)}, by {report.by}", *_rows(report)),
        table("Pools against the plan (estimate prorated to the window)", *_pool_rows(report)),
    ]
    billed = _billed_line(report)
    if billed:
        parts.append(Text(billed))
    parts += [Text(f"note: {n}") for n in report.notes]
    return Group(*parts)
