"""The offline plan: stack programs run under Pulumi's mock runtime, every resource recorded.

The names below load on first use, so importing `aicommons.plan.model` (the Pulumi-free
models) does not import the Pulumi SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aicommons.plan.bundle import inventory, plan_bundle
    from aicommons.plan.model import PlannedResource, StackPlan
    from aicommons.plan.offline import inventory_json, load_stacks_package, plan_stack, run_offline

_HOMES = {
    "PlannedResource": "aicommons.plan.model",
    "StackPlan": "aicommons.plan.model",
    "inventory": "aicommons.plan.bundle",
    "inventory_json": "aicommons.plan.offline",
    "load_stacks_package": "aicommons.plan.offline",
    "plan_bundle": "aicommons.plan.bundle",
    "plan_stack": "aicommons.plan.offline",
    "run_offline": "aicommons.plan.offline",
}

__all__ = [
    "PlannedResource",
    "StackPlan",
    "inventory",
    "inventory_json",
    "load_stacks_package",
    "plan_bundle",
    "plan_stack",
    "run_offline",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
