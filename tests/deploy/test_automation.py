"""The real engine (`aicommons.deploy.automation`) through Pulumi's own Automation API SDK.

The `pulumi` CLI cannot be installed here: these tests run the SDK against a fake `pulumi`
executable (tests/deploy/fake_pulumi.py) that answers like the CLI and writes the recorded
engine events to the SDK's event log. What they show: the arguments and environment the SDK
is given, the mapping of every SDK failure to exit code 3, and the flows end to end.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from aicommons.deploy.automation import open_engine, plugin_pins, require_pulumi_cli
from aicommons.deploy.engine import preview_expect_no_changes
from aicommons.deploy.settings import EngineSettings
from aicommons.errors import EXIT_MISSING_COMPONENT, MissingComponentError
from tests.deploy.conftest import SECRET
from tests.deploy.fake_pulumi import calls, install_fake_pulumi
from tests.deploy.test_destroy_cli import STATEFUL, allow

INSTALL_HINT = "https://www.pulumi.com/docs/install/"


@pytest.fixture(autouse=True)
def _no_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    import aicommons.ledger

    monkeypatch.setattr(aicommons.ledger, "upload_record", lambda *a, **k: "ledger/key")

    # the anchor bucket is listed (nothing anchored yet) instead of reaching S3

    monkeypatch.setattr("aicommons.ledger.anchor_store.anchored", lambda spec: [])


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    def make(**behaviour) -> Path:
        folder = install_fake_pulumi(tmp_path / "fake-bin", **behaviour)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        return folder

    return make


def settings(tmp_path: Path) -> EngineSettings:
    (tmp_path / "bundle" / "pulumi").mkdir(parents=True, exist_ok=True)
    return EngineSettings(
        project_dir=tmp_path / "bundle" / "pulumi", backend_url=(tmp_path / "state").as_uri()
    )


def test_no_pulumi_on_path_is_a_missing_component_with_the_install_hint(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(MissingComponentError) as err:
        require_pulumi_cli()
    assert INSTALL_HINT in err.value.render()
    with pytest.raises(MissingComponentError):
        open_engine(settings(tmp_path))


def test_deploy_without_pulumi_exits_3_and_says_how_to_install_it(
    riverton, wire, cli, monkeypatch, tmp_path
) -> None:
    wire(None)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT
    assert "the pulumi CLI is not installed" in result.err and INSTALL_HINT in result.err
    assert "Traceback" not in result.err


def test_a_pulumi_too_old_or_broken_is_a_missing_component(tmp_path, fake) -> None:
    fake(version="v2.3.0")
    with pytest.raises(MissingComponentError, match="cannot be used: Minimum version requirement failed"):
        open_engine(settings(tmp_path))
    fake(version_fails=True)
    with pytest.raises(MissingComponentError, match="does not run"):
        open_engine(settings(tmp_path))


def test_plugins_are_pinned_to_the_installed_sdks() -> None:
    assert plugin_pins("infra") == [("aws", f"v{metadata.version('pulumi_aws')}")]
    assert plugin_pins("platform") == [("kubernetes", f"v{metadata.version('pulumi_kubernetes')}")]


def test_deploy_status_destroy_through_the_automation_api(riverton, wire, cli, fake) -> None:
    bin_dir = fake(
        events={
            "preview-destroy-platform": "platform-preview-destroy.jsonl",
            "destroy-platform": "platform-destroy.jsonl",
            "preview-destroy-infra": "infra-preview-destroy.jsonl",
            "destroy-infra": "infra-destroy.jsonl",
        }
    )
    wire(None)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == 0, result.text
    sent = calls(bin_dir)
    commands = [" ".join(a[:2]) if a[0] in ("stack", "config", "plugin") else a[0] for a in sent]
    first_preview = commands.index("preview")
    # the deployed infra stack's outputs are read before its preview (the version skew guard)
    assert commands[:first_preview] == [
        "version", "stack select", "stack init", "install", "plugin install", "stack output", "stack output",
    ]  # fmt: skip
    assert sent[commands.index("plugin install")][2:5] == [
        "resource",
        "aws",
        f"v{metadata.version('pulumi_aws')}",
    ]
    assert [a[-1] for a in sent if a[:2] == ["stack", "init"]] == ["infra", "platform"]
    # up is `up --yes --skip-preview` after our own preview and guard
    up = next(a for a in sent if a[0] == "up")
    assert {"--yes", "--skip-preview", "--event-log"} <= set(up) and up[up.index("--stack") + 1] == "infra"
    # the secret is set once, as a secret, on the platform stack only
    config_sets = [a for a in sent if a[:2] == ["config", "set"]]
    assert len(config_sets) == 1 and "--secret" in config_sets[0] and "platform" in config_sets[0]
    # the state is the city's file backend, on every call
    backend = (riverton.parent / ".aicommons" / "state").resolve().as_uri()
    logged = [json.loads(line)["backend"] for line in (bin_dir / "calls.jsonl").read_text().splitlines()[1:]]
    assert set(logged) == {backend}
    # the engine wrote its salt and ciphertext into the stack file; a re-render keeps them
    stack_file = riverton.parent / "bundles" / "riverton" / "pulumi" / "Pulumi.platform.yaml"
    assert yaml.safe_load(stack_file.read_text())["encryptionsalt"].startswith("v1:")
    assert cli("deploy", str(riverton), "--yes").code == 0
    data = yaml.safe_load(stack_file.read_text())
    assert data["encryptionsalt"].startswith("v1:")
    assert data["config"]["aicommons:oidcClientSecret"] == {"secure": "v1:Y2lwaGVydGV4dA=="}
    assert "aicommons:platform" in data["config"]
    assert len([a for a in calls(bin_dir) if a[:2] == ["config", "set"]]) == 1  # unchanged: not set again
    assert SECRET not in stack_file.read_text()

    status = cli("status", str(riverton), "--format", "json")
    assert status.code == 0, status.text
    doc = json.loads(status.out)
    assert doc["stacks"][0]["outputs"]["kubeconfig"] == "[secret]"
    assert doc["stacks"][0]["last_update"]["changes"]["update"] == 1

    before = len(calls(bin_dir))
    result = cli("destroy", str(riverton), "--yes", *allow(*STATEFUL))
    assert result.code == 0, result.text
    sent = calls(bin_dir)[before:]
    protect = [a for a in sent if a[:2] == ["state", "protect"]]
    unprotect = [a for a in sent if a[:2] == ["state", "unprotect"]]
    assert len(protect) == 1 and protect[0][protect[0].index("--") + 1 :][0].endswith(
        "::bucket-audit-public-access"
    )
    assert {u.rsplit("::", 1)[1] for a in unprotect for u in a[a.index("--") + 1 :]} == {
        "manifests-hub-db", "cluster-eks", "bucket-projects-bucket", "audit-logs",
    }  # fmt: skip
    destroys = [a for a in sent if a[0] == "destroy"]
    # both previewed first (platform, infra), then destroyed in the same order
    assert [(a[a.index("--stack") + 1], "--preview-only" in a) for a in destroys] == [
        ("platform", True), ("infra", True), ("platform", False), ("infra", False),
    ]  # fmt: skip
    assert all("--exclude-protected" in a for a in destroys)


def test_a_locked_stack_is_exit_3_and_nothing_is_deleted(riverton, wire, cli, fake) -> None:
    fake(
        fail={
            "up-infra": "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`."
        }
    )
    wire(None)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT
    assert "another update holds the stack's lock" in result.err
    assert "never delete lock files by hand" in result.err
    record = json.loads((riverton.parent / ".aicommons" / "ledger.jsonl").read_text().splitlines()[-1])
    assert record["stacks"]["infra"]["result"] == "failed"


def test_engine_drift_through_the_automation_api(tmp_path, fake, monkeypatch) -> None:
    bin_dir = fake(stacks=["platform"], events={"preview-platform": "platform-preview-drift.jsonl"})
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x" * 16)
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    (tmp_path / ".aicommons" / "state").mkdir(parents=True)
    bundle = tmp_path / "bundles" / "city"
    (bundle / "pulumi").mkdir(parents=True)
    result = preview_expect_no_changes(bundle, "platform")
    assert result.drifted and [c.name for c in result.changes] == ["helm-jupyterhub"]
    assert "no changes were expected" in result.detail
    preview = next(a for a in calls(bin_dir) if a[0] == "preview")
    assert "--refresh" in preview and "--expect-no-changes" in preview
    assert not [a for a in calls(bin_dir) if a[0] in ("up", "refresh")]  # nothing written to the state

    fake(stacks=["platform"], events={"preview-platform": "platform-preview-same.jsonl"})
    assert not preview_expect_no_changes(bundle, "platform").drifted
