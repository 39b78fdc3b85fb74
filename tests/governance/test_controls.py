"""AIC-GOV-01..07 on a bundle rendered with the test register: passing as rendered, and failing
after one mutation each (of the register, the labels, the RBAC or the quotas)."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import date
from functools import cache

import pytest

from aicommons.blueprint.load import default_blueprint
from aicommons.blueprint.model import Blueprint
from aicommons.checks.adapters.bundle import bundle_inventory
from aicommons.checks.model import Inventory, Resource
from aicommons.checks.registry import FAMILIES, registry
from aicommons.checks.report import ControlResult
from aicommons.checks.run import run_checks
from aicommons.governance.load import load_project_text
from aicommons.governance.model import AIProject
from aicommons.render.bundle import render_bundle
from aicommons.sizing.plan import size

from .bundles import TODAY, bundle, edited, register, riverton, with_project
from .support import project_text

GOV = [f"AIC-GOV-0{i}" for i in range(1, 8)]


@cache
def governance_blueprint() -> Blueprint:
    data = default_blueprint().model_dump()
    data["controls"] = [c for c in data["controls"] if c["id"] in GOV]
    data["bounds"] = []  # they name controls of other families
    return Blueprint.model_validate(data)


@cache
def base() -> Inventory:
    return bundle_inventory(bundle().files)


def results(inventory: Inventory, today: date = TODAY) -> dict[str, ControlResult]:
    report = run_checks(inventory, governance_blueprint(), today)
    return {c.id: c for c in report.controls}


def messages(result: ControlResult) -> str:
    return "\n".join(f.message for f in result.findings)


def replace_resource(
    inventory: Inventory, match: Callable[[Resource], bool], new: Resource | None
) -> Inventory:
    out = [new if match(r) else r for r in inventory.resources]
    return dataclasses.replace(inventory, resources=tuple(r for r in out if r is not None))


def relabel(inventory: Inventory, namespace: str, **labels: str | None) -> Inventory:
    ns = next(r for r in inventory.of("Namespace") if r.name == namespace)
    merged = {k: v for k, v in {**ns.labels, **labels}.items() if v is not None}
    return replace_resource(inventory, lambda r: r is ns, dataclasses.replace(ns, labels=merged))


def with_record(inventory: Inventory, project: AIProject) -> Inventory:
    return dataclasses.replace(
        inventory, projects=tuple(project if p.slug == project.slug else p for p in inventory.projects)
    )


def test_the_family_is_registered() -> None:
    assert "governance" in FAMILIES
    for control_id in GOV:
        assert set(registry()[control_id]) == {"bundle"}
    ai_act = ["AIC-GOV-08", "AIC-GOV-09", "AIC-GOV-10"]  # tests/governance/test_ai_act_controls.py
    assert [c.id for c in default_blueprint().controls if c.id.startswith("AIC-GOV")] == [*GOV, *ai_act]


def test_all_pass_on_the_rendered_bundle() -> None:
    assert {k: (r.status, messages(r)) for k, r in results(base()).items()} == {
        k: ("passed", "") for k in GOV
    }


def test_all_skip_without_a_register() -> None:
    city = riverton()
    plain = bundle_inventory(render_bundle(city, size(city)).files)
    assert {k: r.status for k, r in results(plain).items()} == {k: "skipped" for k in GOV}


# ---------------------------------------------------------------------------------- GOV-01


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda inv: dataclasses.replace(
                inv, projects=tuple(p for p in inv.projects if p.slug != "bike-demand")
            ),
            "project 'bike-demand' is not in the register",
        ),
        (
            lambda inv: relabel(inv, "project-bike-demand", **{"aicommons.dev/register-id": "RVT-1999-001"}),
            "the register says 'RVT-2026-001'",
        ),
        (
            lambda inv: relabel(inv, "project-bike-demand", **{"aicommons.dev/impact-level": "IV"}),
            "the assessment gives I",
        ),
        (
            lambda inv: relabel(inv, "project-bike-demand", **{"aicommons.dev/project": None}),
            "names no register record",
        ),
        (
            lambda inv: with_record(inv, edited("bike-demand", '      risk-data-sources: "no"\n', "")),
            "impact assessment unanswered: risk-data-sources",
        ),
        (
            lambda inv: with_record(inv, edited("bike-demand", "  approved: true", "  approved: false")),
            "sandbox of project 'bike-demand' whose request is not approved",
        ),
    ],
    ids=[
        "no-record",
        "register-id-differs",
        "level-label-differs",
        "unlabelled",
        "incomplete-assessment",
        "not-approved",
    ],
)
def test_gov01_fails(mutate: Callable[[Inventory], Inventory], expected: str) -> None:
    result = results(mutate(base()))["AIC-GOV-01"]
    assert result.status == "failed"
    assert expected in messages(result)


def test_gov01_fails_without_an_assessment_through_the_bundle_file() -> None:
    files = dict(bundle().files)
    doc = json.loads(files["governance/register.json"])
    for entry in doc["projects"]:
        entry["project"]["sandbox"]["assessment"] = None
    files["governance/register.json"] = json.dumps(doc).encode()
    result = results(bundle_inventory(files))["AIC-GOV-01"]
    assert result.status == "failed"
    assert "no impact assessment" in messages(result)
    # each finding points at the project's own file, at its `assessment:` line (the register
    # carries where each field is written), not at the generated register
    for finding in result.findings:
        slug = finding.resource.removeprefix("AIProject/")
        line = project_text(slug).splitlines().index("  assessment:") + 1
        assert (finding.file, finding.line) == (f"projects/{slug}.yaml", line)
    assert len(result.findings) == 2


def test_findings_on_a_record_point_at_its_field_in_the_project_file() -> None:
    """bike-demand in use with its retention cut (GOV-02), and past its end date while still in
    use (GOV-05): each finding at the line of the field to change."""
    text = project_text("bike-demand")
    assert "status: development" in text and "    log_retention_days: 90" in text
    text = text.replace("status: development", "status: operational").replace(
        "    log_retention_days: 90", "    log_retention_days: 1"
    )
    # approved for use, so it has a live sandbox (an unapproved one in use gets none at all)
    text = text.replace(
        "  safeguards:\n",
        "  safeguards:\n    approval:\n      by: chief digital officer\n      on: 2025-11-15\n      reference: CDO-1\n",
        1,
    )
    project = load_project_text(text, "bike-demand.yaml")
    lines = text.splitlines()
    at = {
        key: next(i + 1 for i, line in enumerate(lines) if line.startswith(key))
        for key in ("  status:", "  safeguards:", "    log_retention_days:")
    }
    inventory = bundle(with_project(project)).files
    found = results(bundle_inventory(inventory), date(2027, 3, 1))
    places = {
        (c, f.message.split(":")[0].split(" (")[0], f.file, f.line)
        for c in ("AIC-GOV-02", "AIC-GOV-05")
        for f in found[c].findings
        if f.resource == "AIProject/bike-demand"
    }
    file = "projects/bike-demand.yaml"
    assert places == {
        (
            "AIC-GOV-02",
            "impact level I requires decision logs kept 90 days; recorded",
            file,
            at["    log_retention_days:"],
        ),
        ("AIC-GOV-05", "ended 2026-12-31", file, at["  status:"]),
    }
    assert "(60 days ago)" in messages(found["AIC-GOV-05"])  # to 2027-03-01: 31 + 28 + 1 days


# ---------------------------------------------------------------------------------- GOV-02


@pytest.mark.parametrize(
    ("slug", "old", "new", "expected"),
    [
        (
            "benefit-triage",
            "    human_decision_maker: caseworker (Social Services)\n",
            "",
            "impact level III requires human_decision_maker",
        ),
        ("benefit-triage", "    peer_review: PR-2025-31\n", "", "impact level III requires peer_review"),
        (
            "benefit-triage",
            "  log_retention_days: 365",
            "  log_retention_days: 180",
            "kept 365 days; recorded: 180",
        ),
        (
            "benefit-triage",
            "    approval:\n      by: chief digital officer\n      on: 2025-11-15\n      reference: CDO-DEC-2025-44\n",
            "",
            "operational without a recorded approval (level III: chief digital officer)",
        ),
        ("bike-demand", "  log_retention_days: 90", "  log_retention_days: 30", "kept 90 days; recorded: 30"),
    ],
    ids=["no-human-decision-maker", "no-peer-review", "short-retention", "no-approval", "level-I-retention"],
)
def test_gov02_fails(slug: str, old: str, new: str, expected: str) -> None:
    result = results(with_record(base(), edited(slug, old, new)))["AIC-GOV-02"]
    assert result.status == "failed"
    assert expected in messages(result)


def test_gov02_level_one_needs_no_peer_review() -> None:
    bike = next(p for p in register() if p.slug == "bike-demand")
    assert (
        bike.sandbox.safeguards.peer_review is None and bike.sandbox.safeguards.human_decision_maker is None
    )
    assert results(base())["AIC-GOV-02"].status == "passed"


# ---------------------------------------------------------------------------------- GOV-03


def _is_binding(namespace: str) -> Callable[[Resource], bool]:
    return lambda r: r.kind == "RoleBinding" and r.namespace == namespace


def test_gov03_fails_without_the_binding() -> None:
    inventory = replace_resource(base(), _is_binding("project-bike-demand"), None)
    result = results(inventory)["AIC-GOV-03"]
    assert result.status == "failed"
    assert [f.resource for f in result.findings] == ["Namespace/project-bike-demand"]


def test_gov03_fails_when_the_role_cannot_delete_pods() -> None:
    inv = base()
    role = next(
        r
        for r in inv.of("Role")
        if r.namespace == "project-benefit-triage" and r.name == "aicommons-oversight"
    )
    spec = copy.deepcopy(dict(role.spec))
    spec["rules"][0]["verbs"] = ["get", "list"]
    result = results(replace_resource(inv, lambda r: r is role, dataclasses.replace(role, spec=spec)))[
        "AIC-GOV-03"
    ]
    assert result.status == "failed"
    assert "project-benefit-triage" in result.findings[0].resource


def test_gov03_fails_when_the_city_names_no_oversight_group() -> None:
    city = riverton().model_copy(
        update={"identity": riverton().identity.model_copy(update={"admin_groups": []})}  # type: ignore[union-attr]
    )
    inventory = bundle_inventory(bundle(profile=city).files)
    result = results(inventory)["AIC-GOV-03"]
    assert result.status == "failed"
    assert len(result.findings) == 2


# ---------------------------------------------------------------------------------- GOV-04


def _with_tenant_quota(inventory: Inventory, namespace: str, **quota: int) -> Inventory:
    release = next(r for r in inventory.of("HelmRelease") if r.name == "aicommons-platform")
    spec = copy.deepcopy(dict(release.spec))
    for tenant in spec["values"]["tenants"]:
        if tenant["name"] == namespace:
            tenant["quota"].update(quota)
    return replace_resource(inventory, lambda r: r is release, dataclasses.replace(release, spec=spec))


def test_gov04_fails_for_a_load_balancer_in_development() -> None:
    result = results(_with_tenant_quota(base(), "project-bike-demand", loadBalancers=1))["AIC-GOV-04"]
    assert result.status == "failed"
    assert "quota allows 1 loadBalancers although the project is 'development'" in messages(result)


def test_gov04_fails_for_node_ports_without_approval() -> None:
    unapproved = edited(
        "benefit-triage",
        "    approval:\n      by: chief digital officer\n      on: 2025-11-15\n      reference: CDO-DEC-2025-44\n",
        "",
    )
    inventory = _with_tenant_quota(with_record(base(), unapproved), "project-benefit-triage", nodePorts=2)
    result = results(inventory)["AIC-GOV-04"]
    assert result.status == "failed"
    assert "2 nodePorts although the project is 'operational' without a recorded approval" in messages(result)


def test_gov04_fails_for_a_public_service_in_a_sandbox() -> None:
    service = Resource(
        kind="Service",
        name="demo",
        namespace="project-bike-demand",
        spec={"kind": "Service", "spec": {"type": "LoadBalancer"}},
    )
    inventory = dataclasses.replace(base(), resources=(*base().resources, service))
    result = results(inventory)["AIC-GOV-04"]
    assert result.status == "failed"
    assert result.findings[0].resource == "Service/project-bike-demand/demo"


def test_gov04_fails_for_an_ingress_in_a_sandbox() -> None:
    ingress = Resource(kind="Ingress", name="web", namespace="project-bike-demand", spec={"kind": "Ingress"})
    result = results(dataclasses.replace(base(), resources=(*base().resources, ingress)))["AIC-GOV-04"]
    assert result.status == "failed"
    assert result.findings[0].resource == "Ingress/project-bike-demand/web"


def test_gov04_passes_for_an_approved_project_in_use() -> None:
    assert results(base())["AIC-GOV-04"].status == "passed"  # benefit-triage publishes, approved


# ---------------------------------------------------------------------------------- GOV-05


def test_gov05_flags_expired_projects_that_are_still_open() -> None:
    result = results(base(), today=date(2027, 1, 31))["AIC-GOV-05"]
    assert result.status == "failed"
    text = messages(result)
    assert "ended 2026-12-31 (31 days ago) but is 'development'" in text
    assert "sandbox of a project that ended 2026-12-31" in text


def test_gov05_passes_on_the_end_date_and_for_closed_projects() -> None:
    assert results(base(), today=date(2026, 12, 31))["AIC-GOV-05"].status == "passed"
    closed = tuple(edited(p.slug, f"status: {p.status}", "status: retired") for p in register())
    inventory = bundle_inventory(bundle(closed, today=date(2027, 1, 31)).files)
    assert not inventory.of("Namespace") or not any(
        r.name.startswith("project-") for r in inventory.of("Namespace")
    )
    assert results(inventory, today=date(2027, 1, 31))["AIC-GOV-05"].status == "passed"


def test_gov05_rerendered_after_expiry_still_flags_the_open_record() -> None:
    files = bundle(today=date(2027, 1, 31)).files  # sandboxes gone, records still open
    result = results(bundle_inventory(files), today=date(2027, 1, 31))["AIC-GOV-05"]
    assert result.status == "failed"
    assert "sandbox of a project" not in messages(result)
    assert len(result.findings) == 2


# ---------------------------------------------------------------------------------- GOV-06


def _with_hub_values(inventory: Inventory, change: Callable[[dict], None]) -> Inventory:
    release = next(r for r in inventory.of("HelmRelease") if r.name == "jupyterhub")
    spec = copy.deepcopy(dict(release.spec))
    change(spec["values"])
    return replace_resource(inventory, lambda r: r is release, dataclasses.replace(release, spec=spec))


def _override(slug: str) -> Callable[[dict], dict]:
    def get(values: dict) -> dict:
        entry = next(p for p in values["singleuser"]["profileList"] if p["slug"] == slug)
        return entry["kubespawner_override"]

    return get


def _groups(values: dict) -> dict:
    return values["custom"]["aicommons"]["profileGroups"]


def test_gov06_passes_as_rendered_and_skips_without_sandboxes() -> None:
    assert results(base())["AIC-GOV-06"].status == "passed"
    city = riverton()
    plain = bundle_inventory(render_bundle(city, size(city)).files)
    assert results(plain)["AIC-GOV-06"].status == "skipped"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda v: _override("project-bike-demand")(v).pop("namespace"),
            "profile 'project-bike-demand' of project 'bike-demand' starts servers in jupyterhub, outside the "
            "sandbox project-bike-demand",
        ),
        (
            lambda v: _override("project-bike-demand")(v).update(namespace="project-benefit-triage"),
            "is offered to ai-commons-bike-demand, not member groups of project 'benefit-triage'",
        ),
        (
            lambda v: _groups(v).pop("project-benefit-triage"),
            "profile 'project-benefit-triage' starts servers in the sandbox project-benefit-triage but "
            "custom.aicommons.profileGroups does not restrict it",
        ),
        (
            lambda v: _groups(v)["project-bike-demand"].append("aicommons-users"),
            "is offered to aicommons-users, not member groups of project 'bike-demand'",
        ),
        (
            lambda v: _override("notebook")(v).update(namespace="project-bike-demand"),
            "profile 'notebook' starts servers in the sandbox project-bike-demand but custom.aicommons."
            "profileGroups does not restrict it",
        ),
        (
            lambda v: v["hub"]["extraConfig"].pop("30-aicommons-project-sandboxes"),
            "does not install the profile filter, so nothing enforces custom.aicommons.profileGroups",
        ),
        (
            lambda v: (
                v["hub"]["config"]
                .setdefault("JupyterHub", {})
                .update(load_groups={"ai-commons-bike-demand": {"properties": {"projects": ["bike-demand"]}}})
            ),
            "load_groups is set while the authenticator manages groups (manage_groups: true): JupyterHub 5 "
            "refuses to start",
        ),
    ],
    ids=[
        "spawns-in-the-hub-namespace",
        "spawns-in-another-sandbox",
        "not-restricted",
        "offered-to-non-members",
        "city-profile-into-a-sandbox",
        "no-filter",
        "load-groups-beside-managed-groups",
    ],
)
def test_gov06_fails(change: Callable[[dict], object], expected: str) -> None:
    result = results(_with_hub_values(base(), change))["AIC-GOV-06"]
    assert result.status == "failed"
    assert expected in messages(result)
    assert all(f.file == "helm/jupyterhub.values.yaml" for f in result.findings)


def test_gov06_fails_when_a_sandbox_has_no_profile() -> None:
    def drop(values: dict) -> None:
        entries = values["singleuser"]["profileList"]
        values["singleuser"]["profileList"] = [p for p in entries if p["slug"] != "project-bike-demand"]

    result = results(_with_hub_values(base(), drop))["AIC-GOV-06"]
    assert result.status == "failed"
    assert [f.resource for f in result.findings] == ["Namespace/project-bike-demand"]
    assert "no JupyterHub profile 'project-bike-demand'" in messages(result)


# ---------------------------------------------------------------------------------- GOV-07


@pytest.mark.parametrize("status", ["planned", "design", "retired"])
def test_gov07_fails_for_a_sandbox_whose_status_allows_none(status: str) -> None:
    """The bundle has bike-demand's sandbox, but its record now says a status without one (as in a stale
    bundle after the city changed the status): the finding is at register.status in its file."""
    changed = edited("bike-demand", "status: development", f"status: {status}")
    result = results(with_record(base(), changed))["AIC-GOV-07"]
    assert result.status == "failed"
    (finding,) = result.findings
    line = (
        project_text("bike-demand")
        .splitlines()
        .index(
            "  status: development  # planned | design | development | pilot | evaluation | operational | retired"
        )
    )
    assert (finding.resource, finding.file, finding.line) == (
        "AIProject/bike-demand",
        "projects/bike-demand.yaml",
        line + 1,
    )
    assert f"status '{status}' allows no sandbox, but project-bike-demand exists" in finding.message
    assert ("personal data is deleted by its end date (2026-12-31)" in finding.message) is (
        status == "retired"
    )


@pytest.mark.parametrize("status", ["development", "pilot", "evaluation", "operational"])
def test_gov07_passes_for_the_sandbox_statuses(status: str) -> None:
    changed = edited("bike-demand", "status: development", f"status: {status}")
    assert results(with_record(base(), changed))["AIC-GOV-07"].status == "passed"


def test_gov07_rendered_bundle_of_a_planned_project_has_no_sandbox_and_passes() -> None:
    planned = edited("bike-demand", "status: development", "status: planned")
    inventory = bundle_inventory(bundle(with_project(planned)).files)
    assert "project-bike-demand" not in {r.name for r in inventory.of("Namespace")}
    assert results(inventory)["AIC-GOV-07"].status == "passed"
