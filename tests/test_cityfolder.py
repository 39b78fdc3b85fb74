"""Where a city's files live, and how a command without a profile finds the city's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicommons.cityfolder import (
    CityFolder,
    backend_url,
    find_city_folder,
    is_profile_file,
    locate,
    of_profile,
)
from aicommons.errors import EXIT_BAD_INPUT, InputError

# Each test's folder is the top of a git repository, as a city's folder is: the walk stops there
# and never reaches a profile some other program left in /tmp.
PROFILE = "apiVersion: aicommons.dev/v1\nkind: CityProfile\ncity:\n  slug: riverton\n"


@pytest.fixture
def city(tmp_path: Path) -> Path:
    """`<tmp>/city/` holding a profile, the register and a bundle with nested folders."""
    root = tmp_path / "city"
    (root / ".git").mkdir(parents=True)
    (root / "projects").mkdir()
    (root / "bundles" / "riverton" / "pulumi" / "aicommons_stacks").mkdir(parents=True)
    (root / "profile.yaml").write_text("# Riverton\n" + PROFILE)
    (root / "projects" / "bike-demand.yaml").write_text("apiVersion: aicommons.dev/v1\nkind: AIProject\n")
    return root


def test_a_profiles_folder_holds_every_file_of_the_city(tmp_path: Path) -> None:
    folder = of_profile(tmp_path / "profile.yaml")
    assert folder == CityFolder(tmp_path)
    assert folder.bundle("riverton") == tmp_path / "bundles" / "riverton"
    assert folder.projects == tmp_path / "projects"
    assert folder.ledger == tmp_path / ".aicommons" / "ledger.jsonl"
    assert folder.state == tmp_path / ".aicommons" / "state"
    assert folder.logs == tmp_path / ".aicommons" / "logs"


@pytest.mark.parametrize("start", [".", "projects", "bundles", "bundles/riverton/pulumi/aicommons_stacks"])
def test_the_walk_finds_the_profiles_folder_from_it_and_from_any_folder_in_it(city: Path, start: str) -> None:
    assert find_city_folder(city / start) == CityFolder(city)


def test_the_tool_folder_marks_a_city_folder_whose_profile_is_elsewhere(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ops" / ".aicommons").mkdir(parents=True)
    (tmp_path / "ops" / "notes").mkdir()
    assert find_city_folder(tmp_path / "ops" / "notes") == CityFolder(tmp_path / "ops")


def test_the_nearest_city_folder_wins(city: Path) -> None:
    inner = city / "pilot"
    (inner / "projects").mkdir(parents=True)
    (inner / "pilot.yml").write_text(PROFILE)
    assert find_city_folder(inner / "projects") == CityFolder(inner)


@pytest.mark.parametrize(
    "text, is_profile",
    [
        (PROFILE, True),
        ("# header\n\nkind: 'CityProfile'  # the kind\n", True),
        ('kind: "CityProfile"\n', True),
        ("kind: AIProject\n", False),  # a project file
        ("# kind: CityProfile\n", False),  # a comment
        ("items:\n  - kind: CityProfile\n", False),  # not top-level
        ("kind: CityProfiles\n", False),
        ('{"profile": {"kind": "CityProfile"}}\n', False),  # a bundle's lock, say
    ],
)
def test_only_a_top_level_kind_line_marks_a_profile(tmp_path: Path, text: str, is_profile: bool) -> None:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "file.yaml"
    path.write_text(text)
    assert is_profile_file(path) is is_profile
    assert (find_city_folder(tmp_path) is not None) is is_profile


def test_the_walk_never_leaves_the_git_repository(tmp_path: Path) -> None:
    (tmp_path / "profile.yaml").write_text(PROFILE)  # a city above the repository is not this one's
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "docs").mkdir()
    assert find_city_folder(repo / "docs") is None
    (repo / "profile.yaml").write_text(PROFILE)
    assert find_city_folder(repo / "docs") == CityFolder(repo)


def test_no_city_folder_is_bad_input_that_says_what_to_give(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    with pytest.raises(InputError) as err:
        locate(tmp_path, option="--dir")
    assert err.value.exit_code == EXIT_BAD_INPUT
    message = err.value.render()
    assert f"{tmp_path.resolve()}: no city folder here or above" in message and "give --dir" in message


def test_a_relative_start_gives_a_path_as_the_user_wrote_it(
    city: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(city)
    assert find_city_folder(Path(".")) == CityFolder(Path("."))
    monkeypatch.chdir(city / "projects")
    assert find_city_folder(Path(".")) == CityFolder(city)  # above the current folder: absolute


def test_the_backend_is_the_flag_then_the_environment_then_the_citys_state(tmp_path: Path) -> None:
    city = CityFolder(tmp_path)
    env = {"PULUMI_BACKEND_URL": "s3://riverton-state"}
    assert backend_url(city, "s3://other", env) == "s3://other"
    assert backend_url(city, None, env) == "s3://riverton-state"
    assert backend_url(city, None, {}) == (tmp_path / ".aicommons" / "state").resolve().as_uri()
