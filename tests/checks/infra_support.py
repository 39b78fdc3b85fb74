"""Helpers for the data, logging, GPU, cost and availability control tests.

Fixtures follow Checkov/Kyverno, in the format of `security_support.py`: one small YAML file
per case under `fixtures/<control-id>/pass-*.yaml`, `fail-*.yaml` or `skip-*.yaml`, holding the
normalised resources of one inventory and what the control must say about them:

    source: plan                    # bundle | plan (default) | live
    expect: failed                  # passed | failed | skipped | waived
    findings: ["is not versioned"]  # each must appear in some finding's message
    resource: Bucket/audit          # every finding names it (optional)
    reason: "..."                   # part of the skip reason (skipped)
    params: {min_zones: 3}          # overrides of the blueprint's params (optional)
    profile: {governance: {...}}    # merged into tests.conftest.make_profile(); absent: no profile
    sizing: {tier: medium, pools: [...], cost: {...}}   # a SizingPlan from these parts; absent: none
    hub_values: {...}               # shorthand: the jupyterhub HelmRelease's values
    resources: [...]                # {kind, name, namespace, labels, spec, file} or manifests
    unavailable: {Kind: why}

The controls keep the blueprint's own params and bounds; only their sources are widened to
all three, so the registry (not the blueprint) decides where a check runs.
"""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from aicommons.blueprint.load import default_blueprint
from aicommons.blueprint.model import Blueprint
from aicommons.checks.model import Inventory
from aicommons.checks.report import ControlResult, Report
from aicommons.checks.run import run_checks
from aicommons.plan import PlannedResource, StackPlan
from aicommons.profile.model import CityProfile
from aicommons.sizing.plan import SizingPlan
from tests.checks.security_support import fixture_resources  # one reading of fixture entries
from tests.conftest import make_profile

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2025, 6, 1)

DATA = ["AIC-DATA-01", "AIC-DATA-02", "AIC-DATA-03", "AIC-DATA-04"]
LOGGING = ["AIC-LOG-01", "AIC-LOG-02", "AIC-LOG-03", "AIC-LOG-04"]
GPU = ["AIC-GPU-01", "AIC-GPU-02"]
COST = ["AIC-COST-01"]
AVAILABILITY = ["AIC-HA-01"]
INFRA_CONTROLS = DATA + LOGGING + GPU + COST + AVAILABILITY


@cache
def blueprint(widen: bool = True) -> Blueprint:
    """The packaged blueprint; with `widen`, every control checkable on every source."""
    bp = default_blueprint()
    if not widen:
        return bp
    data = bp.model_dump()
    for control in data["controls"]:
        control["sources"] = ["bundle", "plan", "live"]
    return Blueprint.model_validate(data)


def with_params(control_id: str, params: dict[str, Any]) -> Blueprint:
    data = blueprint().model_dump()
    for control in data["controls"]:
        if control["id"] == control_id:
            control["params"] = {**control["params"], **params}
    return Blueprint.model_validate(data)


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def profile(overrides: dict[str, Any] | None = None) -> CityProfile:
    return CityProfile.model_validate(_merge(make_profile(), overrides or {}))


POOL_DEFAULTS: dict[str, Any] = {
    "role": "user",
    "instance_type": "m6i.xlarge",
    "nodes": {"min": 1, "peak": 1, "max": 1},
    "allocatable": {"cpu": 3.5, "memory_gib": 14.0, "gpu": 0},
    "usd_hour": 0.2,
    "workloads": [],
    "node_hours_month": 730,
    "usd_month": 146,
    "proven_optimal": True,
}


def sizing(parts: dict[str, Any] | None = None) -> SizingPlan:
    """A SizingPlan from the parts a test cares about (tier, pools, cost)."""
    parts = copy.deepcopy(parts or {})
    cost = {
        "usd_month": 1000.0,
        "breakdown": [],
        "budget_usd_month": 100_000.0,
        "minimum_viable_usd_month": 100.0,
        "verdict": "within budget",
        "headroom_usd_month": 99_000.0,
        **parts.pop("cost", {}),
    }
    pools = [_merge(copy.deepcopy(POOL_DEFAULTS), p) for p in parts.pop("pools", [])]
    return SizingPlan.model_validate(
        {
            "city": "testville",
            "provider": "aws",
            "region": "us-east-1",
            "tier": "medium",
            "workloads": [],
            "pools": pools,
            "cost": cost,
            "optimality": {
                "pools_usd_month": 0,
                "lower_bound_usd_month": 0,
                "naive_usd_month": 0,
                "gap_share": 0,
            },
            **parts,
        }
    )


def fixture_inventory(case: dict[str, Any]) -> Inventory:
    return Inventory(
        source=case.get("source", "plan"),
        resources=tuple(fixture_resources(case)),
        profile=profile(case["profile"]) if "profile" in case else None,
        plan=sizing(case["sizing"]) if "sizing" in case else None,
        files={k: v.encode() for k, v in (case.get("files") or {}).items()},
        unavailable=case.get("unavailable") or {},
    )


def fixture_paths(control_id: str) -> list[Path]:
    return sorted((FIXTURES / control_id).glob("*.yaml"))


def fixture_cases(control_ids: list[str]) -> list[tuple[str, Path]]:
    return [(cid, path) for cid in control_ids for path in fixture_paths(cid)]


def run_one(control_id: str, inventory: Inventory, params: dict[str, Any] | None = None) -> ControlResult:
    bp = with_params(control_id, params) if params else blueprint()
    report = run_checks(inventory, bp, TODAY)
    return next(c for c in report.controls if c.id == control_id)


_PREFIX = {"passed": "pass-", "failed": "fail-", "skipped": "skip-", "waived": "waive-"}


def check_fixture(control_id: str, path: Path) -> ControlResult:
    """Run the control over a fixture and assert what the fixture expects."""
    case = yaml.safe_load(path.read_text())
    expected = case["expect"]
    assert path.name.startswith(_PREFIX[expected]), path.name
    result = run_one(control_id, fixture_inventory(case), case.get("params"))
    shown = [f.message for f in result.findings]
    assert result.status == expected, f"{path.name}: {result.status} ({result.reason or shown})"
    for text in case.get("findings") or []:
        assert any(text in m for m in shown), f"{path.name}: no finding says {text!r}: {shown}"
    if "resource" in case:
        assert {f.resource for f in result.findings} == {case["resource"]}, result.findings
    if "reason" in case:
        assert case["reason"] in (result.reason or ""), result.reason
    if expected in ("failed", "waived"):
        assert shown, "a failed control names what is wrong"
    if expected in ("passed", "skipped"):
        assert not shown, shown
    return result


def assert_fixture_coverage(control_ids: list[str]) -> None:
    for cid in control_ids:
        names = [p.name for p in fixture_paths(cid)]
        assert any(n.startswith("pass-") for n in names), f"{cid} has no passing fixture"
        assert any(n.startswith("fail-") for n in names), f"{cid} has no failing fixture"


# --- Rendered examples and their offline plans ------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
_WORK = Path(tempfile.mkdtemp(prefix="aicommons-infra-checks-"))
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)


@cache
def rendered(example: str) -> Path:
    """The example city rendered into a bundle folder (once per test session)."""
    from aicommons.profile import load_profile
    from aicommons.render.bundle import render_bundle
    from aicommons.render.write import write_bundle
    from aicommons.sizing.plan import size

    city = load_profile(ROOT / "examples" / "cities" / f"{example}.yaml")
    out = _WORK / example
    write_bundle(render_bundle(city, size(city)).files, out)
    return out


def mutated(example: str, name: str, edit: Callable[[Path], None]) -> Path:
    """A copy of the rendered example with `edit` applied to its folder."""
    out = _WORK / f"{example}--{name}"
    shutil.copytree(rendered(example), out)
    edit(out)
    return out


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    """Load a bundle YAML file, let `change` edit the data in place, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def infra_config(bundle: Path, change: Callable[[dict[str, Any]], None]) -> None:
    edit_yaml(bundle / "pulumi" / "Pulumi.infra.yaml", lambda d: change(d["config"]["aicommons:infra"]))


def platform_config(bundle: Path, change: Callable[[dict[str, Any]], None]) -> None:
    edit_yaml(bundle / "pulumi" / "Pulumi.platform.yaml", lambda d: change(d["config"]["aicommons:platform"]))


@dataclass(frozen=True)
class Planned:
    """A bundle, its offline plan's stacks, and the inventories of both sources."""

    bundle: Path
    stacks: tuple[StackPlan, ...]
    plan: Inventory
    static: Inventory


@cache
def _quiet_pulumi_aws() -> None:
    """pulumi-aws warns about its own deprecated V2 classes when its s3 module first loads."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import pulumi_aws

        pulumi_aws.s3.Bucket, pulumi_aws.ec2.Vpc  # noqa: B018  (its modules load lazily)


def plan_of(bundle: Path) -> Planned:
    from aicommons.checks.adapters.bundle import bundle_inventory, read_bundle_dir
    from aicommons.checks.adapters.plan import plan_inventory
    from aicommons.plan import plan_bundle

    files = read_bundle_dir(bundle)
    static = bundle_inventory(files)
    _quiet_pulumi_aws()
    stacks = tuple(plan_bundle(bundle))
    return Planned(bundle, stacks, plan_inventory(list(stacks), files, static.profile, static.plan), static)


@cache
def planned(example: str) -> Planned:
    return plan_of(rendered(example))


@cache
def own_blueprint() -> Blueprint:
    """The packaged blueprint (its own sources and params) with only these families' controls."""
    data = default_blueprint().model_dump()
    data["controls"] = [c for c in data["controls"] if c["id"] in INFRA_CONTROLS]
    data["bounds"] = [b for b in data["bounds"] if b["control"] in INFRA_CONTROLS]
    return Blueprint.model_validate(data)


def own_report(inventory: Inventory) -> Report:
    return run_checks(inventory, own_blueprint(), TODAY)


def report(inventory: Inventory) -> dict[str, ControlResult]:
    """These families' controls, as the packaged blueprint defines them, over the inventory."""
    return {c.id: c for c in own_report(inventory).controls}


def failing(inventory: Inventory, controls: list[str] = INFRA_CONTROLS) -> set[str]:
    results = report(inventory)
    return {cid for cid in controls if results[cid].status == "failed"}


def replanned(p: Planned, change: Callable[[PlannedResource], PlannedResource | None]) -> Inventory:
    """The plan inventory after `change` rewrote (or, returning None, dropped) planned resources.

    `change` gets a deep copy of each resource; the offline plan itself is not re-run.
    """
    from aicommons.checks.adapters.plan import plan_inventory

    stacks = []
    touched = False
    for stack in p.stacks:
        kept = []
        for r in stack.resources:
            changed = change(r.model_copy(deep=True))
            touched |= changed is None or changed != r
            kept.append(changed)
        stacks.append(stack.model_copy(update={"resources": [r for r in kept if r is not None]}))
    assert touched, "the mutation matched no planned resource: the test would prove nothing"
    return plan_inventory(stacks, p.static.files, p.static.profile, p.static.plan)


def where(
    type_: str, name: str, fn: Callable[[PlannedResource], PlannedResource | None]
) -> Callable[[PlannedResource], PlannedResource | None]:
    """Apply `fn` to the planned resource of that type and logical name only."""
    return lambda r: fn(r) if r.type == type_ and r.name == name else r
