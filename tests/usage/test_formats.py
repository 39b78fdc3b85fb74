"""The report's renderings: quota columns beside each project, the pools against the plan."""

from __future__ import annotations

import io

from rich.console import Console

from aicommons.usage.formats import report_markdown, report_tables
from tests.usage.test_allocate import flood, report


def test_markdown_by_project_has_quota_columns_and_the_pools():
    text = report_markdown(report("project", [flood(gpus=2)]))
    assert (
        "| project | usd | share | node_hours | gpu_hours | server_hours | quota_gpus | quota_gpu_hours |"
        in text
    )
    # flood: $0.75, 6 GPU-hours of the 12 its 2 GPUs allow over the 6-hour window
    assert "| flood | 0.75 | 0.1442 | 1.50 | 6.00 | 6.00 | 2 | 12.00 | 0.50 |" in text
    assert "| user | 2 | 2 | 3 | 8.00 | 6.00 | 1.60 | 0.71 | 1.20 | 0.40 | no |" in text


def test_markdown_by_user_has_no_quota_columns():
    assert "quota_gpus" not in report_markdown(report("user"))


def test_table_renders_both_tables():
    out = io.StringIO()
    Console(file=out, width=200).print(report_tables(report("workload")))
    text = out.getvalue()
    assert "riverton 2026-11 (month to date): $5.20 measured over 6 h, by workload" in text
    assert "Pools against the plan" in text
