"""Inputs of the cost allocation: Prometheus range series, as the HTTP API returns them.

Each series is one ``result`` of a ``/api/v1/query_range`` matrix response: its labels and its
``[unix_seconds, "value"]`` samples on the query's step grid. The queries (``QUERIES``) read
kube-state-metrics; their label names are kube-state-metrics' spelling of Kubernetes labels
(``--metric-labels-allowlist`` must list the labels in ``ALLOWLIST``, see ``ksm_label``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aicommons.errors import InputError, Location

# Kubernetes labels the allocation reads, and where they come from.
POOL = "aicommons.dev/pool"  # node: the stack labels every node group with its pool (render/pools.py)
INSTANCE_TYPE = "node.kubernetes.io/instance-type"  # node: set by the kubelet on cloud nodes
USERNAME = "hub.jupyter.org/username"  # pod: KubeSpawner's user label (kubespawner/spawner.py)
COMPONENT = "component"  # pod: KubeSpawner sets component=singleuser-server
PROJECT = "aicommons.dev/project"  # namespace and sandbox server pod (render/sandboxes.py)
WORKLOAD = "aicommons.dev/workload"  # pod: the profile's slug, when the hub's profiles label it
SERVER_COMPONENT = "singleuser-server"
PROJECT_NAMESPACE_PREFIX = "project-"

ALLOWLIST = {
    "nodes": [POOL, INSTANCE_TYPE],
    "pods": [USERNAME, COMPONENT, PROJECT, WORKLOAD],
    "namespaces": [PROJECT],
}

_NOT_PROM = re.compile(r"[^a-zA-Z0-9_]")


def ksm_label(key: str) -> str:
    """kube-state-metrics' metric label for a Kubernetes label: ``label_`` + the key with every
    character outside [a-zA-Z0-9_] replaced by ``_`` (kube-state-metrics, internal/store/utils.go
    ``SanitizeLabelName``): ``hub.jupyter.org/username`` -> ``label_hub_jupyter_org_username``."""
    return "label_" + _NOT_PROM.sub("_", key)


# The range queries the report runs (one matrix each). Requests count only while the pod runs.
QUERIES = {
    "nodes": f"max by (node, {ksm_label(POOL)}, {ksm_label(INSTANCE_TYPE)}) (kube_node_labels)",
    "allocatable": (
        'max by (node, resource) (kube_node_status_allocatable{resource=~"cpu|memory|nvidia_com_gpu"})'
    ),
    "requests": (
        "sum by (namespace, pod, uid, node, resource) ("
        'kube_pod_container_resource_requests{resource=~"cpu|memory|nvidia_com_gpu"}'
        " * on (namespace, pod, uid) group_left () "
        '(max by (namespace, pod, uid) (kube_pod_status_phase{phase="Running"}) == 1))'
    ),
    "pod_labels": (
        f"max by (namespace, pod, {ksm_label(USERNAME)}, {ksm_label(COMPONENT)}, "
        f"{ksm_label(PROJECT)}, {ksm_label(WORKLOAD)}) (kube_pod_labels)"
    ),
    "namespace_labels": f"max by (namespace, {ksm_label(PROJECT)}) (kube_namespace_labels)",
}


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    samples: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class Observations:
    """Everything the allocation reads: the queries' series over one window on one step grid."""

    start: int  # unix seconds, first step
    end: int  # unix seconds, exclusive end of the window
    step: int  # seconds between samples; each sample stands for one step
    series: dict[str, list[Series]] = field(default_factory=dict)

    def of(self, name: str) -> list[Series]:
        return self.series.get(name, [])


def parse_matrix(body: Any, where: str) -> list[Series]:
    """The series of one ``/api/v1/query_range`` response body (already JSON-decoded)."""
    if not isinstance(body, dict) or body.get("status") != "success":
        error = body.get("error", "no status") if isinstance(body, dict) else "not a JSON object"
        raise InputError(f"Prometheus answered with an error: {error}", Location(file=where))
    data = body.get("data")
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        raise InputError("not a range query answer", Location(file=where, field="data.resultType"), "matrix")
    out = []
    for i, item in enumerate(data.get("result") or []):
        try:
            labels = {str(k): str(v) for k, v in item["metric"].items()}
            samples = tuple((int(float(t)), float(v)) for t, v in item["values"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InputError(
                "a series without metric labels or [time, value] samples",
                Location(file=where, field=f"data.result[{i}]"),
            ) from None
        out.append(Series(labels, samples))
    return out
