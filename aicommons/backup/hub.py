"""The hub side of a restore: a KubeSpawner pre-spawn hook that mounts a user's restored volumes.

`aicommons backup restore` writes one key per user (model.user_key) into the ConfigMap
`aicommons-restores` in the hub's namespace: a JSON list of {"claim", "mountPath"}. The hub mounts
that ConfigMap (optional: the hub starts without it) and the hook, at each server start, adds the
listed claims read-only for that user only; a user with no key is untouched. A ConfigMap mounted as
a volume is refreshed by the kubelet, so no hub restart is needed (kubernetes.io, "ConfigMaps",
"Mounted ConfigMaps are updated automatically").
"""

from __future__ import annotations

from typing import Any

from aicommons.backup.model import RESTORES_CONFIGMAP, RESTORES_DIR

VOLUME = "aicommons-restores"

# Runs inside the hub (z2jh extraConfig): only the standard library and the spawner's attributes.
HOOK = f'''\
import hashlib, json, os


def _aicommons_restored_volumes(spawner):
    key = "user-" + hashlib.sha256(spawner.user.name.encode()).hexdigest()[:20]
    path = os.path.join("{RESTORES_DIR}", key)
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as f:
        restores = json.load(f)
    volumes, mounts = list(spawner.volumes), list(spawner.volume_mounts)
    for i, r in enumerate(restores):
        name = f"restored-{{i}}"
        volumes.append({{"name": name, "persistentVolumeClaim": {{"claimName": r["claim"], "readOnly": True}}}})
        mounts.append({{"name": name, "mountPath": r["mountPath"], "readOnly": True}})
    spawner.volumes, spawner.volume_mounts = volumes, mounts


c.KubeSpawner.pre_spawn_hook = _aicommons_restored_volumes
'''


def hub_values() -> dict[str, Any]:
    """What the jupyterhub release's `hub` values get: the hook and the ConfigMap it reads."""
    return {
        "extraConfig": {"30-aicommons-restores": HOOK},
        "extraVolumes": [{"name": VOLUME, "configMap": {"name": RESTORES_CONFIGMAP, "optional": True}}],
        "extraVolumeMounts": [{"name": VOLUME, "mountPath": RESTORES_DIR, "readOnly": True}],
    }
