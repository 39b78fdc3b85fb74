"""A pool as the plan keeps it: one or more node groups, each of one instance type.

A pool is what a workload's servers select (one label); its node groups are what the
cloud scales. Single-type pools come from the exact per-type search (optimize.py), mixed
pools from the integer program over the bound's configurations (mixed.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from aicommons.sizing.capacity import NodeType, Resources
from aicommons.sizing.demand import PodDemand
from aicommons.sizing.optimize import PoolSolution


@dataclass(frozen=True)
class NodeGroupSolution:
    node: NodeType
    capacity: Resources  # what user pods may use on one node
    level_nodes: tuple[tuple[float, int], ...]  # (hours a month, nodes of this type), per level
    min_nodes: int
    peak_nodes: int

    @property
    def node_hours_month(self) -> float:
        return sum(h * n for h, n in self.level_nodes)

    @property
    def usd_month(self) -> float:
        return self.node_hours_month * self.node.usd_hour


@dataclass(frozen=True)
class PoolLayout:
    pods: tuple[PodDemand, ...]
    groups: tuple[NodeGroupSolution, ...]  # the main group (most spent on it) first
    proven_optimal: bool

    @property
    def main(self) -> NodeGroupSolution:
        return self.groups[0]

    @property
    def usd_month(self) -> float:
        return sum(g.usd_month for g in self.groups)

    @property
    def node_hours_month(self) -> float:
        return sum(g.node_hours_month for g in self.groups)

    @property
    def level_nodes(self) -> tuple[tuple[float, int], ...]:
        """(hours, nodes of every type) per level."""
        first = self.groups[0].level_nodes
        return tuple(
            (hours, sum(g.level_nodes[k][1] for g in self.groups)) for k, (hours, _) in enumerate(first)
        )

    @property
    def peak_nodes(self) -> int:
        return max((n for _, n in self.level_nodes), default=0)

    @property
    def min_nodes(self) -> int:
        return sum(g.min_nodes for g in self.groups)


def single_type(sol: PoolSolution) -> PoolLayout:
    group = NodeGroupSolution(sol.node, sol.capacity, sol.level_nodes, sol.min_nodes, sol.peak_nodes)
    return PoolLayout(sol.pods, (group,), sol.proven_optimal)


def always_on(layout: PoolLayout) -> PoolLayout:
    """Bought or reserved for the peak: every group runs its peak around the clock."""
    groups = tuple(
        NodeGroupSolution(
            g.node, g.capacity, tuple((h, g.peak_nodes) for h, _ in g.level_nodes), g.peak_nodes, g.peak_nodes
        )
        for g in layout.groups
    )
    return PoolLayout(layout.pods, groups, layout.proven_optimal)
