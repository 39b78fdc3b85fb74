"""The allocation on the recorded responses (tests/usage/recorded.py), every figure worked out by hand."""

from __future__ import annotations

import math

import pytest

from aicommons.governance.load import load_project_text
from aicommons.usage.allocate import Request, WorkloadShape, infer_workload, shares
from aicommons.usage.build import build_report
from aicommons.usage.series import ksm_label
from tests.governance.support import project_text
from tests.usage import recorded

GIB = 1024**3


def flood(gpus: int = 2):
    p = load_project_text(project_text("bike-demand"), "bike-demand.yaml")
    return p.model_copy(
        update={
            "slug": "flood",
            "sandbox": p.sandbox.model_copy(
                update={"quota": p.sandbox.quota.model_copy(update={"gpus": gpus})}
            ),
        }
    )


def report(by="project", projects=()):
    return build_report(
        recorded.observations(), recorded.plan(), projects, month="2026-11", month_to_date=True, by=by
    )


def amounts(rep):
    return {line.name: line.usd for line in rep.lines}


def test_label_names_are_kube_state_metrics_spelling():
    assert ksm_label("hub.jupyter.org/username") == "label_hub_jupyter_org_username"
    assert ksm_label("node.kubernetes.io/instance-type") == "label_node_kubernetes_io_instance_type"


def test_dominant_share_and_scaling_when_shares_exceed_the_node():
    node = Request(cpu=4, memory=16 * GIB)
    # bob: max(0.5/4, 8/16) = 0.5 (memory dominates); alice: max(1/4, 4/16) = 0.25
    assert shares(node, {"bob": Request(0.5, 8 * GIB), "alice": Request(1, 4 * GIB)}) == {
        "bob": 0.5,
        "alice": 0.25,
    }
    # cpu-heavy 3/4 = 0.75 and memory-heavy 12/16 = 0.75 add up to 1.5: scaled to 0.5 each, no idle
    assert shares(node, {"c": Request(3, 1 * GIB), "m": Request(0.5, 12 * GIB)}) == {"c": 0.5, "m": 0.5}


def test_gpu_node_is_shared_by_slots_not_cpu():
    node = Request(cpu=4, memory=16 * GIB, gpu=4)  # one T4 time-sliced into 4 replicas
    # the server takes half the CPU but one slot of four: a quarter; the daemonset no GPU: nothing
    assert shares(node, {"srv": Request(2, 8 * GIB, 1), "ds": Request(0.1, 0)}) == {"srv": 0.25, "ds": 0.0}


def test_workload_is_told_by_requests_and_pool_when_unlabelled():
    shapes = [WorkloadShape("standard", "user", 1, 4, 0), WorkloadShape("gpu", "gpu-t4-shared", 2, 8, 1)]
    assert infer_workload(Request(1, 4 * GIB), "user", shapes) == "standard"
    assert infer_workload(Request(2, 8 * GIB, 1), "gpu-t4-shared", shapes) == "gpu"
    assert infer_workload(Request(0.5, 8 * GIB), "user", shapes) == "(unlabelled)"


def test_by_project_with_sandbox_namespaces_idle_and_platform():
    rep = report("project")
    # core-1: 6 h x $0.10 = 0.60; the hub takes max(0.5/2, 1/8) = 0.25 -> platform 0.15, idle 0.45.
    # user-a: 6 h x $0.20 = 1.20. bob 0.5 x 6 steps x 0.2 = 0.60; alice 0.25 x 2 x 0.2 = 0.10;
    #   node-exporter 0.1/4 = 0.025 x 6 x 0.2 = 0.03; idle (4 x 0.475 + 2 x 0.225) x 0.2 = 0.47.
    # user-b (steps 2-3): 2 x 0.2 = 0.40. alice 0.25 x 0.2 = 0.05; erin 0.25 x 2 x 0.2 = 0.10;
    #   node-exporter 0.025 x 2 x 0.2 = 0.01; idle (0.725 + 0.475) x 0.2 = 0.24.
    # gpu-a: 6 x $0.50 = 3.00. carol 1/4 slot x 6 x 0.5 = 0.75; dave 1/4 x 2 x 0.5 = 0.25;
    #   idle (4 x 0.75 + 2 x 0.5) x 0.5 = 2.00.
    assert amounts(rep) == {
        "flood": 0.75,  # namespace label
        "roads": 0.10,  # project-roads has no label: told by the namespace prefix
        "(hub)": 1.00,  # bob 0.60 + alice 0.10 + 0.05 + dave 0.25
        "(idle)": 3.16,  # 0.45 + 0.47 + 0.24 + 2.00
        "(platform)": 0.19,  # 0.15 + 0.03 + 0.01
    }
    assert rep.total_usd == 5.20 and rep.idle_usd == 3.16 and rep.platform_usd == 0.19
    assert [line.name for line in rep.lines] == ["flood", "roads", "(hub)", "(idle)", "(platform)"]
    flood_line = rep.lines[0]
    assert flood_line.gpu_hours == 6.0 and flood_line.server_hours == 6.0
    assert flood_line.share == round(0.75 / 5.20, 4)


def test_by_user_follows_alice_across_nodes():
    # alice: 0.10 on user-a then 0.05 on user-b after her server came back on another node
    assert amounts(report("user")) == {
        "alice": 0.15,
        "bob": 0.60,
        "carol": 0.75,
        "dave": 0.25,
        "erin": 0.10,
        "(idle)": 3.16,
        "(platform)": 0.19,
    }


def test_by_workload_label_first_then_requests():
    # standard: bob (label) 0.60 + alice (1 cpu, 4 GiB) 0.15 + erin 0.10; gpu: carol 0.75 + dave 0.25
    assert amounts(report("workload")) == {"gpu": 1.00, "standard": 0.85, "(idle)": 3.16, "(platform)": 0.19}


def test_pools_beside_the_plan_prorated_to_the_window():
    pools = {p.pool: p for p in report("pool").pools}
    # the plan's month is 730 h at one node each: 73.00, 146.00, 365.00; the window is 6 h
    core, user, gpu = pools["core"], pools["user"], pools["gpu-t4-shared"]
    assert (core.usd, core.estimate_usd, core.held) == (0.60, 0.60, True)  # 73 x 6/730 = 0.60
    # user-b lived 2 of the 6 hours: 8 node-hours (1.60) against the plan's 6 (1.20): the sizing was low
    assert (user.node_hours, user.estimate_node_hours) == (8.0, 6.0)
    assert (user.usd, user.estimate_usd, user.difference_usd, user.held) == (1.60, 1.20, 0.40, False)
    assert (user.nodes_seen, user.peak_nodes, user.plan_max_nodes, user.idle_usd) == (2, 2, 3, 0.71)
    assert (gpu.usd, gpu.estimate_usd, gpu.idle_usd, gpu.held) == (3.00, 3.00, 2.00, True)


def test_projects_against_their_quota():
    rep = report("project", [flood(gpus=2)])
    lines = {p.project: p for p in rep.projects}
    # flood: 1 slot x 6 h = 6 GPU-hours of the 2 GPUs x 6 h = 12 its quota allows
    assert (lines["flood"].gpu_hours, lines["flood"].quota_gpu_hours, lines["flood"].gpu_hours_share) == (
        6.0,
        12.0,
        0.5,
    )
    assert lines["roads"].quota_gpus is None  # measured, not in the register


def test_measured_schedule_and_sessions_of_hub_servers():
    demand = report().demand
    # hub servers only (carol and erin are sandbox servers): standard = bob 0-5 + alice 1-3
    assert demand.hourly_servers["standard"][:7] == [1, 2, 2, 2, 1, 1, 0]
    assert demand.hourly_servers["gpu"][:5] == [0, 0, 1, 1, 0]  # dave, steps 2-3
    assert demand.peak_servers == {"gpu": 1, "standard": 2}
    assert demand.peak_total == 3  # steps 2-3: bob, alice, dave
    s = demand.sessions
    # alice's two pods (2 h, 1 h) and dave (2 h); bob ran from the window's start: cut, left out
    assert (s.count, s.median_hours, s.p90_hours) == (3, 2.0, 2.0)
    # sigma of ln [1, 2, 2] = ln 2 x pstdev([0, 1, 1]) = 0.6931 x 0.4714
    assert s.spread == pytest.approx(math.log(2) * math.sqrt(2 / 9), abs=1e-4)


def test_report_is_deterministic():
    assert report("user").model_dump_json() == report("user").model_dump_json()


def test_register_projects_without_use_are_listed_at_zero():
    idle_project = flood(gpus=1).model_copy(update={"slug": "bridges"})
    rep = report("project", [flood(), idle_project])
    assert [line.name for line in rep.lines][:3] == ["bridges", "flood", "roads"]
    assert (rep.lines[0].usd, rep.lines[0].gpu_hours) == (0.0, 0.0)


def test_nodes_without_labels_are_unpriced_and_said_so():
    from aicommons.usage.allocate import Prices, allocate
    from aicommons.usage.series import Observations, Series

    t0 = recorded.START
    obs = Observations(
        t0,
        t0 + 2 * 3600,
        3600,
        {
            "nodes": [Series({"node": "n1"}, ((t0, 1.0), (t0 + 3600, 1.0)))],
            "allocatable": [Series({"node": "n1", "resource": "cpu"}, ((t0, 4.0),))],
        },
    )
    found = allocate(obs, Prices({"m5.xlarge": 0.2}, {"user": 0.2}))
    assert sum(a.usd for a in found.lines.values()) == 0.0
    assert found.pools["(unlabelled)"].node_hours == 2.0
    (note,) = found.notes
    assert "2 node-hours without a unit price" in note and "--metric-labels-allowlist" in note


def test_without_pod_labels_the_report_says_why_nothing_is_a_server():
    obs = recorded.observations()
    bare = type(obs)(obs.start, obs.end, obs.step, {k: v for k, v in obs.series.items() if k != "pod_labels"})
    rep = build_report(bare, recorded.plan(), (), month="2026-11", month_to_date=True, by="user")
    # no server is recognised; carol's and erin's pods are still their projects' by their namespaces
    assert {line.name: line.usd for line in rep.lines} == {
        "(unlabelled)": 0.85,  # carol 0.75 + erin 0.10, users unknown
        "(idle)": 3.16,
        "(platform)": 1.19,  # 0.19 + bob 0.60 + alice 0.15 + dave 0.25
    }
    assert any("hub.jupyter.org/username" in n for n in rep.notes)


def test_workload_of_a_server_on_a_node_without_pool_label_is_told_by_requests_alone():
    shapes = [WorkloadShape("standard", "user", 1, 4, 0)]
    assert infer_workload(Request(1, 4 * GIB), "(unlabelled)", shapes) == "standard"
