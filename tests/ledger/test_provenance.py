"""who_when() and git_commit(): only whitelisted variables are read; no secret reaches a record."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from aicommons.ledger import append_record, git_commit, who_when
from aicommons.ledger.provenance import ALLOWED_ENV
from tests.ledger.conftest import make_entry

SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY",
    "PULUMI_CONFIG_PASSPHRASE": "correct-horse-battery-staple",
    "AICOMMONS_OIDC_CLIENT_SECRET": "oidc-client-secret-value",
    "GITHUB_TOKEN": "ghp_exampletokenexampletoken",
    "CI_JOB_TOKEN": "glcbt-example-job-token",
}


class Spy(Mapping[str, str]):
    """An environment that remembers which names were asked for."""

    def __init__(self, values: dict[str, str]):
        self.values = values
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return self.values[key]

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        self.asked.add(key)
        return self.values.get(key, default)

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the ledger must not list the environment")

    def __len__(self) -> int:
        return len(self.values)


def test_github_actions_run() -> None:
    env = Spy(
        {
            **SECRETS,
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTOR": "ana-city",
            "GITHUB_RUN_ID": "123456",
            "GITHUB_RUN_ATTEMPT": "2",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "riverton/ai-commons",
        }
    )
    actor = who_when(env)
    assert actor.user == "ana-city"
    assert actor.ci is not None and actor.ci.system == "github" and actor.ci.run_id == "123456"
    assert actor.ci.url == "https://github.com/riverton/ai-commons/actions/runs/123456/attempts/2"
    assert env.asked <= ALLOWED_ENV


def test_gitlab_pipeline() -> None:
    env = Spy(
        {
            **SECRETS,
            "GITLAB_CI": "true",
            "GITLAB_USER_LOGIN": "bo",
            "CI_PIPELINE_ID": "777",
            "CI_JOB_URL": "https://gitlab.example/riverton/commons/-/jobs/9",
        }
    )
    actor = who_when(env)
    assert (actor.user, actor.ci.system, actor.ci.run_id) == ("bo", "gitlab", "777")  # type: ignore[union-attr]
    assert actor.ci.url == "https://gitlab.example/riverton/commons/-/jobs/9"  # type: ignore[union-attr]
    assert env.asked <= ALLOWED_ENV


def test_a_laptop_has_no_ci_run_and_stamps_utc_now() -> None:
    actor = who_when(Spy({"USER": "ana"}))
    assert actor.user == "ana" and actor.ci is None and actor.host
    assert actor.at is not None and actor.at.endswith("Z")
    make_entry(at=actor.at)  # a valid entry timestamp


def test_no_secret_from_the_environment_reaches_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    # A variable the ledger does read, holding something that is not an id: dropped.
    monkeypatch.setenv("GITHUB_ACTOR", "ana token=" + SECRETS["GITHUB_TOKEN"])
    actor = who_when()
    ledger = tmp_path / "ledger.jsonl"
    append_record(ledger, make_entry(actor=actor, at=actor.at))
    text = ledger.read_text(encoding="utf-8")
    for value in SECRETS.values():
        assert value not in text
    assert "ana token" not in text
    assert '"at":' in text and text.count(actor.at or "") == 1  # the actor's stamp is not stored twice


def test_git_commit_of_a_repository(tmp_path: Path) -> None:
    assert git_commit(tmp_path) is None  # not a repository
    run = {"cwd": tmp_path, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q"], **run)  # type: ignore[call-overload]
    assert git_commit(tmp_path) is None  # no commit yet
    (tmp_path / "profile.yaml").write_text("x: 1\n")
    subprocess.run(["git", "add", "profile.yaml"], **run)  # type: ignore[call-overload]
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "city"], **run
    )  # type: ignore[call-overload]
    head = subprocess.run(["git", "rev-parse", "HEAD"], text=True, **run).stdout.strip()  # type: ignore[call-overload]
    assert git_commit(tmp_path) == head


def test_git_commit_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on the PATH
    assert git_commit(tmp_path) is None
