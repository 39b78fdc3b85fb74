"""Monitoring releases: kube-prometheus-stack on the core pool, and NVIDIA's DCGM exporter where the
device plugin runs alone; the hub values that let Prometheus scrape the hub.

Every container's requests come from the system pods table (sizing/system_pods.py), so the core
pool is sized for what is rendered here. Retention, storage and alert receivers come from the
profile's `monitoring:` section; the SMTP password and Grafana's admin password are stack secrets.
"""

from __future__ import annotations

from typing import Any

from aicommons.profile.model import CityProfile
from aicommons.profile.monitoring import SMTP_PASSWORD_SECRET
from aicommons.render.jupyterhub import NAMESPACE as HUB_NAMESPACE
from aicommons.render.jupyterhub import system_resources
from aicommons.render.monitoring_dashboards import dashboard_config_maps
from aicommons.render.monitoring_metrics import labels_allowlist
from aicommons.render.monitoring_rules import rule_groups
from aicommons.render.platform_releases import CORE_SELECTOR, GPU_NAMESPACE, SYSTEM_NAMESPACE
from aicommons.render.pools import GPU_TAINT, ROLE_LABEL, USER_DEDICATED_TAINT
from aicommons.render.releases import Release, release
from aicommons.sizing.plan import SizingPlan
from aicommons.sizing.system_pods import container

NAMESPACE = "monitoring"
RELEASE = "kube-prometheus-stack"
HUB_METRICS_PORT = 8081
# Prometheus's pods as the operator labels them (prometheus-operator pkg/prometheus/statefulset.go).
PROMETHEUS_POD = {"app.kubernetes.io/name": "prometheus"}
NULL_RECEIVER = "null"
CITY_RECEIVER = "city"
_ALL_TAINTS = [{"operator": "Exists"}]  # node agents run on every node, GPU nodes included


def alert_emails(profile: CityProfile) -> list[str]:
    """Who alert e-mail goes to: the monitoring and budget contacts and the hub's contact."""
    found = [*profile.monitoring.alert_emails, *profile.budget.alert_emails]
    if profile.hub is not None and profile.hub.contact_email:
        found.append(profile.hub.contact_email)
    return sorted(set(found))


def alertmanager_config(profile: CityProfile) -> dict[str, Any]:
    """Routes every alert of severity warning or above to the city's receiver (e-mail through the
    profile's SMTP relay); the stack's always-firing Watchdog and InfoInhibitor go nowhere."""
    smtp = profile.monitoring.smtp
    emails = alert_emails(profile)
    city: dict[str, Any] = {"name": CITY_RECEIVER}
    config: dict[str, Any] = {"global": {"resolve_timeout": "5m"}}
    if smtp is not None and emails:
        config["global"].update(
            {
                "smtp_smarthost": smtp.smarthost,
                "smtp_from": smtp.from_address,
                "smtp_require_tls": smtp.require_tls,
            }
        )
        if smtp.username:
            config["global"]["smtp_auth_username"] = smtp.username
        city["email_configs"] = [{"to": ", ".join(emails), "send_resolved": True}]
    config["route"] = {
        "receiver": CITY_RECEIVER if "email_configs" in city else NULL_RECEIVER,
        "group_by": ["alertname", "pool"],
        "group_wait": "1m",
        "group_interval": "10m",
        "repeat_interval": "12h",
        "routes": [{"matchers": ['alertname=~"Watchdog|InfoInhibitor"'], "receiver": NULL_RECEIVER}],
    }
    config["receivers"] = [{"name": NULL_RECEIVER}, *([city] if "email_configs" in city else [])]
    config["inhibit_rules"] = [
        {
            "source_matchers": ["severity=critical"],
            "target_matchers": ["severity=~warning|info"],
            "equal": ["alertname"],
        }
    ]
    return config


def _monitors(gpu_setup: str, gpu_operator_namespace: str, autoscaler: bool) -> list[dict[str, Any]]:
    """ServiceMonitors for what the stack does not scrape by itself (kube-prometheus-stack's
    `prometheus.additionalServiceMonitors`, rendered in its release after its CRDs)."""
    monitors = [
        {
            "name": "jupyterhub",
            "namespaceSelector": {"matchNames": [HUB_NAMESPACE]},
            "selector": {"matchLabels": {"app": "jupyterhub", "component": "hub"}},
            "endpoints": [{"port": "hub", "path": "/hub/metrics", "interval": "30s"}],
        },
        {
            "name": "fluent-bit",
            "namespaceSelector": {"matchNames": [SYSTEM_NAMESPACE]},
            "selector": {"matchLabels": {"app.kubernetes.io/instance": "fluent-bit"}},
            "endpoints": [{"port": "http", "path": "/api/v2/metrics/prometheus", "interval": "30s"}],
        },
    ]
    dcgm = {
        "device-plugin": (GPU_NAMESPACE, {"app.kubernetes.io/instance": "dcgm-exporter"}, "metrics"),
        "operator-without-driver": (GPU_NAMESPACE, {"app": "nvidia-dcgm-exporter"}, "gpu-metrics"),
        "operator-with-driver": (GPU_NAMESPACE, {"app": "nvidia-dcgm-exporter"}, "gpu-metrics"),
        "existing-operator": (gpu_operator_namespace, {"app": "nvidia-dcgm-exporter"}, "gpu-metrics"),
    }.get(gpu_setup)
    if dcgm is not None:
        namespace, labels, port = dcgm
        monitors.append(
            {
                "name": "dcgm-exporter",
                "namespaceSelector": {"matchNames": [namespace]},
                "selector": {"matchLabels": labels},
                # keep the exporter's pod/namespace labels: the GPU's user, not the exporter
                "endpoints": [{"port": port, "interval": "30s", "honorLabels": True}],
            }
        )
    if autoscaler:
        monitors.append(
            {
                "name": "cluster-autoscaler",
                "namespaceSelector": {"matchNames": ["kube-system"]},
                "selector": {"matchLabels": {"app.kubernetes.io/instance": "cluster-autoscaler"}},
                "endpoints": [{"port": "http", "interval": "30s"}],
            }
        )
    return monitors


def prometheus_stack(
    profile: CityProfile,
    plan: SizingPlan,
    *,
    gpu_setup: str,
    gpu_operator_namespace: str,
    autoscaler: bool,
    storage_class: str | None,
) -> Release:
    """kube-prometheus-stack: Prometheus, Alertmanager, Grafana, kube-state-metrics, node exporter."""
    tier = profile.effective_tier
    mon = profile.monitoring
    gpu = gpu_setup != "none"

    def res(pod: str, name: str) -> dict[str, Any]:
        return system_resources(container(tier, pod, name))

    claim: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{mon.storage_gib}Gi"}},
    }
    if storage_class:
        claim["storageClassName"] = storage_class
    values: dict[str, Any] = {
        "crds": {"enabled": True},
        # managed control planes (EKS) do not expose these to scraping: no targets, no false alerts
        "kubeControllerManager": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeEtcd": {"enabled": False},
        "kubeProxy": {"enabled": False},
        "defaultRules": {
            "rules": {
                "etcd": False,
                "kubeControllerManager": False,
                "kubeSchedulerAlerting": False,
                "kubeSchedulerRecording": False,
                "kubeProxy": False,
            }
        },
        "additionalPrometheusRulesMap": {
            "aicommons": {"groups": rule_groups(profile, plan, gpu=gpu, autoscaler=autoscaler)}
        },
        "prometheusOperator": {
            "nodeSelector": CORE_SELECTOR,
            "resources": res("prometheus-operator", "kube-prometheus-stack"),
            "prometheusConfigReloader": {"resources": res("prometheus", "config-reloader")},
            # the webhook's certificates come from pre-install hook Jobs; the operator validates rules itself
            "admissionWebhooks": {"enabled": False},
            "tls": {"enabled": False},  # its certificate is the webhook's (Secret ...-admission)
        },
        "prometheus": {
            "additionalServiceMonitors": _monitors(gpu_setup, gpu_operator_namespace, autoscaler),
            "prometheusSpec": {
                "nodeSelector": CORE_SELECTOR,
                "resources": res("prometheus", "prometheus"),
                "retention": f"{mon.retention_days}d",
                "storageSpec": {"volumeClaimTemplate": {"spec": claim}},
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
            },
        },
        "alertmanager": {
            "config": alertmanager_config(profile),
            "alertmanagerSpec": {
                "nodeSelector": CORE_SELECTOR,
                "resources": res("alertmanager", "alertmanager"),
            },
        },
        "grafana": {
            "nodeSelector": CORE_SELECTOR,
            "resources": res("grafana", "grafana"),
            "sidecar": {"resources": res("grafana", "grafana-sc-dashboard")},
            "testFramework": {"enabled": False},
            "persistence": {"enabled": False},  # dashboards are code, in the ConfigMaps below
        },
        "kube-state-metrics": {
            "nodeSelector": CORE_SELECTOR,
            "resources": res("kube-state-metrics", "kube-state-metrics"),
            "metricLabelsAllowlist": labels_allowlist(),
        },
        "prometheus-node-exporter": {
            "resources": res("node-exporter", "node-exporter"),
            "tolerations": _ALL_TAINTS,
            "priorityClassName": "system-node-critical",
        },
        "extraManifests": dashboard_config_maps(plan, NAMESPACE, gpu=gpu),
    }
    # Grafana's admin password: the chart generates one into its Secret at install (kubectl get secret)
    secrets: dict[str, str] = {}
    if mon.smtp is not None and mon.smtp.username:
        secrets["alertmanager.config.global.smtp_auth_password"] = SMTP_PASSWORD_SECRET
    return release(RELEASE, NAMESPACE, values, secret_values=secrets)


def dcgm_exporter(profile: CityProfile) -> Release:
    """NVIDIA's DCGM exporter on GPU nodes, where the device plugin runs without the GPU operator."""
    return release(
        "dcgm-exporter",
        GPU_NAMESPACE,
        {
            "resources": system_resources(container(profile.effective_tier, "dcgm-exporter", "exporter")),
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": ROLE_LABEL, "operator": "In", "values": ["gpu"]}]}
                        ]
                    }
                }
            },
            "tolerations": [
                {"key": GPU_TAINT, "operator": "Exists", "effect": "NoSchedule"},
                {"key": USER_DEDICATED_TAINT, "operator": "Exists", "effect": "NoSchedule"},
            ],
            "priorityClassName": "system-node-critical",
            "serviceMonitor": {"enabled": False},  # scraped by the stack's own monitor (honorLabels)
        },
    )


def hub_scraping(hub_values: dict[str, Any]) -> None:
    """Let Prometheus read the hub's /hub/metrics: the hub's NetworkPolicy admits Prometheus's
    pods on the hub port, and the metrics need no token (JupyterHub.authenticate_prometheus)."""
    hub = hub_values["hub"]
    hub["config"].setdefault("JupyterHub", {})["authenticate_prometheus"] = False
    rule = {
        "from": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NAMESPACE}},
                "podSelector": {"matchLabels": dict(PROMETHEUS_POD)},
            }
        ],
        "ports": [{"protocol": "TCP", "port": HUB_METRICS_PORT}],
    }
    hub.setdefault("networkPolicy", {}).setdefault("ingress", []).append(rule)
