"""Chart digests in the lock, and `render --vendor-charts`: the archives travel in the bundle."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
import yaml

from aicommons.cli.main import run
from aicommons.errors import EXIT_MISSING_COMPONENT, EXIT_OK
from aicommons.profile import load_profile
from aicommons.render.bundle import LOCK_FILE, render_bundle
from aicommons.render.releases import ChartPin, chart_pins
from aicommons.sizing.plan import size

ROOT = Path(__file__).resolve().parents[2]
RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"


def fake_archive(pin: ChartPin) -> bytes:
    """Stand-in bytes: the renderer copies what the shell's chart source verified, it never opens them."""
    return f"archive {pin.chart} {pin.version}".encode()


@pytest.fixture(scope="module")
def riverton():  # type: ignore[no-untyped-def]
    profile = load_profile(RIVERTON)
    return profile, size(profile)


def _platform_releases(bundle) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    config = yaml.safe_load(bundle.files["pulumi/Pulumi.platform.yaml"])["config"]["aicommons:platform"]
    return {r["name"]: r for r in config["releases"]}


def test_the_lock_records_each_charts_digest_without_vendoring(riverton) -> None:  # type: ignore[no-untyped-def]
    bundle = render_bundle(*riverton)
    lock = json.loads(bundle.files[LOCK_FILE])
    digests = {c["release"]: c["sha256"] for c in lock["charts"]}
    assert digests == {r.name: r.pin.sha256 for r in bundle.releases}
    assert (
        digests["jupyterhub"] == chart_pins()["jupyterhub"].sha256 and digests["aicommons-platform"] is None
    )
    assert not [c for c in lock["charts"] if "archive" in c]
    assert lock["vendored_charts"] is False
    assert not [p for p in bundle.files if p.startswith("helm/vendor/")]
    assert all("archive" not in r for r in _platform_releases(bundle).values())


def test_vendoring_puts_each_used_archive_in_the_bundle_and_the_stack_installs_it(riverton) -> None:  # type: ignore[no-untyped-def]
    bundle = render_bundle(*riverton, chart_source=fake_archive)
    used = [r.pin for r in bundle.releases if r.pin.repository]
    vendored = {p: b for p, b in bundle.files.items() if p.startswith("helm/vendor/")}
    assert vendored == {f"helm/vendor/{p.chart}-{p.version}.tgz": fake_archive(p) for p in used}
    assert "gpu-operator" not in {p.name for p in used}  # riverton's GPUs use the device plugin alone
    releases = _platform_releases(bundle)
    for pin in used:
        assert releases[pin.name]["archive"] == f"helm/vendor/{pin.chart}-{pin.version}.tgz"
        assert releases[pin.name]["archive_sha256"] == pin.sha256
    assert "archive" not in releases["aicommons-platform"]  # the local chart is copied as a folder
    lock = json.loads(bundle.files[LOCK_FILE])
    assert lock["vendored_charts"] is True
    assert {c["release"]: c.get("archive") for c in lock["charts"]}["jupyterhub"] == releases["jupyterhub"][
        "archive"
    ]
    assert lock["files"]["helm/vendor/" + chart_pins()["jupyterhub"].archive_name] == (
        "sha256:" + hashlib.sha256(fake_archive(chart_pins()["jupyterhub"])).hexdigest()
    )
    assert "helm/vendor/" in bundle.files["README.md"].decode()


def test_a_vendored_bundle_is_deterministic(riverton) -> None:  # type: ignore[no-untyped-def]
    first = render_bundle(*riverton, chart_source=fake_archive)
    again = render_bundle(*riverton, chart_source=fake_archive)
    assert again.files == first.files
    assert list(first.files) == sorted(first.files)
    plain = render_bundle(*riverton)
    assert (
        json.loads(first.files[LOCK_FILE])["inputs_digest"]
        == json.loads(plain.files[LOCK_FILE])["inputs_digest"]
    )


# --- through the command line -------------------------------------------------------------------


def aicommons(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    try:
        run()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def test_vendoring_from_an_empty_cache_exits_3_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path / "empty-cache"))
    out_dir = tmp_path / "bundle"
    code, _, err = aicommons(
        monkeypatch, capsys, "render", str(RIVERTON), "-o", str(out_dir), "--vendor-charts"
    )
    assert code == EXIT_MISSING_COMPONENT
    assert "run `aicommons charts pull`" in err and str(tmp_path / "empty-cache") in err
    assert not out_dir.exists()


def test_vendored_charts_come_from_the_cache_and_stay_until_asked_otherwise(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, upstream_charts: Path
) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(upstream_charts))
    out_dir = tmp_path / "bundle"
    code, out, err = aicommons(
        monkeypatch, capsys, "render", str(RIVERTON), "-o", str(out_dir), "--vendor-charts"
    )
    assert code == EXIT_OK, err
    assert "charts vendored in helm/vendor/" in out
    hub = chart_pins()["jupyterhub"]
    assert (out_dir / hub.vendored_path).read_bytes() == (upstream_charts / hub.archive_name).read_bytes()

    # A re-render without the flag keeps the bundle as it was rendered, archives from the bundle itself.
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path / "empty-cache"))
    code, _, err = aicommons(monkeypatch, capsys, "render", str(RIVERTON), "-o", str(out_dir))
    assert code == EXIT_OK, err
    assert (out_dir / hub.vendored_path).is_file()

    code, _, err = aicommons(
        monkeypatch, capsys, "render", str(RIVERTON), "-o", str(out_dir), "--no-vendor-charts"
    )
    assert code == EXIT_OK, err
    assert not (out_dir / "helm" / "vendor").exists()
    assert json.loads((out_dir / LOCK_FILE).read_text())["vendored_charts"] is False
