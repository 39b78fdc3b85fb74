"""The registry of checks: one small function per control and source, grouped by family."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from aicommons.checks.model import CheckFn, Source

_REGISTRY: dict[str, dict[str, CheckFn]] = {}
FAMILIES = (
    "iam",
    "pod",
    "network",
    "data",
    "secrets",
    "logging",
    "monitoring",
    "supply",
    "gpu",
    "cost",
    "availability",
    "governance",
    "governance_ai_act",
    "operations",
)


def check(control_id: str, *sources: Source) -> Callable[[CheckFn], CheckFn]:
    """Register `fn` as the check of `control_id` on the given sources."""

    def register(fn: CheckFn) -> CheckFn:
        for source in sources:
            if source in _REGISTRY.setdefault(control_id, {}):
                raise RuntimeError(f"{control_id} already has a check for {source}")
            _REGISTRY[control_id][source] = fn
        return fn

    return register


def registry() -> dict[str, dict[str, CheckFn]]:
    """All checks, importing every family module once."""
    for family in FAMILIES:
        try:
            importlib.import_module(f"aicommons.checks.controls.{family}")
        except ModuleNotFoundError as exc:
            if exc.name != f"aicommons.checks.controls.{family}":
                raise
    return _REGISTRY
