"""Paths, release settings and parsing helpers shared by the chart tests.

A plainly named module (not conftest) so test modules can import it without colliding
with conftest.py files elsewhere in the tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = REPO_ROOT / "charts" / "aicommons-platform"
CI_VALUES_FILES = sorted((CHART_DIR / "ci").glob("*-values.yaml"))

RELEASE_NAME = "aicommons"
RELEASE_NAMESPACE = "aicommons-system"

Values = dict[str, Any]
Manifest = dict[str, Any]


def load_values(path: Path) -> Values:
    values = yaml.safe_load(path.read_text())
    assert isinstance(values, dict), f"{path} is not a YAML mapping"
    return values


def parse_manifests(rendered: dict[str, str]) -> list[Manifest]:
    """All Kubernetes objects of a render, in a stable order (template path, then position)."""
    objects: list[Manifest] = []
    for template in sorted(rendered):
        if not template.endswith((".yaml", ".yml")):
            continue  # NOTES.txt and the like
        for doc in yaml.safe_load_all(rendered[template]):
            if doc is not None:
                objects.append(doc)
    return objects
