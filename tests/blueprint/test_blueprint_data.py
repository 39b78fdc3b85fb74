"""The packaged blueprint loads, holds every required control, and its metadata is complete."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from aicommons.blueprint.load import default_blueprint
from aicommons.blueprint.model import SEVERITY_ORDER, Blueprint
from aicommons.blueprint.standards import FRAMEWORK_ORDER

REQUIRED_IDS = (
    [f"AIC-IAM-0{i}" for i in range(1, 5)]
    + [f"AIC-POD-0{i}" for i in range(1, 6)]
    + [f"AIC-NET-0{i}" for i in range(1, 5)]
    + [f"AIC-DATA-0{i}" for i in range(1, 5)]
    + ["AIC-SEC-01"]
    + [f"AIC-LOG-0{i}" for i in range(1, 5)]
    + ["AIC-SUP-01", "AIC-GPU-01", "AIC-GPU-02", "AIC-COST-01", "AIC-HA-01"]
    + [f"AIC-GOV-0{i}" for i in range(1, 8)]
    + ["AIC-GOV-08", "AIC-GOV-09", "AIC-GOV-10"]
    + [f"AIC-OPS-0{i}" for i in range(1, 4)]
)

# Where each control can be checked, from the catalogue the blueprint was written from
# ("static" there is "bundle" here).
SOURCES = {
    "AIC-IAM-01": ["bundle", "live"],
    "AIC-IAM-02": ["bundle"],
    "AIC-IAM-03": ["bundle", "live"],
    "AIC-IAM-04": ["bundle", "live"],
    "AIC-POD-01": ["bundle", "live"],
    "AIC-POD-02": ["bundle", "live"],
    "AIC-POD-03": ["bundle", "live"],
    "AIC-POD-04": ["bundle"],
    "AIC-POD-05": ["bundle"],
    "AIC-NET-01": ["bundle", "live"],
    "AIC-NET-02": ["bundle", "plan"],
    "AIC-NET-03": ["bundle", "live"],
    "AIC-NET-04": ["plan", "live"],
    "AIC-DATA-01": ["plan", "live"],
    "AIC-DATA-02": ["plan", "live"],
    "AIC-DATA-03": ["bundle", "plan"],
    "AIC-DATA-04": ["plan"],
    "AIC-SEC-01": ["bundle"],
    "AIC-LOG-01": ["plan", "live"],
    "AIC-LOG-02": ["bundle", "plan", "live"],  # the plan shows the sink is the real audit bucket
    "AIC-LOG-03": ["plan", "live"],
    "AIC-LOG-04": ["plan", "live"],
    "AIC-SUP-01": ["bundle"],
    "AIC-GPU-01": ["bundle", "plan"],
    "AIC-GPU-02": ["plan"],
    "AIC-COST-01": ["bundle", "plan"],
    "AIC-HA-01": ["plan"],
    # The register travels in the bundle (governance/register.json); plan and live lack it.
    "AIC-GOV-01": ["bundle"],
    "AIC-GOV-02": ["bundle"],
    "AIC-GOV-03": ["bundle"],
    "AIC-GOV-04": ["bundle"],
    "AIC-GOV-05": ["bundle"],
    "AIC-GOV-06": ["bundle"],
    "AIC-GOV-07": ["bundle"],
    "AIC-GOV-08": ["bundle"],
    "AIC-GOV-09": ["bundle"],
    "AIC-GOV-10": ["bundle"],
    "AIC-OPS-01": ["bundle", "plan"],  # the cluster check of the bundle (and the plan's bundle)
    "AIC-OPS-02": ["bundle", "plan"],
    "AIC-OPS-03": ["bundle", "plan"],
}

CRITICAL = {
    "AIC-IAM-01",
    "AIC-SEC-01",
    "AIC-DATA-02",
    "AIC-LOG-03",
    "AIC-NET-01",
    "AIC-GOV-08",  # a prohibited practice (AI Act Art. 5)
    # a bundle the cluster would refuse, could not schedule or dead-locks on: deploy refuses it
    "AIC-OPS-01",
    "AIC-OPS-02",
    "AIC-OPS-03",
}
MEDIUM = {
    "AIC-GPU-01",
    "AIC-GPU-02",
    "AIC-COST-01",
    "AIC-HA-01",
    "AIC-POD-04",
    "AIC-POD-05",
    "AIC-SUP-01",
    "AIC-GOV-05",
    "AIC-GOV-10",
}

# Clauses the catalogue names for each control; the blueprint may add more, never drop these.
CATALOGUE_CLAUSES = {
    "AIC-IAM-01": {("ISO/IEC 27001", c) for c in ("A.5.15", "A.5.16", "A.8.5")},
    "AIC-IAM-02": {("ISO/IEC 27001", c) for c in ("A.8.2", "A.8.3")},
    "AIC-IAM-03": {("CIS Kubernetes Benchmark", c) for c in ("5.1.1", "5.1.3", "5.1.8")}
    | {("ISO/IEC 27001", c) for c in ("A.5.18", "A.8.2")},
    "AIC-IAM-04": {("CIS Kubernetes Benchmark", c) for c in ("5.1.5", "5.1.6")},
    "AIC-POD-01": {("CIS Kubernetes Benchmark", "5.2.1"), ("Pod Security Standards", "Restricted")},
    "AIC-POD-02": {("CIS Kubernetes Benchmark", f"5.2.{i}") for i in range(2, 6)},
    "AIC-POD-03": {("CIS Kubernetes Benchmark", f"5.2.{i}") for i in range(6, 10)},
    "AIC-POD-04": {("ISO/IEC 42001", "A.4.5"), ("ISO/IEC 27001", "A.8.6")},
    "AIC-POD-05": {("ISO/IEC 42001", "A.4.5")},
    "AIC-NET-01": {("CIS Kubernetes Benchmark", "5.3.2")}
    | {("ISO/IEC 27001", c) for c in ("A.8.20", "A.8.22")},
    "AIC-NET-02": {("ISO/IEC 27001", "A.8.20")},
    "AIC-NET-03": {("ISO/IEC 27001", "A.8.24")},
    "AIC-NET-04": {("CIS Kubernetes Benchmark", "5.3.2")},
    "AIC-DATA-01": {("ISO/IEC 27001", "A.8.24")}
    | {("CIS Kubernetes Benchmark", c) for c in ("1.2.27", "1.2.28")},
    "AIC-DATA-02": {("ISO/IEC 27001", c) for c in ("A.8.3", "A.8.24")},
    "AIC-DATA-03": {("EU AI Act", "Art. 10(2)(b)")}
    | {("ISO/IEC 42001", c) for c in ("A.7.3", "A.7.5")}
    | {("ISO/IEC 27001", c) for c in ("A.5.12", "A.5.13")},
    "AIC-DATA-04": {("ISO/IEC 27001", "A.8.13")},
    "AIC-SEC-01": {("CIS Kubernetes Benchmark", "5.4.1"), ("ISO/IEC 27001", "A.5.17")},
    "AIC-LOG-01": {
        ("CIS Kubernetes Benchmark", "3.2.1"),
        ("ISO/IEC 27001", "A.8.15"),
        ("ISO/IEC 42001", "A.6.2.8"),
    },
    "AIC-LOG-02": {("EU AI Act", "Art. 12(1)"), ("ISO/IEC 42001", "A.6.2.8")},
    "AIC-LOG-03": {("EU AI Act", c) for c in ("Art. 19(1)", "Art. 26(6)")}
    | {("ISO/IEC 27001", c) for c in ("A.5.33", "A.8.15")},
    "AIC-LOG-04": {("ISO/IEC 27001", c) for c in ("A.8.15", "A.8.16")},
    "AIC-SUP-01": {("CIS Kubernetes Benchmark", "5.5.1"), ("ISO/IEC 27001", "A.8.19")},
    "AIC-COST-01": {("NIST AI RMF", "GOVERN 1.6")},
    "AIC-HA-01": {("ISO/IEC 27001", "A.8.14")},
    # the deployer obligations of ai_act_obligations.yaml, one article each
    "AIC-GOV-08": {("EU AI Act", "Art. 5")},
    "AIC-GOV-09": {
        ("EU AI Act", c) for c in ("Art. 27", "Art. 49(3)", "Art. 26(2)", "Art. 26(6)", "Art. 26(7)")
    }
    | {("EU AI Act", c) for c in ("Art. 26(8)", "Art. 26(11)")},
    "AIC-GOV-10": {("EU AI Act", "Art. 50")},
}

# Frameworks whose texts are paywalled: every reference must say how it was cited.
PAYWALLED = {"ISO/IEC 27001", "ISO/IEC 42001", "IEEE 7000-series"}


def test_the_packaged_blueprint_is_the_repository_file(blueprint: Blueprint) -> None:
    assert default_blueprint() == blueprint
    assert (blueprint.apiVersion, blueprint.kind) == ("aicommons.dev/v1", "Blueprint")
    assert (blueprint.name, blueprint.version) == ("ai-commons-v1", "1.0.0")
    assert blueprint.description.strip()


def test_every_required_control_is_present_with_its_catalogue_sources(blueprint: Blueprint) -> None:
    ids = [c.id for c in blueprint.controls]
    assert set(REQUIRED_IDS) <= set(ids)
    assert len(ids) == len(set(ids))
    for control_id, sources in SOURCES.items():
        assert blueprint.control(control_id).sources == sources, control_id


def test_severities(blueprint: Blueprint) -> None:
    for control in blueprint.controls:
        assert control.severity in SEVERITY_ORDER
        if control.id in CRITICAL:
            assert control.severity == "critical", control.id
        elif control.id in MEDIUM:
            assert control.severity == "medium", control.id
        else:
            assert control.severity == "high", control.id


@pytest.mark.parametrize("control_id", REQUIRED_IDS)
def test_each_control_explains_itself(blueprint: Blueprint, control_id: str) -> None:
    control = blueprint.control(control_id)
    assert control.title.strip()
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", control.rationale.strip()) if s]
    assert 2 <= len(sentences) <= 3, f"{control_id}: rationale should be 2-3 sentences"
    assert len(control.remediation) > 60, f"{control_id}: remediation should say what to change"
    assert control.standards, control_id


def test_each_control_keeps_the_catalogues_clauses(blueprint: Blueprint) -> None:
    for control_id, expected in CATALOGUE_CLAUSES.items():
        cited = {(s.framework, s.clause) for s in blueprint.control(control_id).standards}
        assert expected <= cited, f"{control_id} lost {sorted(expected - cited)}"


def test_every_named_framework_is_used_under_one_spelling(blueprint: Blueprint) -> None:
    used = {s.framework for c in blueprint.controls for s in c.standards}
    assert set(FRAMEWORK_ORDER) <= used
    lowered = defaultdict(set)
    for name in used:
        lowered[re.sub(r"[^a-z0-9]", "", name.lower())].add(name)
    assert all(len(spellings) == 1 for spellings in lowered.values()), lowered


def test_a_clause_has_one_title_and_one_version_per_framework(blueprint: Blueprint) -> None:
    titles: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    versions: dict[str, set[str]] = defaultdict(set)
    for control in blueprint.controls:
        for ref in control.standards:
            if ref.title:
                titles[(ref.framework, ref.version, ref.clause)].add(ref.title)
            if ref.framework != "IEEE 7000-series":  # one version per standard of the series
                versions[ref.framework].add(ref.version)
    assert {k: v for k, v in titles.items() if len(v) > 1} == {}
    assert {k: v for k, v in versions.items() if len(v) > 1} == {}


def test_uncertain_mappings_say_so(blueprint: Blueprint) -> None:
    for control in blueprint.controls:
        for ref in control.standards:
            if ref.framework in PAYWALLED:
                assert ref.note and "paywalled" in ref.note, (control.id, ref.clause)
            if ref.title is None:
                assert ref.note, f"{control.id} {ref.framework} {ref.clause}: untitled without a note"


def test_ieee_references_are_at_standard_level(blueprint: Blueprint) -> None:
    refs = [s for c in blueprint.controls for s in c.standards if s.framework == "IEEE 7000-series"]
    assert {(s.clause, s.version) for s in refs} <= {("IEEE 7001", "2021"), ("IEEE 7002", "2022")}
    logging = {c.id for c in blueprint.controls for s in c.standards if s.clause == "IEEE 7001"}
    assert {"AIC-LOG-01", "AIC-LOG-02", "AIC-LOG-03", "AIC-LOG-04"} <= logging


def test_bounds_reference_controls_and_match_their_params(blueprint: Blueprint) -> None:
    bounds = {b.field: b for b in blueprint.bounds}
    assert bounds["governance.audit_retention_days"].min == 365
    assert bounds["governance.audit_retention_days"].control == "AIC-LOG-03"
    assert (bounds["governance.idle_cull_minutes"].max, bounds["governance.idle_cull_minutes"].control) == (
        120,
        "AIC-POD-05",
    )
    assert bounds["governance.gpu_idle_cull_minutes"].max == 60
    assert bounds["governance.gpu_max_age_hours"].max == 24
    ids = {c.id for c in blueprint.controls}
    assert all(b.control in ids for b in blueprint.bounds)
    pod05 = blueprint.control("AIC-POD-05").params
    assert (pod05["max_idle_minutes"], pod05["max_gpu_idle_minutes"], pod05["max_gpu_age_hours"]) == (
        bounds["governance.idle_cull_minutes"].max,
        bounds["governance.gpu_idle_cull_minutes"].max,
        bounds["governance.gpu_max_age_hours"].max,
    )
    assert (
        blueprint.control("AIC-LOG-03").params["min_retention_days"]
        == bounds["governance.audit_retention_days"].min
    )


def test_control_parameters(blueprint: Blueprint) -> None:
    params = {c.id: c.params for c in blueprint.controls}
    assert params["AIC-NET-01"]["blocked_cidrs"] == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    assert params["AIC-NET-02"] == {"metadata_cidr": "169.254.169.254/32", "imds_hop_limit": 1}
    assert params["AIC-SUP-01"]["forbidden_tags"] == ["latest"]
    assert params["AIC-HA-01"] == {"min_core_nodes": 2, "min_zones": 2, "applies_above_tier": "pilot"}
    assert params["AIC-COST-01"] == {"alert_thresholds_required": True}
    forbidden = params["AIC-IAM-01"]["forbidden_authenticators"]
    assert "null" in forbidden  # a string: the Z2JH shorthand, not YAML's null
    # no identity provider behind any of them
    for name in (
        "dummy",
        "tmp",
        "pam",
        "shared-password",
        "jupyterhub.auth.DummyAuthenticator",
        "nullauthenticator.NullAuthenticator",
        "jupyterhub.auth.PAMAuthenticator",
    ):
        assert name in forbidden, name


def test_allowed_registries_and_components(blueprint: Blueprint) -> None:
    assert blueprint.allowed_registries == [
        "quay.io",
        "docker.io/jupyter",
        "nvcr.io",
        "ghcr.io",
        "registry.k8s.io",
        "docker.io/library/traefik",  # z2jh's autohttps default image
        "cr.fluentbit.io",  # the fluent-bit chart's default registry
        "public.ecr.aws",
    ]
    assert blueprint.components.model_dump() == {
        "jupyterhub": True,
        "gpu_pool_when_gpu_workloads": True,
        "object_store": True,
        "audit_pipeline": True,
    }
