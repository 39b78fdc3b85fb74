"""Profiles of cities on clusters they run themselves, and the upstream charts the tests render."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import cpu_workload, gpu_workload, load_dict

HOST = "hub.cluster.example.org"


def cluster_profile(
    target: dict[str, Any] | None = None, hub: dict[str, Any] | None = None, **top: Any
) -> Any:
    """A validated profile on an existing cluster: cpu-node and gpu-node shapes, one CPU and one
    time-sliced GPU workload (pools core, user and gpu-l40s-shared)."""
    base_target: dict[str, Any] = {
        "provider": "kubernetes",
        "context": "city-prod",
        "node_types": [
            {"name": "cpu-node", "cpu": 15.5, "memory_gib": 60},
            {
                "name": "gpu-node",
                "cpu": 31.5,
                "memory_gib": 120,
                "gpu_count": 2,
                "gpu_model": "L40S",
                "gpu_memory_gib": 44.7,
            },
        ],
    }
    base_target.update(copy.deepcopy(target or {}))
    doc: dict[str, Any] = {
        "apiVersion": "aicommons.dev/v1",
        "kind": "CityProfile",
        "city": {"slug": "cluster-city", "name": "Cluster City", "country": "NL", "population": 120_000},
        "target": base_target,
        "users": {"registered": 100, "peak_concurrent": 20},
        "workloads": [
            cpu_workload(share=0.5),
            gpu_workload(
                "gpu-shared",
                gpu={"min_memory_gib": 8, "sharing": {"mode": "time-sliced", "replicas": 4}},
                peak=4,
            ),
        ],
        "budget": {"monthly": 100_000},
        "hub": {"host": HOST, "contact_email": "it@cluster.example.org", **(hub or {})},
        "identity": {
            "issuer_url": "https://login.cluster.example.org/realms/staff",
            "client_id": "commons",
            "allowed_groups": ["staff"],
        },
    }
    doc.update(copy.deepcopy(top))
    return load_dict(doc)


def upstream_chart(name: str, version: str) -> Path:
    """An upstream chart archive from AICOMMONS_TEST_CHARTS; the test is skipped when it is absent."""
    folder = os.environ.get("AICOMMONS_TEST_CHARTS")
    if not folder:
        pytest.skip(f"chart {name} {version}: AICOMMONS_TEST_CHARTS is not set")
    path = Path(folder) / f"{name}-{version}.tgz"
    if not path.is_file():
        pytest.skip(f"chart {name} {version} not cached in {folder}")
    return path


def render_chart(path: Path, values: dict[str, Any], name: str, namespace: str) -> list[dict[str, Any]]:
    """The chart rendered offline by real Helm (helm-python-sdk), as a list of objects."""
    import yaml

    helm = pytest.importorskip("helm_python", reason="helm-python-sdk is not installed (dev extra)")
    with helm.Chart.load(str(path)) as chart:
        out = chart.render(values=copy.deepcopy(values), name=name, namespace=namespace)
    texts = [text for path, text in sorted(out.items()) if path.endswith((".yaml", ".yml"))]
    return [d for text in texts for d in yaml.safe_load_all(text) if isinstance(d, dict)]
