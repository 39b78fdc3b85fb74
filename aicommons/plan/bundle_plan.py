"""Temporary alias of aicommons.plan.bundle (kept while callers move over)."""

from aicommons.plan.bundle import plan_bundle

__all__ = ["plan_bundle"]
