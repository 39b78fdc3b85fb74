"""The aicommons-sandboxes chart, linted and rendered with real Helm for the values aicommons
renders from the test register, and its manifests validated against Kubernetes' schemas."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from platform_chart_support import REPO_ROOT, parse_manifests

from tests.governance.bundles import bundle

helm = pytest.importorskip("helm_python")
kubernetes_validate = pytest.importorskip("kubernetes_validate")

CHART_DIR = REPO_ROOT / "charts" / "aicommons-sandboxes"
NAMESPACE = "aicommons-system"
PINNED_KUBE_VERSION = "1.31.0"
KUBE_VERSIONS = [PINNED_KUBE_VERSION, kubernetes_validate.utils.latest_version()]


@pytest.fixture(scope="module")
def rendered_values() -> dict[str, Any]:
    """The chart's values in a bundle rendered with the governance tests' register."""
    return yaml.safe_load(bundle().files["helm/aicommons-sandboxes.values.yaml"])


def _lint(values: dict[str, Any] | None) -> dict[str, Any]:
    return helm.lint(
        CHART_DIR, values, strict=True, namespace=NAMESPACE, kube_version=f"v{PINNED_KUBE_VERSION}"
    )


def _render(values: dict[str, Any]) -> list[dict[str, Any]]:
    with helm.Chart.load(CHART_DIR) as chart:
        return parse_manifests(
            chart.render(values=copy.deepcopy(values), name="aicommons-sandboxes", namespace=NAMESPACE)
        )


@pytest.mark.parametrize("which", ["defaults", "rendered"])
def test_lint_strict_passes(which: str, rendered_values: dict[str, Any]) -> None:
    report = _lint(None if which == "defaults" else rendered_values)
    assert report["total_charts_linted"] == 1
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda v: v["hub"].update(serviceAccount=""), "serviceAccount"),
        (lambda v: v["hub"].update(namespace="Not A Namespace"), "namespace"),
        (lambda v: v["hub"].update(clusterWide=True), "clusterWide"),
    ],
    ids=["no-service-account", "bad-namespace", "unknown-key"],
)
def test_the_schema_refuses_bad_hub_values(change: Any, key: str, rendered_values: dict[str, Any]) -> None:
    values = copy.deepcopy(rendered_values)
    change(values)
    report = _lint(values)
    assert report["errors"], "lint must reject hub values the schema does not allow"
    assert any(key in e for e in report["errors"]), report["errors"]


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_manifests_validate_against_kubernetes_schemas(
    rendered_values: dict[str, Any], kube_version: str
) -> None:
    objects = _render(rendered_values)
    kinds = sorted({o["kind"] for o in objects})
    assert kinds == ["PersistentVolumeClaim", "Role", "RoleBinding"]
    for obj in objects:
        kubernetes_validate.validate(obj, kube_version, strict=True)


def test_every_sandbox_gets_the_hub_role_and_binding(rendered_values: dict[str, Any]) -> None:
    objects = _render(rendered_values)
    for project in rendered_values["projects"]:
        mine = {
            (o["kind"], o["metadata"]["name"])
            for o in objects
            if o["metadata"]["namespace"] == project["namespace"]
        }
        assert {("Role", "aicommons-hub-spawner"), ("RoleBinding", "aicommons-hub-spawner")} <= mine
        assert {("Role", "aicommons-oversight"), ("RoleBinding", "aicommons-oversight")} <= mine
    binding = next(
        o for o in objects if o["kind"] == "RoleBinding" and o["metadata"]["name"] == "aicommons-hub-spawner"
    )
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "hub", "namespace": "jupyterhub"}]
