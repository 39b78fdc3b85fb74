"""AIC-OPS-01..03: the cluster accepts and runs what the bundle asks for.

The controls report the offline cluster check the inventory carries (`Inventory.cluster`, made
by `aicommons.clustercheck.run` from the bundle and the chart cache): each finding with its
release, object and cause. A release whose chart could not be rendered makes the control
skipped with the reason (e.g. "chart jupyterhub 4.3.3 not cached; run `aicommons charts
pull`") unless something else already fails it: never a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable

from aicommons.checks.model import CheckContext, Finding, Skip
from aicommons.checks.registry import check
from aicommons.clustercheck.model import ADMISSION, ORDER, SCHEDULING, ClusterFinding

NOT_RUN = (
    "the cluster check was not run with this source; `aicommons plan` and `aicommons validate` "
    "run it with the chart cache"
)
# control -> the model module that reports it (aicommons.clustercheck.run.MODELS)
MODEL = {ADMISSION: "admission", SCHEDULING: "scheduling", ORDER: "order"}


def cluster_findings(ctx: CheckContext, control: str) -> list[Finding]:
    report = ctx.inventory.cluster
    if report is None:
        raise Skip(NOT_RUN)
    findings = [_finding(f) for f in report.of(control)]
    if findings:
        return findings
    if report.skipped:
        reasons = sorted(set(report.skipped.values()))
        raise Skip("; ".join(reasons) + f" (releases not checked: {', '.join(sorted(report.skipped))})")
    if MODEL[control] not in report.models:
        raise Skip(f"the {MODEL[control]} model of the cluster check is not part of this build")
    return []


def _finding(f: ClusterFinding) -> Finding:
    cause = f" (cause: {f.cause})" if f.cause else ""
    rule = f" [{f.rule}]" if f.rule else ""
    return Finding(resource=f.object, message=f"release {f.release}: {f.message}{cause}{rule}")


@check(ADMISSION, "bundle", "plan")
def admitted(ctx: CheckContext) -> Iterable[Finding]:
    """Chart values schemas, ResourceQuota, LimitRange and Pod Security admission."""
    return cluster_findings(ctx, ADMISSION)


@check(SCHEDULING, "bundle", "plan")
def scheduled(ctx: CheckContext) -> Iterable[Finding]:
    """Every platform pod fits a sized node group at its minimum count."""
    return cluster_findings(ctx, SCHEDULING)


@check(ORDER, "bundle", "plan")
def in_order(ctx: CheckContext) -> Iterable[Finding]:
    """References exist in dependency order; each release's wait can be met."""
    return cluster_findings(ctx, ORDER)
