"""Demand: what each workload's servers need, where they may run, and when they run."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from aicommons.catalog.load import find_gpu, gpu_catalog, require_gpu
from aicommons.errors import ErrorGroup, InputError, Location
from aicommons.profile.model import CityProfile, GpuSpec, Workload
from aicommons.sizing.capacity import NodeType
from aicommons.sizing.cost import MONTH_HOURS_PER_WEEK_HOUR

_MIG_MEMORY = re.compile(r"^[1-7]g\.([0-9]+)gb$")


@dataclass(frozen=True)
class PodDemand:
    """One workload's server: guarantees packing reserves, and how many at peak."""

    index: int  # position in profile.workloads (for located errors)
    workload: str
    cpu: float
    memory_gib: float
    gpu: int  # GPUs (exclusive) or GPU slots (time-sliced replicas, MIG instances) per pod
    gpu_memory_gib: float
    peak_pods: int
    sharing: str  # "" for CPU, "exclusive", "time-sliced:N" or "mig:PROFILE"
    spec: GpuSpec | None

    @property
    def vector(self) -> tuple[float, float, float, float]:
        return (self.cpu, self.memory_gib, float(self.gpu), 1.0)


def sharing_key(spec: GpuSpec | None) -> str:
    if spec is None:
        return ""
    mode = spec.sharing.mode
    if mode == "time-sliced":
        return f"time-sliced:{spec.sharing.replicas}"
    if mode == "mig":
        return f"mig:{spec.sharing.mig_profile}"
    return "exclusive"


def pod_demand(index: int, workload: Workload, peak_users: int) -> PodDemand:
    spec = workload.gpu
    return PodDemand(
        index=index,
        workload=workload.name,
        cpu=workload.cpu.request,
        memory_gib=workload.memory.request,
        gpu=spec.count if spec else 0,
        gpu_memory_gib=spec.min_memory_gib if spec else 0.0,
        peak_pods=workload.peak_pods(peak_users),
        sharing=sharing_key(spec),
        spec=spec,
    )


def pod_demands(profile: CityProfile) -> list[PodDemand]:
    return [pod_demand(i, w, profile.users.peak_concurrent) for i, w in enumerate(profile.workloads)]


def gpu_slots(node: NodeType, sharing: str) -> int:
    """GPU slots a node offers to pods of one sharing kind."""
    if not node.has_gpu or not sharing:
        return 0
    mode, _, arg = sharing.partition(":")
    if mode == "time-sliced":
        return node.gpu_count * int(arg)
    if mode == "mig":
        gpu = find_gpu(node.gpu_model or "")
        return node.gpu_count * (gpu.mig_profiles.get(arg, 0) if gpu else 0)
    return node.gpu_count


def memory_per_slot(node: NodeType, pod: PodDemand) -> float:
    """GPU memory one pod of this kind can count on."""
    mode, _, arg = pod.sharing.partition(":")
    each = node.gpu_memory_gib or 0.0
    if mode == "time-sliced":
        return each / int(arg)  # time-slicing does not isolate memory: share it fairly
    if mode == "mig":
        m = _MIG_MEMORY.match(arg)
        return float(m.group(1)) if m else 0.0
    return each


def eligible(node: NodeType, pod: PodDemand) -> bool:
    """May a pod of this workload run on this kind of node (ignoring size)?"""
    if pod.spec is None:
        return not node.has_gpu  # CPU servers never take GPU nodes
    if not node.has_gpu or gpu_slots(node, pod.sharing) < pod.gpu:
        return False
    if pod.spec.models:
        # Unknown names match no node; check_feasible reports them with their field path.
        wanted = {gpu.name for m in pod.spec.models if (gpu := find_gpu(m)) is not None}
        if node.gpu_model not in wanted:
            return False
    return memory_per_slot(node, pod) + 1e-9 >= pod.gpu_memory_gib


def check_feasible(
    profile: CityProfile, pods: list[PodDemand], fits: dict[int, bool], types: list[NodeType], where: str
) -> None:
    """Reject workloads no GPU or node can ever host, with the field and what is possible."""
    errors: list[InputError] = []
    gpus = gpu_catalog().gpus
    for pod in pods:
        base = f"workloads[{pod.index}]"
        spec = pod.spec
        if spec is not None:
            unknown = 0
            for j, model in enumerate(spec.models or []):
                try:
                    require_gpu(model, f"{base}.gpu.models[{j}]")
                except InputError as exc:
                    errors.append(exc)
                    unknown += 1
            if unknown:
                continue  # "fits no node" would only repeat it
            if spec.sharing.mode == "mig":
                profiles = sorted({p for g in gpus for p in g.mig_profiles})
                if not any(spec.sharing.mig_profile in g.mig_profiles for g in gpus):
                    errors.append(
                        InputError(
                            f"no GPU in the catalog offers MIG profile {spec.sharing.mig_profile!r}",
                            Location(field=f"{base}.gpu.sharing.mig_profile"),
                            ", ".join(profiles),
                        )
                    )
                    continue
                mig = _mig_mismatch(spec, types, base, where)
                if mig is not None:
                    errors.append(mig)
                    continue
            most = max(g.usable_memory_gib for g in gpus)
            if spec.min_memory_gib > most:
                best = max(gpus, key=lambda g: g.usable_memory_gib)
                errors.append(
                    InputError(
                        f"asks for {spec.min_memory_gib:g} GiB of GPU memory per server; no GPU offers that much",
                        Location(field=f"{base}.gpu.min_memory_gib"),
                        f"at most {most:g} GiB ({best.name}); use count > 1 to spread a model over several GPUs",
                    )
                )
                continue
        if not fits.get(pod.index, False):
            candidates = [t for t in types if eligible(t, pod)] if not errors else []
            kind = "GPU node" if spec else "CPU node"
            if candidates:
                largest = max(candidates, key=lambda t: (t.allocatable.cpu, t.allocatable.memory_gib))
                allowed = (
                    f"the largest eligible {kind} ({largest.name}) offers about "
                    f"{largest.allocatable.cpu:.1f} CPU and {largest.allocatable.memory_gib:.1f} GiB "
                    "before daemonsets"
                )
            else:
                allowed = (
                    f"no {kind} in the catalog matches the GPU count, model, memory and sharing asked for"
                )
            errors.append(
                InputError(
                    f"workload {pod.workload!r} (cpu {pod.cpu:g}, memory {pod.memory_gib:g} GiB"
                    + (f", {pod.gpu} GPU slot(s) of {pod.gpu_memory_gib:g} GiB" if spec else "")
                    + f") fits no node offered for {where}",
                    Location(field=base),
                    allowed,
                )
            )
    if errors:
        raise ErrorGroup(errors)


@dataclass(frozen=True)
class Level:
    """A demand level of the week: pods per workload, and how many hours a month it holds."""

    hours_month: float
    counts: tuple[int, ...]


def levels(shares: list[float], pods: list[PodDemand], autoscales: bool) -> list[Level]:
    """Group the hours of the week by the pods they need (peak only when nodes don't scale)."""
    peak = tuple(p.peak_pods for p in pods)
    if not autoscales:
        return [Level(hours_month=MONTH_HOURS_PER_WEEK_HOUR * len(shares), counts=peak)]
    tally: Counter[tuple[int, ...]] = Counter()
    for share in shares:
        tally[tuple(math.ceil(p.peak_pods * share - 1e-9) for p in pods)] += 1
    if peak not in tally:
        tally[peak] += 0  # the peak always shapes the pool's size
    return [Level(hours_month=n * MONTH_HOURS_PER_WEEK_HOUR, counts=c) for c, n in sorted(tally.items())]


def _mig_mismatch(spec, types: list[NodeType], base: str, where: str) -> InputError | None:  # type: ignore[no-untyped-def]
    """A MIG request no offered GPU can meet: a slice smaller than min_memory_gib, or no GPU with MIG.

    MIG partitions a GPU into isolated slices of fixed memory (NVIDIA's MIG user guide: the profile
    name '<compute>g.<memory>gb' gives each slice's memory), so a slice below the workload's need
    never suffices; and GPUs without MIG (T4, A10G, L4, L40S) offer no slices at all.
    """
    name = spec.sharing.mig_profile
    found = _MIG_MEMORY.match(name or "")
    slice_gib = float(found.group(1)) if found else 0.0
    if slice_gib + 1e-9 < spec.min_memory_gib:
        bigger = sorted(
            {
                p
                for g in gpu_catalog().gpus
                for p in g.mig_profiles
                if (m := _MIG_MEMORY.match(p)) and float(m.group(1)) + 1e-9 >= spec.min_memory_gib
            }
        )
        return InputError(
            f"MIG slice {name!r} has {slice_gib:g} GiB of GPU memory, less than the "
            f"min_memory_gib: {spec.min_memory_gib:g} this workload asks for",
            Location(field=f"{base}.gpu.sharing.mig_profile"),
            ", ".join(bigger) or "no MIG slice is that large: use exclusive GPUs (gpu.count)",
        )
    wanted = {g.name for m in spec.models if (g := find_gpu(m)) is not None} if spec.models else None
    offered = sorted(
        {
            t.gpu_model
            for t in types
            if t.has_gpu and t.gpu_model and (wanted is None or t.gpu_model in wanted)
        }
    )
    with_mig = [m for m in offered if (g := find_gpu(m)) is not None and name in g.mig_profiles]
    if offered and not with_mig:
        able = sorted(g.name for g in gpu_catalog().gpus if name in g.mig_profiles)
        return InputError(
            f"MIG profile {name!r}: none of the GPUs offered for {where} ({', '.join(offered)}) supports MIG "
            "with that profile",
            Location(field=f"{base}.gpu.sharing"),
            f"a GPU with {name} ({', '.join(able) or 'none in the catalog'}), or sharing mode time-sliced",
        )
    return None
