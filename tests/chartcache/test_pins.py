"""charts/releases.yaml: every repository chart is pinned to its archive's digest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from aicommons.render.releases import ChartPin, chart_pins, repository_pins


def test_every_repository_chart_has_a_digest_and_local_charts_have_none() -> None:
    pins = chart_pins().values()
    assert {p.name for p in repository_pins()} == {p.name for p in pins if p.repository}
    assert all(p.sha256 and len(p.sha256) == 64 for p in repository_pins())
    assert all(p.sha256 is None for p in pins if p.repository is None)


def test_a_repository_pin_without_a_digest_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs the sha256 of its archive"):
        ChartPin(name="x", repository="https://example.org/charts", chart="x", version="1.0.0", source="s")


def test_a_digest_must_be_64_lowercase_hex() -> None:
    with pytest.raises(ValidationError, match="sha256"):
        ChartPin(
            name="x", repository="https://r", chart="x", version="1", source="s", sha256="ABC" + "0" * 61
        )


def test_a_local_chart_cannot_pin_an_archive() -> None:
    with pytest.raises(ValidationError, match="no archive digest"):
        ChartPin(name="x", repository=None, chart="charts/x", version="1", source="s", sha256="0" * 64)
    local = chart_pins()["aicommons-platform"]
    with pytest.raises(ValueError, match="local chart"):
        _ = local.archive_name


def test_archive_names_follow_helm() -> None:
    pin = chart_pins()["tigera-operator"]
    assert pin.archive_name == f"tigera-operator-{pin.version}.tgz"
    assert pin.vendored_path == f"helm/vendor/tigera-operator-{pin.version}.tgz"


def test_pinned_digests_are_those_of_the_upstream_archives(upstream_charts: Path) -> None:
    """The recorded sha256 is the archive's (sha256sum of <chart>-<version>.tgz)."""
    checked = 0
    for pin in repository_pins():
        archive = upstream_charts / pin.archive_name
        if archive.is_file():
            assert hashlib.sha256(archive.read_bytes()).hexdigest() == pin.sha256, pin.name
            checked += 1
    if not checked:
        pytest.skip(f"no pinned archive in {upstream_charts}")


def test_app_versions_match_the_archives(upstream_charts: Path) -> None:
    """Where a pin records the chart's appVersion, it is the one in the archive's Chart.yaml."""
    helm = pytest.importorskip("helm_python")
    for pin in repository_pins():
        archive = upstream_charts / pin.archive_name
        if pin.app_version and archive.is_file():
            assert str(helm.Chart.load(archive).metadata["appVersion"]) == pin.app_version, pin.name


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "cities").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_rendered_values_validate_against_the_pinned_charts(example: Path, upstream_charts: Path) -> None:
    """Each release's values pass its pinned chart's values.schema.json (z2jh's is strict)."""
    helm = pytest.importorskip("helm_python")
    from aicommons.profile import load_profile
    from aicommons.render.bundle import render_bundle
    from aicommons.sizing.plan import size

    profile = load_profile(example)
    checked = []
    for release in render_bundle(profile, size(profile)).releases:
        archive = upstream_charts / release.pin.archive_name if release.pin.repository else None
        if archive is not None and archive.is_file():
            helm.Chart.load(archive).validate_schema(release.values)  # raises HelmValuesError, naming the key
            checked.append(release.name)
    if "jupyterhub" not in checked:
        pytest.skip(f"chart {chart_pins()['jupyterhub'].archive_name} not in AICOMMONS_TEST_CHARTS")
