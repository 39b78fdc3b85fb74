"""Shared fixtures for the aicommons-platform Helm chart tests.

The chart is rendered and linted with real Helm (v4, embedded as a library by
helm-python-sdk), never with a re-implementation of its template engine.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from platform_chart_support import (
    CHART_DIR,
    CI_VALUES_FILES,
    RELEASE_NAME,
    RELEASE_NAMESPACE,
    Manifest,
    Values,
    load_values,
    parse_manifests,
)


@pytest.fixture(scope="session")
def chart() -> Iterator[Any]:
    helm = pytest.importorskip("helm_python", reason="helm-python-sdk is not installed (dev extra)")
    with helm.Chart.load(CHART_DIR) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def render(chart: Any) -> Callable[..., dict[str, str]]:
    """Render the chart offline; returns {template path: manifest text}."""

    def _render(
        values: Values | None,
        *,
        name: str = RELEASE_NAME,
        namespace: str = RELEASE_NAMESPACE,
    ) -> dict[str, str]:
        return chart.render(values=copy.deepcopy(values), name=name, namespace=namespace)

    return _render


@pytest.fixture(scope="session")
def render_objects(render: Callable[..., dict[str, str]]) -> Callable[..., list[Manifest]]:
    def _render_objects(values: Values | None, **kwargs: Any) -> list[Manifest]:
        return parse_manifests(render(values, **kwargs))

    return _render_objects


@pytest.fixture(params=CI_VALUES_FILES, ids=lambda p: p.name)
def ci_values(request: pytest.FixtureRequest) -> Values:
    """Each example values file under the chart's ci/ folder."""
    return load_values(request.param)


@pytest.fixture
def gpu_city_values() -> Values:
    return load_values(CHART_DIR / "ci" / "gpu-city-values.yaml")


@pytest.fixture
def minimal_values() -> Values:
    return load_values(CHART_DIR / "ci" / "minimal-values.yaml")
