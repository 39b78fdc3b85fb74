"""AIC-COST-01: the estimate fits the budget, and someone is alerted as spending approaches it."""

from __future__ import annotations

from collections.abc import Iterable

from aicommons.checks.controls._infra import provider, sizing_finding, stack_config
from aicommons.checks.controls._kube import finding_at
from aicommons.checks.model import BUDGET, CheckContext, Finding, Inventory, Skip
from aicommons.checks.registry import check

CENT = 0.01


def _estimate_findings(inventory: Inventory) -> list[Finding]:
    plan = inventory.plan
    if plan is None:
        return []
    cost = plan.cost
    if cost.usd_month > cost.budget_usd_month + CENT:
        return [
            sizing_finding(
                inventory,
                f"the estimated cost is {cost.usd_month:,.2f} USD/month, {cost.usd_month - cost.budget_usd_month:,.2f} "
                f"over the budget of {cost.budget_usd_month:,.2f} USD/month; reduce peak users or GPU "
                f"workloads, or raise the budget",
            )
        ]
    return []


def _budget_usd(inventory: Inventory) -> float | None:
    if inventory.plan is not None:
        return inventory.plan.cost.budget_usd_month
    if inventory.profile is not None:
        return inventory.profile.budget.monthly_usd
    return None


@check("AIC-COST-01", "bundle")
def budget_in_bundle(ctx: CheckContext) -> Iterable[Finding]:
    """The sizing estimate fits the budget; on AWS the infra stack configures the budget's alerts."""
    inventory = ctx.inventory
    infra = stack_config(inventory, "infra")
    if inventory.plan is None and infra is None:
        raise Skip("the bundle has no sizing plan (aicommons.lock.json) and no infra stack")
    findings = _estimate_findings(inventory)
    if infra is None:
        return findings
    root = ("config", "aicommons:infra")
    config = infra.spec
    if ctx.params.get("alert_thresholds_required", True) and not config.get("budget_alert_thresholds"):
        findings.append(
            finding_at(
                inventory,
                infra,
                "budget.alert_thresholds is empty in the profile: spending is never reported as it approaches "
                "the budget; write alert_thresholds: [50, 80, 100] under budget: and render again",
                *root,
                "budget_alert_thresholds",
            )
        )
    if not config.get("budget_alert_emails"):
        findings.append(
            finding_at(
                inventory,
                infra,
                "budget.alert_emails is empty in the profile: a budget alert with no one to receive it warns "
                "nobody; write alert_emails: [it-finance@your-city.gov] under budget: and render again",
                *root,
                "budget_alert_emails",
            )
        )
    expected = _budget_usd(inventory)
    limit = config.get("budget_usd_month")
    if expected is not None and (not isinstance(limit, int | float) or abs(limit - expected) > CENT):
        findings.append(
            finding_at(
                inventory,
                infra,
                f"budget_usd_month is {limit}, but the profile's budget is {expected:,.2f} USD/month",
                *root,
                "budget_usd_month",
            )
        )
    return findings


@check("AIC-COST-01", "plan")
def budget_in_plan(ctx: CheckContext) -> Iterable[Finding]:
    """The estimate fits the budget; on AWS an AWS Budget at the profile's limit alerts at its thresholds."""
    inventory = ctx.inventory
    cloud = provider(inventory) == "aws"
    if inventory.plan is None and not cloud:
        raise Skip("neither a sizing plan nor a cloud account in the plan inventory")
    findings = _estimate_findings(inventory)
    if not cloud:
        return findings
    budgets = inventory.of(BUDGET)
    if not budgets:
        findings.append(
            Finding(
                resource=BUDGET,
                message="the plan creates no AWS Budget: nobody is alerted as spending approaches the budget",
                file="pulumi/Pulumi.infra.yaml",
            )
        )
        return findings
    expected = _budget_usd(inventory)
    profile = inventory.profile
    thresholds = sorted(profile.budget.alert_thresholds) if profile is not None else []
    emails = sorted(profile.budget.alert_emails) if profile is not None else []
    problems = []
    for b in budgets:
        wrong = []
        limit = b.spec.get("limit_usd")
        if expected is not None and (limit is None or abs(limit - expected) > CENT):
            wrong.append(f"limit is {limit} USD, not the profile's {expected:,.2f} USD")
        have = [float(t) for t in b.spec.get("alert_thresholds") or []]
        if not have and ctx.params.get("alert_thresholds_required", True):
            wrong.append("has no alert thresholds")
        missing = [t for t in thresholds if float(t) not in have]
        if missing:
            wrong.append(f"does not alert at {', '.join(f'{t:g}%' for t in missing)}")
        subscribed = b.spec.get("alert_emails") or []
        if not subscribed and not b.spec.get("alert_topics"):
            wrong.append("alerts no one")
        absent = [e for e in emails if e not in subscribed]
        if absent:
            wrong.append(f"does not alert {', '.join(absent)}")
        if not wrong:
            return findings
        problems.append((b, wrong))
    findings += [
        Finding.on(
            b, f"budget '{b.name}' {'; '.join(wrong)}; expected the profile's budget, thresholds and e-mails"
        )
        for b, wrong in problems
    ]
    return findings
