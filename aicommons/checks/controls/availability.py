"""AIC-HA-01: above the pilot tier, core services run on at least two nodes in two zones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from aicommons.checks.controls._infra import CORE_ROLE, partial, provider, sizing_finding
from aicommons.checks.model import NODE_GROUP, CheckContext, Finding, Skip
from aicommons.checks.registry import check
from aicommons.profile.model import Tier

TIERS: tuple[str, ...] = get_args(Tier)


@check("AIC-HA-01", "plan", "live")
def core_spread(ctx: CheckContext) -> Iterable[Finding]:
    """The core node group (or the sizing plan's core pool) has enough nodes over enough zones."""
    inventory = ctx.inventory
    if inventory.plan is not None:
        tier = inventory.plan.tier
    elif inventory.profile is not None:
        tier = inventory.profile.effective_tier
    else:
        raise Skip("the tier is not known: no profile or sizing plan with this source")
    threshold = str(ctx.params.get("applies_above_tier", "pilot"))
    if tier in TIERS and threshold in TIERS and TIERS.index(tier) <= TIERS.index(threshold):
        raise Skip(
            f"the {tier} tier: AIC-HA-01 applies above {threshold}, and a {tier} may run its core on one node"
        )
    nodes = int(ctx.params.get("min_core_nodes", 2))
    zones = int(ctx.params.get("min_zones", 2))
    if NODE_GROUP in inventory.unavailable:
        raise Skip(f"{NODE_GROUP} could not be read: {inventory.unavailable[NODE_GROUP]}")
    groups = inventory.of(NODE_GROUP)
    findings: list[Finding] = []
    unverified: list[str] = []
    if groups:
        core = [g for g in groups if g.spec.get("role") == CORE_ROLE]
        if not core:
            return [
                Finding.on(
                    groups[0],
                    f"no node group has role {CORE_ROLE}: the hub and proxy share nodes with user servers; "
                    f"expected a core node group of at least {nodes} nodes over {zones} zones",
                )
            ]
        for g in core:
            low = g.spec.get("min_size")
            if low is None or int(low) < nodes:
                findings.append(
                    Finding.on(
                        g,
                        f"core node group '{g.name}' may shrink to {low} node(s); expected min_size of at "
                        f"least {nodes} for the {tier} tier",
                    )
                )
            spread = g.spec.get("zones")
            what = "zones"
            if spread is None:
                spread, what = sorted(set(g.spec.get("subnets") or [])), "subnets (zones unknown)"
            if len(spread) < zones:
                findings.append(
                    Finding.on(
                        g,
                        f"core node group '{g.name}' spans {len(spread)} {what} ({', '.join(spread) or 'none'}); "
                        f"expected at least {zones} zones for the {tier} tier",
                    )
                )
        return findings
    if inventory.plan is None:
        raise Skip(f"the {inventory.source} inventory has no node groups and no sizing plan")
    core_pools = [p for p in inventory.plan.pools if p.role == CORE_ROLE]
    if not core_pools:
        return [sizing_finding(inventory, f"the sizing plan has no {CORE_ROLE} pool")]
    for p in core_pools:
        if p.nodes.min < nodes:
            findings.append(
                sizing_finding(
                    inventory,
                    f"core pool '{p.name}' has {p.nodes.min} node(s); expected at least {nodes} for the {tier} tier",
                )
            )
        if p.zones and len(p.zones) < zones:
            findings.append(
                sizing_finding(
                    inventory,
                    f"core pool '{p.name}' spans {len(p.zones)} zone(s) ({', '.join(p.zones)}); expected "
                    f"at least {zones} for the {tier} tier",
                )
            )
        elif not p.zones:
            unverified.append(
                f"the {provider(inventory) or 'existing'} cluster's core pool '{p.name}' has no zones in the "
                f"plan: whether its {p.nodes.min} nodes sit in separate racks or rooms cannot be checked here"
            )
    return partial(findings, unverified)
