"""Small helpers shared by the stacks: IAM policy documents and taint spellings."""

from __future__ import annotations

from typing import Any

import pulumi

from aicommons_stacks.args import ArgsError

# EKS API spelling -> Kubernetes spelling (the autoscaler's node-template tags use the latter).
TAINT_EFFECTS = {
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}


def eks_taint_effect(effect: str, where: str) -> str:
    """Accept either spelling of a taint effect and return the EKS one (NO_SCHEDULE, ...)."""
    if effect in TAINT_EFFECTS:
        return effect
    for eks, kube in TAINT_EFFECTS.items():
        if effect == kube:
            return eks
    raise ArgsError(f"{where}: unknown taint effect {effect!r}; allowed: {sorted(TAINT_EFFECTS)}")


def policy_document(statements: list[dict[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document as JSON; statements may hold Outputs (ARNs, names)."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def child(parent: pulumi.Resource, **options: Any) -> pulumi.ResourceOptions:
    """Options of a child resource: parented to its component (which passes its providers on)."""
    return pulumi.ResourceOptions(parent=parent, **options)
