"""`aicommons catalog list`: the node types a target offers, with what pods can use of them."""

from __future__ import annotations

from pydantic import BaseModel

from aicommons.sizing.capacity import NodeType, schedulable
from aicommons.targets.base import target_named


class CatalogAllocatable(BaseModel):
    cpu: float
    memory_gib: float
    gpu: int


class CatalogRow(BaseModel):
    instance_type: str
    vcpu: float
    memory_gib: float
    gpu_count: int
    gpu_model: str | None
    gpu_memory_gib: float | None
    allocatable: CatalogAllocatable
    usd_hour: float


def catalog_rows(provider: str, region: str | None) -> list[CatalogRow]:
    target = target_named(provider)
    overhead = target.overhead(None)  # type: ignore[arg-type]
    return [_row(t, schedulable(t.allocatable, overhead, t.gpu_count)) for t in target.catalog(region)]


def _row(node: NodeType, usable) -> CatalogRow:  # type: ignore[no-untyped-def]
    return CatalogRow(
        instance_type=node.name,
        vcpu=node.vcpu,
        memory_gib=node.memory_gib,
        gpu_count=node.gpu_count,
        gpu_model=node.gpu_model,
        gpu_memory_gib=node.gpu_memory_gib,
        allocatable=CatalogAllocatable(
            cpu=round(usable.cpu, 3), memory_gib=round(usable.memory_gib, 3), gpu=node.gpu_count
        ),
        usd_hour=round(node.usd_hour, 6),
    )
