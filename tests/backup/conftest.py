"""A stubbed Kubernetes API at the boundary KubeHub uses (CoreV1Api and CustomObjectsApi)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from aicommons.backup.kube import USERNAME, KubeHub


class NotFound(Exception):
    status = 404
    reason = "Not Found"


def _obj(name: str, annotations: dict[str, str], **extra: Any) -> SimpleNamespace:
    return SimpleNamespace(metadata=SimpleNamespace(name=name, annotations=annotations), **extra)


class FakeCore:
    """Records what is created; lists what the test put in."""

    def __init__(self, claims: dict[str, str], running: list[str]):
        self.claims = claims  # user -> claim
        self.running = running
        self.created: list[tuple[str, dict[str, Any]]] = []
        self.deleted: list[str] = []
        self.config_map: dict[str, str] | None = None

    def list_namespaced_persistent_volume_claim(self, namespace: str) -> SimpleNamespace:
        return SimpleNamespace(items=[_obj(c, {USERNAME: u}) for u, c in sorted(self.claims.items())])

    def list_namespaced_pod(self, namespace: str, label_selector: str) -> SimpleNamespace:
        return SimpleNamespace(
            items=[
                _obj(f"jupyter-{u}", {USERNAME: u}, status=SimpleNamespace(phase="Running"))
                for u in self.running
            ]
        )

    def create_namespaced_persistent_volume_claim(self, namespace: str, body: dict[str, Any]) -> None:
        self.created.append(("PersistentVolumeClaim", body))

    def create_persistent_volume(self, body: dict[str, Any]) -> None:
        self.created.append(("PersistentVolume", body))

    def delete_namespaced_persistent_volume_claim(self, name: str, namespace: str) -> None:
        self.deleted.append(name)

    def read_namespaced_config_map(self, name: str, namespace: str) -> SimpleNamespace:
        if self.config_map is None:
            raise NotFound()
        return SimpleNamespace(data=dict(self.config_map))

    def create_namespaced_config_map(self, namespace: str, body: dict[str, Any]) -> None:
        self.config_map = dict(body["data"])

    def patch_namespaced_config_map(self, name: str, namespace: str, body: dict[str, Any]) -> None:
        assert self.config_map is not None
        self.config_map.update(body["data"])


class FakeCustom:
    def __init__(self, snapshots: list[dict[str, Any]]):
        self.snapshots = snapshots

    def list_namespaced_custom_object(self, group: str, version: str, namespace: str, plural: str) -> dict:
        assert (group, version, plural) == ("snapshot.storage.k8s.io", "v1", "volumesnapshots")
        return {"items": self.snapshots}


def snapshot(name: str, claim: str, when: str, size: str = "10Gi", ready: bool = True) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "jupyterhub", "creationTimestamp": when},
        "spec": {"source": {"persistentVolumeClaimName": claim}},
        "status": {"readyToUse": ready, "creationTime": when, "restoreSize": size},
    }


@pytest.fixture
def core() -> FakeCore:
    return FakeCore({"alice": "claim-alice", "bob": "claim-bob"}, running=["bob"])


@pytest.fixture
def hub(core: FakeCore) -> KubeHub:
    snaps = [
        snapshot("alice-1101", "claim-alice", "2026-11-01T03:00:00Z"),
        snapshot("alice-1102", "claim-alice", "2026-11-02T03:00:00Z"),
        snapshot("alice-1103", "claim-alice", "2026-11-03T03:00:00Z", ready=False),
        snapshot("bob-1102", "claim-bob", "2026-11-02T03:00:00Z", size="20Gi"),
        snapshot("stray", "data-other", "2026-11-02T03:00:00Z"),
    ]
    return KubeHub(core, FakeCustom(snaps))
