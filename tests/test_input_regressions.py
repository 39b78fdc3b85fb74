"""Input that cannot hurt: each case once ended in a hang, an internal error (exit 70) or a false
"within budget"; each now ends in a located exit 2, quickly, and nothing is overwritten.

The console entry point runs in-process (``aicommons.cli.main.run``), so the exit codes and the
messages are the ones a user sees.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from aicommons.cli.main import run
from aicommons.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from aicommons.governance.load import load_project_text
from aicommons.yamlbounds import MAX_ALIAS_NODES, MAX_DEPTH
from aicommons.yamlio import load_located_text, safe_load, safe_load_all
from tests.conftest import ROOT

RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"
BLUEPRINT = ROOT / "blueprints" / "ai-commons-v1.yaml"

# "Billion laughs" in 570 bytes: each level lists ten aliases of the one before, so a9 stands for
# 10^9 scalars plus the lists; it once took 2.2 GB and never returned.
BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)
)


def run_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    code = 0
    try:
        run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_located_bad_input(code: int, err: str, where: str) -> None:
    assert code == EXIT_BAD_INPUT, err
    assert err.startswith("error:") and "Traceback" not in err, err
    assert where in err, err


def riverton_with(tmp_path: Path, old: str, new: str) -> Path:
    text = RIVERTON.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "city.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# --- Alias bombs and nesting --------------------------------------------------------------------


def test_an_alias_bomb_profile_is_refused_at_the_alias_in_well_under_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    started = time.monotonic()
    code, _, err = run_main(monkeypatch, capsys, "size", str(bomb))
    assert time.monotonic() - started < 5
    # a0 stands for 11 nodes (a list of ten scalars), a1 for 1 + 10 x 11 = 111, a2 for 1 + 10 x 111 =
    # 1,111. The aliases on line 2 add 10 x 11 = 110, those on line 3 add 10 x 111 = 1,110 (1,220 so
    # far); each "*a2" on line 4 adds 1,111, so the 8th (1,220 + 8 x 1,111 = 10,108) is the first
    # past 10,000.
    line4 = BOMB.splitlines()[3]
    column = [i for i in range(len(line4)) if line4.startswith("*a2", i)][7] + 1
    assert_located_bad_input(code, err, f"bomb.yaml:4:{column}:")
    assert "alias bomb" in err and "*a2" in err


def test_the_alias_bound_is_exact_on_a_hand_counted_document() -> None:
    # &a names a list of three scalars: 4 nodes. Each *a adds 4, so 2,500 aliases add exactly
    # 10,000 (allowed) and the 2,501st crosses the bound.
    assert MAX_ALIAS_NODES == 10_000
    head = "a: &a [1, 2, 3]\nb:\n"
    at_bound = head + "  - *a\n" * 2500
    assert len(safe_load(at_bound, "ok.yaml")["b"]) == 2500
    assert len(load_located_text(at_bound, "ok.yaml").data["b"]) == 2500
    with pytest.raises(InputError) as caught:
        load_located_text(at_bound + "  - *a\n", "over.yaml")
    assert str(caught.value.location) == "over.yaml:2503:5"  # the 2,501st alias, after two head lines


def test_small_anchors_in_a_profile_still_work(tmp_path: Path) -> None:
    from aicommons.profile import load_profile

    text = RIVERTON.read_text(encoding="utf-8")
    text = text.replace("    cpu: {request: 0.5, limit: 2}\n", "    cpu: &cpu {request: 0.5, limit: 2}\n")
    text = text.replace("    cpu: {request: 3, limit: 4}\n", "    cpu: *cpu\n")
    path = tmp_path / "anchors.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_profile(path).workloads[1].cpu.request == 0.5


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        load_located_text("a: &loop [1, *loop]\n", "loop.yaml")
    assert str(caught.value.location) == "loop.yaml:1:14" and "contains it" in caught.value.message


def test_nesting_deeper_than_the_bound_is_refused_where_it_crosses() -> None:
    deep = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    with pytest.raises(InputError) as caught:
        load_located_text(deep, "deep.yaml")
    # the mapping is level 1, so the 100th "[" (column 3 + 100 - 1 = 102) is level 101
    assert str(caught.value.location) == "deep.yaml:1:103"
    with pytest.raises(InputError):
        safe_load(deep, "deep.yaml")


def test_an_alias_bomb_in_a_project_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError) as caught:
        load_project_text(BOMB, "projects/bomb.yaml")
    assert "alias bomb" in caught.value.message
    folder = tmp_path / "projects"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    code, _, err = run_main(monkeypatch, capsys, "project", "show", "bomb", "--dir", str(folder))
    assert_located_bad_input(code, err, "bomb.yaml:4:")


def test_an_alias_bomb_in_a_blueprint_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text(BLUEPRINT.read_text(encoding="utf-8") + "x-bomb:\n" + _indent(BOMB), "utf-8")
    code, _, err = run_main(monkeypatch, capsys, "blueprint", "show", "--blueprint", str(blueprint))
    assert_located_bad_input(code, err, "blueprint.yaml:")
    assert "alias bomb" in err


def test_an_alias_bomb_in_a_bundle_values_file_is_refused() -> None:
    # bundle readers use the fast PyYAML loader; the bound is the same
    with pytest.raises(InputError) as caught:
        safe_load_all(b"---\n" + BOMB.encode(), "helm/jupyterhub.values.yaml")
    assert str(caught.value.location).startswith("helm/jupyterhub.values.yaml:5:")


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


# --- Numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_an_infinite_or_nan_budget_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    # an infinite budget once printed "within budget (headroom $inf)" and crashed validate (exit 70)
    profile = riverton_with(tmp_path, "  monthly: 2500\n", f"  monthly: {value}\n")
    for command in ("size", "validate"):
        code, out, err = run_main(monkeypatch, capsys, command, str(profile), "--format", "json")
        assert_located_bad_input(code, err, "city.yaml:53:3: budget.monthly:")
        assert "not a finite number" in err and out == ""


def test_nan_in_a_project_quota_is_refused() -> None:
    from datetime import date

    from aicommons.governance.starter import starter_project

    text = starter_project("permit-triage", "RIV-AI-001", "Permit triage", date(2026, 1, 5))
    assert "\n    cpu: " in text  # sandbox.quota.cpu
    text = "\n".join("    cpu: .nan" if line.startswith("    cpu: ") else line for line in text.splitlines())
    with pytest.raises(InputError) as caught:
        load_project_text(text, "projects/permit-triage.yaml")
    assert "quota.cpu" in caught.value.render() and "not a finite number" in caught.value.render()


@pytest.mark.parametrize("peak", [10**30, 10**12, 2**63])
def test_an_absurd_peak_is_refused_before_sizing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    peak: int,
) -> None:
    # 10^30 once crashed sizing (OverflowError, exit 70); 10^12 and 2^63 never returned
    profile = riverton_with(tmp_path, "    peak: 3\n", f"    peak: {peak}\n")
    started = time.monotonic()
    code, _, err = run_main(monkeypatch, capsys, "size", str(profile))
    assert time.monotonic() - started < 10
    assert_located_bad_input(code, err, "city.yaml:44:5: workloads[1].peak:")
    assert "100000" in err


# --- Files that are not YAML text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder, not a profile file"),
        (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00"), "is a binary file"),
        (lambda p: p.write_bytes("city: Málaga\n".encode("latin-1")), "is not UTF-8 text"),
        (lambda p: p.write_bytes("city: x\n".encode("utf-16")), "is a binary file"),
    ],
    ids=["folder", "binary", "latin-1", "utf-16"],
)
def test_a_file_that_is_not_yaml_text_is_a_located_bad_input(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make,  # type: ignore[no-untyped-def]
    message: str,
) -> None:
    path = tmp_path / "profile.yaml"
    make(path)
    for command in ("size", "validate"):
        code, _, err = run_main(monkeypatch, capsys, command, str(path))
        assert_located_bad_input(code, err, f"{path}")
        assert message in err or (command == "validate" and "not a bundle" in err)  # a folder may be one


def test_a_latin_1_byte_is_located_at_its_line_and_column(tmp_path: Path) -> None:
    from aicommons.yamlio import load_located

    path = tmp_path / "p.yaml"
    path.write_bytes("apiVersion: x\ncity: Málaga\n".encode("latin-1"))  # "á" is byte 0xe1
    with pytest.raises(InputError) as caught:
        load_located(path)
    assert str(caught.value.location) == f"{path}:2:8" and "0xe1" in caught.value.message


def test_a_device_is_not_read(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    code, _, err = run_main(monkeypatch, capsys, "size", "/dev/zero")  # would read forever
    assert_located_bad_input(code, err, "/dev/zero: is not a regular file")


# --- init never overwrites -------------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_init_onto_an_existing_file_is_bad_input_and_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    # once FileExistsError, exit 70
    existing = tmp_path / "city.yaml"
    existing.write_text("mine\n", encoding="utf-8")
    code, _, err = run_main(monkeypatch, capsys, "init", str(existing), *(["--force"] if force else []))
    assert_located_bad_input(code, err, f"{existing}: is a file, not a folder")
    assert existing.read_text(encoding="utf-8") == "mine\n"


def test_init_stops_before_writing_when_a_file_sits_where_a_folder_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".github").write_text("not a folder\n", encoding="utf-8")
    code, _, err = run_main(monkeypatch, capsys, "init", str(tmp_path), "--force")
    assert_located_bad_input(code, err, f"{tmp_path / '.github'}: is a file where a folder goes")
    assert not (tmp_path / "profile.yaml").exists()


def test_init_into_a_new_folder_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run_main(monkeypatch, capsys, "init", str(tmp_path / "riverton"))
    assert code == EXIT_OK and (tmp_path / "riverton" / "profile.yaml").is_file()


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        (
            "    cpu: {request: 0.5, limit: 2}\n",
            "    cpu: {request: 0.5, limit: 1%s}\n",
            "workloads[0].cpu.limit",
        ),
        (
            "    memory: {request: 2Gi, limit: 4Gi}\n",
            "    memory: {request: 2Gi, limit: 1%s}\n",
            "workloads[0].memory.limit",
        ),
    ],
)
def test_an_integer_too_large_for_a_float_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    where: str,
) -> None:
    # found by the property test: 10^400 once crashed the quantity parser (OverflowError, exit 70)
    profile = riverton_with(tmp_path, old, new % ("0" * 400))
    code, _, err = run_main(monkeypatch, capsys, "size", str(profile))
    assert_located_bad_input(code, err, where)
    assert "too large" in err
