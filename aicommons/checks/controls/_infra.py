"""What the data, logging, GPU, cost and availability controls share: the target, the audit
bucket, profile-level findings, and half-checked controls."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aicommons.checks.adapters.bundle import LOCK_FILE
from aicommons.checks.model import (
    BUCKET,
    CLUSTER,
    STACK_CONFIG,
    CheckContext,
    Finding,
    Inventory,
    Resource,
    Skip,
)

AUDIT = "audit"
GPU_ROLE = "gpu"
CORE_ROLE = "core"
_GPU_LABELS = ("k8s.amazonaws.com/accelerator", "nvidia.com/gpu.present", "aicommons.dev/gpu-model")


def partial(findings: list[Finding], unverified: list[str]) -> list[Finding]:
    """The findings of what could be checked; Skip (with why) when those are clean but a part was not."""
    if findings or not unverified:
        return findings
    raise Skip("; ".join(unverified))


def unreadable(inventory: Inventory, *kinds: str) -> list[str]:
    return [f"{k} could not be read: {inventory.unavailable[k]}" for k in kinds if k in inventory.unavailable]


def provider(inventory: Inventory) -> str | None:
    """aws | kubernetes | onprem: from the profile, else the sizing plan, else what the inventory holds."""
    if inventory.profile is not None:
        return inventory.profile.target.provider
    if inventory.plan is not None:
        return inventory.plan.provider
    if inventory.of(BUCKET, CLUSTER):
        return "aws"
    return None


def target_phrase(inventory: Inventory) -> str:
    name = provider(inventory)
    return f"the {name} target" if name else "this target"


def stack_config(inventory: Inventory, name: str) -> Resource | None:
    return next((r for r in inventory.of(STACK_CONFIG) if r.name == name), None)


def audit_buckets(inventory: Inventory) -> list[Resource]:
    return [b for b in inventory.of(BUCKET) if b.spec.get("purpose") == AUDIT]


def profile_finding(inventory: Inventory, message: str) -> Finding:
    """A finding on the city's profile (recorded in the bundle's lock file)."""
    slug = inventory.profile.city.slug if inventory.profile is not None else "?"
    file = LOCK_FILE if LOCK_FILE in inventory.files else None
    return Finding(resource=f"CityProfile/{slug}", message=message, file=file)


def sizing_finding(inventory: Inventory, message: str) -> Finding:
    city = inventory.plan.city if inventory.plan is not None else "?"
    file = LOCK_FILE if LOCK_FILE in inventory.files else None
    return Finding(resource=f"SizingPlan/{city}", message=message, file=file)


def dotted_get(model: Any, path: str) -> Any:
    """`governance.audit_retention_days` of a pydantic model (or mapping); None when absent."""
    node = model
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else getattr(node, part, None)
        if node is None:
            return None
    return node


def bound_findings(ctx: CheckContext) -> list[Finding]:
    """The profile's knobs outside the blueprint's bounds that this control enforces."""
    profile = ctx.inventory.profile
    if profile is None:
        return []
    out = []
    for bound in ctx.blueprint.bounds:
        if bound.control != ctx.control.id:
            continue
        value = dotted_get(profile, bound.field)
        if value is None:
            continue
        if bound.min is not None and value < bound.min:
            out.append(
                profile_finding(
                    ctx.inventory,
                    f"{bound.field} is {value:g}, below the blueprint's minimum of {bound.min:g}; "
                    f"loosening it needs a recorded exception for {ctx.control.id}",
                )
            )
        if bound.max is not None and value > bound.max:
            out.append(
                profile_finding(
                    ctx.inventory,
                    f"{bound.field} is {value:g}, above the blueprint's maximum of {bound.max:g}; "
                    f"loosening it needs a recorded exception for {ctx.control.id}",
                )
            )
    return out


def is_gpu_group(group: Resource) -> bool:
    spec = group.spec
    if spec.get("role") is not None:
        return spec.get("role") == GPU_ROLE
    ami = str(spec.get("ami_type") or "")
    return (
        bool(spec.get("gpu_count"))
        or "NVIDIA" in ami
        or "GPU" in ami
        or any(k in group.labels for k in _GPU_LABELS)
    )


def names(resources: Iterable[Resource]) -> str:
    return ", ".join(sorted(r.name for r in resources)) or "none"
