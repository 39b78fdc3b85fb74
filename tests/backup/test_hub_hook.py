"""The hub's pre-spawn hook: a user's restored claims are mounted read-only for that user only."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from aicommons.backup import hub
from aicommons.backup.model import RESTORES_DIR, user_key


def load_hook(tmp_path: Path) -> object:
    """Run the extraConfig text as z2jh does (`c` is the traitlets config), with the ConfigMap's
    mount point moved under tmp_path."""
    code = hub.HOOK.replace(RESTORES_DIR, str(tmp_path))
    c = SimpleNamespace(KubeSpawner=SimpleNamespace())
    exec(compile(code, "30-aicommons-restores", "exec"), {"c": c})  # noqa: S102
    return c.KubeSpawner.pre_spawn_hook


def spawner(name: str) -> SimpleNamespace:
    home = [{"name": "volume-x", "persistentVolumeClaim": {"claimName": f"claim-{name}"}}]
    return SimpleNamespace(
        user=SimpleNamespace(name=name), volumes=list(home), volume_mounts=[{"name": "volume-x"}]
    )


def test_the_user_with_a_restore_gets_it_read_only(tmp_path: Path) -> None:
    entry = [
        {"claim": "restored-alice-20261102", "mountPath": "/home/jovyan/restored-2026-11-02", "user": "alice"}
    ]
    (tmp_path / user_key("alice")).write_text(json.dumps(entry))
    hook = load_hook(tmp_path)
    alice, bob = spawner("alice"), spawner("bob")
    hook(alice)
    hook(bob)
    assert alice.volumes[-1] == {
        "name": "restored-0",
        "persistentVolumeClaim": {"claimName": "restored-alice-20261102", "readOnly": True},
    }
    assert alice.volume_mounts[-1] == {
        "name": "restored-0",
        "mountPath": "/home/jovyan/restored-2026-11-02",
        "readOnly": True,
    }
    assert alice.volumes[0]["persistentVolumeClaim"]["claimName"] == "claim-alice"  # home kept
    assert len(bob.volumes) == 1 and len(bob.volume_mounts) == 1  # nobody else touched


def test_hub_values_mount_the_configmap_optionally() -> None:
    values = hub.hub_values()
    (volume,) = values["extraVolumes"]
    assert volume["configMap"] == {"name": "aicommons-restores", "optional": True}
    assert values["extraVolumeMounts"][0]["readOnly"] is True
    assert "pre_spawn_hook" in values["extraConfig"]["30-aicommons-restores"]


@pytest.mark.parametrize("name", ["alice", "Alice.Smith@city.gov"])
def test_the_hook_and_the_cli_agree_on_the_key(tmp_path: Path, name: str) -> None:
    (tmp_path / user_key(name)).write_text(json.dumps([{"claim": "c", "mountPath": "/m"}]))
    s = spawner(name)
    load_hook(tmp_path)(s)
    assert s.volumes[-1]["persistentVolumeClaim"]["claimName"] == "c"
