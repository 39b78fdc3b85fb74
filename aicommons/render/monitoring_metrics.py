"""The metrics each rendered exporter produces, and the labels that make accounting possible.

Dashboards and alert rules may query only these (tests/render/test_monitoring.py parses every
query and checks its metric names against this table), so a panel never shows "No data" because
it asks for a metric nothing in the bundle exports. Sources, per exporter:

- JupyterHub 5 (jupyterhub/metrics.py): the hub's /hub/metrics; the test reads the installed
  jupyterhub's own registry to confirm the names.
- kube-state-metrics 2.x (kubernetes/kube-state-metrics docs/metrics/workload/pod-metrics.md,
  node-metrics.md, namespace-metrics.md); pod, node and namespace labels appear as
  ``label_<name>`` in kube_*_labels only for the labels `metricLabelsAllowlist` names.
- kubelet/cAdvisor (the stack's kubelet ServiceMonitor): container_* series.
- node-exporter: node_* series.
- DCGM exporter (NVIDIA/dcgm-exporter etc/default-counters.csv): DCGM_FI_* fields, with pod,
  namespace and container of the GPU's user (Kubernetes mapping) kept by honorLabels.
- Fluent Bit (docs "Monitoring", /api/v2/metrics/prometheus): fluentbit_output_*.
- cluster autoscaler (kubernetes/autoscaler cluster-autoscaler/proposals/metrics.md).
- Prometheus's own `up` and the recording rules of this bundle (``aicommons:*``).
"""

from __future__ import annotations

from aicommons.render.pools import POOL_LABEL, ROLE_LABEL

WORKLOAD_LABEL = "aicommons.dev/workload"  # the JupyterHub profile (workload) a server runs
USERNAME_LABEL = "hub.jupyter.org/username"  # KubeSpawner's own pod label
PROJECT_LABEL = "aicommons.dev/project"  # set on sandbox servers and sandbox namespaces


def metric_label(kubernetes_label: str) -> str:
    """How kube-state-metrics names a Kubernetes label: ``label_`` and every other character
    that is not a letter or digit turned into ``_`` (aicommons.dev/pool -> label_aicommons_dev_pool)."""
    return "label_" + "".join(c if c.isalnum() else "_" for c in kubernetes_label)


POD_LABELS = (POOL_LABEL, WORKLOAD_LABEL, PROJECT_LABEL, USERNAME_LABEL, "component")
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"  # the kubelet's own: prices a node (cost report)
NODE_LABELS = (POOL_LABEL, ROLE_LABEL, INSTANCE_TYPE_LABEL)
NAMESPACE_LABELS = (PROJECT_LABEL,)


def labels_allowlist() -> list[str]:
    """kube-state-metrics `metricLabelsAllowlist`: the accounting labels of pods, nodes, namespaces."""
    return [
        f"namespaces=[{','.join(NAMESPACE_LABELS)}]",
        f"nodes=[{','.join(NODE_LABELS)}]",
        f"pods=[{','.join(POD_LABELS)}]",
    ]


JUPYTERHUB = frozenset(
    {
        "jupyterhub_active_users",
        "jupyterhub_running_servers",
        "jupyterhub_total_users",
        "jupyterhub_server_spawn_duration_seconds_bucket",
        "jupyterhub_server_spawn_duration_seconds_count",
        "jupyterhub_server_spawn_duration_seconds_sum",
    }
)
KUBE_STATE_METRICS = frozenset(
    {
        "kube_node_labels",
        "kube_node_status_allocatable",
        "kube_node_status_condition",
        "kube_pod_container_resource_requests",
        "kube_pod_container_status_waiting_reason",
        "kube_pod_created",
        "kube_pod_info",
        "kube_pod_labels",
        "kube_pod_status_phase",
        "kube_pod_status_ready_time",
        "kube_namespace_labels",
    }
)
CADVISOR = frozenset({"container_cpu_usage_seconds_total", "container_memory_working_set_bytes"})
NODE_EXPORTER = frozenset({"node_cpu_seconds_total", "node_memory_MemAvailable_bytes"})
DCGM = frozenset({"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"})
FLUENT_BIT = frozenset(
    {
        "fluentbit_input_records_total",
        "fluentbit_output_proc_records_total",
        "fluentbit_output_errors_total",
        "fluentbit_output_retries_failed_total",
    }
)
CLUSTER_AUTOSCALER = frozenset(
    {
        "cluster_autoscaler_failed_scale_ups_total",
        "cluster_autoscaler_unschedulable_pods_count",
        "cluster_autoscaler_cluster_safe_to_autoscale",
    }
)
KUBELET = frozenset({"kubelet_certificate_manager_client_ttl_seconds"})
PROMETHEUS = frozenset({"up"})


def exported(*, gpu: bool, autoscaler: bool, recorded: frozenset[str] = frozenset()) -> frozenset[str]:
    """Every metric name a bundle with these exporters (and recording rules) can be queried for."""
    names = JUPYTERHUB | KUBE_STATE_METRICS | CADVISOR | NODE_EXPORTER | FLUENT_BIT | KUBELET | PROMETHEUS
    return (
        names
        | (DCGM if gpu else frozenset())
        | (CLUSTER_AUTOSCALER if autoscaler else frozenset())
        | recorded
    )
