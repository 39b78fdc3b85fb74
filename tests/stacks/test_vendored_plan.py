"""A bundle with vendored charts plans offline with each archive as the chart, checked by digest."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest

from aicommons.errors import InputError
from aicommons.plan import StackPlan
from aicommons.plan.bundle import plan_bundle
from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.sizing.plan import size
from aicommons_stacks.args import ReleaseArgs
from tests.stacks import riverton
from tests.stacks.test_platform_plan import releases

HUB_ARCHIVE = "helm/vendor/jupyterhub-4.3.3.tgz"
HUB_BYTES = b"stand-in for the jupyterhub chart archive"


@pytest.fixture(scope="module")
def vendored_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = riverton.write_bundle(tmp_path_factory.mktemp("vendored"))
    (root / HUB_ARCHIVE).parent.mkdir(parents=True)
    (root / HUB_ARCHIVE).write_bytes(HUB_BYTES)
    return root


def vendored_config(**hub: Any) -> dict[str, Any]:
    config = riverton.platform_config()
    (spec,) = [r for r in config["aicommons:platform"]["releases"] if r["name"] == "jupyterhub"]
    spec.update(archive=HUB_ARCHIVE, archive_sha256=hashlib.sha256(HUB_BYTES).hexdigest())
    spec.update(hub)
    return config


def test_archives_default_to_none() -> None:
    release = ReleaseArgs("r", "ns", "c", "1.0.0", "https://charts.example.org", "helm/r.yaml")
    assert release.archive is None and release.archive_sha256 is None


def test_the_archive_is_the_chart_and_no_repository_is_asked(vendored_bundle: Path, infra: StackPlan) -> None:
    found = releases(riverton.plan_platform(vendored_bundle, infra, vendored_config()))
    hub = found["jupyterhub"].inputs
    assert hub["chart"] == "../" + HUB_ARCHIVE  # relative to the Pulumi project folder, pulumi/
    assert "repositoryOpts" not in hub
    assert hub["version"] == "4.3.3"
    scaler = found["cluster-autoscaler"].inputs  # not vendored in this config: from its repository
    assert scaler["repositoryOpts"] == {"repo": "https://kubernetes.github.io/autoscaler"}


@pytest.mark.parametrize(
    ("hub", "message"),
    [
        (
            {"archive_sha256": "0" * 64},
            f"{HUB_ARCHIVE} has sha256 {hashlib.sha256(HUB_BYTES).hexdigest()}, not the pinned 0{{64}}",
        ),
        ({"archive": "helm/vendor/missing.tgz"}, "helm/vendor/missing.tgz not found in the bundle"),
        ({"archive_sha256": None}, r"releases\[jupyterhub\]\.archive_sha256: missing"),
    ],
)
def test_a_tampered_or_missing_archive_is_refused(
    vendored_bundle: Path, infra: StackPlan, hub: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        riverton.plan_platform(vendored_bundle, infra, copy.deepcopy(vendored_config(**hub)))


def test_a_rendered_vendored_example_plans_offline(tmp_path: Path, upstream_charts: Path) -> None:
    """Riverton rendered with --vendor-charts: every repository release installs its verified archive."""
    from aicommons.charts.vendor import chart_source

    profile = load_profile(Path(__file__).resolve().parents[2] / "examples" / "cities" / "riverton.yaml")
    bundle = render_bundle(profile, size(profile), chart_source=chart_source(cache_dir=upstream_charts))
    for rel, blob in bundle.files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(blob)
    _, platform = plan_bundle(tmp_path)
    found = releases(platform)
    for release in bundle.releases:
        inputs = found[release.name].inputs
        if release.pin.repository:
            assert inputs["chart"] == f"../helm/vendor/{release.pin.archive_name}"
            assert "repositoryOpts" not in inputs
        else:
            assert inputs["chart"] == f"../helm/charts/{release.name}"
