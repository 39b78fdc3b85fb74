"""The Kubernetes side of backups (imperative shell): the hub's users, their running servers, CSI
VolumeSnapshots as recovery points, and the objects a restore creates.

Every call goes through `KubeHub`, built on a kubernetes `ApiClient`; tests stub the two API
objects it uses (CoreV1Api and CustomObjectsApi) at this boundary.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aicommons.backup.model import (
    HUB_NAMESPACE,
    RESTORES_CONFIGMAP,
    RecoveryPoint,
    RestorePlan,
    user_key,
)
from aicommons.errors import MissingComponentError

USERNAME = "hub.jupyter.org/username"  # KubeSpawner's annotation on a user's pod and home PVC
SNAPSHOTS = ("snapshot.storage.k8s.io", "v1", "volumesnapshots")


def _quantity_gib(text: str | None) -> float:
    if not text:
        return 0.0
    units = {"Ki": 1 / 1024**2, "Mi": 1 / 1024, "Gi": 1.0, "Ti": 1024.0}
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text) / 1024**3


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class KubeHub:
    """The hub namespace as a restore sees it."""

    def __init__(self, core: Any, custom: Any, namespace: str = HUB_NAMESPACE):
        self.core, self.custom, self.namespace = core, custom, namespace

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except Exception as exc:  # urllib3/ApiException: the cluster is not reachable or refuses
            status = getattr(exc, "status", None)
            raise MissingComponentError(
                f"cannot {what} in namespace {self.namespace}: "
                f"{status or type(exc).__name__} {str(getattr(exc, 'reason', '') or exc).splitlines()[0]}"
            ) from None

    def home_claims(self) -> dict[str, str]:
        """User -> home PVC name, from KubeSpawner's username annotation."""
        claims = self._call(
            "list PersistentVolumeClaims",
            self.core.list_namespaced_persistent_volume_claim,
            namespace=self.namespace,
        )
        out = {}
        for pvc in claims.items:
            user = (pvc.metadata.annotations or {}).get(USERNAME)
            if user and pvc.metadata.name.startswith("claim-"):
                out[user] = pvc.metadata.name
        return out

    def users(self) -> list[str]:
        return sorted(self.home_claims())

    def running(self, user: str) -> bool:
        pods = self._call(
            "list user servers",
            self.core.list_namespaced_pod,
            namespace=self.namespace,
            label_selector="component=singleuser-server",
        )
        return any(
            (p.metadata.annotations or {}).get(USERNAME) == user and p.status.phase in ("Pending", "Running")
            for p in pods.items
        )

    def snapshot_points(self) -> list[RecoveryPoint]:
        """Ready VolumeSnapshots of home claims, as recovery points."""
        owners = {claim: user for user, claim in self.home_claims().items()}
        listed = self._call(
            "list VolumeSnapshots",
            self.custom.list_namespaced_custom_object,
            group=SNAPSHOTS[0],
            version=SNAPSHOTS[1],
            namespace=self.namespace,
            plural=SNAPSHOTS[2],
        )
        points = []
        for snap in listed.get("items", []):
            status = snap.get("status") or {}
            claim = (snap.get("spec", {}).get("source") or {}).get("persistentVolumeClaimName")
            if not status.get("readyToUse") or claim not in owners:
                continue
            points.append(
                RecoveryPoint(
                    id=f"{self.namespace}/{snap['metadata']['name']}",
                    store="homes",
                    created=_time(status.get("creationTime") or snap["metadata"]["creationTimestamp"]),
                    size_gib=_quantity_gib(status.get("restoreSize")),
                    user=owners[claim],
                    claim=claim,
                )
            )
        return points

    def create_claim(
        self,
        plan: RestorePlan,
        storage_class: str | None,
        data_source: dict[str, Any] | None,
        volume_name: str | None = None,
    ) -> None:
        """The PVC the plan names, from a VolumeSnapshot (data_source) or bound to a restored PV."""
        spec: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": f"{max(1, round(plan.point.size_gib))}Gi"}},
        }
        if storage_class:
            spec["storageClassName"] = storage_class
        if data_source:
            spec["dataSource"] = data_source
        if volume_name:
            spec["volumeName"] = volume_name
            spec["storageClassName"] = ""
        body = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": plan.claim,
                "namespace": self.namespace,
                "labels": {"aicommons.dev/restore": "true"},
                "annotations": {USERNAME: plan.user, "aicommons.dev/restored-from": plan.point.id},
            },
            "spec": spec,
        }
        self._call(
            "create PersistentVolumeClaim",
            self.core.create_namespaced_persistent_volume_claim,
            namespace=self.namespace,
            body=body,
        )

    def delete_claim(self, name: str) -> None:
        self._call(
            "delete PersistentVolumeClaim",
            self.core.delete_namespaced_persistent_volume_claim,
            name=name,
            namespace=self.namespace,
        )

    def add_mount(self, plan: RestorePlan) -> None:
        """Add the restored claim to the user's key of the restores ConfigMap (created if absent)."""
        key = user_key(plan.user)
        try:
            current = self.core.read_namespaced_config_map(name=RESTORES_CONFIGMAP, namespace=self.namespace)
            data = dict(current.data or {})
            exists = True
        except Exception as exc:
            if getattr(exc, "status", None) != 404:
                raise MissingComponentError(f"cannot read ConfigMap {RESTORES_CONFIGMAP}: {exc}") from None
            data, exists = {}, False
        entries = [e for e in json.loads(data.get(key, "[]")) if e.get("claim") != plan.claim]
        entries.append({"claim": plan.claim, "mountPath": plan.mount_path, "user": plan.user})
        data[key] = json.dumps(sorted(entries, key=lambda e: e["claim"]), sort_keys=True)
        body = {"metadata": {"name": RESTORES_CONFIGMAP, "namespace": self.namespace}, "data": data}
        if exists:
            self._call(
                "update the restores ConfigMap",
                self.core.patch_namespaced_config_map,
                name=RESTORES_CONFIGMAP,
                namespace=self.namespace,
                body={"data": {key: data[key]}},
            )
        else:
            self._call(
                "create the restores ConfigMap",
                self.core.create_namespaced_config_map,
                namespace=self.namespace,
                body=body,
            )


def connect(context: str | None, kubeconfig: str | None) -> KubeHub:
    """The hub namespace on the profile's cluster (exit 3 when no kubeconfig or context works)."""
    from kubernetes import client

    from aicommons.checks.adapters.live_k8s import _connect

    api, _, _ = _connect(context, kubeconfig)
    return KubeHub(client.CoreV1Api(api), client.CustomObjectsApi(api))
