"""`aicommons preflight`: is this cluster ready for this profile's plan, and what fixes it if not.

`preflight(profile, plan, snapshot)` is the pure core over a snapshot of the cluster; `read.py`
reads that snapshot with the kubernetes client (the shell).
"""

from __future__ import annotations

from aicommons.preflight.nodes import check_gpus, check_pool
from aicommons.preflight.report import Finding, PreflightReport
from aicommons.preflight.services import check_exposure, check_network_policy, check_storage
from aicommons.preflight.snapshot import ClusterSnapshot
from aicommons.profile.model import CityProfile
from aicommons.render.node_setup import pool_nodes
from aicommons.sizing.plan import SizingPlan
from aicommons.targets.base import target_for


def preflight(profile: CityProfile, plan: SizingPlan, snapshot: ClusterSnapshot) -> PreflightReport:
    """What the cluster lacks for this plan (nodes, GPUs, storage, policy, exposure), with the fixes."""
    defaults = target_for(profile).platform_defaults(profile, plan)
    findings: list[Finding] = []
    if "Node" in snapshot.unreadable:
        findings.append(Finding("nodes", "Node", "unknown", snapshot.unreadable["Node"]))
    else:
        pools = pool_nodes(plan, defaults.node_pools) if defaults.node_setup else []
        for pool in pools:
            findings += check_pool(pool, snapshot)
        for pool in pools:
            findings += check_gpus(pool, snapshot, defaults)
    findings += check_storage(snapshot, defaults)
    findings += check_network_policy(snapshot, defaults)
    letsencrypt = profile.hub is not None and profile.hub.https == "letsencrypt"
    findings += check_exposure(snapshot, defaults, letsencrypt)
    return PreflightReport(context=snapshot.context, findings=tuple(findings))


__all__ = ["ClusterSnapshot", "Finding", "PreflightReport", "preflight"]
