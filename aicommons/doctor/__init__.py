"""`aicommons doctor`: every prerequisite of a deploy, checked at once, each with its fix.

A pure core (`needs.needs_of`, `diagnose.diagnose` over a typed `model.Snapshot`) and a thin
shell (`probe.take_snapshot`) that looks at the machine and the account once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aicommons.doctor.diagnose import blocking, diagnose, exit_code
from aicommons.doctor.model import Check, Needs, Probe, Snapshot
from aicommons.doctor.needs import needs_of

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan


def catalog_vcpus(profile: CityProfile) -> dict[str, int]:
    """vCPUs per AWS instance type: the catalog's, and the profile's own additions."""
    from aicommons.catalog.load import cloud_catalog

    vcpus = {t.instance_type: t.vcpu for t in cloud_catalog("aws").instance_types}
    vcpus.update({a.instance_type: a.vcpu for a in profile.catalog.add})
    return vcpus


def profile_needs(
    profile: CityProfile, plan: SizingPlan, *, passphrase: bool = True, stacks: tuple[str, ...] | None = None
) -> Needs:
    vcpus = catalog_vcpus(profile) if profile.target.provider == "aws" else {}
    return needs_of(
        profile, plan, vcpus, passphrase=passphrase, stacks=stacks, pulumi_min_version=pulumi_floor()
    )


def pulumi_floor() -> str:
    """The oldest pulumi CLI the installed Automation API drives."""
    try:
        from pulumi.automation._minimum_version import _MINIMUM_VERSION

        return str(_MINIMUM_VERSION)
    except ImportError:  # the SDK moved it: its long-standing floor
        return "3.1.0"


__all__ = [
    "Check",
    "Needs",
    "Probe",
    "Snapshot",
    "blocking",
    "catalog_vcpus",
    "diagnose",
    "exit_code",
    "needs_of",
    "profile_needs",
]
