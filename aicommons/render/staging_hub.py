"""The staging hub: the production hub's values, made small, in its own namespace and name.

Same chart pin, environments, images, sign-in and controls (the blueprint checks it like the hub);
different: its host (and OAuth callback), only the admin groups may sign in (when there are any),
at most ``max_servers`` servers, no placeholders, no user scheduler or priority classes, no image
pre-puller, and its own SQLite database (it has no CloudNativePG cluster).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from aicommons.profile.model import CityProfile
from aicommons.render.jupyterhub import OIDC_SECRET_KEY
from aicommons.render.releases import Release, chart_pins
from aicommons.sizing.plan import SizingPlan

RELEASE = "jupyterhub-staging"
HOURS_PER_MONTH = 730


def staging_host(profile: CityProfile) -> str:
    assert profile.staging is not None and profile.hub is not None
    return profile.staging.host or f"staging.{profile.hub.host}"


def _replace_host(node: Any, old: str, new: str) -> Any:
    """Every string naming the hub's host, pointed at the staging host instead."""
    if isinstance(node, dict):
        return {k: _replace_host(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_host(v, old, new) for v in node]
    if isinstance(node, str) and (node == old or node.startswith(f"https://{old}/")):
        return node.replace(old, new, 1)
    return node


def staging_release(profile: CityProfile, hub_values: dict[str, Any]) -> Release | None:
    """The staging hub's release; None unless ``staging.enabled``."""
    staging = profile.staging
    if staging is None or not staging.enabled:
        return None
    assert profile.hub is not None and profile.identity is not None
    values = _replace_host(copy.deepcopy(hub_values), profile.hub.host, staging_host(profile))
    hub = values["hub"]
    auth = hub["config"]["GenericOAuthenticator"]
    if profile.identity.admin_groups:
        auth["allowed_groups"] = list(profile.identity.admin_groups)
    hub["config"]["JupyterHub"]["active_server_limit"] = staging.max_servers
    hub["db"] = {"type": "sqlite-pvc", "pvc": {"storage": "1Gi"}}
    hub.pop("extraEnv", None)
    hub["extraConfig"].pop("20-aicommons-postgres", None)
    scheduling = values["scheduling"]
    scheduling["userScheduler"]["enabled"] = False
    scheduling["podPriority"]["enabled"] = False
    scheduling["userPlaceholder"]["enabled"] = False
    values["prePuller"]["continuous"]["enabled"] = False
    return Release(
        name=RELEASE,
        namespace=staging.namespace,
        pin=chart_pins()["jupyterhub"],
        values=values,
        depends_on=("aicommons-platform",),
        secret_values={"hub.config.GenericOAuthenticator.client_secret": OIDC_SECRET_KEY},
    )


@dataclass(frozen=True)
class StagingCost:
    """What the staging hub adds: its own pods on the core pool, and its users' servers."""

    namespace: str
    host: str
    max_servers: int
    workload: str
    pool: str
    servers_per_node: int
    usd_per_server_hour: float
    usd_month_at_most: float  # max_servers around the clock (730 h): an upper bound


def staging_cost(profile: CityProfile, plan: SizingPlan) -> StagingCost | None:
    """Servers of the default environment cost their share of a node of its pool:
    usd_hour / servers per node, where servers per node = min(cpu, memory) fits on one node."""
    staging = profile.staging
    if staging is None or not staging.enabled:
        return None
    default = next((w.name for w in profile.workloads if w.default), profile.workloads[0].name)
    workload = next(w for w in plan.workloads if w.name == default)
    pool = next(p for p in plan.pools if p.name == workload.pool)
    per_node = max(
        1,
        min(
            math.floor(pool.allocatable.cpu / workload.cpu),
            math.floor(pool.allocatable.memory_gib / workload.memory_gib),
        ),
    )
    per_hour = pool.usd_hour / per_node
    return StagingCost(
        namespace=staging.namespace,
        host=staging_host(profile),
        max_servers=staging.max_servers,
        workload=workload.name,
        pool=pool.name,
        servers_per_node=per_node,
        usd_per_server_hour=round(per_hour, 4),
        usd_month_at_most=round(per_hour * staging.max_servers * HOURS_PER_MONTH, 2),
    )


def staging_tenant(
    profile: CityProfile, plan: SizingPlan, hub_values: dict[str, Any]
) -> list[dict[str, Any]]:
    """The staging namespace as a tenant of the platform chart (limits, quota, default deny for its
    user servers), sized for ``max_servers`` servers of the largest environment; [] when disabled."""
    from aicommons.render.jupyterhub import proxy_public_ports
    from aicommons.render.platform_releases import hub_limit_range

    staging = profile.staging
    if staging is None or not staging.enabled:
        return []
    n = staging.max_servers
    service_type = ((hub_values.get("proxy") or {}).get("service") or {}).get("type", "LoadBalancer")
    claims = 20 + 5 * n
    return [
        {
            "name": staging.namespace,
            "createNamespace": False,  # the platform stack creates it, as the hub's
            "podSecurity": "restricted",
            "podSelector": {"component": "singleuser-server"},
            "limitRange": hub_limit_range(profile),
            "quota": {
                "cpu": str(math.ceil(n * max(w.cpu_limit for w in plan.workloads)) + 4),
                "memory": f"{math.ceil(n * max(w.memory_limit_gib for w in plan.workloads)) + 8}Gi",
                "gpu": n * max(w.gpu for w in plan.workloads),
                "loadBalancers": int(service_type == "LoadBalancer"),
                "nodePorts": proxy_public_ports(hub_values)
                if service_type in ("LoadBalancer", "NodePort")
                else 0,
                "pods": n + 20,
                "persistentVolumeClaims": claims,
                "storage": f"{int(claims * profile.storage.home_gib_per_user) + 10}Gi",
            },
        }
    ]
