"""Rendering sandboxes from the register: one tenant namespace per active project."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from aicommons.checks.adapters.bundle import bundle_inventory
from aicommons.governance.load import load_project_text
from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.sandboxes import REGISTER_FILE
from aicommons.sizing.plan import size

from .bundles import ROOT, TODAY, bundle, edited, register, riverton, with_project
from .support import project_text


def _platform(files: dict[str, bytes]) -> dict:
    return yaml.safe_load(files["pulumi/Pulumi.platform.yaml"])["config"]["aicommons:platform"]


def _tenants(files: dict[str, bytes]) -> dict[str, dict]:
    values = yaml.safe_load(files["helm/aicommons-platform.values.yaml"])
    return {t["name"]: t for t in values["tenants"]}


def _namespaces(files: dict[str, bytes]) -> dict[str, dict]:
    return {ns["name"]: ns for ns in _platform(files)["namespaces"]}


def test_no_register_renders_exactly_as_before() -> None:
    city = riverton()
    plain = render_bundle(city, size(city)).files
    assert render_bundle(city, size(city), (), TODAY).files == plain
    assert "governance/register.json" not in plain


def test_rendering_is_deterministic() -> None:
    assert bundle().files == bundle(tuple(reversed(register()))).files


def test_projects_need_the_render_date() -> None:
    city = riverton()
    with pytest.raises(ValueError, match="render date"):
        render_bundle(city, size(city), register())


def test_each_active_project_gets_a_labelled_namespace() -> None:
    namespaces = _namespaces(bundle().files)
    bike = namespaces["project-bike-demand"]
    assert bike["labels"] == {
        "aicommons.dev/data-classification": "internal",
        "aicommons.dev/impact-level": "I",
        "aicommons.dev/managed-by": "aicommons",
        "aicommons.dev/personal-data": "false",
        "aicommons.dev/project": "bike-demand",
        "aicommons.dev/register-id": "RVT-2026-001",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    assert bike["default_deny"] is True
    triage = namespaces["project-benefit-triage"]["labels"]
    assert (triage["aicommons.dev/impact-level"], triage["aicommons.dev/data-classification"]) == (
        "III",
        "restricted",
    )


@pytest.mark.parametrize(
    ("old", "new", "today"),
    [
        ("status: development", "status: retired", TODAY),
        ("end_date: 2026-12-31", "end_date: 2026-02-28", TODAY),  # ended the day before
    ],
)
def test_inactive_projects_get_no_sandbox_but_stay_in_the_register(old: str, new: str, today: date) -> None:
    files = bundle(with_project(edited("bike-demand", old, new)), today).files
    assert "project-bike-demand" not in _namespaces(files)
    assert "project-bike-demand" not in _tenants(files)
    register_doc = json.loads(files["governance/register.json"])
    entry = next(e for e in register_doc["projects"] if e["project"]["slug"] == "bike-demand")
    assert entry["namespace"] is None
    assert entry["project"]["register_id"] == "RVT-2026-001"
    assert entry["record"]["name"] == "Bike-share demand forecast"


def test_a_project_is_active_on_its_end_date() -> None:
    files = bundle(today=date(2026, 12, 31)).files
    assert "project-bike-demand" in _namespaces(files)


def test_tenant_quota_from_the_request() -> None:
    tenants = _tenants(bundle().files)
    bike = tenants["project-bike-demand"]
    assert bike["createNamespace"] is False
    assert bike["quota"] == {
        "cpu": "8",
        "memory": "32Gi",
        "gpu": 1,
        "pods": 50,
        "persistentVolumeClaims": 20,
        "storage": "50Gi",
        "loadBalancers": 0,
        "nodePorts": 0,
    }
    assert bike["internetEgress"] is True
    triage = tenants["project-benefit-triage"]
    assert triage["internetEgress"] is False  # restricted data: no internet egress
    assert triage["quota"]["loadBalancers"] == 1  # in use, public, approved
    assert triage["quota"]["nodePorts"] == 2  # the API server charges its LoadBalancer one per port


def _sandbox_parts(files: dict[str, str], slug: str) -> dict[str, bool]:
    """Where a project's sandbox shows in a bundle: namespace, quota, data volume, hub profile."""
    hub = yaml.safe_load(files["helm/jupyterhub.values.yaml"])
    register = json.loads(files[REGISTER_FILE])
    return {
        "quota": f"project-{slug}" in _tenants(files),
        "hub profile": any(p["slug"] == f"project-{slug}" for p in hub["singleuser"]["profileList"]),
        "hub group": any(slug in g["projects"] for g in hub["custom"]["aicommons"]["projectGroups"].values()),
        "namespace": f"project-{slug}" in _namespaces(files),
        "register namespace": any(r["namespace"] == f"project-{slug}" for r in register["projects"]),
    }


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("  approved: true", "  approved: false", "the sandbox request is not approved"),
        (
            "  assessment:\n    branch: design",
            "  assessment_was:\n    branch: design",
            "no impact assessment",
        ),
        (
            '      mit-design-privacy: "yes"\n',
            "",
            "the impact assessment is incomplete (unanswered: mit-design-privacy)",
        ),
    ],
)
def test_an_unapproved_or_unassessed_project_gets_no_live_sandbox(old: str, new: str, reason: str) -> None:
    text = project_text("bike-demand").replace(old, new)
    if "assessment_was" in text:  # drop the whole assessment block
        head, _, rest = text.partition("  assessment_was:\n")
        lines = rest.splitlines()
        kept = lines[next(i for i, line in enumerate(lines) if not line.startswith("    ")) :]
        text = head + "\n".join(kept) + "\n"
    pending = load_project_text(text, "bike-demand.yaml")
    files = bundle(with_project(pending)).files
    assert _sandbox_parts(files, "bike-demand") == {
        "quota": False,
        "hub profile": False,
        "hub group": False,
        "namespace": False,
        "register namespace": False,
    }
    assert set(_sandbox_parts(files, "benefit-triage").values()) == {True}
    record = next(
        r for r in json.loads(files[REGISTER_FILE])["projects"] if r["project"]["slug"] == "bike-demand"
    )
    assert any(reason in line for line in record["sandbox_pending"]), record["sandbox_pending"]
    # nor does sizing hold servers for it
    assert [row.project for row in size(riverton(), with_project(pending), TODAY).project_servers] == [
        "benefit-triage"
    ]


def test_approved_gpus_never_exceed_the_cluster() -> None:
    greedy = edited("bike-demand", "  gpus: 1", "  gpus: 64")
    files = bundle(with_project(greedy)).files
    # the cluster as sized with the projects (greedy's 64 GPUs admit 2 gpu-small servers: 8 cores / 3)
    plan = size(riverton(), with_project(greedy), TODAY)
    slots = sum(p.capacity_at_max().gpu for p in plan.pools if p.role == "gpu")
    assert _tenants(files)["project-bike-demand"]["quota"]["gpu"] == slots < 64


def test_public_endpoint_needs_use_and_approval() -> None:
    approval = "    approval:\n      by: chief digital officer\n      on: 2025-11-15\n      reference: CDO-DEC-2025-44\n"
    no_approval = edited("benefit-triage", approval, "")
    # operational without a recorded approval: no sandbox at all, so nothing public either
    assert "project-benefit-triage" not in _tenants(bundle(with_project(no_approval)).files)
    developing = edited(
        "bike-demand", "    approved: true\n", "    approved: true\n  public_endpoint: true\n"
    )
    assert developing.sandbox.public_endpoint
    assert (
        _tenants(bundle(with_project(developing)).files)["project-bike-demand"]["quota"]["loadBalancers"] == 0
    )


def test_project_groups_are_recorded_without_load_groups() -> None:
    hub = yaml.safe_load(bundle().files["helm/jupyterhub.values.yaml"])
    groups = hub["custom"]["aicommons"]["projectGroups"]
    assert groups["ai-commons-bike-demand"] == {
        "namespaces": ["project-bike-demand"],
        "projects": ["bike-demand"],
    }
    # membership comes from the identity provider; JupyterHub 5 refuses load_groups beside it
    assert hub["hub"]["config"]["GenericOAuthenticator"]["manage_groups"] is True
    assert "load_groups" not in hub["hub"]["config"].get("JupyterHub", {})


def test_oversight_chart_binds_the_admin_groups() -> None:
    files = bundle().files
    release = next(r for r in _platform(files)["releases"] if r["name"] == "aicommons-sandboxes")
    assert (release["chart"], release["repository"], release["namespace"]) == (
        "helm/charts/aicommons-sandboxes",
        None,
        "aicommons-system",
    )
    assert "helm/charts/aicommons-sandboxes/templates/oversight.yaml" in files
    values = yaml.safe_load(files["helm/aicommons-sandboxes.values.yaml"])
    # On AWS the infra stack registers the IdP with EKS under the "oidc:" groups prefix, so the
    # cluster knows the admin group as oidc:aicommons-admins; the RoleBinding must name it so.
    assert values["oversight"] == {"roleName": "aicommons-oversight", "groups": ["oidc:aicommons-admins"]}
    infra = yaml.safe_load(files["pulumi/Pulumi.infra.yaml"])["config"]["aicommons:infra"]
    assert infra["oidc"]["groups_prefix"] == "oidc:"
    assert infra["oidc"]["groups_claim"] == riverton().identity.groups_claim
    assert values["hub"] == {
        "namespace": "jupyterhub",
        "serviceAccount": "hub",
        "roleName": "aicommons-hub-spawner",
    }
    assert values["projects"] == [
        {
            "slug": "benefit-triage",
            "namespace": "project-benefit-triage",
            "storage": "20Gi",
            "classification": "restricted",
            "personalData": True,
        },
        {
            "slug": "bike-demand",
            "namespace": "project-bike-demand",
            "storage": "50Gi",
            "classification": "internal",
            "personalData": False,
        },
    ]
    inventory = bundle_inventory(files)
    if "ResourceQuota" in inventory.unavailable:
        pytest.skip(inventory.unavailable["ResourceQuota"])
    in_ns = [
        r
        for r in inventory.resources
        if r.namespace == "project-bike-demand"
        and r.kind.startswith("Role")
        and r.name == "aicommons-oversight"
    ]
    assert sorted(r.kind for r in in_ns) == ["Role", "RoleBinding"]
    binding = next(r for r in in_ns if r.kind == "RoleBinding")
    assert binding.spec["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "oidc:aicommons-admins"}
    ]
    (claim,) = [
        r
        for r in inventory.resources
        if r.kind == "PersistentVolumeClaim" and r.namespace == "project-benefit-triage"
    ]
    assert claim.spec["spec"]["resources"]["requests"]["storage"] == "20Gi"
    assert claim.labels["aicommons.dev/data-classification"] == "restricted"
    assert claim.labels["aicommons.dev/personal-data"] == "true"


def test_no_sandbox_chart_without_active_projects() -> None:
    files = bundle(today=date(2027, 6, 1)).files  # both projects ended
    assert not any(k.startswith("helm/charts/aicommons-sandboxes/") for k in files)
    assert "helm/aicommons-sandboxes.values.yaml" not in files
    assert "governance/register.json" in files


def test_register_and_lock() -> None:
    b = bundle()
    doc = json.loads(b.files["governance/register.json"])
    assert [e["project"]["slug"] for e in doc["projects"]] == ["benefit-triage", "bike-demand"]
    assert doc["rendered_on"] == "2026-03-01"
    assert "governance/register.json" in b.lock["files"]
    plain = render_bundle(riverton(), size(riverton()))
    assert b.lock["inputs_digest"] != plain.lock["inputs_digest"]


def test_the_chart_renders_project_tenants() -> None:
    inventory = bundle_inventory(bundle().files)
    if "ResourceQuota" in inventory.unavailable:
        pytest.skip(inventory.unavailable["ResourceQuota"])
    quota = next(r for r in inventory.of("ResourceQuota") if r.namespace == "project-bike-demand")
    assert quota.spec["spec"]["hard"]["requests.nvidia.com/gpu"] in (1, "1")
    policies = {r.name for r in inventory.of("NetworkPolicy") if r.namespace == "project-benefit-triage"}
    assert not any("internet" in p for p in policies)
    assert {p.slug for p in inventory.projects} == {"benefit-triage", "bike-demand"}


def test_the_sandboxes_chart_schema_refuses_bad_values() -> None:
    from aicommons.errors import InputError

    files = dict(bundle().files)
    if "ResourceQuota" in bundle_inventory(files).unavailable:
        pytest.skip("helm-python-sdk is not installed")
    values = yaml.safe_load(files["helm/aicommons-sandboxes.values.yaml"])
    values["projects"][0]["classification"] = "secret"
    files["helm/aicommons-sandboxes.values.yaml"] = yaml.safe_dump(values).encode()
    with pytest.raises(InputError, match="does not render"):
        bundle_inventory(files)


def test_oversight_groups_keep_the_idp_names_on_an_existing_cluster() -> None:
    """Not our cluster: its OIDC configuration is the city's, and the names pass through as given."""
    onprem = load_profile(ROOT / "examples" / "cities" / "harbourview-onprem.yaml")
    files = bundle(profile=onprem).files
    values = yaml.safe_load(files["helm/aicommons-sandboxes.values.yaml"])
    assert values["oversight"]["groups"] == sorted(onprem.identity.admin_groups)
    assert "pulumi/Pulumi.infra.yaml" not in files
