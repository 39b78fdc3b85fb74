"""Preflight of the city's nodes: each pool's nodes exist, carry its labels and taints, and GPUs show.

The labels and taints are those of render/pools.py (via render/node_setup.py), the same the
platform stack patches and the hub's profiles select and tolerate.
"""

from __future__ import annotations

import shlex

from aicommons.preflight.report import Finding
from aicommons.preflight.snapshot import ClusterSnapshot, Node
from aicommons.profile.cluster import NodeSet
from aicommons.render.node_setup import PoolNodes, kubectl_commands
from aicommons.render.pools import POOL_LABEL
from aicommons.targets.platform import PlatformDefaults


def pool_members(pool: PoolNodes, snapshot: ClusterSnapshot) -> tuple[list[Node], list[str]]:
    """The nodes that form the pool, and the names the profile gives that the cluster lacks."""
    if pool.nodes is not None and pool.nodes.nodes is not None:
        by_name = {n.name: n for n in snapshot.nodes}
        return [by_name[n] for n in pool.nodes.nodes if n in by_name], [
            n for n in pool.nodes.nodes if n not in by_name
        ]
    selector = (
        pool.nodes.selector if pool.nodes is not None and pool.nodes.selector else {POOL_LABEL: pool.pool}
    )
    return [n for n in snapshot.nodes if n.matches(selector)], []


def _where(pool: PoolNodes) -> str:
    if pool.nodes is not None and pool.nodes.selector:
        return "carrying " + ",".join(f"{k}={v}" for k, v in sorted(pool.nodes.selector.items()))
    return f"labelled {POOL_LABEL}={pool.pool}"


def _by_names(pool: PoolNodes, names: list[str], context: str) -> list[str]:
    named = PoolNodes(
        pool=pool.pool,
        role=pool.role,
        nodes_needed=pool.nodes_needed,
        instance_type=pool.instance_type,
        nodes=NodeSet(nodes=names),
        labels=pool.labels,
        taints=pool.taints,
    )
    return kubectl_commands(named, context)


def check_pool(pool: PoolNodes, snapshot: ClusterSnapshot) -> list[Finding]:
    """Existence, count, labels and taints of one pool's nodes."""
    ctx = snapshot.context
    subject = f"pool {pool.pool} ({pool.role})"
    members, absent = pool_members(pool, snapshot)
    out: list[Finding] = []
    if absent:
        out.append(
            Finding(
                "nodes",
                subject,
                "missing",
                f"target.node_pools names node(s) the cluster does not have: {', '.join(absent)}",
                (f"kubectl --context {shlex.quote(ctx)} get nodes",),
            )
        )
    if not members:
        if not absent:
            out.append(
                Finding(
                    "nodes",
                    subject,
                    "missing",
                    f"no node {_where(pool)}; the pool needs {pool.nodes_needed} x {pool.instance_type} "
                    "(replace NODE with their names, or name them in target.node_pools)",
                    tuple(kubectl_commands(pool, ctx)),
                )
            )
        return out
    if len(members) < pool.nodes_needed:
        out.append(
            Finding(
                "nodes",
                subject,
                "missing",
                f"{len(members)} node(s) {_where(pool)}, the plan needs {pool.nodes_needed} x "
                f"{pool.instance_type}: add nodes to the pool",
            )
        )
    if pool.patched_by_stack:
        out.append(
            Finding(
                "nodes",
                subject,
                "ok",
                f"{len(members)} node(s) found; the platform stack gives them their labels and taints",
            )
        )
        return out
    unlabelled = sorted(n.name for n in members if any(n.labels.get(k) != v for k, v in pool.labels.items()))
    untainted = sorted(
        n.name for n in members if not all(n.has_taint(t.key, t.value, t.effect) for t in pool.taints)
    )
    wrong = sorted(set(unlabelled) | set(untainted))
    if wrong:
        what = " and ".join(x for x, bad in (("labels", unlabelled), ("taints", untainted)) if bad)
        out.append(
            Finding(
                "nodes",
                subject,
                "missing",
                f"{len(wrong)} of {len(members)} node(s) lack the pool's {what}: {', '.join(wrong)}",
                tuple(_by_names(pool, wrong, ctx)),
            )
        )
    elif len(members) >= pool.nodes_needed:
        out.append(
            Finding("nodes", subject, "ok", f"{len(members)} node(s) with the pool's labels and taints")
        )
    return out + _foreign_taints(pool, members, ctx)


def _foreign_taints(pool: PoolNodes, members: list[Node], ctx: str) -> list[Finding]:
    """Taints the pool's pods do not tolerate (they tolerate exactly the pool's own) keep them off."""
    own = {(t.key, t.value, t.effect) for t in pool.taints}
    fixes = [
        f"kubectl --context {shlex.quote(ctx)} taint nodes {shlex.quote(n.name)} "
        f"{shlex.quote(f'{t.key}:{t.effect}-')}"
        for n in members
        for t in n.taints
        if t.effect in ("NoSchedule", "NoExecute") and (t.key, t.value, t.effect) not in own
    ]
    if not fixes:
        return []
    return [
        Finding(
            "nodes",
            f"pool {pool.pool} ({pool.role})",
            "missing",
            "node taints the pool's pods do not tolerate would keep them off (remove them, or choose other nodes)",
            tuple(fixes),
        )
    ]


def check_gpus(pool: PoolNodes, snapshot: ClusterSnapshot, defaults: PlatformDefaults) -> list[Finding]:
    """GPU nodes advertise nvidia.com/gpu when the city's operator runs; otherwise the bundle's will."""
    if pool.role != "gpu":
        return []
    subject = f"pool {pool.pool} (gpu)"
    members, _ = pool_members(pool, snapshot)
    if defaults.gpu_setup != "existing-operator":
        operator = snapshot.workload_named("gpu-operator", "nvidia-device-plugin-daemonset")
        if operator is not None:
            return [
                Finding(
                    "gpu",
                    subject,
                    "missing",
                    f"the cluster already runs {operator.kind} {operator.namespace}/{operator.name}, and the "
                    "bundle would install a second GPU operator: set target.gpu_operator_present: true",
                )
            ]
        return [
            Finding("gpu", subject, "note", "the bundle installs the GPU operator; GPUs show once it runs")
        ]
    without = sorted(n.name for n in members if n.gpu_allocatable <= 0)
    if without:
        return [
            Finding(
                "gpu",
                subject,
                "missing",
                f"node(s) advertise no nvidia.com/gpu: {', '.join(without)}; the cluster's GPU operator "
                "does not run there (check its pods and the nodes' driver)",
                (
                    f"kubectl --context {shlex.quote(snapshot.context)} -n {defaults.gpu_operator_namespace} "
                    "get pods -o wide",
                ),
            )
        ]
    if not members:
        return []
    total = sum(n.gpu_allocatable for n in members)
    return [Finding("gpu", subject, "ok", f"{total} nvidia.com/gpu allocatable on {len(members)} node(s)")]
