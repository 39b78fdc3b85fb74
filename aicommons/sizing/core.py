"""The core pool: hub, proxy and system services, sized by tier and run around the clock."""

from __future__ import annotations

from dataclasses import dataclass

from aicommons.profile.model import Tier


@dataclass(frozen=True)
class CoreService:
    name: str
    cpu: float
    memory_gib: float
    replicas: int


# Requests per tier. Hub and proxy figures follow Zero-to-JupyterHub's guidance for hubs of
# these sizes; the hub database is sqlite on a volume for pilots, PostgreSQL above.
_TABLE: dict[str, dict[Tier, tuple[float, float, int] | None]] = {
    "hub": {"pilot": (0.5, 1, 1), "small": (1, 2, 1), "medium": (2, 4, 1), "large": (4, 8, 1)},
    "proxy": {"pilot": (0.2, 0.5, 1), "small": (0.5, 1, 1), "medium": (1, 2, 1), "large": (2, 4, 1)},
    "user-scheduler": {t: (0.05, 0.25, 2) for t in ("pilot", "small", "medium", "large")},
    "coredns": {t: (0.1, 0.07, 2) for t in ("pilot", "small", "medium", "large")},
    "cluster-autoscaler": {t: (0.1, 0.6, 1) for t in ("pilot", "small", "medium", "large")},
    "ingress-and-certificates": {
        "pilot": (0.1, 0.25, 1),
        "small": (0.2, 0.5, 2),
        "medium": (0.5, 1, 2),
        "large": (1, 2, 2),
    },
    "audit-log-aggregator": {
        "pilot": (0.2, 0.5, 1),
        "small": (0.25, 0.5, 2),
        "medium": (0.5, 1, 2),
        "large": (1, 2, 2),
    },
    "hub-database": {"pilot": None, "small": (0.5, 1, 2), "medium": (1, 2, 2), "large": (2, 4, 2)},
    "monitoring": {"pilot": (0.5, 2, 1), "small": (0.5, 2, 1), "medium": (1, 4, 1), "large": (2, 8, 1)},
}


def core_services(tier: Tier) -> list[CoreService]:
    out = []
    for name, by_tier in _TABLE.items():
        spec = by_tier[tier]
        if spec is not None:
            cpu, mem, replicas = spec
            out.append(CoreService(name, cpu, mem, replicas))
    return out


def core_request(tier: Tier, name: str) -> tuple[float, float]:
    """(CPU cores, memory GiB) one replica of a core service requests at this tier: the figure
    sizing counts, and the request the rendered values give the service's pods."""
    spec = _TABLE[name][tier]
    if spec is None:
        raise KeyError(f"the {tier} tier runs no {name}")
    return spec[0], spec[1]


def min_core_nodes(tier: Tier) -> int:
    """At least two nodes in two zones above the pilot tier."""
    return 1 if tier == "pilot" else 2
