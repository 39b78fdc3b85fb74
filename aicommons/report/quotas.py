"""The AI project quota section of `aicommons size` (only shown when the city has projects)."""

from __future__ import annotations

from rich.console import Group

from aicommons.report.layout import Col, Listing
from aicommons.sizing.quotas import QuotaFit, Resources

_COLS = [Col(""), Col("GPU slots", "number"), Col("CPU cores", "number"), Col("memory GiB", "number")]
_HEAD = [c.head for c in _COLS]


def _cells(r: Resources) -> list[str]:
    return [str(r.gpus), f"{r.cpu:g}", f"{r.memory_gib:g}"]


def _rows(fit: QuotaFit) -> list[list[str]]:
    rows = [
        ["capacity (user + GPU pools at max)", *_cells(fit.capacity)],
        ["  of which added for project servers", *_cells(fit.project_servers)],
        ["hub peak", *_cells(fit.hub_peak)],
        ["headroom for projects", *_cells(fit.headroom)],
    ]
    rows += [
        [f"{p.slug} ({'approved' if p.approved else 'pending'})", *_cells(p.request)] for p in fit.projects
    ]
    rows.append(["approved total", *_cells(fit.approved)])
    return rows


def _verdict(fit: QuotaFit) -> list[str]:
    if fit.fits:
        return ["approved project quotas fit the headroom"]
    return [f"warning: {line}" for line in fit.exceeded] + [
        "note: the plan holds the whole servers each approved quota admits; quota beyond them, and "
        "servers a node type's max_nodes leaves out, are not sized"
    ]


def quota_tables(fit: QuotaFit) -> Group:
    return Group(Listing("AI project quotas", _COLS, _rows(fit)), *_verdict(fit))


def quota_markdown(fit: QuotaFit) -> str:
    lines = ["## AI project quotas", "", "| " + " | ".join(_HEAD) + " |", "|" + "---|" * len(_HEAD)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(fit)]
    lines += ["", *(f"- {v}" for v in _verdict(fit)), ""]
    return "\n".join(lines)
