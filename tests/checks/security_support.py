"""Helpers for the IAM, pod, network, secrets and supply-chain control tests.

Fixtures follow Checkov/Kyverno: one small YAML file per case under
`fixtures/<control-id>/pass-*.yaml`, `fail-*.yaml` or `skip-*.yaml`, holding the resources of
one inventory and what the control must say about them:

    source: bundle                  # bundle (default) | plan | live
    expect: failed                  # passed | failed | skipped
    findings: ["cull.timeout is"]   # each must appear in some finding's message
    resource: HelmRelease/jupyterhub/jupyterhub   # every finding names it (optional)
    reason: "..."                   # part of the skip reason (skipped)
    params: {max_idle_minutes: 60}  # the control's params for this case (optional)
    hub_values: {...}               # shorthand: the jupyterhub HelmRelease's values
    resources: [...]                # manifests (apiVersion/kind/metadata) or {kind, name, spec}
    files: {path: text}             # bundle files (AIC-SEC-01)
    unavailable: {Kind: why}
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from aicommons.blueprint.model import Blueprint
from aicommons.checks.adapters.bundle import bundle_inventory
from aicommons.checks.model import Inventory, Resource
from aicommons.checks.report import ControlResult
from aicommons.checks.run import run_checks

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]

# The controls these tests cover, with the params the blueprint gives them.
PARAMS: dict[str, dict[str, Any]] = {
    "AIC-IAM-01": {
        "forbidden_authenticators": [
            "dummy",
            "null",
            "jupyterhub.auth.DummyAuthenticator",
            "nullauthenticator.NullAuthenticator",
        ],
        "require_allowed_groups_or_users": True,
    },
    "AIC-IAM-02": {"admin_access": False},
    "AIC-IAM-03": {
        "forbidden_verbs": ["bind", "escalate", "impersonate"],
        "system_subject_prefixes": ["system:"],
    },
    "AIC-IAM-04": {},
    "AIC-POD-01": {
        "label": "pod-security.kubernetes.io/enforce",
        "required_level": "restricted",
        "exception_level": "baseline",
    },
    "AIC-POD-02": {"system_exceptions": ["nvidia-device-plugin", "log-shipper"]},
    "AIC-POD-03": {"drop_capabilities": ["ALL"], "seccomp_profiles": ["RuntimeDefault", "Localhost"]},
    "AIC-POD-04": {"gpu_resource": "nvidia.com/gpu"},
    "AIC-POD-05": {"max_idle_minutes": 120, "max_gpu_idle_minutes": 60, "max_gpu_age_hours": 24},
    "AIC-NET-01": {"blocked_cidrs": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]},
    "AIC-NET-02": {"metadata_cidr": "169.254.169.254/32", "imds_hop_limit": 1},
    "AIC-NET-03": {},
    "AIC-NET-04": {},
    "AIC-SEC-01": {},
    "AIC-SUP-01": {"forbidden_tags": ["latest"], "prefer_digests": True},
}
SECURITY_CONTROLS = sorted(PARAMS)
# As in blueprints/ai-commons-v1.yaml; every other control here is high.
SEVERITY = {
    "AIC-IAM-01": "critical",
    "AIC-SEC-01": "critical",
    "AIC-NET-01": "critical",
    "AIC-POD-04": "medium",
    "AIC-POD-05": "medium",
    "AIC-SUP-01": "medium",
}
ALLOWED_REGISTRIES = [
    "quay.io",
    "docker.io/jupyter",
    "nvcr.io",
    "ghcr.io",
    "registry.k8s.io",
    "public.ecr.aws",
]


def blueprint(overrides: dict[str, dict[str, Any]] | None = None) -> Blueprint:
    """A minimal blueprint with these controls, checkable on every source."""
    overrides = overrides or {}
    controls = [
        {
            "id": cid,
            "title": cid,
            "severity": SEVERITY.get(cid, "high"),
            "rationale": "test",
            "remediation": "test",
            "standards": [{"framework": "test", "version": "1", "clause": "1"}],
            "sources": ["bundle", "plan", "live"],
            "params": {**params, **overrides.get(cid, {})},
        }
        for cid, params in PARAMS.items()
    ]
    return Blueprint.model_validate(
        {
            "apiVersion": "aicommons.dev/v1",
            "kind": "Blueprint",
            "name": "security-test",
            "version": "1.0.0",
            "description": "the security controls only",
            "components": {},
            "bounds": [],
            "allowed_registries": ALLOWED_REGISTRIES,
            "controls": controls,
        }
    )


def resource(doc: dict[str, Any]) -> Resource:
    """A fixture entry as a Resource: a manifest keeps its whole body as spec."""
    if "metadata" in doc:
        meta = doc["metadata"]
        return Resource(
            kind=doc["kind"],
            name=meta["name"],
            namespace=meta.get("namespace"),
            labels=meta.get("labels") or {},
            spec=doc,
        )
    return Resource(
        kind=doc["kind"],
        name=doc["name"],
        namespace=doc.get("namespace"),
        labels=doc.get("labels") or {},
        spec=doc.get("spec") or {},
        file=doc.get("file"),
    )


def fixture_inventory(case: dict[str, Any]) -> Inventory:
    return Inventory(
        source=case.get("source", "bundle"),
        resources=tuple(fixture_resources(case)),
        files={k: v.encode() for k, v in (case.get("files") or {}).items()},
        unavailable=case.get("unavailable") or {},
    )


def fixture_resources(case: dict[str, Any]) -> list[Resource]:
    """A fixture's resources, with `hub_values` as the jupyterhub release."""
    resources = [resource(d) for d in case.get("resources") or []]
    if "hub_values" in case:
        resources.append(
            Resource(
                kind="HelmRelease",
                name="jupyterhub",
                namespace="jupyterhub",
                spec={"chart": "jupyterhub", "values": case["hub_values"] or {}},
            )
        )
    return resources


def fixture_paths(control_id: str) -> list[Path]:
    return sorted((FIXTURES / control_id).glob("*.yaml"))


def run_one(control_id: str, inventory: Inventory, params: dict[str, Any] | None = None) -> ControlResult:
    report = run_checks(inventory, blueprint({control_id: params or {}}), date(2025, 6, 1))
    return next(c for c in report.controls if c.id == control_id)


def check_fixture(control_id: str, path: Path) -> ControlResult:
    """Run the control over a fixture and assert what the fixture expects."""
    case = yaml.safe_load(path.read_text())
    expected = case["expect"]
    assert path.name.startswith({"passed": "pass-", "failed": "fail-", "skipped": "skip-"}[expected])
    result = run_one(control_id, fixture_inventory(case), case.get("params"))
    shown = [f.message for f in result.findings]
    assert result.status == expected, f"{path.name}: {result.status} ({result.reason or shown})"
    for text in case.get("findings") or []:
        assert any(text in m for m in shown), f"{path.name}: no finding says {text!r}: {shown}"
    if "resource" in case:
        assert {f.resource for f in result.findings} == {case["resource"]}, result.findings
    if "reason" in case:
        assert case["reason"] in (result.reason or ""), result.reason
    if expected == "failed":
        assert shown, "a failed control names what is wrong"
    return result


@cache
def riverton_files() -> dict[str, bytes]:
    """The riverton example rendered into a bundle, in memory (once per test session)."""
    from aicommons.profile import load_profile
    from aicommons.render.bundle import render_bundle
    from aicommons.sizing.plan import size

    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    return dict(render_bundle(profile, size(profile)).files)


def security_report(files: dict[str, bytes]) -> dict[str, ControlResult]:
    report = run_checks(bundle_inventory(files), blueprint(), date(2025, 6, 1))
    return {c.id: c for c in report.controls}
