"""AI project quota requests against the capacity the sizing plan leaves after the hub's peak.

The plan sizes node pools for the hub's workloads at their peak plus the servers the approved
quotas of active projects admit (``sizing/projects.py``). Project sandboxes share those nodes,
so what their approved quotas may use is the pools' capacity at their maximum node count minus
the hub's peak demand. Sized with the projects, approved quotas fit unless something caps the
pools (a node type's ``max_nodes``, or fixed pools on the kubernetes and onprem targets), or a
quota asks for more than its whole servers use (8 cores with one 3-core GPU server) and the
pools' slack does not cover the rest. GPUs count as device-plugin slots: a time-sliced or MIG
pool offers more slots than physical GPUs, and a quota of ``nvidia.com/gpu`` counts the same
slots. Pure: the render date comes from the caller.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from aicommons.governance.model import AIProject
from aicommons.governance.readiness import is_live
from aicommons.sizing.plan import SizingPlan


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resources(_Out):
    gpus: int = Field(description="GPU slots.")
    cpu: float = Field(description="Cores (requests).")
    memory_gib: float = Field(description="Memory (requests), GiB.")


class ProjectQuota(_Out):
    slug: str
    approved: bool
    request: Resources


class QuotaFit(_Out):
    """Whether the approved quotas of the active projects fit beside the hub's peak."""

    capacity: Resources = Field(description="User and GPU pools at their maximum node count.")
    hub_peak: Resources = Field(description="What the hub's workloads request at their peak.")
    project_servers: Resources = Field(
        description="What the project servers the plan added request at their peak (part of the capacity)."
    )
    headroom: Resources = Field(description="Capacity minus the hub's peak: what projects may use.")
    approved: Resources = Field(description="Sum of the requests of live projects (approved and assessed).")
    pending: Resources = Field(description="Sum of the requests of active projects not live yet.")
    projects: list[ProjectQuota]
    exceeded: list[str] = Field(
        description="One sentence per resource whose approved total exceeds the headroom."
    )

    @property
    def fits(self) -> bool:
        return not self.exceeded


def _sum(requests: list[Resources]) -> Resources:
    return Resources(
        gpus=sum(r.gpus for r in requests),
        cpu=round(sum(r.cpu for r in requests), 3),
        memory_gib=round(sum(r.memory_gib for r in requests), 3),
    )


def quota_fit(plan: SizingPlan, projects: tuple[AIProject, ...], today: date) -> QuotaFit:
    users = [p for p in plan.pools if p.role != "core"]
    at_max = [p.capacity_at_max() for p in users]
    capacity = Resources(
        gpus=int(sum(c.gpu for c, p in zip(at_max, users, strict=True) if p.role == "gpu")),
        cpu=round(sum(c.cpu for c in at_max), 3),
        memory_gib=round(sum(c.memory_gib for c in at_max), 3),
    )
    hub_peak = Resources(
        gpus=sum(w.gpu * w.peak_pods for w in plan.workloads),
        cpu=round(sum(w.cpu * w.peak_pods for w in plan.workloads), 3),
        memory_gib=round(sum(w.memory_gib * w.peak_pods for w in plan.workloads), 3),
    )
    by_name = {w.name: w for w in plan.workloads}
    added = [(by_name[row.workload], row.servers) for row in plan.project_servers]
    project_servers = Resources(
        gpus=sum(w.gpu * n for w, n in added),
        cpu=round(sum(w.cpu * n for w, n in added), 3),
        memory_gib=round(sum(w.memory_gib * n for w, n in added), 3),
    )
    headroom = Resources(
        gpus=max(capacity.gpus - hub_peak.gpus, 0),
        cpu=round(max(capacity.cpu - hub_peak.cpu, 0.0), 3),
        memory_gib=round(max(capacity.memory_gib - hub_peak.memory_gib, 0.0), 3),
    )
    rows = [
        ProjectQuota(
            slug=p.slug,
            approved=is_live(p, today),
            request=Resources(
                gpus=p.sandbox.quota.gpus, cpu=p.sandbox.quota.cpu, memory_gib=p.sandbox.quota.memory_gib
            ),
        )
        for p in sorted(projects, key=lambda p: p.slug)
        if p.is_active(today)
    ]
    approved = _sum([r.request for r in rows if r.approved])
    exceeded = [
        f"approved {label} quotas total {getattr(approved, key):g}{unit}, above the {getattr(headroom, key):g}{unit} "
        f"left after the hub's peak ({getattr(capacity, key):g}{unit} capacity)"
        for key, label, unit in (
            ("gpus", "GPU", " slots"),
            ("cpu", "CPU", " cores"),
            ("memory_gib", "memory", " GiB"),
        )
        if getattr(approved, key) > getattr(headroom, key)
    ]
    return QuotaFit(
        capacity=capacity,
        hub_peak=hub_peak,
        project_servers=project_servers,
        headroom=headroom,
        approved=approved,
        pending=_sum([r.request for r in rows if not r.approved]),
        projects=rows,
        exceeded=exceeded,
    )
