"""The offline plan of a rendered bundle: its infra stack (when it has one), then its platform stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from aicommons.errors import InputError, Location
from aicommons.plan.offline import StackPlan, load_stacks_package, plan_stack

OIDC_SECRET = "aicommons:oidcClientSecret"
OFFLINE_SECRET = "offline-plan-placeholder"  # stands in for the secret set at deploy; masked in the plan


def _stack_config(bundle: Path, stack: str) -> dict[str, Any] | None:
    path = bundle / "pulumi" / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            "malformed YAML", Location(file=str(path), line=mark.line + 1 if mark else None)
        ) from None
    return dict(data.get("config") or {})


def project_of(bundle: Path) -> str:
    path = bundle / "pulumi" / "Pulumi.yaml"
    try:
        return str(yaml.safe_load(path.read_text(encoding="utf-8"))["name"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        raise InputError("not a bundle's Pulumi project (no name)", Location(file=str(path))) from None


def plan_bundle(bundle: Path) -> list[StackPlan]:
    """Run the bundle's stacks in order under Pulumi's mock runtime; no engine or credentials."""
    load_stacks_package()
    from aicommons_stacks.main import main

    project = project_of(bundle)
    plans: list[StackPlan] = []
    refs: dict[str, dict[str, Any]] = {}
    infra = _stack_config(bundle, "infra")
    if infra is not None:
        infra_plan = plan_stack("infra", lambda: main(bundle), infra, project)
        plans.append(infra_plan)
        refs[f"organization/{project}/infra"] = infra_plan.outputs
    platform = _stack_config(bundle, "platform")
    if platform is None:
        raise InputError(
            "the bundle has no platform stack configuration",
            Location(file=str(bundle / "pulumi" / "Pulumi.platform.yaml")),
        )
    platform = {**platform, OIDC_SECRET: OFFLINE_SECRET}
    plans.append(
        plan_stack(
            "platform", lambda: main(bundle), platform, project, secret_keys=[OIDC_SECRET], stack_outputs=refs
        )
    )
    return plans
