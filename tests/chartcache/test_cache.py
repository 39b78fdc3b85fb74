"""The chart cache: where it is, and the lookup that never returns unverified bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from aicommons.charts.cache import (
    ChartDigestError,
    archive_bytes,
    cache_entry,
    chart_archive,
    default_cache_dir,
)
from aicommons.errors import EXIT_MISSING_COMPONENT
from tests.chartcache.conftest import demo_pin

BLOB = b"a chart archive's bytes"


def test_the_cache_variable_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "mine"


def test_xdg_cache_home_then_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AICOMMONS_CHART_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "aicommons" / "charts"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")  # the XDG spec: absolute paths only
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "aicommons" / "charts"


def test_a_missing_archive_is_none(tmp_path: Path) -> None:
    pin = demo_pin("http://unused", BLOB)
    assert chart_archive(pin, tmp_path) is None
    assert archive_bytes(pin, tmp_path) is None
    assert cache_entry(pin, tmp_path).status == "missing"


def test_a_verified_archive_is_its_flat_path(tmp_path: Path) -> None:
    pin = demo_pin("http://unused", BLOB)
    (tmp_path / "demo-1.0.0.tgz").write_bytes(BLOB)
    assert chart_archive(pin, tmp_path) == tmp_path / "demo-1.0.0.tgz"
    assert archive_bytes(pin, tmp_path) == BLOB
    assert cache_entry(pin, tmp_path).status == "verified"


def test_the_default_cache_is_used_without_a_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path))
    pin = demo_pin("http://unused", BLOB)
    (tmp_path / pin.archive_name).write_bytes(BLOB)
    assert chart_archive(pin) == tmp_path / "demo-1.0.0.tgz"


def test_other_bytes_are_an_error_naming_file_and_both_digests(tmp_path: Path) -> None:
    pin = demo_pin("http://unused", BLOB)
    path = tmp_path / "demo-1.0.0.tgz"
    path.write_bytes(BLOB + b"!")
    actual = hashlib.sha256(BLOB + b"!").hexdigest()
    with pytest.raises(ChartDigestError) as caught:
        chart_archive(pin, tmp_path)
    message = caught.value.render()
    assert str(path) in message and actual in message and str(pin.sha256) in message
    assert caught.value.exit_code == EXIT_MISSING_COMPONENT
    with pytest.raises(ChartDigestError):
        archive_bytes(pin, tmp_path)
    entry = cache_entry(pin, tmp_path)
    assert entry.status == "mismatch" and entry.problem is not None
