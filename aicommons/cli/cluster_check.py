"""The cluster check in `plan` and `validate`: where the charts are (the shell's only job),
running the check, attaching it to the inventories, and its section of the plan's output."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from aicommons.checks.model import Inventory
    from aicommons.clustercheck.charts import ChartSource
    from aicommons.clustercheck.report import ClusterReport
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan

CACHE_ENV = "AICOMMONS_CHART_CACHE"
CHARTS_OPTION = typer.Option(
    None,
    "--charts",
    help=f"Chart cache folder for the cluster check (default: ${CACHE_ENV}, else the user's cache).",
)


def chart_source(option: Path | None) -> ChartSource:
    """Charts from --charts, else the chart cache, each pinned archive's digest verified."""
    from aicommons.clustercheck.charts import cache_source

    return cache_source(option)


def cluster_report(
    files: Mapping[str, bytes], profile: CityProfile | None, plan: SizingPlan | None, charts: Path | None
) -> ClusterReport | None:
    """The bundle's cluster check; None when the bundle carries no profile and sizing plan."""
    if profile is None or plan is None:
        return None
    from aicommons.clustercheck.run import check_bundle

    return check_bundle(profile, plan, files, chart_source(charts))


def with_cluster(inventory: Inventory, report: ClusterReport | None) -> Inventory:
    return dataclasses.replace(inventory, cluster=report)


def cluster_tables(report: ClusterReport) -> list[Any]:
    """One table per AIC-OPS control (its findings, "no finding", or why it was not checked),
    then the releases not rendered."""
    from aicommons.checks.controls.operations import MODEL
    from aicommons.clustercheck.model import ADMISSION, ORDER, SCHEDULING
    from aicommons.report.layout import Col, Listing

    columns = [Col("release", "id"), Col("object", "id"), Col("finding"), Col("cause")]
    out: list[Any] = []
    for control, label in (
        (ADMISSION, "admission"),
        (SCHEDULING, "scheduling"),
        (ORDER, "references and order"),
    ):
        findings = report.of(control)
        rows = [[f.release, f.object, f.message, f.cause] for f in findings]
        if not findings:
            ran = MODEL[control] in report.models
            rows.append(
                ["", "", "no finding" if ran else f"not checked: no {MODEL[control]} model in this build", ""]
            )
        out.append(Listing(f"cluster check {control} ({label})", columns, rows))
    if report.skipped:
        out.append(
            Listing(
                "cluster check: releases not checked",
                [Col("release", "id"), Col("why")],
                [[release, why] for release, why in sorted(report.skipped.items())],
            )
        )
    out.append(
        f"cluster check of Kubernetes {report.kubernetes_version}: models {', '.join(report.models) or 'none'}"
    )
    return out
