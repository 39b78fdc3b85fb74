"""The scenario builder reads the plan and what render sets; arrivals follow the schedule."""

from __future__ import annotations

import numpy as np
import pytest

from aicommons.profile.load import load_profile
from aicommons.render.jupyterhub import jupyterhub_values
from aicommons.simulation.arrivals import pool_sessions
from aicommons.simulation.build import (
    GroupOverride,
    Overrides,
    duration_seconds,
    hub_knobs_without_render,
    scenario_from_plan,
)
from aicommons.simulation.defaults import startup_table
from aicommons.simulation.scenario import Culling, Sessions, Workload
from aicommons.sizing.plan import size
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def sized():
    out = {}
    for path in EXAMPLES:
        profile = load_profile(path)
        out[path.stem] = (profile, size(profile))
    return out


def test_every_example_builds_a_scenario_of_its_user_and_gpu_pools(sized):
    for name, (profile, plan) in sized.items():
        scenario = scenario_from_plan(profile, plan)
        assert [p.name for p in scenario.pools] == [p.name for p in plan.pools if p.role != "core"], name
        for pool, planned in zip(scenario.pools, [p for p in plan.pools if p.role != "core"], strict=True):
            assert [(g.instance_type, g.min, g.max, g.usd_hour) for g in pool.groups] == [
                (g.instance_type, g.nodes.min, g.nodes.max, g.usd_hour) for g in planned.node_groups
            ]
        # Each workload runs peak x share servers in each hour of the week.
        shares = profile.hour_shares()
        for w, wp in zip(scenario.workloads, plan.workloads, strict=True):
            assert w.concurrency == tuple(wp.peak_pods * s for s in shares)


def test_knobs_are_read_from_what_render_sets(sized):
    # The autoscaler as render/platform_releases.py sets it: least-waste, unneeded for 10m.
    profile, plan = sized["lakeside"]  # medium tier: user-scheduler on, 5 placeholders
    scenario = scenario_from_plan(profile, plan)
    assert scenario.autoscaler.expander == "least-waste"
    assert scenario.autoscaler.scale_down_unneeded_seconds == 600
    assert scenario.scoring == "MostAllocated"
    assert scenario.hub.start_timeout_seconds == 300  # z2jh's singleuser.startTimeout default
    assert scenario.culling.idle_minutes == profile.governance.idle_cull_minutes
    user = next(p for p in scenario.pools if p.name == "user")
    assert user.placeholders == 5 and user.placeholder is not None and user.placeholder.cpu == 0.5
    assert all(p.placeholders == 0 for p in scenario.pools if p.name != "user")
    pilot = scenario_from_plan(*sized["riverton"])  # pilot: no user-scheduler, no placeholders
    assert pilot.scoring == "LeastAllocated" and all(p.placeholders == 0 for p in pilot.pools)


def test_knobs_without_render_match_render_for_every_example(sized):
    for name, (profile, plan) in sized.items():
        values = jupyterhub_values(profile, plan)
        knobs = hub_knobs_without_render(profile)
        placeholder = values["scheduling"]["userPlaceholder"]
        assert knobs["placeholders"] == (placeholder["replicas"] if placeholder["enabled"] else 0), name
        assert knobs["user_scheduler"] == values["scheduling"]["userScheduler"]["enabled"], name
        assert knobs["cull_timeout"] == values["cull"]["timeout"], name
        assert knobs["cull_every"] == values["cull"]["every"], name
        assert "startTimeout" not in values["singleuser"]  # else the builder's default is not what runs


def test_gpu_nodes_start_slower_and_overrides_win(sized):
    table = startup_table()
    cpu, gpu = table.for_type("m6i.large", False), table.for_type("g6.2xlarge", True)
    assert gpu.boot_seconds + gpu.image_pull_seconds > cpu.boot_seconds + cpu.image_pull_seconds
    assert table.for_type("p5.48xlarge", True).boot_seconds > gpu.boot_seconds
    profile, plan = sized["riverton"]
    over = Overrides(groups={"gpu-t4": GroupOverride(max=9, min_by_hour=tuple([1] * 168), boot_seconds=5)})
    pool = next(p for p in scenario_from_plan(profile, plan, overrides=over).pools if p.name == "gpu-t4")
    assert (pool.groups[0].max, pool.groups[0].min_at(3), pool.groups[0].boot_seconds) == (9, 1, 5)
    with pytest.raises(ValueError, match="no node group 'gpu-t5'"):
        scenario_from_plan(profile, plan, overrides=Overrides(groups={"gpu-t5": GroupOverride(max=1)}))


def test_durations_as_the_autoscaler_flags_write_them():
    assert duration_seconds("10m") == 600
    assert duration_seconds("1m30s") == 90
    assert duration_seconds("2h") == 7200
    with pytest.raises(ValueError):
        duration_seconds("ten minutes")


def test_idle_servers_outlive_their_users_by_the_cull_timeout():
    # Nobody stops their server: the hub culls it idle_minutes (60) after the user leaves, checking
    # every 300 s: tail in [3,600, 3,900). GPU servers stop after the GPU idle timeout (30 min,
    # kernels culled each 60 s): [1,800, 1,860), and live at most 12 h.
    sessions = Sessions(median_hours=1, spread=0.5, self_stop_share=0, end_of_day_share=1, end_of_day_hour=18)
    culling = Culling(idle_minutes=60, cull_every_seconds=300, gpu_idle_minutes=30, gpu_max_age_hours=12)
    cpu = Workload(name="c", pool="p", cpu=1, memory_gib=1, concurrency=tuple([5.0] * 168))
    gpu = Workload(name="g", pool="p", cpu=1, memory_gib=1, gpu=1, concurrency=tuple([5.0] * 168))
    arrays = pool_sessions(np.random.default_rng(1), [cpu, gpu], [False, True], sessions, culling, 168)
    c, g = arrays.workload == 0, arrays.workload == 1
    assert arrays.tail[c].min() >= 3600 and arrays.tail[c].max() < 3900
    assert arrays.tail[g].min() >= 1800 and arrays.tail[g].max() < 1860
    assert np.all(arrays.max_age[g] == 12 * 3600) and np.all(np.isinf(arrays.max_age[c]))
    # Everyone on before 18:00 leaves at 18:00 of that day at the latest (end_of_day_share 1).
    day_start = np.floor(arrays.arrival / 86400) * 86400
    before = arrays.arrival < day_start + 18 * 3600
    assert np.all(arrays.leave[before] == day_start[before] + 18 * 3600)
    assert np.all(np.isinf(arrays.leave[~before]))


def test_every_example_simulates_within_its_groups_bounds(sized):
    # Whatever the users do, a group runs at least its minimum all month (min x 730 node-hours) and
    # never more than its maximum nodes at once.
    from aicommons.simulation import simulate

    for name, (profile, plan) in sized.items():
        scenario = scenario_from_plan(profile, plan)
        result = simulate(scenario, seeds=1, weeks=1)
        for pool, simulated in zip(scenario.pools, result.pools, strict=True):
            for group, out in zip(pool.groups, simulated.groups, strict=True):
                assert out.node_hours_month.median >= group.min * 730 - 1e-6, (name, group.name)
                assert out.peak_nodes <= group.max, (name, group.name)
            assert simulated.starts_month.median > 0, (name, pool.name)
