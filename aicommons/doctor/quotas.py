"""EC2 on-demand vCPU quotas: which quota an instance type draws on, and how much the plan needs.

AWS limits running on-demand instances per region by vCPUs summed over a group of families,
one Service Quotas code per group (Amazon EC2 User Guide, "On-Demand Instance quotas"). A new
account's quota for the accelerated groups (G and VT, P, ...) is often 0 or a few vCPUs, so
a GPU pool the plan sizes can build nothing until the city asks for more. The need is the
plan's worst case: every node group at its maximum node count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class QuotaGroup:
    code: str  # Service Quotas code (service ec2)
    name: str  # the quota's name in the Service Quotas console
    prefixes: tuple[str, ...]  # family letter prefixes: "g" for g4dn, g6; "inf" for inf2


QUOTA_GROUPS: tuple[QuotaGroup, ...] = (
    QuotaGroup(
        "L-1216C47A",
        "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
        ("a", "c", "d", "h", "i", "m", "r", "t", "z"),
    ),
    QuotaGroup("L-DB2E81BA", "Running On-Demand G and VT instances", ("g", "vt")),
    QuotaGroup("L-417A185B", "Running On-Demand P instances", ("p",)),
    QuotaGroup("L-7295265B", "Running On-Demand X instances", ("x",)),
    QuotaGroup("L-74FC7D96", "Running On-Demand F instances", ("f",)),
    QuotaGroup("L-2C3B7624", "Running On-Demand Inf instances", ("inf",)),
    QuotaGroup("L-6E869C2A", "Running On-Demand DL instances", ("dl",)),
    QuotaGroup("L-85EED4F7", "Running On-Demand Trn instances", ("trn",)),
    QuotaGroup("L-F7808C92", "Running On-Demand HPC instances", ("hpc",)),
    QuotaGroup("L-43DA4232", "Running On-Demand High Memory instances", ("u",)),
)
ACCELERATED = frozenset({"L-DB2E81BA", "L-417A185B", "L-74FC7D96", "L-2C3B7624", "L-6E869C2A", "L-85EED4F7"})


@dataclass(frozen=True)
class QuotaNeed:
    """The vCPUs one quota must allow for the plan's node groups at their maximum."""

    code: str
    name: str
    vcpus: int
    instance_types: tuple[str, ...]  # sorted
    detail: str  # how the number was reached: "4 x g4dn.xlarge (4 vCPU)"


def quota_group(instance_type: str) -> QuotaGroup | None:
    """The quota an instance type draws on, by its family's letters (g4dn.xlarge -> g -> G and VT).

    The longest matching prefix wins, so `inf2` is Inf, not I; `dl1` is DL, not D; `im4gn` is I."""
    family = instance_type.split(".", 1)[0]
    letters = re.match(r"[a-z-]*?(?=[0-9]|$)", family)
    head = letters.group(0).rstrip("-") if letters else family
    if head.startswith("mac"):  # Mac instances run on dedicated hosts, under a host quota
        return None
    best: QuotaGroup | None = None
    best_len = 0
    for group in QUOTA_GROUPS:
        for prefix in group.prefixes:
            if head.startswith(prefix) and len(prefix) > best_len:
                best, best_len = group, len(prefix)
    return best


def quota_needs(
    node_groups: Iterable[tuple[str, int]], vcpus: Mapping[str, int]
) -> tuple[list[QuotaNeed], list[str]]:
    """(needs per quota, instance types no quota group or vCPU count is known for).

    `node_groups` is (instance type, maximum nodes) per node group; `vcpus` the catalog's vCPUs
    per instance type."""
    totals: dict[str, dict[str, int]] = {}
    unknown: list[str] = []
    for instance_type, max_nodes in node_groups:
        group = quota_group(instance_type)
        if group is None or instance_type not in vcpus:
            unknown.append(instance_type)
            continue
        by_type = totals.setdefault(group.code, {})
        by_type[instance_type] = by_type.get(instance_type, 0) + max_nodes
    needs = []
    for group in QUOTA_GROUPS:
        by_type = totals.get(group.code)
        if not by_type:
            continue
        parts = [f"{n} x {t} ({vcpus[t]} vCPU)" for t, n in sorted(by_type.items())]
        needs.append(
            QuotaNeed(
                code=group.code,
                name=group.name,
                vcpus=sum(n * vcpus[t] for t, n in by_type.items()),
                instance_types=tuple(sorted(by_type)),
                detail=" + ".join(parts),
            )
        )
    return needs, sorted(set(unknown))
