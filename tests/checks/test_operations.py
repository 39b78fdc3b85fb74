"""AIC-OPS-01..03: the controls report the cluster check the inventory carries.

Fixtures (fixtures/AIC-OPS-0N/*.yaml) give the check either as a report (`cluster.findings`,
`cluster.skipped`, `cluster.models`) or as objects the models run on (`cluster.objects` with
`release`, `step`, `doc`, and `cluster.capabilities`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from aicommons.checks.model import Inventory
from aicommons.checks.registry import registry
from aicommons.clustercheck import order
from aicommons.clustercheck.model import ClusterFinding, ClusterInput, Obj
from aicommons.clustercheck.report import ClusterReport
from tests.checks.infra_support import (
    TODAY,
    assert_fixture_coverage,
    blueprint,
    fixture_cases,
    fixture_inventory,
)

OPERATIONS = ["AIC-OPS-01", "AIC-OPS-02", "AIC-OPS-03", "AIC-OPS-04"]
CASES = fixture_cases(OPERATIONS)
_PREFIX = {"passed": "pass-", "failed": "fail-", "skipped": "skip-"}


def cluster_report(case: dict[str, Any]) -> ClusterReport:
    if "objects" in case:
        objects = tuple(Obj(o["release"], o["step"], o["doc"]) for o in case["objects"])
        cluster = ClusterInput(objects, (), "1.34", frozenset(case.get("capabilities") or ()))
        # hand-made objects for the order model only (no node groups for scheduling)
        return ClusterReport(tuple(order.check(cluster)), {}, "1.34", ("order",))
    return ClusterReport(
        findings=tuple(ClusterFinding(**f) for f in case.get("findings") or []),
        skipped=case.get("skipped") or {},
        kubernetes_version="1.34",
        models=tuple(case.get("models") or ()),
    )


def inventory(case: dict[str, Any]) -> Inventory:
    base = fixture_inventory({k: v for k, v in case.items() if k != "cluster"})
    return dataclasses.replace(base, cluster=cluster_report(case["cluster"]) if "cluster" in case else None)


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id: str, path: Path) -> None:
    from aicommons.checks.run import run_checks

    case = yaml.safe_load(path.read_text())
    assert path.name.startswith(_PREFIX[case["expect"]]), path.name
    report = run_checks(inventory(case), blueprint(), TODAY)
    result = next(c for c in report.controls if c.id == control_id)
    shown = [f.message for f in result.findings]
    assert result.status == case["expect"], f"{path.name}: {result.status} ({result.reason or shown})"
    for text in case.get("findings") or []:
        assert any(text in m for m in shown), f"{path.name}: no finding says {text!r}: {shown}"
    if "resource" in case:
        assert {f.resource for f in result.findings} == {case["resource"]}
    if "reason" in case:
        assert case["reason"] in (result.reason or ""), result.reason
    assert bool(shown) == (case["expect"] == "failed")


def test_every_control_has_passing_and_failing_fixtures() -> None:
    assert_fixture_coverage(OPERATIONS)


def test_sources() -> None:
    for control in OPERATIONS:
        assert set(registry()[control]) == {"bundle", "plan"}


def test_findings_of_other_controls_do_not_leak() -> None:
    """An order finding fails AIC-OPS-03 only."""
    case = yaml.safe_load(
        (Path(__file__).parent / "fixtures/AIC-OPS-03/fail-bundle-database-after-the-hub.yaml").read_text()
    )
    from aicommons.checks.run import run_checks

    report = run_checks(inventory(case), blueprint(), TODAY)
    results = {c.id: c for c in report.controls if c.id in OPERATIONS}
    assert results["AIC-OPS-03"].status == "failed"
    for other in ("AIC-OPS-01", "AIC-OPS-02"):  # their models did not run on this report
        assert results[other].status == "skipped" and not results[other].findings
        assert "model of the cluster check is not part of this build" in (results[other].reason or "")
