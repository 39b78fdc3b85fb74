"""The platform chart's VolumeSnapshot job script, run against a fake API server (urlopen stubbed)."""

from __future__ import annotations

import io
import json
import ssl
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

SCRIPT = (
    Path(__file__).resolve().parents[2] / "charts" / "aicommons-platform" / "files" / "volume-snapshots.py"
)


def _stamp(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def __call__(self, request: urllib.request.Request, context: Any = None, timeout: int = 0) -> io.BytesIO:
        method, url = request.get_method(), request.full_url
        body = json.loads(request.data) if request.data else None
        self.calls.append((method, url.removeprefix("https://kubernetes.default.svc"), body))
        if url.endswith("/persistentvolumeclaims"):
            claims = [
                {"metadata": {"name": "claim-alice"}, "status": {"phase": "Bound"}},
                {"metadata": {"name": "claim-bob"}, "status": {"phase": "Pending"}},
                {"metadata": {"name": "restored-alice-20261102"}, "status": {"phase": "Bound"}},
            ]
            return io.BytesIO(json.dumps({"items": claims}).encode())
        if "volumesnapshots?labelSelector" in url:
            snaps = [
                {"metadata": {"name": "claim-alice-old", "creationTimestamp": _stamp(40)}},
                {"metadata": {"name": "claim-alice-new", "creationTimestamp": _stamp(1)}},
            ]
            return io.BytesIO(json.dumps({"items": snaps}).encode())
        return io.BytesIO(b"{}")


def test_bound_claims_are_snapshotted_and_expired_snapshots_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    api = FakeApi()
    monkeypatch.setattr(urllib.request, "urlopen", api)
    monkeypatch.setattr(ssl, "create_default_context", lambda cafile=None: None)
    monkeypatch.setenv(
        "TARGETS", json.dumps([{"namespace": "jupyterhub", "store": "homes", "retentionDays": 30}])
    )
    monkeypatch.setenv("SNAPSHOT_CLASS", "csi-rbd")
    fake_open = lambda path, encoding=None: io.StringIO("token\n")  # noqa: E731
    with pytest.raises(SystemExit) as done:
        exec(compile(SCRIPT.read_text(), str(SCRIPT), "exec"), {"open": fake_open, "__name__": "__main__"})  # noqa: S102
    assert done.value.code == 0
    posts = [body for method, _, body in api.calls if method == "POST"]
    # only the bound home claim: not the pending one, not a restored copy
    assert [p["spec"]["source"]["persistentVolumeClaimName"] for p in posts] == ["claim-alice"]
    assert posts[0]["spec"]["volumeSnapshotClassName"] == "csi-rbd"
    assert posts[0]["metadata"]["labels"]["aicommons.dev/backup"] == "homes"
    deletes = [path for method, path, _ in api.calls if method == "DELETE"]
    # 40 days old is past the 30-day retention; 1 day old is kept
    assert deletes == [
        "/apis/snapshot.storage.k8s.io/v1/namespaces/jupyterhub/volumesnapshots/claim-alice-old"
    ]
