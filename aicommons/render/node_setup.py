"""The city's own nodes as the plan's pools: which nodes, what labels and taints, and how they get them.

On AWS the node groups carry their labels and taints from birth. On a cluster the city runs, the
nodes exist already: `target.node_pools` names them per role (core, user, gpu) or per pool. Named
nodes are labelled and tainted by the platform stack (NodePatch); nodes given by a selector, or not
given at all, get the exact `kubectl` commands in the README and from `aicommons preflight`. The
labels and taints are those of render/pools.py, the same the hub's profiles select and tolerate.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from aicommons.errors import InputError, Location
from aicommons.profile.cluster import NodeSet
from aicommons.render.pools import Taint, pool_labels, pool_taints
from aicommons.sizing.plan import SizingPlan

ROLES = ("core", "user", "gpu")
NODE_PLACEHOLDER = "NODE"


@dataclass(frozen=True)
class PoolNodes:
    """One pool of the plan, the nodes that form it (None: not named) and what they must carry."""

    pool: str
    role: str
    nodes_needed: int  # the plan's node count for the pool (its peak: nothing autoscales here)
    instance_type: str
    nodes: NodeSet | None
    labels: dict[str, str]
    taints: tuple[Taint, ...]

    @property
    def patched_by_stack(self) -> bool:
        return self.nodes is not None and self.nodes.nodes is not None


def pool_nodes(plan: SizingPlan, node_pools: Mapping[str, NodeSet] | None) -> list[PoolNodes]:
    """Each pool with its nodes: its own entry in node_pools, else its role's.

    Errors (at target.node_pools): a key that is neither a pool nor a role; two pools of one role
    both taking the role's entry (one label value cannot tell their nodes apart); a node named in
    two pools.
    """
    given = dict(node_pools or {})
    pools = {p.name: p for p in plan.pools}
    for key in sorted(given):
        if key not in pools and key not in ROLES:
            raise InputError(
                f"node_pools key {key!r} is neither a pool of the plan nor a role",
                Location(field=f"target.node_pools.{key}"),
                ", ".join([*ROLES, *sorted(k for k in pools if k not in ROLES)]),
            )
    out = []
    by_role: dict[str, list[str]] = {}
    for pool in plan.pools:
        key = pool.name if pool.name in given else pool.role
        entry = given.get(key)
        if entry is not None and key == pool.role:  # "user" is both the first user pool and the role
            by_role.setdefault(pool.role, []).append(pool.name)
        out.append(
            PoolNodes(
                pool=pool.name,
                role=pool.role,
                nodes_needed=pool.nodes.peak,
                instance_type=pool.instance_type,
                nodes=entry,
                labels=pool_labels(pool),
                taints=tuple(pool_taints(pool)),
            )
        )
    for role, names in sorted(by_role.items()):
        if len(names) > 1:
            raise InputError(
                f"pools {', '.join(names)} all take the {role!r} entry of node_pools; their nodes need "
                "different labels",
                Location(field=f"target.node_pools.{role}"),
                f"one entry per pool, keyed by pool name: {', '.join(names)}",
            )
    seen: dict[str, str] = {}
    for p in out:
        for node in (p.nodes.nodes or []) if p.nodes else []:
            if node in seen and seen[node] != p.pool:
                raise InputError(
                    f"node {node!r} is named in pools {seen[node]} and {p.pool}",
                    Location(field="target.node_pools"),
                    "each node in one pool",
                )
            seen[node] = p.pool
    return out


def node_patches(pools: list[PoolNodes]) -> list[dict[str, object]]:
    """The platform stack's NodePatch arguments: one per named node, sorted by name."""
    patches = []
    for p in pools:
        if not p.patched_by_stack:
            continue
        assert p.nodes is not None and p.nodes.nodes is not None
        for node in p.nodes.nodes:
            patches.append(
                {
                    "name": node,
                    "labels": dict(sorted(p.labels.items())),
                    "taints": [{"key": t.key, "value": t.value, "effect": t.effect} for t in p.taints],
                }
            )
    return sorted(patches, key=lambda n: str(n["name"]))


def _target(p: PoolNodes) -> str:
    if p.nodes is not None and p.nodes.selector is not None:
        selector = ",".join(f"{k}={v}" for k, v in sorted(p.nodes.selector.items()))
        return f"-l {shlex.quote(selector)}"
    if p.nodes is not None and p.nodes.nodes is not None:
        return " ".join(shlex.quote(n) for n in p.nodes.nodes)
    return NODE_PLACEHOLDER


def kubectl_commands(p: PoolNodes, context: str | None = None) -> list[str]:
    """The commands that give a pool's nodes their labels and taints (idempotent: --overwrite)."""
    ctx = f" --context {shlex.quote(context)}" if context else ""
    labels = " ".join(shlex.quote(f"{k}={v}") for k, v in sorted(p.labels.items()))
    commands = [f"kubectl{ctx} label nodes {_target(p)} {labels} --overwrite"]
    if p.taints:
        taints = " ".join(shlex.quote(f"{t.key}={t.value}:{t.effect}") for t in p.taints)
        commands.append(f"kubectl{ctx} taint nodes {_target(p)} {taints} --overwrite")
    return commands


__all__ = ["NODE_PLACEHOLDER", "PoolNodes", "kubectl_commands", "node_patches", "pool_nodes"]
