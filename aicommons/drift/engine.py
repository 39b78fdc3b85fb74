"""Engine drift: refresh, then preview with expect-no-changes, on each of the bundle's stacks.

The engine itself is the deploy package's (`aicommons.deploy.engine.preview_expect_no_changes`);
it is passed in as a function so that tests can stand in for Pulumi.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from aicommons.drift.model import KindResult, StackDrift

ENGINE_NOT_INSTALLED = "deploy engine not installed"
STACK_ORDER = ("infra", "platform")
_DETAIL_CHARS = 4000


class ResourceChangeLike(Protocol):
    @property
    def op(self) -> str: ...  # create | update | delete | replace | import

    @property
    def urn(self) -> str: ...


class EngineDriftLike(Protocol):
    """What `aicommons.deploy.engine.EngineDriftResult` holds (read by attribute)."""

    @property
    def stack(self) -> str: ...

    @property
    def changes(self) -> Sequence[ResourceChangeLike]: ...

    @property
    def summary(self) -> Mapping[str, int]: ...  # operation -> count: create, update, delete, replace, same

    @property
    def detail(self) -> str: ...

    @property
    def drifted(self) -> bool: ...


class PreviewFn(Protocol):
    """`preview_expect_no_changes(bundle_dir, stack, *, backend_url)`: a refresh, then a preview
    expecting no changes. Raises MissingComponentError when the engine (the pulumi CLI, a
    passphrase, the backend or the stack) is missing or fails."""

    def __call__(self, bundle_dir: Path, stack: str, *, backend_url: str | None) -> EngineDriftLike: ...


def load_preview() -> tuple[PreviewFn | None, str]:
    """The deploy package's preview function, or None and why it is unavailable."""
    try:
        from aicommons.deploy.engine import preview_expect_no_changes
    except ImportError as exc:
        missing = getattr(exc, "name", None) or ""
        return None, ENGINE_NOT_INSTALLED if missing.startswith(
            "aicommons"
        ) else f"{ENGINE_NOT_INSTALLED}: {exc}"
    return preview_expect_no_changes, ""


def bundle_stacks(bundle_dir: Path) -> list[str]:
    """The stacks a bundle holds, in deploy order (no infra stack on an existing cluster)."""
    return [s for s in STACK_ORDER if (bundle_dir / f"pulumi/Pulumi.{s}.yaml").is_file()]


def engine_drift(bundle_dir: Path, preview: PreviewFn, *, backend_url: str | None) -> KindResult:
    """Preview every stack; `drifted` when any would change. MissingComponentError passes through."""
    results = [
        as_stack_drift(preview(bundle_dir, stack, backend_url=backend_url))
        for stack in bundle_stacks(bundle_dir)
    ]
    changed = [s for s in results if s.changed]
    reason = "; ".join(f"{s.stack}: {_counts(s.changes)}" for s in changed) or None
    return KindResult(kind="engine", status="drifted" if changed else "clean", reason=reason, stacks=results)


def as_stack_drift(result: EngineDriftLike) -> StackDrift:
    detail = result.detail or ""
    if len(detail) > _DETAIL_CHARS:
        detail = "…" + detail[-_DETAIL_CHARS:]
    return StackDrift(
        stack=result.stack,
        changed=result.drifted,
        changes={op: n for op, n in result.summary.items() if n},
        resources=[f"{c.op} {c.urn}" for c in result.changes],
        detail=detail,
    )


def _counts(changes: Mapping[str, int]) -> str:
    return ", ".join(f"{n} to {op}" for op, n in sorted(changes.items()) if op != "same") or "changes"
