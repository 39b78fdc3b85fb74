"""`preview_expect_no_changes`: the engine half of `aicommons drift`, at its boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicommons.deploy.engine import preview_expect_no_changes
from aicommons.deploy.errors import EngineError
from aicommons.errors import MissingComponentError
from tests.deploy.standin import StandInEngine, Step


def test_no_drift(tmp_path: Path) -> None:
    engine = StandInEngine(
        {("preview", "platform"): Step("platform-preview-same.jsonl")}, existing={"platform"}
    )
    result = preview_expect_no_changes(tmp_path, "platform", engine=engine)
    assert not result.drifted
    assert result.changes == () and result.summary["same"] == 12
    assert engine.calls == [("prepare", "platform"), ("preview", "platform")]


def test_drift_lists_what_changed(tmp_path: Path) -> None:
    engine = StandInEngine(
        {("preview", "platform"): Step("platform-preview-drift.jsonl")}, existing={"platform"}
    )
    result = preview_expect_no_changes(tmp_path, "platform", engine=engine)
    assert result.drifted
    assert [(c.op, c.name) for c in result.changes] == [("update", "helm-jupyterhub")]
    assert result.changes[0].diffs == ("values",)
    assert result.summary == {"create": 0, "update": 1, "delete": 0, "replace": 0, "same": 11}
    assert "no changes were expected" in result.detail


def test_an_engine_failure_that_is_not_drift_passes_through(tmp_path: Path) -> None:
    engine = StandInEngine(
        {
            ("preview", "infra"): Step(
                "infra-preview-same.jsonl", fail="could not preview infra: credentials expired"
            )
        },
        existing={"infra"},
    )
    with pytest.raises(EngineError, match="credentials expired"):
        preview_expect_no_changes(tmp_path, "infra", engine=engine)


def test_a_stack_never_deployed_is_a_missing_component(tmp_path: Path) -> None:
    with pytest.raises(MissingComponentError, match="does not exist"):
        preview_expect_no_changes(tmp_path, "infra", engine=StandInEngine({}))


def test_without_the_pulumi_cli_it_is_a_missing_component(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x" * 12)
    (tmp_path / ".aicommons" / "state").mkdir(parents=True)
    with pytest.raises(MissingComponentError) as err:
        preview_expect_no_changes(tmp_path / "bundles" / "city", "platform")
    assert "https://www.pulumi.com/docs/install/" in err.value.render()


def test_without_state_it_says_where_it_looked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    with pytest.raises(MissingComponentError, match="no .aicommons/state above it"):
        preview_expect_no_changes(tmp_path / "bundle", "platform")
