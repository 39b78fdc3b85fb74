"""Approved project quotas against the headroom the sizing plan leaves (Riverton, by hand).

Riverton's plan (examples/cities/riverton.yaml):
  user pool   1.646 cores, 6.215 GiB per node, max 9 nodes  -> 14.814 cores, 55.935 GiB
  gpu-t4      3.499 cores, 12.977 GiB, 1 GPU, max 4 nodes    -> 13.996 cores, 51.908 GiB, 4 GPUs
  capacity    28.81 cores, 107.843 GiB, 4 GPU slots
  hub peak    notebook 20 x (0.5 cores, 2 GiB) + gpu-small 3 x (3 cores, 12 GiB, 1 GPU)
              = 19 cores, 76 GiB, 3 GPUs
  headroom    9.73 cores, 31.763 GiB, 1 GPU slot

known_plan() is sized without the projects on purpose: these tests check the report's
arithmetic. Sizing that holds the projects' servers is checked in test_project_servers.py.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.sizing.plan import Allocatable, NodeCounts, NodeGroupPlan, SizingPlan, size
from aicommons.sizing.quotas import Resources, quota_fit

from .bundles import RIVERTON, TODAY, edited, register, riverton, with_project
from .support import PROJECTS


def known_plan() -> SizingPlan:
    """Riverton's plan with the user pool fixed at one node group (9 x m6i.large at most), as the
    optimiser chose before mixed pools: the quota arithmetic below is checked by hand against it,
    so it must not move when the optimiser finds a cheaper layout."""
    plan = size(riverton())
    pools = []
    for pool in plan.pools:
        if pool.role == "user":
            group = NodeGroupPlan(
                name="user",
                instance_type="m6i.large",
                nodes=NodeCounts(min=1, peak=7, max=9),
                allocatable=Allocatable(cpu=1.646, memory_gib=6.215, gpu=0),
                usd_hour=0.096,
                node_hours_month=2033.67,
                usd_month=195.22,
            )
            pool = pool.model_copy(update={"node_groups": [group], "instance_type": "m6i.large"})
        pools.append(pool)
    return plan.model_copy(update={"pools": pools})


def test_capacity_adds_every_node_group_at_its_maximum() -> None:
    plan = size(riverton())
    fit = quota_fit(plan, (), TODAY)
    groups = [g for p in plan.pools if p.role != "core" for g in p.node_groups]
    assert len(groups) > len([p for p in plan.pools if p.role != "core"]), "riverton has a mixed pool"
    assert fit.capacity.cpu == round(sum(g.allocatable.cpu * g.nodes.max for g in groups), 3)
    assert fit.capacity.memory_gib == round(sum(g.allocatable.memory_gib * g.nodes.max for g in groups), 3)
    assert fit.capacity.gpus == sum(g.allocatable.gpu * g.nodes.max for g in groups)


def test_headroom_by_hand() -> None:
    fit = quota_fit(known_plan(), register(), TODAY)
    # user 9 x m6i.large (1.646 cores, 6.215 GiB each after the node exporter) + gpu-t4 4 x g4dn.xlarge
    # (3.479, 12.957): 14.814 + 13.916 = 28.73 cores, 55.935 + 51.828 = 107.763 GiB
    assert fit.capacity == Resources(gpus=4, cpu=28.73, memory_gib=107.763)
    assert fit.hub_peak == Resources(gpus=3, cpu=19, memory_gib=76)
    assert fit.headroom == Resources(gpus=1, cpu=9.73, memory_gib=31.763)


def test_fixture_quotas_exceed_cpu_and_memory() -> None:
    # approved: 4 + 8 = 12 cores > 9.73; 16 + 32 = 48 GiB > 31.763; 0 + 1 = 1 GPU <= 1
    fit = quota_fit(known_plan(), register(), TODAY)
    assert fit.approved == Resources(gpus=1, cpu=12, memory_gib=48)
    assert not fit.fits
    assert [line.split(" quotas")[0] for line in fit.exceeded] == ["approved CPU", "approved memory"]


def test_smaller_requests_fit() -> None:
    # bike-demand 4 cores, 12 GiB: 8 cores <= 9.73, 28 GiB <= 31.763
    smaller = edited("bike-demand", "    cpu: 8\n    memory_gib: 32", "    cpu: 4\n    memory_gib: 12")
    fit = quota_fit(known_plan(), with_project(smaller), TODAY)
    assert fit.fits and fit.exceeded == []


def test_a_second_gpu_exceeds_and_pending_requests_do_not_count() -> None:
    two = edited("bike-demand", "  gpus: 1", "  gpus: 2")
    fit = quota_fit(known_plan(), with_project(two), TODAY)
    assert any(
        line.startswith("approved GPU quotas total 2 slots, above the 1 slots") for line in fit.exceeded
    )
    pending = edited("bike-demand", "    gpus: 1\n    cpu: 8\n    memory_gib: 32\n    storage_gib: 50\n    approved: true",
                     "    gpus: 2\n    cpu: 8\n    memory_gib: 32\n    storage_gib: 50\n    approved: false")  # fmt: skip
    fit = quota_fit(known_plan(), with_project(pending), TODAY)
    assert fit.approved == Resources(gpus=0, cpu=4, memory_gib=16)
    assert fit.pending == Resources(gpus=2, cpu=8, memory_gib=32)
    assert fit.fits


def test_inactive_projects_do_not_count() -> None:
    fit = quota_fit(known_plan(), register(), date(2027, 1, 1))
    assert fit.projects == [] and fit.fits


def test_size_reports_quotas_only_with_projects(tmp_path: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(app, ["size", str(RIVERTON), "--format", "json"])
    assert plain.exit_code == 0, plain.output
    assert "project_quotas" not in json.loads(plain.output)

    shutil.copy(RIVERTON, tmp_path / "riverton.yaml")
    shutil.copytree(PROJECTS, tmp_path / "projects")
    bike = tmp_path / "projects" / "bike-demand.yaml"  # more than the city has room for
    text = bike.read_text(encoding="utf-8")
    assert "    cpu: 8\n    memory_gib: 32" in text
    bike.write_text(
        text.replace("    cpu: 8\n    memory_gib: 32", "    cpu: 64\n    memory_gib: 512"), encoding="utf-8"
    )
    args = ["size", str(tmp_path / "riverton.yaml"), "--today", "2026-03-01"]
    doc = json.loads(runner.invoke(app, [*args, "--format", "json"]).output)
    # The pools now hold the project servers (1 GPU server: 64 cores admit 21, the 1 GPU admits 1),
    # but a quota far above its whole servers still exceeds what the pools leave.
    assert doc["project_servers"] == [
        {"project": "benefit-triage", "workload": "notebook", "servers": 8},
        {"project": "bike-demand", "workload": "gpu-small", "servers": 1},
    ]
    assert doc["workloads"] == json.loads(plain.output)["workloads"]  # the hub's own peak
    assert len(doc["project_quotas"]["exceeded"]) == 2
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    words = " ".join(table.output.split())
    assert "warning: approved CPU quotas total 68 cores" in words
    assert "AI project servers" in words and "of which added for project servers" in words
