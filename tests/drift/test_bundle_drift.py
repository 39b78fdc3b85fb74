"""Bundle drift with real renders: hand edits, profile changes, tool changes, and no drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicommons.drift import bundle_drift, read_bundle_folder
from aicommons.drift.bundle import unified_diff
from aicommons.errors import InputError
from aicommons.profile import load_profile_text
from aicommons.render.bundle import LOCK_FILE, render_bundle
from aicommons.render.files import bytes_digest
from aicommons.sizing.simulated import size_on_model
from tests.drift.conftest import RIVERTON

HUB_VALUES = "helm/jupyterhub.values.yaml"


def render_text(text: str) -> dict[str, bytes]:
    profile = load_profile_text(text, "profile.yaml")
    return render_bundle(profile, size_on_model(profile).plan).files  # as `render` writes it


def test_a_fresh_render_of_the_same_profile_is_no_drift(riverton_files: dict[str, bytes]) -> None:
    drift = bundle_drift(riverton_files, render_text(RIVERTON.read_text()))
    assert not drift.drifted
    assert drift.files == [] and drift.causes() == []
    assert not drift.profile_changed and not drift.inputs_changed


def test_a_values_file_edited_by_hand(riverton_files: dict[str, bytes]) -> None:
    committed = dict(riverton_files)
    committed[HUB_VALUES] = committed[HUB_VALUES].replace(b"admin_access: false", b"admin_access: true")
    assert committed[HUB_VALUES] != riverton_files[HUB_VALUES]
    drift = bundle_drift(committed, riverton_files)
    assert [(f.path, f.change, f.hand_edited) for f in drift.files] == [(HUB_VALUES, "changed", True)]
    diff = drift.files[0].diff
    assert f"--- committed/{HUB_VALUES}" in diff and f"+++ rendered/{HUB_VALUES}" in diff
    assert "-      admin_access: true\n+      admin_access: false\n" in diff
    assert not drift.profile_changed and not drift.inputs_changed
    assert drift.causes() == [f"generated files edited by hand: {HUB_VALUES}"]


def test_a_changed_peak_is_a_profile_change(riverton_files: dict[str, bytes]) -> None:
    text = RIVERTON.read_text().replace("peak_concurrent: 25", "peak_concurrent: 40")
    drift = bundle_drift(riverton_files, render_text(text))
    changed = {f.path for f in drift.files}
    assert {LOCK_FILE, "README.md", "helm/aicommons-platform.values.yaml"} <= changed
    assert not any(f.hand_edited for f in drift.files)
    assert drift.profile_changed and drift.inputs_changed and drift.tool_version is None
    assert drift.causes() == ["the profile changed since the bundle was rendered"]
    lock_diff = next(f.diff for f in drift.files if f.path == LOCK_FILE)
    assert '-      "peak_concurrent": 25,' in lock_diff and '+      "peak_concurrent": 40,' in lock_diff


def test_a_new_tool_version_is_told_apart_from_a_profile_change(riverton_files: dict[str, bytes]) -> None:
    committed = dict(riverton_files)
    lock = json.loads(committed[LOCK_FILE])
    lock["aicommons_version"], lock["inputs_digest"] = "0.0.9", "sha256:" + "0" * 64
    lock["charts"][0]["version"] = "0.0.1"
    committed[LOCK_FILE] = json.dumps(lock).encode()
    drift = bundle_drift(committed, riverton_files)
    assert [f.path for f in drift.files] == [LOCK_FILE]
    assert not drift.profile_changed and drift.inputs_changed
    assert drift.tool_version == ("0.0.9", "0.1.0")
    first = lock["charts"][0]["release"]
    assert drift.charts == [
        f"{first} 0.0.1 → {json.loads(riverton_files[LOCK_FILE])['charts'][0]['version']}"
    ]
    assert drift.causes()[0] == "the tool changed (0.0.9 → 0.1.0)"


def test_only_inputs_changed_names_tool_catalogs_or_charts(riverton_files: dict[str, bytes]) -> None:
    committed = dict(riverton_files)
    lock = json.loads(committed[LOCK_FILE])
    lock["inputs_digest"] = "sha256:" + "1" * 64  # e.g. a catalog price changed
    committed[LOCK_FILE] = json.dumps(lock).encode()
    assert bundle_drift(committed, riverton_files).causes() == ["the tool, catalogs or charts changed"]


def test_deleted_added_and_untracked_files(riverton_files: dict[str, bytes]) -> None:
    committed = dict(riverton_files)
    del committed["helm/fluent-bit.values.yaml"]  # deleted by hand: a render adds it back
    committed["NOTES.md"] = b"the city's own notes\n"  # neither lock lists it: not ours
    stale = "helm/old-release.values.yaml"  # an earlier render wrote it; this one does not
    committed[stale] = b"old: true\n"
    lock = json.loads(committed[LOCK_FILE])
    lock["files"][stale] = bytes_digest(b"old: true\n")
    committed[LOCK_FILE] = json.dumps(lock).encode()
    drift = bundle_drift(committed, riverton_files)
    by_path = {f.path: (f.change, f.hand_edited) for f in drift.files}
    assert by_path["helm/fluent-bit.values.yaml"] == ("added", True)
    assert by_path[stale] == ("removed", False)
    assert drift.untracked == ["NOTES.md"]
    assert "NOTES.md" not in by_path


def test_a_long_diff_is_capped() -> None:
    before = "".join(f"line {i}\n" for i in range(500)).encode()
    after = "".join(f"line {i}!\n" for i in range(500)).encode()
    diff, truncated = unified_diff("big.yaml", before, after, limit=50)
    assert truncated and len(diff.splitlines()) == 51
    assert diff.endswith("more diff lines\n")


def test_binary_files_get_one_line() -> None:
    assert unified_diff("logo.png", b"\x89PNG\xff", b"\x89PNG\xfe") == (
        "Binary files committed/logo.png and rendered/logo.png differ\n",
        False,
    )


def test_a_missing_final_newline_is_shown() -> None:
    diff, _ = unified_diff("a.txt", b"a\nb", b"a\nc\n")
    assert "-b\n\\ No newline at end of file\n+c\n" in diff


def test_reading_the_committed_folder_skips_engine_and_cache_folders(
    tmp_path: Path, riverton_files: dict[str, bytes]
) -> None:
    from aicommons.render.write import write_bundle

    folder = tmp_path / "bundle"
    write_bundle(riverton_files, folder)
    (folder / "pulumi" / "venv" / "bin").mkdir(parents=True)
    (folder / "pulumi" / "venv" / "bin" / "python").write_bytes(b"\x7fELF")
    (folder / "pulumi" / "aicommons_stacks" / "__pycache__").mkdir()
    (folder / "pulumi" / "aicommons_stacks" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"")
    assert read_bundle_folder(folder) == riverton_files


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_a_folder_without_a_bundle_is_bad_input(tmp_path: Path, make: str) -> None:
    folder = tmp_path / "bundles" / "riverton"
    if make == "empty":
        folder.mkdir(parents=True)
    with pytest.raises(InputError, match="no committed bundle") as info:
        read_bundle_folder(folder)
    assert "aicommons render" in info.value.render()


def test_an_unreadable_lock_is_bad_input(riverton_files: dict[str, bytes]) -> None:
    committed = {**riverton_files, LOCK_FILE: b"{not json"}
    with pytest.raises(InputError, match="committed bundle's lock is not valid JSON"):
        bundle_drift(committed, riverton_files)
