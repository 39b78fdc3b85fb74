"""Recovery points, restore plans and the names both sides of a restore agree on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

HUB_NAMESPACE = "jupyterhub"
HOME_MOUNT = "/home/jovyan"  # z2jh singleuser.storage.homeMountPath
RESTORES_CONFIGMAP = "aicommons-restores"
RESTORES_DIR = "/etc/aicommons/restores"  # where the hub mounts that ConfigMap
_DNS_SAFE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")


def user_slug(user: str) -> str:
    """The user's part of Kubernetes names: the name itself when DNS-safe and short, else a digest."""
    return user if _DNS_SAFE.fullmatch(user) else "u-" + hashlib.sha256(user.encode()).hexdigest()[:12]


def user_key(user: str) -> str:
    """The user's key in the restores ConfigMap (the hub's hook computes the same)."""
    return "user-" + hashlib.sha256(user.encode()).hexdigest()[:20]


def home_claim(user: str) -> str:
    """The user's home PVC: KubeSpawner's default pvc_name_template `claim-{user_server}` (z2jh
    leaves singleuser.storage.dynamic.pvcNameTemplate empty), for a DNS-safe name."""
    return f"claim-{user_slug(user)}"


def restored_claim(user: str, day: date) -> str:
    return f"restored-{user_slug(user)}-{day:%Y%m%d}"


def restored_mount(day: date) -> str:
    return f"{HOME_MOUNT}/restored-{day:%Y-%m-%d}"


@dataclass(frozen=True)
class RecoveryPoint:
    """One backup of one volume, as a provider lists it."""

    id: str  # AWS: recovery point ARN; Kubernetes: VolumeSnapshot namespace/name
    store: str  # homes | shared_datasets | project_volumes | hub_database
    created: datetime  # UTC
    size_gib: float
    user: str | None = None  # homes: whose
    project: str | None = None  # project volumes: which project (its namespace)
    zone: str | None = None  # AWS: the source volume's zone (a restored volume goes there too)
    claim: str | None = None  # the PVC it was taken of


@dataclass(frozen=True)
class RestorePlan:
    """What a restore of one user's home creates; printed before anything changes."""

    user: str
    at: datetime
    point: RecoveryPoint
    claim: str  # the new PVC (or, with replace, the home PVC itself)
    mount_path: str | None  # None with replace: the volume becomes the home
    replace: bool
    steps: list[str] = field(default_factory=list)
    kind: Literal["mount", "replace"] = "mount"

    def as_dict(self) -> dict[str, object]:
        return {
            "user": self.user,
            "at": self.at.isoformat(),
            "recovery_point": self.point.id,
            "recovery_point_created": self.point.created.isoformat(),
            "size_gib": self.point.size_gib,
            "claim": self.claim,
            "mount_path": self.mount_path,
            "replace": self.replace,
            "steps": list(self.steps),
        }
