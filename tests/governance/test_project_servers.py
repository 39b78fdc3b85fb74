"""Servers the approved quotas of active projects add to the sizing plan (Riverton, by hand).

Riverton's workloads: notebook 0.5 cores, 2 GiB (the default); gpu-small 3 cores, 12 GiB, 1 GPU.
  benefit-triage  approved, 0 GPUs, 4 cores, 16 GiB -> notebook:  min(4/0.5, 16/2) = min(8, 8) = 8
  bike-demand     approved, 1 GPU, 8 cores, 32 GiB  -> gpu-small: min(8/3, 32/12, 1/1) = min(2, 2, 1) = 1
Added at peak: 8 x (0.5, 2) + 1 x (3, 12, 1 GPU) = 7 cores, 28 GiB, 1 GPU.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from aicommons.profile import load_profile
from aicommons.render.sandbox_hub import base_workload
from aicommons.sizing.plan import PoolPlan, SizingPlan, size
from aicommons.sizing.projects import ProjectServers, project_servers
from aicommons.sizing.quotas import Resources, quota_fit

from .bundles import ROOT, TODAY, bundle, edited, register, riverton, with_project

CLUSTER_CITY = ROOT / "tests" / "fixtures" / "profiles" / "good" / "kubernetes-cluster.yaml"
BY_HAND = [
    ProjectServers(project="benefit-triage", workload="notebook", servers=8),
    ProjectServers(project="bike-demand", workload="gpu-small", servers=1),
]


def sized_with_projects() -> SizingPlan:
    return size(riverton(), register(), TODAY)


def test_servers_per_quota_by_hand() -> None:
    assert project_servers(riverton(), register(), TODAY) == BY_HAND
    assert sized_with_projects().project_servers == BY_HAND


@pytest.mark.parametrize(
    ("slug", "old", "new", "workload", "servers"),
    [
        # cores: floor(3.9 / 0.5) = 7 < floor(16 / 2) = 8
        ("benefit-triage", "  cpu: 4\n", "  cpu: 3.9\n", "notebook", 7),
        # memory: floor(5 / 2) = 2 < floor(4 / 0.5) = 8
        ("benefit-triage", "  memory_gib: 16\n", "  memory_gib: 5\n", "notebook", 2),
        # one server does not fit (1 GiB < 2 GiB): the default workload, no server
        ("benefit-triage", "  memory_gib: 16\n", "  memory_gib: 1\n", "notebook", 0),
        # GPUs: min(floor(8 / 3), floor(32 / 12), floor(2 / 1)) = min(2, 2, 2) = 2
        ("bike-demand", "  gpus: 1\n", "  gpus: 2\n", "gpu-small", 2),
        # 2 cores hold no gpu-small server: the default notebook, min(2 / 0.5, 32 / 2) = min(4, 16)
        ("bike-demand", "  cpu: 8\n", "  cpu: 2\n", "notebook", 4),
    ],
)
def test_the_scarcest_dimension_decides(slug: str, old: str, new: str, workload: str, servers: int) -> None:
    rows = project_servers(riverton(), with_project(edited(slug, old, new)), TODAY)
    assert next(r for r in rows if r.project == slug) == ProjectServers(
        project=slug, workload=workload, servers=servers
    )


def test_the_servers_go_where_the_sandbox_profile_starts_them() -> None:
    plan = sized_with_projects()
    chosen = {p.slug: base_workload(p, riverton(), plan).name for p in register()}
    assert chosen == {r.project: r.workload for r in plan.project_servers}


@pytest.mark.parametrize(
    ("old", "new"),
    [("  approved: true", "  approved: false"), ("status: development", "status: retired")],
    ids=["pending", "out-of-use"],
)
def test_pending_and_out_of_use_projects_add_nothing(old: str, new: str) -> None:
    projects = with_project(edited("bike-demand", old, new))
    assert project_servers(riverton(), projects, TODAY) == BY_HAND[:1]  # benefit-triage only


def test_expired_projects_add_nothing() -> None:
    after = date(2027, 1, 1)  # both fixture projects end 2026-12-31
    assert project_servers(riverton(), register(), after) == []
    assert size(riverton(), register(), after).model_dump() == size(riverton()).model_dump()


def _at_peak(pool: PoolPlan) -> tuple[float, float, int]:
    groups = pool.node_groups
    return (
        sum(g.allocatable.cpu * g.nodes.peak for g in groups),
        sum(g.allocatable.memory_gib * g.nodes.peak for g in groups),
        sum(g.allocatable.gpu * g.nodes.peak for g in groups),
    )


def test_size_with_projects_holds_their_servers() -> None:
    without, with_ = size(riverton()), sized_with_projects()
    assert with_.workloads == without.workloads  # peak_pods stays the hub's own
    before, after = quota_fit(without, (), TODAY).capacity, quota_fit(with_, (), TODAY).capacity
    assert after.cpu >= before.cpu and after.memory_gib >= before.memory_gib and after.gpus > before.gpus
    gpu = {p.role: p for p in with_.pools}["gpu"]
    assert (gpu.nodes.peak, gpu.nodes.max) == (4, 5)  # 3 hub + 1 project GPU server, one node each
    added = {r.workload: r.servers for r in with_.project_servers}
    for pool in (p for p in with_.pools if p.role != "core"):
        need = [(w, w.peak_pods + added.get(w.name, 0)) for w in with_.workloads if w.pool == pool.name]
        cpu, memory, gpus = _at_peak(pool)
        assert cpu >= sum(w.cpu * n for w, n in need)
        assert memory >= sum(w.memory_gib * n for w, n in need)
        assert gpus >= sum(w.gpu * n for w, n in need)
    assert with_.cost.usd_month > without.cost.usd_month


def test_quota_fit_counts_the_added_servers() -> None:
    fit = quota_fit(sized_with_projects(), register(), TODAY)
    assert fit.project_servers == Resources(gpus=1, cpu=7, memory_gib=28)
    assert fit.hub_peak == Resources(gpus=3, cpu=19, memory_gib=76)
    assert fit.fits


def test_without_projects_the_plan_serialises_as_before() -> None:
    plain = size(riverton()).model_dump(mode="json")
    assert "project_servers" not in plain
    assert size(riverton(), (), TODAY).model_dump(mode="json") == plain
    doc = sized_with_projects().model_dump(mode="json")
    assert doc["project_servers"][1] == {"project": "bike-demand", "workload": "gpu-small", "servers": 1}
    assert SizingPlan.model_validate(doc).project_servers == BY_HAND


def test_the_rendered_lock_file_records_the_servers() -> None:
    lock = json.loads(bundle().files["aicommons.lock.json"])
    assert [r["servers"] for r in lock["sizing"]["project_servers"]] == [8, 1]


def test_size_needs_the_date_with_projects() -> None:
    with pytest.raises(ValueError, match="today"):
        size(riverton(), register())


def test_node_limits_trim_the_servers_and_quota_fit_reports_the_rest() -> None:
    # Cluster City's GPU nodes: 2 L40S each, max_nodes 4 -> 8 GPUs; the hub's peak takes 5.
    # A quota of 4 GPUs, 32 cores, 128 GiB admits min(4/1, 32/4, 128/24) = min(4, 8, 5) = 4 gpu
    # servers (4 cores, 24 GiB, 1 GPU each); the inventory holds 3 more.
    city = load_profile(CLUSTER_CITY)
    big = edited(
        "bike-demand",
        "    gpus: 1\n    cpu: 8\n    memory_gib: 32",
        "    gpus: 4\n    cpu: 32\n    memory_gib: 128",
    )
    assert project_servers(city, (big,), TODAY)[0].servers == 4
    plan = size(city, (big,), TODAY)
    assert plan.project_servers == [ProjectServers(project="bike-demand", workload="gpu", servers=3)]
    assert any("room for 3 of the 4 gpu servers" in n for n in plan.notes)
    gpu = {p.role: p for p in plan.pools}["gpu"]
    assert gpu.nodes.max == 4
    fit = quota_fit(plan, (big,), TODAY)
    assert fit.exceeded == [
        "approved GPU quotas total 4 slots, above the 3 slots left after the hub's peak (8 slots capacity)"
    ]
