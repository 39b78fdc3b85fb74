"""The upgrade plan as text for a terminal, Markdown for a pull request, or JSON (all deterministic)."""

from __future__ import annotations

import json

from aicommons.upgrade.plan import UpgradePlan


def as_json(plan: UpgradePlan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=True) + "\n"


def _chart_rows(plan: UpgradePlan) -> list[list[str]]:
    return [[c.release, c.chart, c.pinned, c.newest or "-", c.status] for c in plan.charts]


def as_markdown(plan: UpgradePlan) -> str:
    out = [f"# Upgrade plan for {plan.city}", ""]
    out.append(
        f"aicommons: {plan.tool_installed} installed; bundle rendered by {plan.tool_bundle or '(no bundle)'}"
    )
    out += ["", "## Charts", "", "| release | chart | pinned | newest | status |", "|---|---|---|---|---|"]
    out += [f"| {' | '.join(row)} |" for row in _chart_rows(plan)]
    for c in plan.charts:
        if c.status != "behind":
            continue
        out += ["", f"### {c.release}: {c.chart} {c.pinned} → {c.newest}", ""]
        out += [f"- release notes: {c.changelog}", f"- values schema: {c.schema}"]
        out.append(f"- bundle files changed: {', '.join(c.files_changed) or 'none'}")
        out.append("- checks after: " + "; ".join(f"`{x}`" for x in c.checks_after))
        if c.diff:
            out += ["", "```diff", c.diff.rstrip("\n"), "```"]
    out += ["", "## Kubernetes", ""]
    for key, value in sorted(plan.kubernetes.items()):
        out.append(f"- {key}: {json.dumps(value, sort_keys=True) if isinstance(value, dict) else value}")
    if plan.kubernetes_steps:
        out += ["", "| step | what | from | to | notes |", "|---|---|---|---|---|"]
        for i, s in enumerate(plan.kubernetes_steps, 1):
            out.append(f"| {i} | {s.what} | {s.from_version} | {s.to_version} | {s.notes} |")
    if plan.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in plan.notes]
    return "\n".join(out) + "\n"


def as_table(plan: UpgradePlan) -> str:
    rows = [["release", "chart", "pinned", "newest", "status"], *_chart_rows(plan)]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = [
        f"upgrade plan for {plan.city} (aicommons {plan.tool_installed}; bundle by {plan.tool_bundle or '-'})"
    ]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    for c in plan.charts:
        if c.status == "behind":
            out += [
                "",
                f"{c.release} {c.pinned} -> {c.newest}",
                f"  release notes: {c.changelog}",
                f"  values schema: {c.schema}",
                f"  bundle files changed: {', '.join(c.files_changed) or 'none'}",
                f"  checks after: {'; '.join(c.checks_after)}",
            ]
    if plan.kubernetes:
        out += ["", "kubernetes: " + ", ".join(
            f"{k} {json.dumps(v, sort_keys=True) if isinstance(v, dict) else v}"
            for k, v in sorted(plan.kubernetes.items())
        )]  # fmt: skip
    for i, s in enumerate(plan.kubernetes_steps, 1):
        out.append(f"  step {i}: {s.what} {s.from_version} -> {s.to_version} ({s.notes})")
    out += [f"note: {n}" for n in plan.notes]
    return "\n".join(out) + "\n"
