"""Recording and alert rules (a PrometheusRule's groups), built from the sizing plan and the profile.

The plan's prices become recording rules (what the nodes running now cost per hour, and the
plan's fixed monthly costs), so the burn-rate alert compares the same figures the city approved
with its budget. Every threshold here comes from the plan or the profile, or is named below.
"""

from __future__ import annotations

from typing import Any

from aicommons.profile.model import CityProfile
from aicommons.render.monitoring_metrics import WORKLOAD_LABEL, metric_label
from aicommons.render.pools import POOL_LABEL
from aicommons.sizing.cost import HOURS_PER_MONTH
from aicommons.sizing.plan import SizingPlan
from aicommons.targets.base import INSTANCE_TYPE_LABEL

POOL = metric_label(POOL_LABEL)
WORKLOAD = metric_label(WORKLOAD_LABEL)
INSTANCE_TYPE = metric_label(INSTANCE_TYPE_LABEL)
NODE_GROUP_COST = "aicommons:node_group_usd_per_hour"
FIXED_COST = "aicommons:fixed_usd_per_hour"
CLUSTER_COST = "aicommons:cluster_usd_per_hour"
POOL_MAX_NODES = "aicommons:pool_max_nodes"
POOL_MIN_NODES = "aicommons:pool_min_nodes"
BUDGET = "aicommons:budget_usd_per_month"
RECORDED = frozenset({NODE_GROUP_COST, FIXED_COST, CLUSTER_COST, POOL_MAX_NODES, POOL_MIN_NODES, BUDGET})
# Thresholds that are not the plan's: a GPU below 5% use for an hour is idle (jupyter-server's
# own culling stops a kernel-less server sooner); certificates are renewed 30 days before expiry
# by Let's Encrypt clients and kubelets, so 7 days left means renewal failed.
GPU_IDLE_PERCENT = 5
GPU_IDLE_FOR = "1h"
CERT_DAYS_LEFT = 7
AUDIT_SILENT_FOR = "30m"


def _selector(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def recording_rules(profile: CityProfile, plan: SizingPlan) -> list[dict[str, Any]]:
    """The plan as series: each node group's price per running node, the pools' bounds, the
    fixed monthly costs (control plane, storage, NAT) per hour, and the budget."""
    rules: list[dict[str, Any]] = []
    for pool in plan.pools:
        for group in pool.node_groups:
            labels = {POOL: pool.name}
            if len(pool.node_groups) > 1:  # a mixed pool: tell its groups apart by instance type
                labels[INSTANCE_TYPE] = group.instance_type
            rules.append(
                {
                    "record": NODE_GROUP_COST,
                    "expr": f"count(kube_node_labels{_selector(**labels)}) * {group.usd_hour:g}",
                    "labels": {"pool": pool.name, "node_group": group.name},
                }
            )
        for record, value in ((POOL_MIN_NODES, pool.nodes.min), (POOL_MAX_NODES, pool.nodes.max)):
            rules.append({"record": record, "expr": f"vector({value})", "labels": {"pool": pool.name}})
    fixed = max(plan.cost.usd_month - sum(p.usd_month for p in plan.pools), 0.0) / HOURS_PER_MONTH
    rules += [
        {"record": FIXED_COST, "expr": f"vector({fixed:.4f})"},
        {"record": CLUSTER_COST, "expr": f"sum({NODE_GROUP_COST}) + on() {FIXED_COST}"},
        {"record": BUDGET, "expr": f"vector({profile.budget.monthly_usd:g})"},
    ]
    return rules


def alert_rules(
    profile: CityProfile, plan: SizingPlan, *, gpu: bool, autoscaler: bool
) -> list[dict[str, Any]]:
    """The alerts the issue asks for, each with a summary naming what to do."""
    alerts = [
        _alert(
            "AICommonsServerStartFailures",
            'sum(increase(jupyterhub_server_spawn_duration_seconds_count{status="failure"}[30m])) > 0',
            "10m",
            "warning",
            "JupyterHub failed to start {{ $value }} server(s) in the last 30 minutes",
        ),
        _alert(
            "AICommonsAuditShippingStopped",
            f"sum(rate(fluentbit_output_proc_records_total[{AUDIT_SILENT_FOR}])) == 0"
            " or sum(rate(fluentbit_output_retries_failed_total[15m])) > 0"
            ' or absent(up{job="fluent-bit"} == 1)',
            "15m",
            "critical",
            "Audit records are not being shipped (no output, failed retries, or the shipper is down)",
        ),
        _alert(
            "AICommonsBudgetBurnRate",
            f"avg_over_time({CLUSTER_COST}[1d]) * {HOURS_PER_MONTH} > on() {BUDGET}",
            "6h",
            "warning",
            "At the last day's rate the Commons costs {{ $value | humanize }} USD a month, over the "
            f"budget of {profile.budget.monthly_usd:g} USD",
        ),
        _alert(
            "AICommonsCertificateExpiry",
            f"min(kubelet_certificate_manager_client_ttl_seconds) < {CERT_DAYS_LEFT * 86400}",
            "1h",
            "warning",
            f"A kubelet's client certificate expires in less than {CERT_DAYS_LEFT} days",
        ),
    ]
    for pool in plan.pools:
        if pool.role == "core":
            continue
        pending = (
            'sum(kube_pod_status_phase{phase="Pending"} * on(namespace, pod) group_left() '
            f"kube_pod_labels{_selector(**{POOL: pool.name})}) > 0"
        )
        alerts.append(
            _alert(
                f"AICommonsPoolAtMaximum{_camel(pool.name)}",
                f"count(kube_node_labels{_selector(**{POOL: pool.name})}) >= {pool.nodes.max} and on() {pending}",
                "10m",
                "warning",
                f"Pool {pool.name} is at its planned maximum of {pool.nodes.max} nodes and servers are "
                "waiting: raise the pool's maximum or the workload's peak in the profile and re-size",
            )
        )
    if gpu:
        alerts.append(
            _alert(
                "AICommonsGpuAllocatedIdle",
                f'avg by (namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL{{pod!=""}}[{GPU_IDLE_FOR}])) '
                f"< {GPU_IDLE_PERCENT}",
                "15m",
                "info",
                "Server {{ $labels.namespace }}/{{ $labels.pod }} holds a GPU it has used less than "
                f"{GPU_IDLE_PERCENT}% for {GPU_IDLE_FOR}",
            )
        )
    if autoscaler:
        alerts.append(
            _alert(
                "AICommonsNodeGroupCannotScale",
                "sum(increase(cluster_autoscaler_failed_scale_ups_total[30m])) > 0"
                " or min(cluster_autoscaler_cluster_safe_to_autoscale) == 0",
                "15m",
                "critical",
                "The cluster autoscaler could not add nodes (quota, capacity or an unhealthy cluster)",
            )
        )
    else:  # the city adds nodes itself: pending user pods on a pool at its minimum mean it must
        alerts.append(
            _alert(
                "AICommonsNodeGroupCannotScale",
                'sum(kube_pod_status_phase{phase="Pending"} * on(namespace, pod) group_left() '
                'kube_pod_labels{component="singleuser-server"}) > 0',
                "30m",
                "warning",
                "Servers have waited 30 minutes for a node and this cluster does not add nodes itself",
            )
        )
    return alerts


def _alert(name: str, expr: str, for_: str, severity: str, summary: str) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity, "aicommons": "true"},
        "annotations": {"summary": summary},
    }


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def rule_groups(
    profile: CityProfile, plan: SizingPlan, *, gpu: bool, autoscaler: bool
) -> list[dict[str, Any]]:
    """The PrometheusRule's groups: the plan as recording rules, then the alerts."""
    return [
        {"name": "aicommons.plan", "interval": "1m", "rules": recording_rules(profile, plan)},
        {"name": "aicommons.alerts", "rules": alert_rules(profile, plan, gpu=gpu, autoscaler=autoscaler)},
    ]


__all__ = ["RECORDED", "WORKLOAD", "rule_groups"]
