"""`aicommons charts pull` and `charts list` through the console entry point, against a local repository."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from aicommons.cli.main import run
from aicommons.errors import EXIT_BAD_INPUT, EXIT_MISSING_COMPONENT, EXIT_OK
from aicommons.render.releases import chart_pins, repository_pins
from tests.chartcache.conftest import Serve


def aicommons(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    """(exit code, stdout, stderr) of the console entry point, run in-process."""
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    monkeypatch.setenv("COLUMNS", "200")
    try:
        run()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def _rows(out: str) -> dict[str, list[str]]:
    """The table's rows by chart name (the table layout: COLUMNS=200, set by `aicommons`)."""
    cells = [
        [c.strip() for c in line.strip("│").split("│")] for line in out.splitlines() if line.startswith("│")
    ]
    return {row[0]: row for row in cells}


def test_pull_fetches_every_pin_verified_then_finds_them_cached(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    serve: Serve,
    pinned_repository: Path,
) -> None:
    cache = tmp_path / "cache"
    code, out, err = aicommons(
        monkeypatch, capsys, "charts", "pull", "--dest", str(cache), "--mirror", serve(pinned_repository)
    )
    assert code == EXIT_OK, err
    rows = _rows(out)
    assert set(rows) == {p.chart for p in repository_pins()}
    for pin in repository_pins():
        assert rows[pin.chart] == [pin.chart, pin.version, "pulled", f"sha256:{pin.sha256}"]
        assert (cache / pin.archive_name).read_bytes() == (pinned_repository / pin.archive_name).read_bytes()
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [*(p.archive_name for p in repository_pins()), "indexes"]  # indexes: what upgrade plan reads
    )

    code, out, _ = aicommons(monkeypatch, capsys, "charts", "pull", "--dest", str(cache))  # no network needed
    assert code == EXIT_OK
    assert {r[2] for r in _rows(out).values()} == {"cached"}


def test_a_corrupted_archive_exits_3_and_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    serve: Serve,
    pinned_repository: Path,
) -> None:
    hub = chart_pins()["jupyterhub"]
    archive = pinned_repository / hub.archive_name
    archive.write_bytes(archive.read_bytes()[:-100] + b"\0" * 100)  # damaged on the server, after indexing
    cache = tmp_path / "cache"
    code, out, err = aicommons(
        monkeypatch, capsys, "charts", "pull", "--dest", str(cache), "--mirror", serve(pinned_repository)
    )
    assert code == EXIT_MISSING_COMPONENT
    assert _rows(out)["jupyterhub"][2] == "failed"
    assert f"is not the pinned {hub.sha256}" in err and hub.archive_name in err
    assert "Traceback" not in err
    assert not (cache / hub.archive_name).exists()
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no half-written file
    assert _rows(out)["cloudnative-pg"][2] == "pulled"  # the others still land, verified


def test_an_unreachable_repository_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, closed_port_url: str
) -> None:
    code, out, err = aicommons(
        monkeypatch, capsys, "charts", "pull", "--dest", str(tmp_path), "--mirror", closed_port_url
    )
    assert code == EXIT_MISSING_COMPONENT
    assert "could not reach the chart repository" in err and closed_port_url in err
    assert {r[2] for r in _rows(out).values()} == {"failed"}
    assert list(tmp_path.iterdir()) == []


def test_a_destination_that_cannot_be_written_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, closed_port_url: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out, err = aicommons(
        monkeypatch, capsys, "charts", "pull", "--dest", str(blocker / "cache"), "--mirror", closed_port_url
    )
    assert code == EXIT_BAD_INPUT
    assert "cannot write to the chart folder" in err and "--dest" in err
    assert out == ""  # refused before asking any repository


def test_list_shows_verified_missing_and_mismatched_archives(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, upstream_charts: Path
) -> None:
    hub, scaler = chart_pins()["jupyterhub"], chart_pins()["cluster-autoscaler"]
    if not (upstream_charts / hub.archive_name).is_file():
        pytest.skip(f"chart {hub.archive_name} not in AICOMMONS_TEST_CHARTS")
    shutil.copyfile(upstream_charts / hub.archive_name, tmp_path / hub.archive_name)
    code, out, err = aicommons(monkeypatch, capsys, "charts", "list", "--cache", str(tmp_path))
    assert code == EXIT_OK, err
    rows = _rows(out)
    assert rows["jupyterhub"][2] == "verified"
    assert rows["cluster-autoscaler"][2] == "missing"
    assert f"{len(repository_pins()) - 1} not cached: run `aicommons charts pull`" in out

    (tmp_path / scaler.archive_name).write_bytes(b"something else")
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path))  # the default cache, from the environment
    code, out, err = aicommons(monkeypatch, capsys, "charts", "list")
    assert code == EXIT_MISSING_COMPONENT
    assert _rows(out)["cluster-autoscaler"][2] == "mismatch"
    assert str(tmp_path / scaler.archive_name) in err and f"is not the pinned {scaler.sha256}" in err
