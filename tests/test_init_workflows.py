"""`aicommons init` writes CI workflows: valid YAML, three jobs, pinned actions, no literal secret."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from aicommons.errors import EXIT_BAD_INPUT
from aicommons.profile import load_profile_text
from aicommons.profile.starter import starter_profile
from aicommons.profile.workflows import GITHUB_WORKFLOW, GITLAB_CI, WorkflowInputs, ci_workflows
from tests.ledger.conftest import run_cli

SECRET_NAME = re.compile(r"(SECRET|PASSPHRASE|TOKEN|PASSWORD|ACCESS_KEY|KUBECONFIG_DATA)", re.IGNORECASE)
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def init(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], directory: Path, *extra: str
) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, "init", str(directory), *extra)


def github(directory: Path) -> dict[Any, Any]:
    return yaml.safe_load((directory / GITHUB_WORKFLOW).read_text())


def gitlab(directory: Path) -> dict[str, Any]:
    return yaml.safe_load((directory / GITLAB_CI).read_text())


def steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


@pytest.mark.parametrize("provider", ["aws", "kubernetes", "onprem"])
def test_init_writes_both_workflows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], provider: str
) -> None:
    city = tmp_path / "riverton"
    code, out, err = init(monkeypatch, capsys, city, "--provider", provider)
    assert code == 0, err
    assert (city / "profile.yaml").is_file()
    assert str(city / GITHUB_WORKFLOW) in out and str(city / GITLAB_CI) in out

    gh = github(city)
    triggers = gh.get("on", gh.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"pull_request", "push", "schedule"} <= set(triggers)
    assert triggers["push"]["branches"] == ["main"] and triggers["schedule"][0]["cron"]
    jobs = gh["jobs"]
    assert set(jobs) == {"validate", "drift", "deploy"}
    assert "pull_request" in jobs["validate"]["if"]
    assert 'aicommons validate "$PROFILE" --format sarif -o results.sarif' in steps_text(jobs["validate"])
    assert gh["env"]["PROFILE"] == "profile.yaml"
    uploads = [s for s in jobs["validate"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "results.sarif" and uploads[0]["if"] == "always()"
    assert jobs["validate"]["permissions"]["security-events"] == "write"
    assert "schedule" in jobs["drift"]["if"] and "aicommons drift" in steps_text(jobs["drift"])
    assert jobs["deploy"]["environment"] == "production"
    assert "refs/heads/main" in jobs["deploy"]["if"]
    assert 'aicommons deploy "$PROFILE" --yes' in steps_text(jobs["deploy"])
    assert "required reviewers" in (city / GITHUB_WORKFLOW).read_text()

    gl = gitlab(city)
    assert {"validate", "drift", "deploy"} <= set(gl)
    assert gl["validate"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert gl["validate"]["artifacts"]["reports"]["junit"] == "validate.xml"
    assert "--format junit -o validate.xml" in gl["validate"]["script"][0]
    assert gl["drift"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "schedule"'
    assert gl["deploy"]["rules"][0]["when"] == "manual"
    assert "$CI_DEFAULT_BRANCH" in gl["deploy"]["rules"][0]["if"]
    assert gl["deploy"]["environment"]["name"] == "production"


@pytest.mark.parametrize("provider", ["aws", "kubernetes"])
def test_actions_are_pinned_to_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], provider: str
) -> None:
    init(monkeypatch, capsys, tmp_path / "c", "--provider", provider)
    uses = [s["uses"] for job in github(tmp_path / "c")["jobs"].values() for s in job["steps"] if "uses" in s]
    assert uses and all(PINNED.match(u) for u in uses), uses
    text = (tmp_path / "c" / GITHUB_WORKFLOW).read_text()
    assert re.search(r"get\.pulumi\.com \| sh -s -- --version \d+\.\d+\.\d+", text)  # the engine pinned too


def _env_maps(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("env", "variables") and isinstance(value, dict):
                found.append(value)
            found += _env_maps(value)
    elif isinstance(node, list):
        for item in node:
            found += _env_maps(item)
    return found


@pytest.mark.parametrize("provider", ["aws", "kubernetes"])
def test_no_literal_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], provider: str
) -> None:
    init(monkeypatch, capsys, tmp_path / "c", "--provider", provider)
    gh_text = (tmp_path / "c" / GITHUB_WORKFLOW).read_text()
    for env in _env_maps(github(tmp_path / "c")):
        for name, value in env.items():
            if SECRET_NAME.search(name):
                assert value == f"${{{{ secrets.{name} }}}}", (name, value)
    assert "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" in gh_text
    assert "${{ secrets.AICOMMONS_OIDC_CLIENT_SECRET }}" in gh_text
    for env in _env_maps(gitlab(tmp_path / "c")):  # GitLab injects masked variables; none is set here
        assert not [name for name in env if SECRET_NAME.search(name)], env
    for text in (gh_text, (tmp_path / "c" / GITLAB_CI).read_text()):
        assert not re.search(r"AKIA[0-9A-Z]{16}", text)  # no AWS access key id
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    if provider == "aws":
        assert "role-to-assume: ${{ vars.AWS_ROLE_ARN }}" in gh_text
        assert gitlab(tmp_path / "c")[".engine"]["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"


def test_workflows_are_deterministic() -> None:
    profile = load_profile_text(starter_profile("small", "aws", "riverton"), "profile.yaml")
    first, second = ci_workflows(WorkflowInputs.of(profile)), ci_workflows(WorkflowInputs.of(profile))
    assert first == second
    assert "EKS_CLUSTER: aicommons-riverton" in first[GITHUB_WORKFLOW]
    assert "AWS_REGION: us-east-1" in first[GITLAB_CI]


@pytest.mark.parametrize("present", ["profile.yaml", GITHUB_WORKFLOW, GITLAB_CI])
def test_init_writes_nothing_when_any_file_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], present: str
) -> None:
    city = tmp_path / "city"
    (city / present).parent.mkdir(parents=True, exist_ok=True)
    (city / present).write_text("# the city's own\n")
    code, out, err = init(monkeypatch, capsys, city)
    assert code == EXIT_BAD_INPUT
    assert out == "" and err.startswith("error:") and "--force" in err and str(city / present) in err
    written = sorted(p.relative_to(city).as_posix() for p in city.rglob("*") if p.is_file())
    assert written == [present]
    assert (city / present).read_text() == "# the city's own\n"
    code, _, err = init(monkeypatch, capsys, city, "--force")
    assert code == 0, err
    assert (city / present).read_text() != "# the city's own\n"
    assert all((city / p).is_file() for p in ("profile.yaml", GITHUB_WORKFLOW, GITLAB_CI))


def test_init_keeps_the_ledger_byte_exact_in_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil
    import subprocess

    from aicommons.ledger import append_record, ledger_path, verify_ledger
    from aicommons.ledger.chain import GITATTRIBUTES_LINE
    from tests.ledger.conftest import make_entry

    city = tmp_path / "riverton"
    city.mkdir()
    (city / ".gitattributes").write_text("*.png binary", encoding="utf-8")  # the city's own line stays
    code, out, err = init(monkeypatch, capsys, city, "--provider", "onprem")
    assert code == 0, err
    assert GITATTRIBUTES_LINE == ".aicommons/ledger.jsonl -text"
    lines = (city / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "*.png binary" and lines[-1] == GITATTRIBUTES_LINE
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    # with core.autocrlf on (a Windows clone), git leaves the ledger's LF endings alone
    git = [
        "git",
        "-C",
        str(city),
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "-c",
        "core.autocrlf=true",
    ]
    append_record(ledger_path(city), make_entry(1))
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "city"], check=True)
    ledger_path(city).unlink()
    subprocess.run([*git, "checkout", "--", ".aicommons/ledger.jsonl"], check=True)
    assert verify_ledger(ledger_path(city)).ok
