"""Named admins and private registries: rendered into the hub, validated, and no secret in a file."""

from __future__ import annotations

import pytest
import yaml

from aicommons.errors import InputError
from aicommons.profile import load_profile_text
from tests.overrides.conftest import render_text, riverton_with, values_of

REGISTRIES = """registries:
  - name: city
    server: registry.riverton.example.gov
    username: robot-hub
    password_env: RIVERTON_REGISTRY_TOKEN
  - name: vendor
    server: 123456789012.dkr.ecr.us-east-1.amazonaws.com
    existing_secret: vendor-pull
"""


def _with_admins(users: str) -> str:
    return riverton_with("").replace(
        "  admin_groups: [aicommons-admins]\n",
        f"  admin_groups: [aicommons-admins]\n  admin_users: {users}\n",
    )


def test_named_admins_sit_beside_admin_groups_in_the_authenticator() -> None:
    bundle = render_text(_with_admins("[jdoe, m.rossi@riverton.example.gov]"))
    auth = values_of(bundle, "jupyterhub")["hub"]["config"]["GenericOAuthenticator"]
    assert auth["admin_users"] == ["jdoe", "m.rossi@riverton.example.gov"]
    assert auth["admin_groups"] == ["aicommons-admins"]
    assert values_of(bundle, "jupyterhub")["hub"]["config"]["JupyterHub"]["admin_access"] is False


@pytest.mark.parametrize("bad", ["'J Doe'", "''", "'-x'", "'Admin'"])
def test_a_username_the_hub_cannot_have_is_refused_at_its_field(bad: str) -> None:
    with pytest.raises(InputError) as exc:
        load_profile_text(_with_admins(f"[{bad}]"), "profile.yaml")
    assert "identity.admin_users[0]" in str(exc.value.render())


def test_pull_secrets_reach_every_hub_pod_and_the_stack_makes_the_one_with_a_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RIVERTON_REGISTRY_TOKEN", "reg-Pa55-9c1e77b3d2")  # render never reads it
    bundle = render_text(riverton_with(REGISTRIES))
    assert values_of(bundle, "jupyterhub")["imagePullSecrets"] == ["registry-city", "vendor-pull"]
    platform = yaml.safe_load(bundle.files["pulumi/Pulumi.platform.yaml"])["config"]["aicommons:platform"]
    assert platform["pull_secrets"] == [
        {
            "name": "registry-city",
            "namespace": "jupyterhub",
            "server": "registry.riverton.example.gov",
            "username": "robot-hub",
            "password_key": "registryPasswordCity",
        }
    ]
    for path, blob in bundle.files.items():
        assert b"reg-Pa55-9c1e77b3d2" not in blob, path


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{name: a, server: r.example.gov, username: u}", "give password_env"),
        ("{name: a, server: r.example.gov, username: u, password_env: X, existing_secret: s}", "not both"),
        ("{name: a, server: r.example.gov, password_env: X}", "password_env needs username"),
        ("{name: a, server: r.example.gov, username: u, password_env: 'hunter2!'}", "wrong form"),
    ],
)
def test_a_registry_without_exactly_one_password_source_is_refused(entry: str, message: str) -> None:
    with pytest.raises(InputError) as exc:
        load_profile_text(riverton_with(f"registries:\n  - {entry}\n"), "profile.yaml")
    assert message in exc.value.render() and "registries[0]" in exc.value.render()
    assert "hunter2" not in exc.value.render() or "password_env" in exc.value.render()


def test_without_registries_or_admin_users_the_values_are_as_before() -> None:
    values = values_of(render_text(riverton_with("")), "jupyterhub")
    assert "imagePullSecrets" not in values
    assert "admin_users" not in values["hub"]["config"]["GenericOAuthenticator"]
