"""Grafana dashboards as code: the hub, pools and nodes, GPUs and audit shipping.

Each dashboard is a Grafana JSON model built here and delivered as a ConfigMap the Grafana
sidecar loads (label ``grafana_dashboard: "1"``, kube-prometheus-stack's default), so a change
is a reviewed diff of the bundle, never a click in the UI. The pools dashboard carries the plan's
minimum and maximum node counts (as the recording rules `aicommons:pool_{min,max}_nodes` and in
each panel's description), so the city sees its running nodes against what sizing promised.
"""

from __future__ import annotations

import json
from typing import Any

from aicommons.render.monitoring_metrics import USERNAME_LABEL, metric_label
from aicommons.render.monitoring_rules import CLUSTER_COST, POOL, POOL_MAX_NODES, POOL_MIN_NODES, WORKLOAD
from aicommons.sizing.plan import SizingPlan

DATASOURCE = {"type": "prometheus", "uid": "prometheus"}  # kube-prometheus-stack's datasource uid
DASHBOARD_LABEL = "grafana_dashboard"
USER = metric_label(USERNAME_LABEL)
_WITH_WORKLOAD = f"* on(namespace, pod) group_left({WORKLOAD}, {POOL}) kube_pod_labels"


def _target(expr: str, legend: str, ref: str) -> dict[str, Any]:
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref}


def panel(
    title: str,
    queries: list[tuple[str, str]],
    unit: str = "short",
    description: str = "",
    kind: str = "timeseries",
) -> dict[str, Any]:
    """One panel; `queries` are (PromQL, legend) pairs."""
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [_target(q, legend, chr(ord("A") + i)) for i, (q, legend) in enumerate(queries)],
    }


def dashboard(uid: str, title: str, panels: list[dict[str, Any]]) -> dict[str, Any]:
    """A dashboard with its panels laid out two to a row."""
    laid = []
    for i, p in enumerate(panels):
        laid.append({**p, "id": i + 1, "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)}})
    return {
        "uid": uid,
        "title": title,
        "tags": ["aicommons"],
        "timezone": "browser",
        "schemaVersion": 39,
        "time": {"from": "now-24h", "to": "now"},
        "refresh": "1m",
        "panels": laid,
    }


def hub_dashboard() -> dict[str, Any]:
    spawn = "jupyterhub_server_spawn_duration_seconds"
    ready = f"(kube_pod_status_ready_time - kube_pod_created) {_WITH_WORKLOAD}"
    return dashboard(
        "aicommons-hub",
        "AI Commons: hub",
        [
            panel(
                "Active users",
                [
                    ('jupyterhub_active_users{period="24h"}', "24h"),
                    ('jupyterhub_active_users{period="7d"}', "7d"),
                ],
            ),  # fmt: skip
            panel("Running servers", [("jupyterhub_running_servers", "running")]),
            panel(
                "Server starts per hour, by outcome",
                [(f"sum by (status) (increase({spawn}_count[1h]))", "{{status}}")],
            ),
            panel(
                "Start latency (hub, p50 and p95)",
                [
                    (f"histogram_quantile(0.5, sum by (le) (rate({spawn}_bucket[15m])))", "p50"),
                    (f"histogram_quantile(0.95, sum by (le) (rate({spawn}_bucket[15m])))", "p95"),
                ],
                unit="s",
            ),
            panel(
                "Start latency per profile (pod created to ready)",
                [(f'max by ({WORKLOAD}) ({ready}{{component="singleuser-server"}})', f"{{{{{WORKLOAD}}}}}")],
                unit="s",
            ),
            panel(
                "Servers waiting or failing per profile",
                [
                    (
                        f'sum by ({WORKLOAD}) (kube_pod_status_phase{{phase="Pending"}} {_WITH_WORKLOAD})',
                        f"pending {{{{{WORKLOAD}}}}}",
                    ),
                    (
                        f"sum by ({WORKLOAD}) (kube_pod_container_status_waiting_reason"
                        f'{{reason=~"ErrImagePull|ImagePullBackOff|CrashLoopBackOff|CreateContainerError"}} '
                        f"{_WITH_WORKLOAD})",
                        f"failing {{{{{WORKLOAD}}}}}",
                    ),
                ],
            ),
            panel(
                "Running servers per user",
                [
                    (
                        f'count by ({USER}) (kube_pod_labels{{component="singleuser-server"}})',
                        f"{{{{{USER}}}}}",
                    )
                ],
            ),
        ],
    )


def pools_dashboard(plan: SizingPlan) -> dict[str, Any]:
    bounds = "; ".join(f"{p.name}: {p.nodes.min}-{p.nodes.max} nodes" for p in plan.pools)
    requests = (
        'sum by ({pool}) (kube_pod_container_resource_requests{{resource="{r}"}} '
        "* on(node) group_left({pool}) kube_node_labels)"
    )
    allocatable = 'sum by ({pool}) (kube_node_status_allocatable{{resource="{r}"}} * on(node) group_left({pool}) kube_node_labels)'
    return dashboard(
        "aicommons-pools",
        "AI Commons: pools and nodes",
        [
            panel(
                "Nodes per pool against the plan",
                [
                    (f"count by ({POOL}) (kube_node_labels)", f"running {{{{{POOL}}}}}"),
                    (f"{POOL_MIN_NODES}", "plan min {{pool}}"),
                    (f"{POOL_MAX_NODES}", "plan max {{pool}}"),
                ],
                description=f"The sizing plan's bounds: {bounds}.",
            ),
            panel(
                "CPU requested vs allocatable, per pool",
                [
                    (requests.format(pool=POOL, r="cpu"), f"requested {{{{{POOL}}}}}"),
                    (allocatable.format(pool=POOL, r="cpu"), f"allocatable {{{{{POOL}}}}}"),
                ],
                unit="cores",
            ),
            panel(
                "Memory requested vs allocatable, per pool",
                [
                    (requests.format(pool=POOL, r="memory"), f"requested {{{{{POOL}}}}}"),
                    (allocatable.format(pool=POOL, r="memory"), f"allocatable {{{{{POOL}}}}}"),
                ],
                unit="bytes",
            ),
            panel(
                "Node memory available",
                [("sum by (instance) (node_memory_MemAvailable_bytes)", "{{instance}}")],
                unit="bytes",
            ),
            panel(
                "Cost per hour at the plan's prices",
                [(CLUSTER_COST, "USD/hour")],
                unit="currencyUSD",
                description="Running nodes priced with the sizing plan's unit prices, plus its fixed costs.",
            ),
        ],
    )


def gpu_dashboard() -> dict[str, Any]:
    by = "namespace, pod, gpu"
    with_profile = f"* on(namespace, pod) group_left({WORKLOAD}) kube_pod_labels"
    return dashboard(
        "aicommons-gpus",
        "AI Commons: GPUs",
        [
            panel(
                "Utilisation per GPU",
                [("avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)", "{{Hostname}} {{gpu}}")],
                unit="percent",
            ),  # fmt: skip
            panel(
                "Memory used per GPU, per server",
                [(f'sum by ({by}) (DCGM_FI_DEV_FB_USED{{pod!=""}})', "{{namespace}}/{{pod}} gpu {{gpu}}")],
                unit="decmbytes",
            ),
            panel(
                "Utilisation per project (namespace)",
                [('avg by (namespace) (DCGM_FI_DEV_GPU_UTIL{pod!=""})', "{{namespace}}")],
                unit="percent",
            ),
            panel(
                "Utilisation per profile",
                [
                    (
                        f'avg by ({WORKLOAD}) (DCGM_FI_DEV_GPU_UTIL{{pod!=""}} {with_profile})',
                        f"{{{{{WORKLOAD}}}}}",
                    )
                ],
                unit="percent",
            ),
        ],
    )


def audit_dashboard() -> dict[str, Any]:
    return dashboard(
        "aicommons-audit",
        "AI Commons: audit shipping",
        [
            panel(
                "Records shipped per minute, by output",
                [("sum by (name) (rate(fluentbit_output_proc_records_total[5m])) * 60", "{{name}}")],
            ),
            panel(
                "Errors and failed retries per minute",
                [
                    ("sum by (name) (rate(fluentbit_output_errors_total[5m])) * 60", "errors {{name}}"),
                    (
                        "sum by (name) (rate(fluentbit_output_retries_failed_total[5m])) * 60",
                        "failed {{name}}",
                    ),
                ],
            ),
            panel("Records read per minute", [("sum(rate(fluentbit_input_records_total[5m])) * 60", "read")]),
            panel("Shippers up", [('sum(up{job="fluent-bit"})', "up")], kind="stat"),
        ],
    )


def dashboards(plan: SizingPlan, *, gpu: bool) -> dict[str, dict[str, Any]]:
    """Every dashboard of the bundle, by file name."""
    out = {
        "aicommons-hub.json": hub_dashboard(),
        "aicommons-pools.json": pools_dashboard(plan),
        "aicommons-audit.json": audit_dashboard(),
    }
    if gpu:
        out["aicommons-gpus.json"] = gpu_dashboard()
    return dict(sorted(out.items()))


def tpl_escaped(text: str) -> str:
    """Text that Helm's `tpl` (kube-prometheus-stack's extraManifests go through it) gives back
    unchanged: each ``{{`` of a Grafana legend becomes the template action printing ``{{``."""
    return text.replace("{{", '{{ "{{" }}')


def dashboard_config_maps(plan: SizingPlan, namespace: str, *, gpu: bool) -> list[dict[str, Any]]:
    """One ConfigMap per dashboard, labelled for the Grafana sidecar."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name.removesuffix(".json"),
                "namespace": namespace,
                "labels": {DASHBOARD_LABEL: "1", "app.kubernetes.io/managed-by": "aicommons"},
            },
            "data": {name: tpl_escaped(json.dumps(model, indent=1, sort_keys=True))},
        }
        for name, model in dashboards(plan, gpu=gpu).items()
    ]
