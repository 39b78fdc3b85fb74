"""The offline plan: stack programs run under Pulumi's mock runtime, every resource recorded."""

from aicommons.plan.bundle import inventory, plan_bundle
from aicommons.plan.offline import (
    PlannedResource,
    StackPlan,
    inventory_json,
    load_stacks_package,
    plan_stack,
    run_offline,
)

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
