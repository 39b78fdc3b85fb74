"""AIC-IAM-01..04: sign-in, admin access, RBAC, service-account tokens in user pods."""

from __future__ import annotations

import pytest

from aicommons.checks.controls.iam import _class_name
from tests.checks.security_support import check_fixture, fixture_inventory, fixture_paths, run_one

IAM = ["AIC-IAM-01", "AIC-IAM-02", "AIC-IAM-03", "AIC-IAM-04"]
CASES = [(cid, path) for cid in IAM for path in fixture_paths(cid)]


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_control_has_passing_and_failing_fixtures():
    for cid in IAM:
        names = [p.name for p in fixture_paths(cid)]
        assert any(n.startswith("pass-") for n in names) and any(n.startswith("fail-") for n in names), cid


@pytest.mark.parametrize(
    ("configured", "cls"),
    [
        ("generic-oauth", "GenericOAuthenticator"),
        ("oauthenticator.generic.GenericOAuthenticator", "GenericOAuthenticator"),
        ("ldapauthenticator", "LDAPAuthenticator"),
        ("azuread", "AzureAdOAuthenticator"),
    ],
)
def test_entry_points_name_their_class(configured, cls):
    assert _class_name(configured) == cls


def test_blueprint_can_forbid_more_authenticators():
    """The forbidden list is the blueprint's param: a city may add PAM, say."""
    case = {"hub_values": {"hub": {"config": {"JupyterHub": {"authenticator_class": "pam"}}}}}
    inventory = fixture_inventory(case)
    assert run_one("AIC-IAM-01", inventory, {"forbidden_authenticators": ["dummy", "pam"]}).status == "failed"


def test_admin_access_may_be_allowed_by_the_blueprint():
    inventory = fixture_inventory({"hub_values": {}})
    assert run_one("AIC-IAM-02", inventory).status == "failed"
    assert run_one("AIC-IAM-02", inventory, {"admin_access": True}).status == "passed"


def test_finding_points_at_the_line_in_the_values_file():
    values = "hub:\n  config:\n    JupyterHub:\n      authenticator_class: dummy\n"
    case = {
        "resources": [
            {
                "kind": "HelmRelease",
                "name": "jupyterhub",
                "namespace": "jupyterhub",
                "file": "helm/jupyterhub.values.yaml",
                "spec": {
                    "chart": "jupyterhub",
                    "values": {"hub": {"config": {"JupyterHub": {"authenticator_class": "dummy"}}}},
                },
            }
        ],
        "files": {"helm/jupyterhub.values.yaml": values},
    }
    (finding,) = run_one("AIC-IAM-01", fixture_inventory(case)).findings
    assert (finding.file, finding.line) == ("helm/jupyterhub.values.yaml", 4)
