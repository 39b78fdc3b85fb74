"""The cluster autoscaler runs the release of the cluster's own minor version (upstream pairs them)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.platform_releases import AUTOSCALER_FOR_KUBERNETES, autoscaler_image_tag
from aicommons.render.releases import chart_pins
from aicommons.sizing.plan import size

ROOT = Path(__file__).resolve().parents[2]
AWS_EXAMPLES = [
    p
    for p in sorted((ROOT / "examples" / "cities").glob("*.yaml"))
    if yaml.safe_load(p.read_text())["target"]["provider"] == "aws"
]


def minor(version: str) -> str:
    return ".".join(version.lstrip("v").split(".")[:2])


@pytest.fixture(scope="module", params=AWS_EXAMPLES, ids=lambda p: p.stem)
def bundle(request):  # type: ignore[no-untyped-def]
    profile = load_profile(request.param)
    return render_bundle(profile, size(profile))


def test_the_image_minor_is_the_clusters_minor(bundle) -> None:  # type: ignore[no-untyped-def]
    values = yaml.safe_load(bundle.files["helm/cluster-autoscaler.values.yaml"])
    assert minor(values["image"]["tag"]) == minor(bundle.infra["kubernetes_version"])


def test_each_kubernetes_minor_gets_its_own_autoscaler_release() -> None:
    # the newest patch of each minor, as tagged in kubernetes/autoscaler: 1.34 -> cluster-autoscaler-1.34.5
    assert autoscaler_image_tag("1.34") == "v1.34.5"
    assert autoscaler_image_tag("1.33.4") == "v1.33.6"  # a full version counts by its minor
    assert all(minor(release) == k for k, release in AUTOSCALER_FOR_KUBERNETES.items())


def test_a_minor_without_a_recorded_release_is_refused() -> None:
    with pytest.raises(ValueError, match="no cluster autoscaler release recorded for Kubernetes 1.40"):
        autoscaler_image_tag("1.40")


def test_the_real_chart_deploys_the_matched_image_not_its_default(upstream_charts: Path) -> None:
    """Chart 9.59.0 defaults to autoscaler 1.35 (its appVersion); the rendered values override it."""
    helm = pytest.importorskip("helm_python")
    pin = chart_pins()["cluster-autoscaler"]
    archive = upstream_charts / pin.archive_name
    if not archive.is_file():
        pytest.skip(f"chart {pin.archive_name} not in AICOMMONS_TEST_CHARTS")
    chart = helm.Chart.load(archive)
    profile = load_profile(AWS_EXAMPLES[0])
    rendered = render_bundle(profile, size(profile))
    values = yaml.safe_load(rendered.files["helm/cluster-autoscaler.values.yaml"])
    cluster_minor = minor(rendered.infra["kubernetes_version"])
    assert minor(chart.values["image"]["tag"]) != cluster_minor  # why the override is needed at all

    manifests = chart.render(values, name="cluster-autoscaler", namespace="kube-system", is_install=True)
    deployment = next(
        doc
        for text in manifests.values()
        for doc in yaml.safe_load_all(text)
        if doc and doc.get("kind") == "Deployment"
    )
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    repository, tag = container["image"].rsplit(":", 1)
    assert repository == "registry.k8s.io/autoscaling/cluster-autoscaler"
    assert minor(tag) == cluster_minor
