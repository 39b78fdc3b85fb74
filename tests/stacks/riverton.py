"""A riverton-like city as the renderer would write it: stack config and a small bundle."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from aicommons.plan import StackPlan, load_stacks_package, plan_stack

STACKS = load_stacks_package()

PROJECT = "aicommons-riverton"
INFRA_STACK_REF = "organization/aicommons-riverton/infra"
OIDC_SECRET = "riverton-oidc-Zq8w-very-secret-value"

TAGS = {"aicommons:city": "riverton", "aicommons:managed-by": "aicommons", "CostCenter": "it-data"}

INFRA: dict[str, Any] = {
    "city": "riverton",
    "region": "us-east-1",
    "zones": ["us-east-1a", "us-east-1b"],
    "cluster_name": "aicommons-riverton",
    "kubernetes_version": "1.33",
    "vpc_cidr": "10.40.0.0/16",
    "existing_vpc_id": None,
    "private_subnet_ids": [],
    "control_plane_log_types": ["api", "audit", "authenticator"],
    "log_retention_days": 90,
    "audit_retention_days": 365,
    "node_pools": [
        {
            "name": "core",
            "role": "core",
            "instance_type": "m6i.large",
            "min_size": 2,
            "desired_size": 2,
            "max_size": 3,
            "disk_gib": 50,
            "labels": {"aicommons.dev/pool": "core", "aicommons.dev/role": "core"},
        },
        {
            "name": "user",
            "role": "user",
            "instance_type": "m6i.2xlarge",
            "min_size": 0,
            "desired_size": 1,
            "max_size": 6,
            "disk_gib": 50,
            "labels": {
                "aicommons.dev/pool": "user",
                "aicommons.dev/role": "user",
                "hub.jupyter.org/node-purpose": "user",
            },
            "taints": [{"key": "hub.jupyter.org/dedicated", "value": "user", "effect": "NO_SCHEDULE"}],
        },
        {
            "name": "gpu-t4",
            "role": "gpu",
            "instance_type": "g4dn.xlarge",
            "min_size": 0,
            "desired_size": 0,
            "max_size": 3,
            "disk_gib": 200,
            "labels": {
                "aicommons.dev/pool": "gpu-t4",
                "aicommons.dev/role": "gpu",
                "aicommons.dev/gpu-model": "T4",
            },
            "taints": [
                {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"},
                {"key": "hub.jupyter.org/dedicated", "value": "user", "effect": "NO_SCHEDULE"},
            ],
            "gpu_model": "T4",
            "gpu_count": 1,
            "ami_type": "AL2023_x86_64_NVIDIA",
        },
    ],
    "buckets": [
        {"purpose": "datasets", "classification": "internal", "personal_data": False},
        {"purpose": "projects", "classification": "confidential", "personal_data": True},
        {
            "purpose": "audit",
            "classification": "confidential",
            "personal_data": True,
            "object_lock_days": 365,
        },
    ],
    "budget_usd_month": 2500,
    "budget_alert_emails": ["it-finance@riverton.example.gov"],
    "budget_alert_thresholds": [80, 100],
    "tags": TAGS,
    "data_residency_regions": ["us-east-1"],
}

RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}

PLATFORM: dict[str, Any] = {
    "city": "riverton",
    "provider": "aws",
    "kube_context": None,
    "infra_stack": INFRA_STACK_REF,
    "namespaces": [
        {"name": "jupyterhub", "labels": {**RESTRICTED, "aicommons.dev/city": "riverton"}},
        {"name": "jupyter-users", "labels": {**RESTRICTED, "aicommons.dev/tenant": "true"}},
        {
            "name": "aicommons-system",
            "labels": {"pod-security.kubernetes.io/enforce": "privileged", "aicommons.dev/city": "riverton"},
        },
    ],
    "storage_classes": [
        {
            "name": "gp3-encrypted",
            "provisioner": "ebs.csi.aws.com",
            "parameters": {"type": "gp3", "encrypted": "true"},
            "default": True,
        }
    ],
    "releases": [
        {
            "name": "aicommons-platform",
            "namespace": "aicommons-system",
            "chart": "charts/aicommons-platform",
            "version": "0.1.0",
            "repository": None,
            "values_file": "helm/aicommons-platform.values.yaml",
            "stack_output_values": {"audit.sink.s3.bucket": "auditBucket"},
        },
        {
            "name": "jupyterhub",
            "namespace": "jupyterhub",
            "chart": "jupyterhub",
            "version": "4.3.3",
            "repository": "https://hub.jupyter.org/helm-chart/",
            "values_file": "helm/jupyterhub.values.yaml",
            "depends_on": ["aicommons-platform", "cloudnative-pg"],
            "secret_values": {"hub.config.GenericOAuthenticator.client_secret": "oidcClientSecret"},
            # the hub reads hub-db-app, which CloudNativePG makes from this Cluster
            "after_manifests": ["Cluster/jupyterhub/hub-db"],
        },
        {
            "name": "cloudnative-pg",
            "namespace": "cnpg-system",
            "chart": "cloudnative-pg",
            "version": "0.27.1",
            "repository": "https://cloudnative-pg.github.io/charts",
            "values_file": "helm/cloudnative-pg.values.yaml",
        },
        {
            "name": "cluster-autoscaler",
            "namespace": "kube-system",
            "chart": "cluster-autoscaler",
            "version": "9.59.0",
            "repository": "https://kubernetes.github.io/autoscaler",
            "values_file": "helm/cluster-autoscaler.values.yaml",
            "stack_output_values": {
                "rbac.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn": "autoscalerRoleArn"
            },
        },
        {
            "name": "nvidia-device-plugin",
            "namespace": "kube-system",
            "chart": "nvidia-device-plugin",
            "version": "0.18.2",
            "repository": "https://nvidia.github.io/k8s-device-plugin",
            "values_file": "helm/nvidia-device-plugin.values.yaml",
        },
        {
            "name": "fluent-bit",
            "namespace": "aicommons-system",
            "chart": "fluent-bit",
            "version": "0.56.0",
            "repository": "https://fluent.github.io/helm-charts",
            "values_file": "helm/fluent-bit.values.yaml",
            "depends_on": ["aicommons-platform"],
            "stack_output_values": {
                "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn": "logShipperRoleArn"
            },
        },
    ],
    "tags": TAGS,
    "manifests": [
        {
            "object": {
                "apiVersion": "postgresql.cnpg.io/v1",
                "kind": "Cluster",
                "metadata": {"name": "hub-db", "namespace": "jupyterhub"},
                "spec": {"instances": 2, "storage": {"size": "10Gi"}},
            },
            "after": ["cloudnative-pg"],  # its chart installs the Cluster CRD
        }
    ],
}

VALUES = {
    "aicommons-platform": {"city": "riverton", "audit": {"sink": {"type": "s3"}}},
    "jupyterhub": {
        "hub": {
            "config": {
                "JupyterHub": {"authenticator_class": "generic-oauth", "admin_access": False},
                "GenericOAuthenticator": {
                    "client_id": "aicommons-hub",
                    "allowed_groups": ["aicommons-users"],
                },
            }
        },
        "singleuser": {
            "profileList": [
                {
                    "display_name": "GPU notebook (one T4-class GPU)",
                    "slug": "gpu-small",
                    "kubespawner_override": {
                        "node_selector": {"aicommons.dev/pool": "gpu-t4"},
                        "extra_resource_limits": {"nvidia.com/gpu": "1"},
                    },
                }
            ]
        },
    },
    "cluster-autoscaler": {
        "autoDiscovery": {"clusterName": "aicommons-riverton"},
        "awsRegion": "us-east-1",
        "rbac": {"serviceAccount": {"name": "cluster-autoscaler"}},
    },
    "nvidia-device-plugin": {"nodeSelector": {"aicommons.dev/role": "gpu"}},
    "cloudnative-pg": {"crds": {"create": True}},
    "fluent-bit": {"serviceAccount": {"create": True, "name": "audit-log-shipper"}},
}


def infra_config() -> dict[str, Any]:
    return {"aicommons:infra": copy.deepcopy(INFRA)}


def platform_config() -> dict[str, Any]:
    return {"aicommons:platform": copy.deepcopy(PLATFORM), "aicommons:oidcClientSecret": OIDC_SECRET}


def write_bundle(root: Path) -> Path:
    """The files the platform program reads: values files and the local chart folder."""
    (root / "helm").mkdir(parents=True, exist_ok=True)
    for name, values in VALUES.items():
        (root / "helm" / f"{name}.values.yaml").write_text(yaml.safe_dump(values, sort_keys=True))
    chart = root / "charts" / "aicommons-platform"
    chart.mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: aicommons-platform\nversion: 0.1.0\n")
    return root


def program(bundle: Path) -> Callable[[], None]:
    """The bundle's Pulumi program, as `pulumi/__main__.py` runs it."""
    return lambda: STACKS.main.main(bundle)


def plan_infra(bundle: Path, config: dict[str, Any] | None = None) -> StackPlan:
    return plan_stack("infra", program(bundle), config or infra_config(), PROJECT)


def plan_platform(bundle: Path, infra: StackPlan | None, config: dict[str, Any] | None = None) -> StackPlan:
    return plan_stack(
        "platform",
        program(bundle),
        config or platform_config(),
        PROJECT,
        secret_keys=["aicommons:oidcClientSecret"],
        stack_outputs={INFRA_STACK_REF: infra.outputs} if infra else None,
    )
