"""The commands' tables at 80 columns (a CI log, a pipe) and at 200: every row's content is
there, no id or name is broken across lines, and no line is wider than the console."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.profile import load_profile
from aicommons.render.releases import repository_pins
from aicommons.sizing.simulated import size_on_model
from tests.conftest import ROOT

METRO = ROOT / "examples" / "cities" / "metro.yaml"
PROJECTS = ROOT / "tests" / "governance" / "fixtures" / "projects"
runner = CliRunner()


def invoke(width: int, *args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code in (0, 1), result.output
    return result.output


def tokens(output: str) -> set[str]:
    """Every whitespace-separated word of the output, without table borders or punctuation."""
    return {w.strip("│┃,;:()") for line in output.splitlines() for w in line.split()}


def check_widths(output: str, width: int) -> None:
    assert max(len(line.rstrip()) for line in output.splitlines()) <= width


@pytest.mark.parametrize("width", [80, 200])
def test_size_keeps_every_name_whole(width: int) -> None:
    plan = size_on_model(load_profile(METRO)).plan  # what `size` reports: chosen on the model
    out = invoke(width, "size", str(METRO))
    check_widths(out, width)
    found = tokens(out)
    names = (
        {w.name for w in plan.workloads}
        | {p.name for p in plan.pools}
        | {c.item for c in plan.cost.breakdown}
    )
    names |= {g.instance_type for p in plan.pools for g in p.node_groups}
    assert names <= found, names - found
    for line in plan.cost.breakdown:  # every cost line's amount and every word of its detail
        assert f"{line.usd_month:,.2f}" in found
        assert {w.strip(",;:()") for w in line.detail.split()} <= found
    # the node pools' eight columns do not fit 80: a block per node group there, a table at 200
    assert ("- pool: gpu-l4-shared" in out) == (width == 80)
    assert ("│ gpu-l4-shared " in out) == (width == 200)
    assert "what costs most" in out


def test_validate_lists_a_finding_once_at_its_place_in_either_layout(tmp_path: Path) -> None:
    """A bundle with culling off: the bundle and its offline plan both see it; it prints once."""
    bundle = tmp_path / "metro"
    runner.invoke(app, ["render", str(METRO), "-o", str(bundle)])
    values = bundle / "helm" / "jupyterhub.values.yaml"
    text = values.read_text()
    assert text.splitlines()[1:3] == ["cull:", "  enabled: true"]  # under the header comment
    values.write_text(text.replace("cull:\n  enabled: true\n", "cull:\n  enabled: false\n", 1))
    empty = tmp_path / "no-charts"
    empty.mkdir()
    for width in (80, 200):
        out = invoke(width, "validate", str(bundle), "--charts", str(empty))
        check_widths(out, width)
        assert len(re.findall(r"cull\.enabled\s+is\s+false", out)) == 1, out
        assert "helm/jupyterhub.values.yaml:3" in tokens(out)
        found = tokens(out)
        assert {f"AIC-{family}-01" for family in ("IAM", "POD", "NET", "GOV", "OPS")} <= found


@pytest.mark.parametrize("width", [80, 200])
def test_project_list_keeps_slugs_and_ids_whole(width: int) -> None:
    out = invoke(width, "project", "list", "-d", str(PROJECTS), "--today", "2026-03-01")
    check_widths(out, width)
    assert {"benefit-triage", "RVT-2026-002", "bike-demand", "RVT-2026-001", "2026-12-31"} <= tokens(out)


@pytest.mark.parametrize("width", [80, 200])
def test_charts_list_keeps_each_digest_on_one_line(width: int) -> None:
    folder = os.environ.get("AICOMMONS_TEST_CHARTS")
    if not folder or not Path(folder).is_dir():
        pytest.skip("AICOMMONS_TEST_CHARTS names no folder of upstream charts")
    result = runner.invoke(app, ["charts", "list", "--cache", folder], env={"COLUMNS": str(width)})
    check_widths(result.output, width)
    found = tokens(result.output)
    for pin in repository_pins():
        assert {pin.chart, pin.version, f"sha256:{pin.sha256}"} <= found
