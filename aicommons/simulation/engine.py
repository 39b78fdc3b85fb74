"""The discrete-event model of one pool: scheduler, cluster autoscaler, hub start timeout, culling.

A plain heapq event loop: SimPy's process/event objects cost about ten times more per event
(benchmarks/simulation_engine.py: 100,000 servers in 0.29 s with heapq, 2.7 s with SimPy 4.1).
Events at the same instant run in a fixed order: departures, nodes becoming ready, scale-down
checks, hour boundaries, arrivals, autoscaler scans, start timeouts.

Rules and their sources (kubernetes/autoscaler cluster-autoscaler/FAQ.md unless said otherwise):
- Start: KubeSpawner waits `start_timeout` for the pod to run, then gives up and deletes it
  (jupyterhub/kubespawner kubespawner/spawner.py `start_timeout`; z2jh `singleuser.startTimeout`,
  300 s by default). The user tries again `retry_after_seconds` later, `retries` times. A start's
  wait runs from the user's first attempt, failed attempts included.
- Scale-up: every `scan-interval` (10 s) the autoscaler looks at unschedulable pods ("How does
  scale-up work?"); pods that fit nodes already launching wait for them; otherwise one group grows
  (autoscaler.py). A pod no group can host within its maximum fails at once: the autoscaler
  reports "max node group size reached" and the hub would only time out later.
- Node ready: boot plus image pull after the scale-up (hardware_profiles/node_startup.yaml).
- Scale-down ("How does scale-down work?", "What types of pods can prevent CA from removing a
  node?"): a node goes when it has been unneeded for `scale-down-unneeded-time`, not within
  `scale-down-delay-after-add` of a scale-up (of the same pool: pools run separately, where the
  autoscaler applies the delay cluster-wide), never below the group's minimum. Notebook servers
  are bare pods without a controller, so a node with one is never drained; placeholders (a
  StatefulSet) move if they fit elsewhere and the node is below the utilization threshold.
- Warm minimum by hour: a scheduled action on the Auto Scaling group raises the minimum at the
  hour; the autoscaler then never goes below it.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from aicommons.simulation.arrivals import HOUR, SessionArrays
from aicommons.simulation.autoscaler import Option, Shape, absorb, choose, estimate, fits, take
from aicommons.simulation.placement import Node, place, preempt
from aicommons.simulation.scenario import HOURS_PER_WEEK, Autoscaler, Hub, Pool, Scoring

DEPART, READY, DOWN, HOUR_TICK, ARRIVE, SCAN, TIMEOUT = range(7)
MOVE_RETRY = 300.0  # a node held by placeholders that cannot move yet is looked at again this much later


@dataclass
class PoolRun:
    """What happened in one run of one pool; times in seconds since the start of the run."""

    group_log: list[tuple[list[float], list[int]]]  # per group: times, node counts from then on
    running_log: tuple[list[float], list[int]]  # user servers running
    waits: list[float] = field(default_factory=list)  # seconds from the user's first attempt to a server
    wait_at: list[float] = field(default_factory=list)  # when that user first asked
    failed_timeout: list[float] = field(default_factory=list)  # arrival times of attempts that timed out
    failed_full: list[float] = field(default_factory=list)  # ... that found every group at its maximum


@dataclass
class _Pending:
    session: int
    arrival: float  # this attempt
    attempt: int
    first: float  # the user's first attempt
    done: bool = False


def run_pool(
    pool: Pool,
    shapes: list[Shape],
    sessions: SessionArrays,
    autoscaler: Autoscaler,
    hub: Hub,
    scoring: Scoring,
    horizon: float,
) -> PoolRun:
    """Replay the pool's server requests until `horizon` seconds.

    The pool starts with each group at its minimum, ready, and its placeholders placed where they fit.
    """
    groups = pool.groups
    counts = [0] * len(groups)
    log = PoolRun([([0.0], [0]) for _ in groups], ([0.0], [0]))
    ready: list[Node] = []
    pending: list[_Pending] = []
    parked: list[set[Node]] = [set() for _ in groups]  # empty nodes the minimum keeps
    events: list[tuple[float, int, int, object]] = []
    seq = 0
    scans: set[float] = set()  # times of the autoscaler loops already scheduled
    state = {"running": 0, "last_up": -math.inf, "ph_pending": pool.placeholders}
    ph: Shape = (
        (pool.placeholder.cpu, pool.placeholder.memory_gib, pool.placeholder.gpu)
        if pool.placeholder
        else (0, 0, 0)
    )
    unneeded = autoscaler.scale_down_unneeded_seconds
    scan = autoscaler.scan_interval_seconds
    # Plain lists: indexing numpy arrays one element at a time is several times slower.
    kind_of = sessions.workload.tolist()
    work, leave, tail, max_age = (
        sessions.work.tolist(),
        sessions.leave.tolist(),
        sessions.tail.tolist(),
        sessions.max_age.tolist(),
    )

    def push(t: float, kind: int, item: object) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, kind, seq, item))

    def set_count(g: int, t: float, delta: int) -> None:
        t = float(t)
        counts[g] += delta
        times, values = log.group_log[g]
        if times[-1] == t:
            values[-1] = counts[g]
        else:
            times.append(t)
            values.append(counts[g])

    def set_running(t: float, delta: int) -> None:
        t = float(t)
        state["running"] += delta
        times, values = log.running_log
        if times[-1] == t:
            values[-1] = state["running"]
        else:
            times.append(t)
            values.append(state["running"])

    def launch(g: int, t: float) -> None:
        node = Node(g, groups[g])
        set_count(g, t, 1)
        if groups[g].startup_seconds == 0:
            node_ready(node, t)
        else:
            booting.append(node)
            push(t + groups[g].startup_seconds, READY, node)

    def node_ready(node: Node, t: float) -> None:
        node.ready = True
        ready.append(node)
        drain(node, t)
        if node.users == 0:
            became_empty(node, t)

    def became_empty(node: Node, t: float) -> None:
        node.token += 1
        push(t + unneeded, DOWN, (node, node.token))

    def start(p: _Pending, node: Node, t: float) -> None:
        i = p.session
        if node.users == 0:
            node.token += 1  # no longer empty: a pending scale-down check is void
        take(node.free, shapes[kind_of[i]])
        node.users += 1
        log.wait_at.append(p.first)
        log.waits.append(t - p.first)
        p.done = True
        end = min(min(t + work[i], leave[i]) + tail[i], t + max_age[i])
        push(max(end, t), DEPART, (node, i))
        set_running(t, 1)

    def try_start(p: _Pending, t: float) -> bool:
        pod = shapes[kind_of[p.session]]
        node = place(ready, pod, scoring)
        if node is None:
            node = preempt(ready, pod, ph)
            if node is None:
                return False
            evicted = node.evict_for(pod, ph)
            state["ph_pending"] += evicted
            want_scan(t)
        start(p, node, t)
        return True

    def drain(node: Node, t: float) -> None:
        """Room grew on one node: start the pending pods that now fit there, users first, in order.

        Every other ready node was already too full for them (each growth of room drains), so this
        node is the only feasible one and scoring has nothing to choose."""
        if pending:
            kept = []
            for p in pending:
                if fits(node.free, shapes[kind_of[p.session]]):
                    start(p, node, t)
                else:
                    kept.append(p)
            pending[:] = kept
        while state["ph_pending"] and fits(node.free, ph):
            take(node.free, ph)
            node.placeholders += 1
            state["ph_pending"] -= 1

    def want_scan(t: float) -> None:
        """The autoscaler's next loop at or after t (loops run every scan interval from 0)."""
        at = float(math.ceil(t / scan - 1e-9) * scan)
        if at not in scans:
            scans.add(at)
            push(at, SCAN, None)

    def fail(p: _Pending, t: float, where: list[float]) -> None:
        p.done = True
        where.append(p.arrival)
        if p.attempt < hub.retries:
            push(t + hub.retry_after_seconds, ARRIVE, (p.session, p.attempt + 1, p.first))

    def scale_up(t: float) -> None:
        """One autoscaler loop: pods not absorbed by booting nodes -> one expander choice."""
        pods = [shapes[kind_of[p.session]] for p in pending] + [ph] * state["ph_pending"]
        if not pods:
            return
        left = absorb([list(n.free) for n in booting], pods)
        if not left:
            return
        wanted = [pods[i] for i in left]
        options: list[Option] = []
        for g, group in enumerate(groups):
            found = estimate(group, g, wanted, group.max - counts[g])
            if found is not None:
                options.append(found)
        helpable = {i for o in options for i in o.helped}
        hopeless = {left[i] for i in range(len(left)) if i not in helpable and left[i] < len(pending)}
        for i in sorted(hopeless):
            fail(pending[i], t, log.failed_full)
        if hopeless:
            pending[:] = [p for p in pending if not p.done]
        if not options:
            return
        best = choose(autoscaler.expander, options, groups)
        for _ in range(best.nodes):
            launch(best.group, t)
        state["last_up"] = t
        for node in [n for g in parked for n in g]:
            push(t + autoscaler.scale_down_delay_after_add_seconds, DOWN, (node, node.token))
        for g in parked:
            g.clear()
        if len(best.helped) < len(wanted):
            want_scan(t + scan)

    def scale_down(node: Node, t: float) -> None:
        group = groups[node.group]
        if counts[node.group] <= group.min_at(int(t // HOUR) % HOURS_PER_WEEK):
            parked[node.group].add(node)
            if group.min_by_hour is not None:
                push((math.floor(t / HOUR) + 1) * HOUR, DOWN, (node, node.token))
            return
        after_add = state["last_up"] + autoscaler.scale_down_delay_after_add_seconds
        if t < after_add:
            push(after_add, DOWN, (node, node.token))
            return
        if node.placeholders:
            if (
                node.utilization() >= autoscaler.scale_down_utilization_threshold
                or not node.move_placeholders([n for n in ready if n is not node], ph, scoring)
            ):
                push(t + MOVE_RETRY, DOWN, (node, node.token))
                return
        node.alive = False
        ready.remove(node)
        set_count(node.group, t, -1)
        if state["ph_pending"]:
            want_scan(t)

    booting: list[Node] = []
    for g, group in enumerate(groups):
        for _ in range(group.min_at(0)):
            node = Node(g, group)
            set_count(g, 0.0, 1)
            node_ready(node, 0.0)
    if any(group.min_by_hour is not None for group in groups):
        push(HOUR, HOUR_TICK, None)
    if state["ph_pending"]:
        want_scan(0.0)

    arrivals = sessions.arrival.tolist()
    n_arrivals = len(arrivals)
    a = 0
    while True:
        next_a = arrivals[a] if a < n_arrivals else math.inf
        if events and (events[0][0], events[0][1]) < (next_a, ARRIVE):
            t, kind, _, item = heapq.heappop(events)
        elif next_a < math.inf:
            t, kind, item = next_a, ARRIVE, (a, 0, next_a)
            a += 1
        else:
            break
        if t >= horizon:
            break
        if kind == DEPART:
            node, _i = item  # type: ignore[misc]
            c, m, g = shapes[kind_of[_i]]
            take(node.free, (-c, -m, -g))
            node.users -= 1
            set_running(t, -1)
            if pending or state["ph_pending"]:
                drain(node, t)
            if node.users == 0:
                became_empty(node, t)
        elif kind == READY:
            node = item  # type: ignore[assignment]
            booting.remove(node)
            node_ready(node, t)
        elif kind == DOWN:
            node, token = item  # type: ignore[misc]
            if node.alive and node.ready and node.users == 0 and token == node.token:
                scale_down(node, t)
        elif kind == HOUR_TICK:
            h = int(round(t / HOUR)) % HOURS_PER_WEEK
            for g, group in enumerate(groups):
                for _ in range(group.min_at(h) - counts[g]):
                    launch(g, t)
            push(t + HOUR, HOUR_TICK, None)
        elif kind == ARRIVE:
            session, attempt, first = item  # type: ignore[misc]
            p = _Pending(session, t, attempt, first)
            if not try_start(p, t):
                pending.append(p)
                push(t + hub.start_timeout_seconds, TIMEOUT, p)
                want_scan(t)
        elif kind == SCAN:
            scans.discard(t)
            scale_up(t)
        elif kind == TIMEOUT:
            p = item  # type: ignore[assignment]
            if not p.done:
                fail(p, t, log.failed_timeout)
                pending.remove(p)
    return log
