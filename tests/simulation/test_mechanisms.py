"""Each mechanism of the engine on a world small enough to work out by hand."""

from __future__ import annotations

from aicommons.simulation.autoscaler import choose, estimate
from aicommons.simulation.placement import Node, place
from aicommons.simulation.scenario import Autoscaler, Hub, PodShape
from tests.simulation.worlds import INF, H, group, node_seconds, run

QUICK = Autoscaler(scale_down_delay_after_add_seconds=0)  # unneeded time 600 s, scan every 10 s


def test_a_node_is_not_removed_while_one_server_runs():
    # Two servers (1 CPU, 4 GiB) arrive at 0 on an empty group of 4-CPU nodes: one node, both on it.
    # B leaves at 1 h, A at 3 h; the node is unneeded from 3 h and goes 600 s later.
    # Node-seconds: 3 x 3600 + 600 = 11,400.
    result = run([group()], [(0, 3 * H, 0), (0, 1 * H, 0)], autoscaler=QUICK)
    assert result.group_log[0] == ([0.0, 3 * H + 600], [1, 0])
    assert node_seconds(result, 0, 24 * H) == 3 * H + 600


def test_scale_down_waits_for_the_unneeded_time_and_the_delay_after_add():
    # One server 0 -> 1 h. Unneeded 600 s, and no scale-down within 7,200 s of the scale-up at 0:
    # removal at max(3,600 + 600, 0 + 7,200) = 7,200.
    slow = Autoscaler(scale_down_delay_after_add_seconds=7200)
    result = run([group()], [(0, 1 * H, 0)], autoscaler=slow)
    assert result.group_log[0] == ([0.0, 7200.0], [1, 0])


def test_least_waste_picks_the_group_with_least_idle_cpu_plus_memory():
    # Three pods of 1 CPU / 4 GiB. small (2 CPU, 8 GiB): 2 nodes, idle (4-3)/4 + (16-12)/16 = 0.5.
    # big (16 CPU, 64 GiB): 1 node, idle (16-3)/16 + (64-12)/64 = 1.625. least-waste: small x 2;
    # least-nodes: big x 1; most-pods: both place 3, the first listed (small) wins the tie.
    small, big = group("small", cpu=2, mem=8), group("big", cpu=16, mem=64)
    pods = [(1.0, 4.0, 0)] * 3
    options = [estimate(small, 0, pods, 10), estimate(big, 1, pods, 10)]
    assert [(o.nodes, o.waste) for o in options] == [(2, 0.5), (1, 1.625)]
    assert choose("least-waste", options, (small, big)).group == 0
    assert choose("least-nodes", options, (small, big)).group == 1
    assert choose("most-pods", options, (small, big)).group == 0
    prio = (small, big.model_copy(update={"priority": 5}))
    assert choose("priority", options, prio).group == 1
    # In the engine: the three arrive at 0, two small nodes start, the big group stays at zero.
    result = run([small, big], [(0, H, 0)] * 3, autoscaler=QUICK)
    assert max(result.group_log[0][1]) == 2 and max(result.group_log[1][1]) == 0


def test_a_group_at_its_maximum_leaves_the_rest_to_the_next_group():
    # small may have one node: it takes 2 of the 3 pods (idle 0 + 0 = 0, the best); the third pod
    # goes at the next scan (10 s) to big, the only group with room.
    small, big = group("small", cpu=2, mem=8, max=1), group("big", cpu=16, mem=64)
    result = run([small, big], [(0, H, 0)] * 3, autoscaler=QUICK)
    # small: one node from 0 until 1 h + 600 s; big: one node from the scan at 10 s until 4,210 s.
    assert result.group_log == [([0.0, 4200.0], [1, 0]), ([0.0, 10.0, 4210.0], [0, 1, 0])]
    assert sorted(result.waits) == [0.0, 0.0, 10.0]


def test_a_start_times_out_when_boot_and_pull_exceed_the_start_timeout():
    # A GPU node takes 240 s to boot and 240 s to pull: ready at 480 > 300, the hub's timeout.
    # The first attempt (t=0) fails at 300; the retry at 360 waits for the node already booting
    # (no second node) and starts at 480: the user waited 480 s from the first attempt.
    gpu = group("gpu", cpu=8, mem=32, gpu=1, boot_seconds=240, image_pull_seconds=240)
    result = run([gpu], [(0, H, 0, INF)], shapes=[(4.0, 16.0, 1)], autoscaler=QUICK)
    assert result.failed_timeout == [0.0]
    assert result.waits == [480.0] and result.wait_at == [0.0]
    assert max(result.group_log[0][1]) == 1
    # Without a retry nobody uses the node: it is up from 0 and goes 600 s after it is ready.
    alone = run([gpu], [(0, H, 0)], shapes=[(4.0, 16.0, 1)], autoscaler=QUICK, hub=Hub(retries=0))
    assert alone.waits == [] and node_seconds(alone, 0, 24 * H) == 480 + 600


def test_a_start_fails_at_once_when_every_group_is_at_its_maximum():
    # One node of 4 CPUs at most; four 1-CPU servers run; a fifth at 10 s finds no room and no
    # group that may grow: it fails at the autoscaler's next scan (10 s), not at the timeout.
    one = group(max=1, min=1)
    rows = [(0, H, 0)] * 4 + [(10, H, 0)]
    result = run([one], rows, autoscaler=QUICK, hub=Hub(retries=0))
    assert result.failed_full == [10.0] and result.failed_timeout == []


def test_culling_ends_an_idle_server_and_max_age_ends_a_gpu_server():
    # Works 1 h, then idles 30 min until the culler stops it: the node is needed until 1.5 h and
    # goes 600 s later. Node-seconds: 5,400 + 600 = 6,000.
    culled = run([group()], [(0, H, 1800)], autoscaler=QUICK)
    assert node_seconds(culled, 0, 24 * H) == 5400 + 600
    # A GPU server of 20 h of work with a 12 h max age ends at 12 h: 43,200 + 600.
    gpu = group("gpu", cpu=8, mem=32, gpu=1)
    aged = run([gpu], [(0, 20 * H, 0, 12 * H)], shapes=[(4.0, 16.0, 1)], autoscaler=QUICK)
    assert node_seconds(aged, 0, 24 * H) == 12 * H + 600


def test_the_minimum_is_never_undercut():
    # min 1, nobody comes: the node runs all 24 h.
    idle = run([group(min=1)], [], autoscaler=QUICK)
    assert node_seconds(idle, 0, 24 * H) == 24 * H
    # A warm minimum of one node on Monday 08:00-10:00 only: launched at 8 h (instant boot),
    # kept through 9 h, removed at the 10 h boundary: 2 node-hours.
    warm = [1 if 8 <= h < 10 else 0 for h in range(168)]
    scheduled = run([group(min_by_hour=tuple(warm))], [], autoscaler=QUICK)
    assert scheduled.group_log[0] == ([0.0, 8 * H, 10 * H], [0, 1, 0])
    # min 1, two full-node servers: A (1 h -> 2 h) on the warm node, B (1 h + 1 s -> ...) on a node
    # added at the scan at 3,610, until 7,210. The warm node empties at 7,200 and goes at 7,800
    # (2 nodes > min 1); the other empties at 7,210 but is then the last one: it stays.
    busy = run([group(min=1)], [(H, H, 0), (H + 1, H, 0)], shapes=[(4.0, 16.0, 0)], autoscaler=QUICK)
    assert busy.group_log[0] == ([0.0, 3610.0, 7800.0], [1, 2, 1])


def test_a_placeholder_gives_a_user_an_instant_start():
    # One node (2 CPU, 8 GiB, min 1, 300 s to start) holds a placeholder of 1 CPU / 4 GiB.
    # A (1 CPU) at 1 h takes the free half. B at 1 h + 1 s finds no room, evicts the placeholder and
    # starts at once; the evicted placeholder makes the autoscaler start a node (scan at 3,610,
    # ready at 3,910) where it waits. C at 2 h finds room beside it and starts at once.
    node = group(cpu=2, mem=8, min=1, boot_seconds=300)
    shape = PodShape(cpu=1, memory_gib=4)
    rows = [(H, 3 * H, 0), (H + 1, 3 * H, 0), (2 * H, 3 * H, 0)]
    held = run([node], rows, placeholders=1, placeholder=shape, autoscaler=QUICK)
    assert held.waits == [0.0, 0.0, 0.0]
    assert held.group_log[0][0][:2] == [0.0, 3610.0] and held.group_log[0][1][:2] == [1, 2]
    # Without the placeholder A and B share the node and C waits for a new one: scan at 7,200
    # (a multiple of 10 s), ready at 7,500: a wait of 300 s.
    bare = run([node], rows, autoscaler=QUICK)
    assert bare.waits == [0.0, 0.0, 300.0]


def test_the_user_scheduler_packs_and_the_default_scheduler_spreads():
    # Node a (4 CPU, 16 GiB) runs one server of 1 CPU / 4 GiB; node b is empty. For a second such
    # server, requested share after placing it: a (2/4 + 8/16) = 1.0, b (1/4 + 4/16) = 0.5.
    # MostAllocated scores that share (a wins); LeastAllocated scores what is left (2 - share: b wins).
    a, b = Node(0, group()), Node(0, group())
    a.free = [3.0, 12.0, 0.0]
    assert place([a, b], (1.0, 4.0, 0), "MostAllocated") is a
    assert place([a, b], (1.0, 4.0, 0), "LeastAllocated") is b
    # A pod that fits nowhere gets no node.
    assert place([a, b], (5.0, 4.0, 0), "MostAllocated") is None
