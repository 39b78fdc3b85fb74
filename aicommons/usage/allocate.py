"""Allocation of measured node-hours to the pods that requested them (pure).

The rule, step by step (each Prometheus sample stands for one step of the window):

* every node present at the step costs ``usd_hour x step`` at the unit price the sizing used
  for its instance type (the plan's node groups, then the target's catalog; a node without an
  instance type label is priced as its pool's main node group);
* a **GPU node** (allocatable ``nvidia.com/gpu`` > 0) is shared by GPU slots: a pod's share is
  its GPU request over the node's allocatable GPUs, which on a time-sliced node are the device
  plugin's replicas (4 replicas of 1 GPU: 4 slots, a 1-slot server pays a quarter);
* any other node is shared by the **dominant share**: the larger of the pod's CPU request over
  the node's allocatable CPU and its memory request over allocatable memory (the resource the
  pod keeps others from using most). Where the shares add up to more than the node (one pod
  takes the CPU, another the memory) they are scaled down to add up to exactly the node;
* what no pod requested is the pool's **idle** line; pods that are neither user servers nor in a
  project's sandbox (daemonsets, the hub, monitoring) are the **platform** line.

Requests count only while the pod runs on the node (the query joins ``kube_pod_status_phase``),
so a pod that moved pays each node for the steps it spent there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from aicommons.usage.series import (
    COMPONENT,
    INSTANCE_TYPE,
    POOL,
    PROJECT,
    PROJECT_NAMESPACE_PREFIX,
    SERVER_COMPONENT,
    USERNAME,
    WORKLOAD,
    Observations,
    ksm_label,
)

GIB = 1024**3
RULE = (
    "each node costs its unit price (the sizing's) for every step it exists; a GPU node is shared by "
    "GPU slots (a pod's GPU request over the node's allocatable GPUs, time-slice replicas included); "
    "any other node by the larger of a pod's CPU and memory request over the node's allocatable, "
    "scaled down where the shares exceed the node; the unrequested rest is (idle); pods outside user "
    "servers and sandboxes are (platform)"
)
IDLE = "(idle)"
PLATFORM = "(platform)"
HUB = "(hub)"  # --by project: user servers outside any project's sandbox
UNLABELLED = "(unlabelled)"
UNPRICED = "(unpriced)"


@dataclass(frozen=True)
class WorkloadShape:
    """What a workload's servers request, to tell the workload of a pod the hub did not label."""

    name: str
    pool: str
    cpu: float
    memory_gib: float
    gpu: int


@dataclass(frozen=True)
class Prices:
    """Unit prices the sizing used: by instance type, and each pool's main type for unlabelled nodes."""

    by_type: dict[str, float]
    by_pool: dict[str, float]

    def usd_hour(self, instance_type: str, pool: str) -> float | None:
        if instance_type:
            return self.by_type.get(instance_type)
        return self.by_pool.get(pool)


@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    user: str
    project: str
    workload: str
    server: bool


@dataclass(frozen=True)
class Key:
    """One line of the allocation before grouping: where the money went."""

    pool: str
    kind: str  # "server", "platform" or "idle"
    project: str = ""
    user: str = ""
    workload: str = ""


@dataclass
class Amount:
    usd: float = 0.0
    node_hours: float = 0.0  # node-hours allocated (shares of nodes)
    gpu_hours: float = 0.0  # GPU units requested x hours (slots on a time-sliced pool)
    server_hours: float = 0.0  # user servers x hours

    def add(self, other: Amount) -> None:
        self.usd += other.usd
        self.node_hours += other.node_hours
        self.gpu_hours += other.gpu_hours
        self.server_hours += other.server_hours


@dataclass
class PoolUse:
    node_hours: float = 0.0
    usd: float = 0.0
    nodes: set[str] = field(default_factory=set)
    peak_nodes: int = 0


@dataclass
class Allocation:
    lines: dict[Key, Amount]
    pools: dict[str, PoolUse]
    hours: float  # length of the window
    notes: list[str]


@dataclass(frozen=True)
class Request:
    cpu: float = 0.0
    memory: float = 0.0  # bytes
    gpu: float = 0.0


@dataclass(frozen=True)
class NodeInfo:
    pool: str
    instance_type: str


@dataclass
class Index:
    """The observations by step: which nodes exist and which pods run where with what requests."""

    nodes: dict[int, dict[str, NodeInfo]]
    allocatable: dict[str, dict[int, Request]]
    running: dict[int, dict[str, dict[tuple[str, str, str], Request]]]  # t -> node -> pod key -> req
    pods: dict[tuple[str, str], Pod]


def index(obs: Observations, shapes: Iterable[WorkloadShape] = ()) -> Index:
    nodes: dict[int, dict[str, NodeInfo]] = defaultdict(dict)
    for s in obs.of("nodes"):
        node = s.labels.get("node", "")
        info = NodeInfo(
            s.labels.get(ksm_label(POOL)) or UNLABELLED, s.labels.get(ksm_label(INSTANCE_TYPE), "")
        )
        for t, v in s.samples:
            if v > 0 and node:
                nodes[t][node] = info
    alloc: dict[str, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for s in obs.of("allocatable"):
        for t, v in s.samples:
            alloc[s.labels.get("node", "")][t][s.labels.get("resource", "")] = v
    allocatable = {n: {t: _request(r) for t, r in by_t.items()} for n, by_t in alloc.items()}
    raw: dict[int, dict[str, dict[tuple[str, str, str], dict[str, float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict))
    )
    for s in obs.of("requests"):
        key = (s.labels.get("namespace", ""), s.labels.get("pod", ""), s.labels.get("uid", ""))
        node = s.labels.get("node", "")
        for t, v in s.samples:
            raw[t][node][key][s.labels.get("resource", "")] = v
    running = {
        t: {n: {k: _request(r) for k, r in pods.items()} for n, pods in by_n.items()}
        for t, by_n in raw.items()
    }
    return Index(dict(nodes), allocatable, running, _pods(obs, running, nodes, list(shapes)))


def _request(values: dict[str, float]) -> Request:
    return Request(values.get("cpu", 0.0), values.get("memory", 0.0), values.get("nvidia_com_gpu", 0.0))


def _pods(
    obs: Observations,
    running: dict[int, dict[str, dict[tuple[str, str, str], Request]]],
    nodes: dict[int, dict[str, NodeInfo]],
    shapes: list[WorkloadShape],
) -> dict[tuple[str, str], Pod]:
    """Who each pod belongs to: its labels, its namespace's project, its workload."""
    project_of_ns: dict[str, str] = {}
    for s in obs.of("namespace_labels"):
        slug = s.labels.get(ksm_label(PROJECT), "")
        if slug:
            project_of_ns[s.labels.get("namespace", "")] = slug
    labels: dict[tuple[str, str], dict[str, str]] = {}
    for s in obs.of("pod_labels"):
        labels[(s.labels.get("namespace", ""), s.labels.get("pod", ""))] = s.labels
    seen: dict[tuple[str, str], tuple[Request, str]] = {}  # a pod's requests and a pool it ran in
    for t in sorted(running):
        for node, pods in running[t].items():
            for (ns, name, _), req in pods.items():
                seen.setdefault((ns, name), (req, nodes.get(t, {}).get(node, NodeInfo("", "")).pool))
    out = {}
    for ns, name in sorted(seen):
        lab = labels.get((ns, name), {})
        user = lab.get(ksm_label(USERNAME), "")
        server = bool(user) or lab.get(ksm_label(COMPONENT)) == SERVER_COMPONENT
        project = project_of_ns.get(ns) or lab.get(ksm_label(PROJECT), "")
        if not project and ns.startswith(PROJECT_NAMESPACE_PREFIX):
            project = ns[len(PROJECT_NAMESPACE_PREFIX) :]
        workload = lab.get(ksm_label(WORKLOAD), "")
        if server and not workload:
            req, pool = seen[(ns, name)]
            workload = infer_workload(req, pool, shapes)
        out[(ns, name)] = Pod(ns, name, user, project, workload, server)
    return out


def infer_workload(req: Request, pool: str, shapes: list[WorkloadShape]) -> str:
    """The one workload of the plan whose requests (within 1%) and pool match the pod's, else unlabelled.

    KubeSpawner labels no pod with its profile, so without an ``aicommons.dev/workload`` label the
    profile is told by what the profile list asks for: ``cpu_guarantee``, ``mem_guarantee``,
    the GPU guarantee and the pool's node selector (render/jupyterhub.py ``workload_profile``)."""

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= 0.01 * max(abs(b), 1e-9)

    found = [
        s.name
        for s in shapes
        if (pool in ("", UNLABELLED) or s.pool == pool)
        and near(req.cpu, s.cpu)
        and near(req.memory / GIB, s.memory_gib)
        and round(req.gpu) == s.gpu
    ]
    return found[0] if len(found) == 1 else UNLABELLED


def shares(alloc: Request, pods: dict[tuple[str, str, str], Request]) -> dict[tuple[str, str, str], float]:
    """Each pod's share of the node (module docstring), adding up to at most 1."""
    if alloc.gpu > 0:
        out = {k: r.gpu / alloc.gpu for k, r in pods.items()}
    else:
        out = {
            k: max(
                r.cpu / alloc.cpu if alloc.cpu > 0 else 0.0,
                r.memory / alloc.memory if alloc.memory > 0 else 0.0,
            )
            for k, r in pods.items()
        }
    total = sum(out.values())
    return {k: v / total for k, v in out.items()} if total > 1 else out


def allocate(
    obs: Observations,
    prices: Prices,
    shapes: Iterable[WorkloadShape] = (),
    idx: Index | None = None,
    until: int | None = None,
) -> Allocation:
    """Spread each node's cost over the pods that requested it, the rest as its pool's idle line
    (over the observations' window, or up to ``until`` when given)."""
    idx = idx or index(obs, shapes)
    step_h = obs.step / 3600
    lines: dict[Key, Amount] = defaultdict(Amount)
    pools: dict[str, PoolUse] = defaultdict(PoolUse)
    unpriced: dict[str, float] = defaultdict(float)
    no_alloc: set[str] = set()
    for t in sorted(idx.nodes):
        if t < obs.start or t >= (obs.end if until is None else min(until, obs.end)):
            continue
        present = idx.nodes[t]
        for name in sorted(present):
            info = present[name]
            price = prices.usd_hour(info.instance_type, info.pool)
            if price is None:
                unpriced[info.instance_type or ("" if info.pool == UNLABELLED else info.pool)] += step_h
            cost = (price or 0.0) * step_h
            use = pools[info.pool]
            use.node_hours += step_h
            use.usd += cost
            use.nodes.add(name)
            running = idx.running.get(t, {}).get(name, {})
            alloc = _allocatable_at(idx.allocatable.get(name, {}), t)
            if alloc is None:
                no_alloc.add(name)
                split = {}
            else:
                split = shares(alloc, running)
            for key, share in sorted(split.items()):
                pod = idx.pods[key[:2]]
                req = running[key]
                line = (  # every pod of a sandbox is its project's, server or not
                    Key(
                        info.pool,
                        "server",
                        pod.project or HUB,
                        pod.user or UNLABELLED,
                        pod.workload or UNLABELLED,
                    )
                    if pod.server or pod.project
                    else Key(info.pool, "platform", PLATFORM, PLATFORM, PLATFORM)
                )
                lines[line].add(
                    Amount(share * cost, share * step_h, req.gpu * step_h, step_h if pod.server else 0.0)
                )
            rest = max(0.0, 1.0 - sum(split.values()))
            lines[Key(info.pool, "idle", IDLE, IDLE, IDLE)].add(Amount(rest * cost, rest * step_h))
        for pool in {i.pool for i in present.values()}:
            count = sum(1 for i in present.values() if i.pool == pool)
            pools[pool].peak_nodes = max(pools[pool].peak_nodes, count)
    notes = [
        f"{UNPRICED} {what or 'nodes without pool or instance type labels'}: {hours:g} node-hours without a "
        "unit price in the plan or the catalog"
        + ("" if what else " (kube-state-metrics' --metric-labels-allowlist must name the node labels)")
        for what, hours in sorted(unpriced.items())
    ]
    notes += [
        f"node {n}: no allocatable resources measured, its cost is shown as idle" for n in sorted(no_alloc)
    ]
    if idx.pods and not any(p.server for p in idx.pods.values()):
        notes.append(
            "no pod is labelled as a user server: kube-state-metrics' --metric-labels-allowlist must name "
            f"the pod labels {USERNAME} and {COMPONENT}, or every server is counted as platform"
        )
    end = obs.end if until is None else max(obs.start, min(until, obs.end))
    return Allocation(dict(lines), dict(pools), (end - obs.start) / 3600, notes)


def _allocatable_at(by_t: dict[int, Request], t: int) -> Request | None:
    """The node's allocatable at the step, or the nearest earlier (else later) measurement."""
    if t in by_t:
        return by_t[t]
    if not by_t:
        return None
    earlier = [s for s in by_t if s <= t]
    return by_t[max(earlier)] if earlier else by_t[min(by_t)]
