"""The pods, claims and Services a CloudNativePG ``Cluster`` makes the operator create.

Modelled from cloudnative-pg (github.com/cloudnative-pg/cloudnative-pg):
pkg/specs/pods.go (createClusterPodSpec, GetPodSecurityContext), pkg/specs/containers.go
(createBootstrapContainer, GetSecurityContext), api/v1/cluster_types.go (ClusterSpec,
AffinityConfiguration) and internal/controller/cluster_create.go (reconcilePostgresServices).
Each instance pod runs the ``postgres`` container and a ``bootstrap-controller`` init
container, both with ``spec.resources``; the pod takes ``spec.affinity.nodeSelector`` and
``spec.affinity.tolerations``; each instance gets a claim of ``spec.storage.size`` (and one
of ``spec.walStorage.size`` when set).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

GROUP = "postgresql.cnpg.io"
POSTGRES_UID = 26


def is_cluster(doc: Mapping[str, Any]) -> bool:
    return doc.get("kind") == "Cluster" and str(doc.get("apiVersion", "")).startswith(f"{GROUP}/")


def instances(doc: Mapping[str, Any]) -> int:
    return int((doc.get("spec") or {}).get("instances") or 1)


def pod_spec(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The instance pod's spec as pkg/specs/pods.go builds it (the fields admission reads)."""
    spec = doc.get("spec") or {}
    affinity = spec.get("affinity") or {}
    seccomp = copy.deepcopy(spec.get("seccompProfile") or {"type": "RuntimeDefault"})
    container_context = copy.deepcopy(spec.get("securityContext")) or {
        "seccompProfile": seccomp,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
    }
    pod_context = copy.deepcopy(spec.get("podSecurityContext")) or {
        "seccompProfile": seccomp,
        "runAsUser": POSTGRES_UID,
        "runAsGroup": POSTGRES_UID,
        "runAsNonRoot": True,
        "fsGroup": POSTGRES_UID,
    }
    resources = copy.deepcopy(spec.get("resources") or {})
    out: dict[str, Any] = {
        "initContainers": [
            {"name": "bootstrap-controller", "resources": resources, "securityContext": container_context}
        ],
        "containers": [
            {
                "name": "postgres",
                "resources": copy.deepcopy(resources),
                "securityContext": copy.deepcopy(container_context),
            }
        ],
        "securityContext": pod_context,
        "volumes": [{"name": "pgdata", "persistentVolumeClaim": {"claimName": "pgdata"}}],
        "automountServiceAccountToken": False,
    }
    if affinity.get("nodeSelector"):
        out["nodeSelector"] = dict(affinity["nodeSelector"])
    if affinity.get("tolerations"):
        out["tolerations"] = copy.deepcopy(list(affinity["tolerations"]))
    if affinity.get("nodeAffinity"):
        out["affinity"] = {"nodeAffinity": copy.deepcopy(affinity["nodeAffinity"])}
    if spec.get("priorityClassName"):
        out["priorityClassName"] = spec["priorityClassName"]
    return out


def claims(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The PersistentVolumeClaims of one instance (pgdata, and the WAL volume when separate)."""
    spec = doc.get("spec") or {}
    out = []
    for key, suffix in (("storage", ""), ("walStorage", "-wal")):
        storage = spec.get(key) or {}
        if not storage:
            continue
        template = copy.deepcopy(storage.get("pvcTemplate") or {})
        if storage.get("size"):
            template.setdefault("resources", {}).setdefault("requests", {})["storage"] = storage["size"]
        if storage.get("storageClass"):
            template["storageClassName"] = storage["storageClass"]
        out.append({"metadata": {"name": f"pgdata{suffix}"}, "spec": template})
    return out


def services(doc: Mapping[str, Any]) -> int:
    """ClusterIP Services: -rw, -ro and -r, less any in managed.services.disabledDefaultServices."""
    disabled = ((doc.get("spec") or {}).get("managed") or {}).get("services", {}) or {}
    return 3 - len(set(disabled.get("disabledDefaultServices") or []) & {"ro", "r"})
