"""A private registry's password: from the environment at deploy, a stack secret, never written."""

from __future__ import annotations

import pytest

from aicommons.errors import EXIT_MISSING_COMPONENT
from tests.deploy.conftest import SECRET, written_files
from tests.deploy.standin import StandInEngine, Step, happy_steps
from tests.deploy.test_deploy_cli import no_upload  # noqa: F401  (autouse: no S3)

REGISTRY_PASSWORD = "reg-Pa55-9c1e77b3d2"
REGISTRIES = """registries:
  - name: city
    server: registry.riverton.example.gov
    username: robot-hub
    password_env: RIVERTON_REGISTRY_TOKEN
  - name: vendor
    server: 123456789012.dkr.ecr.us-east-1.amazonaws.com
    existing_secret: vendor-pull
"""


@pytest.fixture
def private_riverton(riverton):  # type: ignore[no-untyped-def]
    riverton.write_text(riverton.read_text(encoding="utf-8") + REGISTRIES, encoding="utf-8")
    return riverton


def test_the_password_goes_to_the_platform_stack_as_a_secret_and_nowhere_else(
    private_riverton, wire, cli, monkeypatch
) -> None:
    monkeypatch.setenv("RIVERTON_REGISTRY_TOKEN", REGISTRY_PASSWORD)
    steps = happy_steps("infra", "platform")
    # a provider that echoes the password: the log must still not hold it
    steps[("up", "platform")] = Step("platform-up-create.jsonl", output=[f"token={REGISTRY_PASSWORD}"])
    engine = StandInEngine(steps)
    wire(engine)
    result = cli("deploy", str(private_riverton), "--yes")
    assert result.code == 0, result.text
    assert engine.secrets == {
        "platform": {
            "aicommons:oidcClientSecret": SECRET,
            "aicommons:registryPasswordCity": REGISTRY_PASSWORD,
        }
    }
    assert REGISTRY_PASSWORD not in result.text
    files = list(written_files(private_riverton.parent))
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        assert REGISTRY_PASSWORD.encode() not in path.read_bytes(), path


def test_an_unset_password_variable_is_exit_3_naming_it_before_the_engine(
    private_riverton, wire, cli, monkeypatch
) -> None:
    monkeypatch.delenv("RIVERTON_REGISTRY_TOKEN", raising=False)
    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine)
    result = cli("deploy", str(private_riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT, result.text
    assert (
        "$RIVERTON_REGISTRY_TOKEN (registries[0].password_env, registry.riverton.example.gov)" in result.err
    )
    assert "is not set" in result.err
    assert engine.calls == []
