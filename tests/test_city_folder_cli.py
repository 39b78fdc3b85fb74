"""Every command finds the city's folder the same way: `project`, `ledger` and `render` here (deploy,
destroy and status in tests/deploy/test_city_folder.py, drift in tests/drift/test_city_folder.py).

The city's folder is a git repository holding `profile.yaml`, as `aicommons init` leaves it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aicommons.errors import EXIT_BAD_INPUT
from aicommons.ledger import append_record, ledger_path
from tests.conftest import ROOT
from tests.ledger.conftest import make_entry, run_cli

RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"
NESTED = "bundles/riverton/pulumi"


@pytest.fixture
def city(tmp_path: Path) -> Path:
    root = tmp_path / "city"
    for folder in (".git", "projects", NESTED):
        (root / folder).mkdir(parents=True)
    shutil.copy(RIVERTON, root / "profile.yaml")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A repository that holds no city."""
    folder = tmp_path / "elsewhere"
    (folder / ".git").mkdir(parents=True)
    return folder


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cwd: Path, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(cwd)
    # the city is on AWS, whose default ledger anchor is the audit bucket (it needs credentials);
    # these tests are about where the ledger is, not its anchor
    monkeypatch.setenv("AICOMMONS_LEDGER_ANCHOR", "none")
    return run_cli(monkeypatch, capsys, *args)


@pytest.mark.parametrize("cwd", [".", "projects", NESTED])
def test_project_add_writes_into_the_citys_register_from_any_folder_in_it(
    city: Path, cwd: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(monkeypatch, capsys, city / cwd, "project", "add", "bike-demand", "-r", "RIV-1")
    assert code == 0, err
    assert (city / "projects" / "bike-demand.yaml").is_file()
    assert sorted(p.name for p in city.rglob("bike-demand.yaml")) == ["bike-demand.yaml"]
    code, out, err = cli(monkeypatch, capsys, city / NESTED, "project", "list")
    assert code == 0 and "bike-demand" in out and "RIV-1" in out


def test_project_dir_overrides_the_city_folder(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "drafts"
    code, _, err = cli(
        monkeypatch, capsys, city, "project", "add", "bike-demand", "-r", "RIV-1", "--dir", str(other)
    )
    assert code == 0, err
    assert (other / "bike-demand.yaml").is_file() and not (city / "projects" / "bike-demand.yaml").exists()


def test_project_outside_a_city_folder_says_what_to_give(
    outside: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(monkeypatch, capsys, outside, "project", "add", "bike-demand", "-r", "RIV-1")
    assert code == EXIT_BAD_INPUT
    assert f"{outside.resolve()}: no city folder here or above" in err and "give --dir" in err
    assert list(outside.iterdir()) == [outside / ".git"]  # nothing was written


@pytest.mark.parametrize("cwd", [".", "projects", NESTED])
def test_ledger_reads_the_citys_ledger_from_any_folder_in_it(
    city: Path, cwd: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for hour in (1, 2):
        append_record(ledger_path(city), make_entry(hour))
    code, out, err = cli(monkeypatch, capsys, city / cwd, "ledger", "verify")
    assert code == 0, err
    assert out.startswith("ledger intact: 2 record(s)") and str(Path(".aicommons") / "ledger.jsonl") in out
    code, out, _ = cli(monkeypatch, capsys, city / cwd, "ledger", "show", "--format", "json")
    assert code == 0 and [r["seq"] for r in json.loads(out)] == [1, 2]


def test_a_ledger_named_overrides_the_city_folder(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    append_record(ledger_path(city), make_entry(1))
    other = tmp_path / "archive" / "ledger.jsonl"
    for hour in (1, 2, 3):
        append_record(other, make_entry(hour))
    code, out, err = cli(monkeypatch, capsys, city / "projects", "ledger", "verify", str(other))
    assert code == 0, err
    assert f"3 record(s) in {other}" in out


def test_ledger_outside_a_city_folder_says_what_to_give(
    outside: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(monkeypatch, capsys, outside, "ledger", "verify")
    assert code == EXIT_BAD_INPUT and f"{outside.resolve()}: no city folder here or above" in err


def test_render_from_the_profiles_folder_writes_bundles_city(
    city: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(monkeypatch, capsys, city, "render", "profile.yaml")
    assert code == 0, err
    assert f"bundle for riverton in {Path('bundles/riverton')}:" in out
    assert (city / "bundles" / "riverton" / "aicommons.lock.json").is_file()


def test_render_output_overrides_the_city_folder(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "review"
    code, _, err = cli(
        monkeypatch, capsys, city / "projects", "render", "../profile.yaml", "-o", str(out_dir)
    )
    assert code == 0, err
    assert (out_dir / "aicommons.lock.json").is_file()
    assert not (city / "bundles" / "riverton" / "aicommons.lock.json").exists()


def test_project_render_and_ledger_agree_without_flags_from_nested_folders(
    city: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A project added from inside the bundle is the one `render` (run from projects/) puts in the
    bundle, in bundles/<city> beside the profile; the ledger a deploy appends to there is the one
    `ledger verify` reads from deep in the bundle."""
    code, _, err = cli(monkeypatch, capsys, city / NESTED, "project", "add", "bike-demand", "-r", "RIV-1")
    assert code == 0, err
    code, out, err = cli(monkeypatch, capsys, city / "projects", "render", "../profile.yaml")
    assert code == 0, err
    bundle = city / "bundles" / "riverton"
    register = json.loads((bundle / "governance" / "register.json").read_text())
    assert [e["project"]["slug"] for e in register["projects"]] == ["bike-demand"]
    assert not (city / "projects" / "bundles").exists()
    append_record(ledger_path(city), make_entry(1))  # where deploy and drift append (of_profile)
    code, out, err = cli(monkeypatch, capsys, bundle / "helm", "ledger", "verify")
    assert code == 0 and "1 record(s)" in out, err
