"""Rendering a bundle's platform stack with the real upstream charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicommons.clustercheck.charts import ChartRef, folder_source, no_charts
from aicommons.clustercheck.model import ADMISSION, PLATFORM_STACK
from aicommons.clustercheck.render import render_platform, stack_output_placeholder
from aicommons.render.releases import chart_pins
from tests.clustercheck.support import (
    EXAMPLES,
    chart_source,
    charts_folder,
    edit_platform,
    example,
    need_charts,
)


def test_placeholders_stand_where_stack_outputs_go() -> None:
    assert stack_output_placeholder("autoscalerRoleArn") == (
        "arn:aws:iam::111122223333:role/placeholder-autoscalerRoleArn"
    )
    assert stack_output_placeholder("auditBucket") == "placeholder-auditbucket"


def test_every_object_has_the_wave_of_the_stack_order() -> None:
    """metro: namespaces and storage at 0; cloudnative-pg, the autoscaler, the GPU operator and
    the project chart and the monitoring stack at 1 (they wait for nothing but storage); fluent-bit
    after the project chart (2); the hub database after cloudnative-pg (2); jupyterhub after the
    database (3)."""
    _, _, bundle = example("metro")
    need_charts(bundle)
    rendered = render_platform(bundle.files, chart_source())
    steps = {(o.release, o.step) for o in rendered.objects}
    assert {r for r, _ in steps} == {
        PLATFORM_STACK,
        "aicommons-platform",
        "cloudnative-pg",
        "cluster-autoscaler",
        "fluent-bit",
        "gpu-operator",
        "jupyterhub",
        "kube-prometheus-stack",
    }
    assert dict((r, s) for r, s in steps if r != PLATFORM_STACK) == {
        "aicommons-platform": 1,
        "cloudnative-pg": 1,
        "cluster-autoscaler": 1,
        "gpu-operator": 1,
        "kube-prometheus-stack": 1,
        "fluent-bit": 2,
        "jupyterhub": 3,
    }
    stack = {o.ref: o.step for o in rendered.objects if o.release == PLATFORM_STACK}
    assert stack["Cluster/jupyterhub/hub-db"] == 2
    assert stack["Namespace/jupyterhub"] == 0 and stack["StorageClass/gp3-encrypted"] == 0
    hub = next(o for o in rendered.objects if o.ref == "Deployment/jupyterhub/hub")
    assert hub.source == "jupyterhub/templates/hub/deployment.yaml"
    # the IRSA role ARN the stack sets from the infra stack's output
    (account,) = [o for o in rendered.objects if o.ref == "ServiceAccount/kube-system/cluster-autoscaler"]
    assert "placeholder-autoscalerRoleArn" in str(account.doc["metadata"]["annotations"])
    assert not rendered.skipped and not rendered.findings


def test_objects_without_a_namespace_get_their_release_namespace() -> None:
    _, _, bundle = example("riverton")
    need_charts(bundle)
    rendered = render_platform(bundle.files, chart_source())
    for o in rendered.objects:
        if o.kind in ("ClusterRole", "ClusterRoleBinding", "PriorityClass", "Namespace", "StorageClass"):
            assert o.namespace is None, o.ref
        elif o.release == "jupyterhub":
            assert o.namespace == "jupyterhub", o.ref


def test_a_chart_not_cached_skips_its_release_with_the_reason() -> None:
    _, _, bundle = example("riverton")
    rendered = render_platform(bundle.files, no_charts)
    version = chart_pins()["jupyterhub"].version
    assert (
        rendered.skipped["jupyterhub"]
        == f"chart jupyterhub {version} not cached; run `aicommons charts pull`"
    )
    assert set(rendered.skipped) == {r["name"] for r in bundle.platform["releases"] if r["repository"]}
    # the bundle's own chart needs no cache
    assert any(o.release == "aicommons-platform" for o in rendered.objects)


def test_a_pin_the_cache_lacks_is_named(tmp_path: Path) -> None:
    _, _, bundle = example("riverton")
    folder = charts_folder()
    bumped = edit_platform(dict(bundle.files), lambda p: _pin(p, "jupyterhub", "9.9.9"))
    rendered = render_platform(bumped, folder_source(folder))
    assert rendered.skipped["jupyterhub"] == "chart jupyterhub 9.9.9 not cached; run `aicommons charts pull`"


@pytest.mark.parametrize("version", ["4.3.3", "4.4.0"])
def test_both_jupyterhub_versions_render(version: str) -> None:
    _, _, bundle = example("metro")
    if not (charts_folder() / ChartRef("jupyterhub", "jupyterhub", version, "r").archive_name).is_file():
        pytest.skip(f"jupyterhub {version} not in the test charts")
    files = edit_platform(dict(bundle.files), lambda p: _pin(p, "jupyterhub", version))
    rendered = render_platform(files, chart_source())
    assert "jupyterhub" not in rendered.skipped and not rendered.findings
    assert any(o.ref == "Deployment/jupyterhub/hub" for o in rendered.objects)


def test_values_the_chart_schema_rejects_are_an_admission_finding() -> None:
    _, _, bundle = example("riverton")
    need_charts(bundle)
    files = dict(bundle.files)
    files["helm/jupyterhub.values.yaml"] += b"hubb: {}\n"  # z2jh's schema forbids unknown keys
    rendered = render_platform(files, chart_source())
    (finding,) = rendered.findings
    assert (finding.control, finding.release, finding.rule) == (
        ADMISSION,
        "jupyterhub",
        "chart.values-schema",
    )
    assert finding.object == "HelmRelease/jupyterhub/jupyterhub" and "hubb" in finding.message
    assert not [o for o in rendered.objects if o.release == "jupyterhub"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_renders_with_the_real_charts(name: str) -> None:
    _, _, bundle = example(name)
    need_charts(bundle)
    rendered = render_platform(bundle.files, chart_source())
    assert not rendered.skipped and not rendered.findings
    assert {o.release for o in rendered.objects} >= {r["name"] for r in bundle.platform["releases"]}


def _pin(platform: dict, release: str, version: str) -> None:  # type: ignore[type-arg]
    for r in platform["releases"]:
        if r["name"] == release:
            r["version"] = version


def test_an_archive_of_another_version_is_named(tmp_path: Path) -> None:
    """A cache file named for one version that holds another is not rendered as the pin."""
    _, _, bundle = example("riverton")
    pinned = chart_pins()["jupyterhub"].version
    other = "4.3.3" if pinned != "4.3.3" else "4.4.0"
    real = charts_folder() / f"jupyterhub-{other}.tgz"
    if not real.is_file():
        pytest.skip(f"jupyterhub {other} not in the test charts")
    (tmp_path / f"jupyterhub-{pinned}.tgz").write_bytes(real.read_bytes())
    rendered = render_platform(bundle.files, folder_source(tmp_path))
    assert rendered.skipped["jupyterhub"] == f"the archive of jupyterhub {pinned} holds version {other}"
