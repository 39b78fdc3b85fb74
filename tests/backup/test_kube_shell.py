"""The Kubernetes boundary: snapshots as recovery points, and what a restore creates there."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aicommons.backup.kube import KubeHub
from aicommons.backup.model import user_key
from aicommons.backup.planner import parse_at, plan_restore
from aicommons.backup.shell import BackupSource
from tests.backup.conftest import FakeCore

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def test_ready_snapshots_of_home_claims_are_points(hub: KubeHub) -> None:
    points = sorted(hub.snapshot_points(), key=lambda p: p.id)
    # alice-1103 is not ready and "stray" is no user's home
    assert [p.id for p in points] == ["jupyterhub/alice-1101", "jupyterhub/alice-1102", "jupyterhub/bob-1102"]
    assert points[2].user == "bob" and points[2].size_gib == 20
    assert hub.users() == ["alice", "bob"]
    assert hub.running("bob") and not hub.running("alice")


def test_restore_creates_a_claim_from_the_snapshot_and_mounts_it_for_the_user(
    hub: KubeHub, core: FakeCore
) -> None:
    source = BackupSource(hub, storage_class="ceph-rbd")
    plan = plan_restore(source.points(), "alice", parse_at("2026-11-02"), NOW, source.users())
    created = source.restore(plan)
    ((kind, pvc),) = core.created
    assert kind == "PersistentVolumeClaim" and pvc["metadata"]["name"] == "restored-alice-20261102"
    assert pvc["spec"]["dataSource"] == {
        "apiGroup": "snapshot.storage.k8s.io",
        "kind": "VolumeSnapshot",
        "name": "alice-1102",
    }
    assert pvc["spec"]["storageClassName"] == "ceph-rbd"
    assert core.deleted == []  # the home claim is untouched
    mounts = json.loads(core.config_map[user_key("alice")])
    assert mounts == [
        {"claim": "restored-alice-20261102", "mountPath": "/home/jovyan/restored-2026-11-02", "user": "alice"}
    ]
    assert list(core.config_map) == [user_key("alice")]  # no other user's key
    assert created[-1] == "mount /home/jovyan/restored-2026-11-02 for alice"


class FakeAws:
    """AwsBackups at the restore step: the restored volume's id (its calls are tested in test_aws_shell)."""

    def __init__(self, points):  # type: ignore[no-untyped-def]
        self._points = points
        self.restored: list[str] = []

    def points(self, owners):  # type: ignore[no-untyped-def]
        return self._points

    def restore_volume(self, plan):  # type: ignore[no-untyped-def]
        self.restored.append(plan.point.id)
        return "vol-0restored"


def test_replace_on_aws_binds_the_home_claim_to_the_restored_volume(hub: KubeHub, core: FakeCore) -> None:
    points = hub.snapshot_points()
    source = BackupSource(hub, aws=FakeAws(points))
    plan = plan_restore(source.points(), "alice", parse_at("2026-11-01"), NOW, source.users(), replace=True)
    source.restore(plan)
    assert core.deleted == ["claim-alice"]
    (pv_kind, pv), (pvc_kind, pvc) = core.created
    assert (pv_kind, pvc_kind) == ("PersistentVolume", "PersistentVolumeClaim")
    assert pv["spec"]["csi"]["volumeHandle"] == "vol-0restored"
    assert pvc["metadata"]["name"] == "claim-alice" and pvc["spec"]["volumeName"] == pv["metadata"]["name"]
    assert core.config_map is None  # the home itself: no extra mount
