"""The infra stack's arguments for AWS (InfraArgs in stacks/aicommons_stacks/args.py)."""

from __future__ import annotations

import hashlib
from typing import Any

from aicommons import __version__
from aicommons.errors import ErrorGroup, InputError, Location
from aicommons.profile.model import AwsTarget, CityProfile
from aicommons.render.backup import aws_backup_args, backups_bucket, database_backup
from aicommons.render.pools import pool_labels, pool_taints
from aicommons.sizing.knobs import schedule_changes
from aicommons.sizing.plan import NodeGroupPlan, SizingPlan
from aicommons.targets.aws import OIDC_GROUPS_PREFIX, OIDC_USERNAME_PREFIX
from aicommons.targets.eks_addons import addon_versions

KUBERNETES_VERSION = "1.34"
VPC_CIDR = "10.42.0.0/16"
# CloudWatch Logs accepts only these retention periods (days).
_CLOUDWATCH_RETENTION = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def cloudwatch_retention(days: int) -> int:
    """The shortest allowed retention that keeps logs at least `days` days."""
    return next((d for d in _CLOUDWATCH_RETENTION if d >= days), _CLOUDWATCH_RETENTION[-1])


def cluster_name(profile: CityProfile) -> str:
    return f"aicommons-{profile.city.slug}"


def cost_tags(profile: CityProfile) -> dict[str, str]:
    return {
        "aicommons:city": profile.city.slug,
        "aicommons:managed-by": "aicommons",
        "aicommons:tool-version": __version__,
        "aicommons:tier": profile.effective_tier,
    }


# Roles whose pods keep zonal EBS volumes (user homes): one node group per zone.
ZONAL_ROLES = ("user", "gpu")
# A node group's name prefix leaves EKS 26 of its 63 characters (see the stacks' nodepools.py).
MAX_GROUP_NAME = 36


def zone_suffix(zone: str) -> str:
    """The zone's letter: "a" for eu-central-1a (the profile checks zones look like that)."""
    return zone[-1]


def zonal_name(group: str, zone: str) -> str:
    """`<group>-<zone letter>`, shortened with a digest of the group's name when too long."""
    name = f"{group}-{zone_suffix(zone)}"
    if len(name) <= MAX_GROUP_NAME:
        return name
    digest = hashlib.sha256(group.encode()).hexdigest()[:6]
    head = group[: MAX_GROUP_NAME - len(digest) - 3].rstrip("-")
    return f"{head}-{digest}-{zone_suffix(zone)}"


def spread(total: int, zones: int) -> list[int]:
    """`total` nodes over `zones` groups as evenly as possible, the first zones taking the rest."""
    return [total // zones + (1 if i < total % zones else 0) for i in range(zones)]


def per_zone(name: str, role: str, zones: list[str], low: int, high: int) -> list[dict[str, Any]]:
    """The node groups one plan node group becomes: one per zone for user and GPU pools.

    Minimums are spread over the zones (they add up to the plan's minimum, so the idle cost is
    the plan's). Each zone's maximum is the plan's whole maximum: after scale-to-zero every
    returning user's home may sit in one zone, and that zone must be able to take the whole
    peak. The total stays bounded by what pods ask for, which the tenant's ResourceQuota caps.
    Core groups span every zone (empty `zones`).
    """
    if role not in ZONAL_ROLES or len(zones) < 2:
        return [{"name": name, "zones": [], "min_size": low, "max_size": high}]
    return [
        {"name": zonal_name(name, zone), "zones": [zone], "min_size": n, "max_size": high}
        for zone, n in zip(zones, spread(low, len(zones)), strict=True)
    ]


def scheduled_minimums(group: NodeGroupPlan, zones: int) -> list[dict[str, Any]]:
    """The stack keys of a minimum that follows the schedule, for each of the group's zonal groups.

    Each change of the plan's minimum (sizing/knobs.py) is spread over the zones like the plain
    minimum (`spread`), so the zonal groups add up to the plan's figure at every hour. Nothing for
    a group without min_schedule, so bundles without one are unchanged.
    """
    if group.min_schedule is None:
        return [{} for _ in range(zones)]
    changes = schedule_changes(group.min_schedule, group.nodes.min)
    return [
        {
            "scheduled_minimums": [
                {"recurrence": c.recurrence, "min_size": spread(c.min, zones)[k]} for c in changes
            ],
            "time_zone": group.min_schedule.time_zone,
        }
        for k in range(zones)
    ]


# The infra stack's configuration keys and the profile fields they come from, so that an error the
# stack raises about a key reads as the field the city writes (plan/offline.py translates them).
PROFILE_FIELDS = {
    "budget_alert_emails": "budget.alert_emails",
    "budget_alert_thresholds": "budget.alert_thresholds",
    "budget_usd_month": "budget.monthly",
    "audit_retention_days": "governance.audit_retention_days",
    "log_retention_days": "governance.audit_retention_days",
    "data_residency_regions": "governance.data_residency_regions",
    "existing_vpc_id": "target.existing_vpc.vpc_id",
    "private_subnet_ids": "target.existing_vpc.private_subnet_ids",
    "zones": "target.availability_zones",
    "region": "target.region",
    "access": "target.access",
    "oidc": "identity",
}


def require_infra_fields(profile: CityProfile) -> None:
    """What the infra stack refuses to create without, asked for in the profile's own terms."""
    errors = []
    if not profile.budget.alert_emails:
        errors.append(
            InputError(
                "an AWS Budget needs at least one recipient for its alerts: nobody would hear of an overspend",
                Location(field="budget.alert_emails"),
                "alert_emails: [it-finance@your-city.gov] under budget:",
            )
        )
    if not profile.budget.alert_thresholds:
        errors.append(
            InputError(
                "an AWS Budget needs at least one alert threshold",
                Location(field="budget.alert_thresholds"),
                "percentages of the monthly budget, e.g. alert_thresholds: [80, 100]",
            )
        )
    if errors:
        raise ErrorGroup(errors)


def infra_args(profile: CityProfile, plan: SizingPlan) -> dict[str, Any]:
    target = profile.target
    assert isinstance(target, AwsTarget)
    require_infra_fields(profile)
    gov = profile.governance
    zones = list(target.availability_zones)
    pools = []
    for pool, group in ((p, g) for p in plan.pools for g in p.node_groups):
        gpu = pool.role == "gpu"
        zonal_groups = per_zone(group.name, pool.role, zones, group.nodes.min, group.nodes.max)
        warm = scheduled_minimums(group, len(zonal_groups))
        for k, zonal in enumerate(zonal_groups):
            pools.append(
                {
                    "name": zonal["name"],
                    "group": group.name,
                    "zones": zonal["zones"],
                    "pool": pool.name,
                    "role": pool.role,
                    "instance_type": group.instance_type,
                    "min_size": zonal["min_size"],
                    "desired_size": zonal["min_size"],
                    "max_size": zonal["max_size"],
                    "disk_gib": 200 if gpu else 50,
                    "labels": pool_labels(pool),
                    "taints": [
                        {"key": t.key, "value": t.value, "effect": t.eks_effect} for t in pool_taints(pool)
                    ],
                    "gpu_model": pool.gpu_model if gpu else None,
                    # what the node advertises as nvidia.com/gpu (slots when shared), for scale-from-zero
                    "gpu_count": group.allocatable.gpu if gpu else 0,
                    "ami_type": "AL2023_x86_64_NVIDIA" if gpu else "AL2023_x86_64_STANDARD",
                }
                | warm[k]
            )
    return {
        "city": profile.city.slug,
        "region": target.region,
        "zones": list(target.availability_zones),
        "cluster_name": cluster_name(profile),
        "kubernetes_version": KUBERNETES_VERSION,
        "addon_versions": addon_versions(KUBERNETES_VERSION),
        "vpc_cidr": VPC_CIDR,
        "existing_vpc_id": target.existing_vpc.vpc_id if target.existing_vpc else None,
        "private_subnet_ids": list(target.existing_vpc.private_subnet_ids) if target.existing_vpc else [],
        "control_plane_log_types": ["api", "audit", "authenticator"],
        "log_retention_days": cloudwatch_retention(gov.audit_retention_days),
        "audit_retention_days": gov.audit_retention_days,
        "node_pools": pools,
        "buckets": [
            {"purpose": "datasets", "classification": "internal", "personal_data": False},
            {"purpose": "projects", "classification": "confidential", "personal_data": True},
            {
                "purpose": "audit",
                "classification": "restricted",
                "personal_data": True,
                "object_lock_days": gov.audit_retention_days,
            },
            # the hub database's base backups and WAL (no database on a pilot: its hub uses sqlite)
            *(
                [backups_bucket()]
                if database_backup(profile, aws=True) and profile.effective_tier != "pilot"
                else []
            ),
        ],
        "oidc": _oidc(profile),
        "access": [{"principal_arn": a.principal_arn, "access": a.access} for a in target.access],
        "budget_usd_month": round(profile.budget.monthly_usd, 2),
        "budget_alert_emails": list(profile.budget.alert_emails),
        "budget_alert_thresholds": [float(t) for t in profile.budget.alert_thresholds],
        "tags": cost_tags(profile),
        "data_residency_regions": list(gov.data_residency_regions),
        "backup": aws_backup_args(profile),
    }


def _oidc(profile: CityProfile) -> dict[str, str] | None:
    """The city's identity provider as EKS registers it (None without one)."""
    identity = profile.identity
    if identity is None:
        return None
    return {
        "issuer_url": identity.issuer_url,
        "client_id": identity.client_id,
        "username_claim": identity.username_claim,
        "groups_claim": identity.groups_claim,
        "username_prefix": OIDC_USERNAME_PREFIX,
        "groups_prefix": OIDC_GROUPS_PREFIX,
    }
