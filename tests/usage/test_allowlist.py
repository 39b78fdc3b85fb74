"""The labels the cost report reads reach Prometheus: the bundle's kube-state-metrics allowlist names them."""

from __future__ import annotations

import re

from aicommons.render.monitoring_metrics import labels_allowlist
from aicommons.usage.series import ALLOWLIST


def test_the_rendered_allowlist_carries_every_label_the_cost_report_reads() -> None:
    rendered: dict[str, set[str]] = {}
    for entry in labels_allowlist():  # e.g. "nodes=[aicommons.dev/pool,node.kubernetes.io/instance-type]"
        kind, labels = re.fullmatch(r"(\w+)=\[(.*)\]", entry).groups()  # type: ignore[union-attr]
        rendered[kind] = set(labels.split(","))
    missing = {kind: sorted(set(labels) - rendered.get(kind, set())) for kind, labels in ALLOWLIST.items()}
    assert {kind: labels for kind, labels in missing.items() if labels} == {}
