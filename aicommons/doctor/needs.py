"""What deploying a city needs, from its profile and sizing plan (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aicommons.doctor.model import Needs
from aicommons.doctor.quotas import quota_needs

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan


def needs_of(
    profile: CityProfile,
    plan: SizingPlan,
    vcpus: Mapping[str, int],
    *,
    passphrase: bool = True,
    stacks: tuple[str, ...] | None = None,
    pulumi_min_version: str = "3.1.0",
) -> Needs:
    """The prerequisites of `profile`'s deploy; `vcpus` the catalog's vCPUs per instance type;
    `stacks` the stacks this deploy touches (None: all the target has)."""
    target = profile.target
    provider = target.provider
    on_aws = provider == "aws"
    infra = on_aws and (stacks is None or "infra" in stacks)
    platform = stacks is None or "platform" in stacks
    quotas, unknown = (
        quota_needs(((g.instance_type, g.nodes.max) for p in plan.pools for g in p.node_groups), vcpus)
        if infra
        else ([], [])
    )
    return Needs(
        city=profile.city.slug,
        provider=provider,
        region=getattr(target, "region", None) if on_aws else None,
        passphrase=passphrase,
        client_secret_env=profile.identity.client_secret_env if profile.identity and platform else None,
        kube_context=None if on_aws else getattr(target, "context", None),
        needs_cluster=not on_aws and platform,
        hub_host=profile.hub.host if profile.hub else None,
        quotas=tuple(quotas),
        unknown_instance_types=tuple(unknown),
        pulumi_min_version=pulumi_min_version,
    )
