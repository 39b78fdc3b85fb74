"""AIC-OPS-04: the bundle monitors the Commons and routes its alerts to someone.

Read from the kube-prometheus-stack release's values: Alertmanager's top-level route must end in
a receiver with at least one notifier (e-mail, webhook, ...), and the release must carry alert
rules of this project (`additionalPrometheusRulesMap`). A stack whose alerts go to the `null`
receiver watches the city's money and audit trail for no one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aicommons.checks.model import HELM_RELEASE, CheckContext, Finding, Resource, Skip
from aicommons.checks.registry import check

STACK_CHART = "kube-prometheus-stack"


def _chart(release: Resource) -> str:
    return str(release.spec.get("chart") or "").rstrip("/").rsplit("/", 1)[-1] or release.name


def _notifies(receiver: Mapping[str, Any]) -> bool:
    return any(key.endswith("_configs") and value for key, value in receiver.items())


def _alert_rules(values: Mapping[str, Any]) -> int:
    rules = (values.get("additionalPrometheusRulesMap") or {}).values()
    return sum(
        1
        for doc in rules
        for g in (doc or {}).get("groups") or []
        for r in g.get("rules") or []
        if "alert" in r
    )


@check("AIC-OPS-04", "bundle", "plan")
def alerts_reach_a_receiver(ctx: CheckContext) -> Iterable[Finding]:
    """Monitoring is installed, has alert rules, and its route ends in a receiver that notifies."""
    releases = ctx.need(HELM_RELEASE)
    if not any(r.name == "jupyterhub" or _chart(r) == "jupyterhub" for r in releases):
        raise Skip("no JupyterHub release in this inventory: nothing to monitor")
    stacks = [r for r in releases if _chart(r) == STACK_CHART]
    if not stacks:
        return [
            Finding(
                resource=f"{HELM_RELEASE}/{STACK_CHART}",
                message="no monitoring release (kube-prometheus-stack): no one is told when servers fail "
                "to start, pools are full or the budget is burning (profile monitoring.enabled)",
            )
        ]
    findings = []
    for stack in stacks:
        values = stack.spec.get("values") or {}
        config = (values.get("alertmanager") or {}).get("config") or {}
        receivers = {r.get("name"): r for r in config.get("receivers") or []}
        name = (config.get("route") or {}).get("receiver")
        if not _notifies(receivers.get(name) or {}):
            findings.append(
                Finding.on(
                    stack,
                    f"alerts are routed to receiver {name!r}, which notifies no one: set monitoring.smtp "
                    "and an alert e-mail (budget.alert_emails, hub.contact_email or monitoring.alert_emails)",
                )
            )
        if _alert_rules(values) == 0:
            findings.append(Finding.on(stack, "the monitoring release carries no alert rules of the Commons"))
    return findings
