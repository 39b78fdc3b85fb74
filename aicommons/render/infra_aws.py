"""The infra stack's arguments for AWS (InfraArgs in stacks/aicommons_stacks/args.py)."""

from __future__ import annotations

from typing import Any

from aicommons import __version__
from aicommons.profile.model import AwsTarget, CityProfile
from aicommons.render.pools import pool_labels, pool_taints
from aicommons.sizing.plan import SizingPlan
from aicommons.targets.aws import OIDC_GROUPS_PREFIX, OIDC_USERNAME_PREFIX

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


def infra_args(profile: CityProfile, plan: SizingPlan) -> dict[str, Any]:
    target = profile.target
    assert isinstance(target, AwsTarget)
    gov = profile.governance
    pools = []
    for pool, group in ((p, g) for p in plan.pools for g in p.node_groups):
        gpu = pool.role == "gpu"
        pools.append(
            {
                "name": group.name,
                "pool": pool.name,
                "role": pool.role,
                "instance_type": group.instance_type,
                "min_size": group.nodes.min,
                "desired_size": group.nodes.min,
                "max_size": group.nodes.max,
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
        )
    return {
        "city": profile.city.slug,
        "region": target.region,
        "zones": list(target.availability_zones),
        "cluster_name": cluster_name(profile),
        "kubernetes_version": KUBERNETES_VERSION,
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
        ],
        "oidc": _oidc(profile),
        "budget_usd_month": round(profile.budget.monthly_usd, 2),
        "budget_alert_emails": list(profile.budget.alert_emails),
        "budget_alert_thresholds": [float(t) for t in profile.budget.alert_thresholds],
        "tags": cost_tags(profile),
        "data_residency_regions": list(gov.data_residency_regions),
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
