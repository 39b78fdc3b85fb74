"""Plan a rendered bundle offline: its stacks in order, each with its `Pulumi.<stack>.yaml`.

The infra stack's outputs (secrets masked) become what the platform stack's reference to it
sees. Secrets the bundle cannot hold (`secure:` values, or keys set later with
`pulumi config set --secret`) are replaced by a placeholder marked secret, so the plan runs
without them and never shows one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aicommons.errors import InputError, Location
from aicommons.plan.offline import PlannedResource, StackPlan, load_stacks_package, plan_stack
from aicommons.yamlio import read_text_file, safe_load

STACK_ORDER = ("infra", "platform")
PROJECT_DIR = "pulumi"
SECRET_PLACEHOLDER = "offline-plan-placeholder"
CONFIG_NAMESPACE = "aicommons"


def plan_bundle(bundle_root: Path) -> list[StackPlan]:
    """Run every stack of the bundle (infra, then platform) under mocks; one plan per stack."""
    project_dir = bundle_root / PROJECT_DIR
    project = _project_name(project_dir)
    stacks = load_stacks_package()

    def program() -> None:
        stacks.main.main(bundle_root)

    plans: list[StackPlan] = []
    outputs: dict[str, dict[str, Any]] = {}
    for stack in STACK_ORDER:
        path = project_dir / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            continue
        config, secret_keys = stack_config(path, project)
        if stack == "platform":
            reference = _mapping(config.get(f"{CONFIG_NAMESPACE}:platform"), path).get("infra_stack")
            infra = next((p for p in plans if p.stack == "infra"), None)
            outputs = {reference: infra.outputs} if reference and infra else {}
        plans.append(
            plan_stack(stack, program, config, project, secret_keys=secret_keys, stack_outputs=outputs)
        )
    if not plans:
        raise InputError("no Pulumi.<stack>.yaml in the bundle", Location(file=str(project_dir)))
    return plans


def inventory(plans: list[StackPlan]) -> list[PlannedResource]:
    """All the plans' resources, sorted by (stack, type, name)."""
    return sorted((r for p in plans for r in p.resources), key=lambda r: (r.stack, r.type, r.name, r.urn))


def stack_config(path: Path, project: str) -> tuple[dict[str, Any], list[str]]:
    """A stack file's configuration with full keys, and the keys to treat as secrets."""
    data = _mapping(safe_load(read_text_file(path), str(path)) or {}, path)
    config: dict[str, Any] = {}
    secret_keys: list[str] = []
    for key, value in _mapping(data.get("config") or {}, path).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full] = SECRET_PLACEHOLDER
            secret_keys.append(full)
        else:
            config[full] = value
    for key in _platform_secret_keys(config):
        if key not in config:
            config[key] = SECRET_PLACEHOLDER
        if key not in secret_keys:
            secret_keys.append(key)
    return config, sorted(secret_keys)


def _platform_secret_keys(config: dict[str, Any]) -> list[str]:
    platform = config.get(f"{CONFIG_NAMESPACE}:platform")
    if not isinstance(platform, dict):
        return []
    keys = set()
    for release in platform.get("releases") or []:
        if isinstance(release, dict):
            keys |= {f"{CONFIG_NAMESPACE}:{k}" for k in (release.get("secret_values") or {}).values()}
    for pull in platform.get("pull_secrets") or []:  # a private registry's password
        if isinstance(pull, dict) and pull.get("password_key"):
            keys.add(f"{CONFIG_NAMESPACE}:{pull['password_key']}")
    return sorted(keys)


def _project_name(project_dir: Path) -> str:
    path = project_dir / "Pulumi.yaml"
    if not path.is_file():
        raise InputError("not a bundle: Pulumi.yaml is missing", Location(file=str(path)))
    name = _mapping(safe_load(read_text_file(path), str(path)), path).get("name")
    if not isinstance(name, str) or not name:
        raise InputError("the project has no name", Location(file=str(path), field="name"))
    return name


def _mapping(value: Any, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError("expected a mapping", Location(file=str(path)))
    return value
