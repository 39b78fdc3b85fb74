"""AIC-GPU-01..02: every JupyterHub profile lands on a pool that exists and fits it; GPU pools
are tainted and scale to zero."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aicommons.checks.controls import _z2jh as z2jh
from aicommons.checks.controls._infra import is_gpu_group
from aicommons.checks.controls._kube import finding_at, jupyterhub_releases
from aicommons.checks.model import NODE_GROUP, CheckContext, Finding, Inventory, Resource, Skip
from aicommons.checks.registry import check
from aicommons.units import parse_cpu, parse_spawner_memory_gib

GPU_RESOURCE = "nvidia.com/gpu"
NODE_PURPOSE_LABEL = "hub.jupyter.org/node-purpose"
# Zero-to-JupyterHub's default scheduling.userPods.tolerations (4.x).
Z2JH_USER_TOLERATIONS = [
    {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"},
    {"key": "hub.jupyter.org_dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"},
]
_REPELS = ("NoSchedule", "NoExecute")


@dataclass
class Pool:
    """A node pool as the scheduler sees it: labels, taints and what one node can give a pod."""

    name: str
    labels: Mapping[str, str]
    taints: Sequence[Mapping[str, Any]]
    cpu: float | None = None
    memory_gib: float | None = None
    gpu: int | None = None
    where: str = "node group"
    extra: dict[str, Any] = field(default_factory=dict)


def tolerates(tolerations: Sequence[Mapping[str, Any]], taint: Mapping[str, Any]) -> bool:
    """Kubernetes' rule: a toleration matches key (or empty key with Exists), value (Equal) and effect."""
    for t in tolerations:
        if not isinstance(t, Mapping):
            continue
        effect = t.get("effect")
        if effect and effect != taint.get("effect"):
            continue
        operator = t.get("operator") or "Equal"
        key = t.get("key")
        if operator == "Exists":
            if not key or key == taint.get("key"):
                return True
        elif key == taint.get("key") and str(t.get("value") or "") == str(taint.get("value") or ""):
            return True
    return False


def pools(inventory: Inventory) -> list[Pool]:
    """The node groups of the inventory, or (existing and on-premises clusters) the sizing plan's
    pools labelled and tainted as the renderer asks the city to label its nodes."""
    sized = {p.name: p for p in inventory.plan.pools} if inventory.plan is not None else {}
    node_groups = {g.name: g for p in sized.values() for g in p.node_groups}
    groups = inventory.of(NODE_GROUP)
    if groups:
        out = []
        for g in groups:
            # one per zone of the plan's node group: the plan knows the node by the group's name
            p = node_groups.get(g.spec.get("plan_group") or g.name)
            out.append(
                Pool(
                    name=g.name,
                    labels=g.labels or g.spec.get("labels") or {},
                    taints=list(g.spec.get("taints") or []),
                    cpu=p.allocatable.cpu if p else None,
                    memory_gib=p.allocatable.memory_gib if p else None,
                    gpu=p.allocatable.gpu if p else None,
                )
            )
        return out
    if sized:
        from aicommons.render.pools import pool_labels, pool_taints

        return [
            Pool(
                name=p.name,
                labels=pool_labels(p),
                taints=[{"key": t.key, "value": t.value, "effect": t.effect} for t in pool_taints(p)],
                cpu=p.allocatable.cpu,
                memory_gib=p.allocatable.memory_gib,
                gpu=p.allocatable.gpu,
                where="sizing-plan pool",
            )
            for p in sized.values()
        ]
    return []


def _scheduling(values: Mapping[str, Any], profile: z2jh.Profile) -> tuple[dict[str, str], list[Any]]:
    """(labels a node must carry, tolerations) of the profile's user pod."""
    traits = profile.traits
    selector = dict(traits.get("node_selector") or z2jh.get(values, "singleuser.nodeSelector", {}) or {})
    if z2jh.get(values, "scheduling.userPods.nodeAffinity.matchNodePurpose", "prefer") == "require":
        selector.setdefault(NODE_PURPOSE_LABEL, "user")
    if "tolerations" in profile.override:
        tolerations = list(profile.override.get("tolerations") or [])
    else:
        base = z2jh.get(values, "scheduling.userPods.tolerations", Z2JH_USER_TOLERATIONS) or []
        tolerations = [*base, *(z2jh.get(values, "singleuser.extraTolerations", []) or [])]
    return selector, tolerations


def _asks(traits: Mapping[str, Any]) -> tuple[float | None, float | None, int]:
    """(CPU, GiB, GPUs) the profile guarantees; None where unset or unreadable (AIC-POD-04 says so)."""

    def read(parse: Any, value: Any) -> float | None:
        try:
            return None if value is None else parse(value)
        except ValueError:
            return None

    gpus = [
        read(lambda v: int(float(str(v))), (traits.get(k) or {}).get(GPU_RESOURCE, 0)) or 0
        for k in ("extra_resource_limits", "extra_resource_guarantees")
    ]
    return (
        read(parse_cpu, traits.get("cpu_guarantee")),
        read(parse_spawner_memory_gib, traits.get("mem_guarantee")),
        max(gpus),
    )


def _shortfall(pool: Pool, cpu: float | None, memory: float | None, gpus: int) -> list[str]:
    short = []
    if cpu is not None and pool.cpu is not None and cpu > pool.cpu:
        short.append(f"{cpu:g} CPU (a node has {pool.cpu:g} allocatable)")
    if memory is not None and pool.memory_gib is not None and memory > pool.memory_gib:
        short.append(f"{memory:g} GiB memory (a node has {pool.memory_gib:g} GiB allocatable)")
    if gpus and (pool.gpu or 0) < gpus:
        short.append(f"{gpus} GPU (a node has {pool.gpu or 0})")
    return short


@check("AIC-GPU-01", "bundle", "plan", "live")
def profiles_match_pools(ctx: CheckContext) -> Iterable[Finding]:
    """Each profile's node selector and tolerations match a pool that can hold its guarantees."""
    inventory = ctx.inventory
    hubs = jupyterhub_releases(inventory)
    if not hubs:
        raise Skip(f"no JupyterHub release in the {inventory.source} inventory")
    available = pools(inventory)
    if not available:
        raise Skip(
            f"the {inventory.source} inventory has neither node groups nor a sizing plan to match "
            f"the profiles against"
        )
    findings: list[Finding] = []
    for hub in hubs:
        values = hub.spec.get("values") or {}
        for profile in z2jh.profiles(values):
            where = (
                ("singleuser", "profileList", profile.index) if profile.index is not None else ("singleuser",)
            )
            problem = _place(profile, values, available)
            if problem:
                findings.append(finding_at(inventory, hub, problem, *where))
    return findings


def _place(profile: z2jh.Profile, values: Mapping[str, Any], available: list[Pool]) -> str | None:
    """None when the profile fits some pool; else what stops it."""
    selector, tolerations = _scheduling(values, profile)
    name = f"profile '{profile.slug}'"
    labelled = [p for p in available if all(p.labels.get(k) == v for k, v in selector.items())]
    if not labelled:
        wanted = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
        return (
            f"{name} selects nodes labelled {wanted}, but no node pool has these labels "
            f"(pools: {', '.join(sorted(p.name for p in available))}); its servers could never start"
        )
    tolerated = [
        p for p in labelled if all(tolerates(tolerations, t) for t in p.taints if t.get("effect") in _REPELS)
    ]
    if not tolerated:
        pool = labelled[0]
        refused = [
            f"{t.get('key')}={t.get('value')}:{t.get('effect')}"
            for t in pool.taints
            if t.get("effect") in _REPELS and not tolerates(tolerations, t)
        ]
        return (
            f"{name} selects {pool.where} '{pool.name}' but does not tolerate its taint "
            f"{', '.join(refused)}; its servers could never start"
        )
    cpu, memory, gpus = _asks(profile.traits)
    fits = [p for p in tolerated if not _shortfall(p, cpu, memory, gpus)]
    if fits:
        return None
    pool = tolerated[0]
    return (
        f"{name} guarantees more than a node of {pool.where} '{pool.name}' offers: "
        f"{', '.join(_shortfall(pool, cpu, memory, gpus))}; a server could never be scheduled"
    )


@check("AIC-GPU-02", "plan", "live")
def gpu_pools_tainted_and_scale_to_zero(ctx: CheckContext) -> Iterable[Finding]:
    """GPU node groups carry the GPU NoSchedule taint and may shrink to min_size nodes (0)."""
    inventory = ctx.inventory
    if NODE_GROUP in inventory.unavailable:
        raise Skip(f"{NODE_GROUP} could not be read: {inventory.unavailable[NODE_GROUP]}")
    groups = inventory.of(NODE_GROUP)
    if not groups:
        raise Skip(
            f"the {inventory.source} inventory has no node groups: GPU nodes of an existing or "
            f"on-premises cluster are the city's own (their taints are checked live; servers bought "
            f"for the peak do not scale to zero)"
        )
    gpu_groups = [g for g in groups if is_gpu_group(g)]
    if not gpu_groups:
        raise Skip(f"no GPU node group in the {inventory.source} inventory")
    key = ctx.params.get("taint_key", GPU_RESOURCE)
    minimum = int(ctx.params.get("min_size", 0))
    for g in gpu_groups:
        yield from _gpu_group_findings(g, key, minimum)


def _gpu_group_findings(g: Resource, key: str, minimum: int) -> list[Finding]:
    out = []
    taints = g.spec.get("taints") or []
    if not any(t.get("key") == key and t.get("effect") in _REPELS for t in taints):
        out.append(
            Finding.on(
                g,
                f"GPU node group '{g.name}' has no {key} NoSchedule taint, so ordinary pods can land "
                f"on it and keep it running; expected {key}=present:NoSchedule",
            )
        )
    low = g.spec.get("min_size")
    if low is not None and int(low) > minimum:
        out.append(
            Finding.on(
                g,
                f"GPU node group '{g.name}' has min_size {low}: it bills {low} GPU node(s) around the clock "
                f"even when idle; expected min_size {minimum}",
            )
        )
    return out
