"""Node limits across pools: a node type's `max_nodes` counts every pool that uses it.

The optimiser honours `max_nodes` within one pool; several pools (core, user, GPU) may each pick
the same node type, and together they must still fit in what the cluster has.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from aicommons.errors import ErrorGroup, InputError, Location
from aicommons.sizing.capacity import NodeType

if TYPE_CHECKING:
    from aicommons.sizing.plan import PoolPlan


def check_node_limits(types: list[NodeType], pools: list[PoolPlan], field_of: dict[str, str]) -> None:
    """Refuse a plan whose pools need more nodes of a type at peak than its `max_nodes`.

    `field_of` maps a node type's name to its profile field (e.g. target.node_types[0]).
    """
    need: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for pool in pools:
        for group in pool.node_groups:
            need[group.instance_type].append((pool.name, group.nodes.peak))
    errors: list[InputError] = []
    for node in types:
        if node.max_nodes is None or node.name not in need:
            continue
        total = sum(n for _, n in need[node.name])
        if total > node.max_nodes:
            parts = ", ".join(f"{pool} {n}" for pool, n in need[node.name])
            errors.append(
                InputError(
                    f"the workload needs {total} {node.name} nodes at peak ({parts}) but the cluster offers "
                    f"max_nodes: {node.max_nodes}",
                    Location(field=f"{field_of.get(node.name, node.name)}.max_nodes"),
                    f"max_nodes of at least {total}, another node type in the list, or fewer peak users",
                )
            )
    if errors:
        raise ErrorGroup(errors)


__all__ = ["check_node_limits"]
