"""The ledger entry a deploy writes: built from the engine's counts, valid for the ledger's model."""

from __future__ import annotations

import pytest

from aicommons.deploy.record import StackRun, entry_fields, stack_summary
from aicommons.ledger import Actor, LedgerEntry


def test_stack_summary_maps_the_engine_counts() -> None:
    run = StackRun("infra", "succeeded", {"create": 2, "update": 1, "replace": 1, "delete": 0, "same": 9})
    assert stack_summary(run) == {"created": 2, "updated": 2, "deleted": 0, "same": 9, "result": "succeeded"}
    with pytest.raises(ValueError, match="not one of"):
        stack_summary(StackRun("infra", "exploded"))


def test_entry_fields_make_a_valid_ledger_entry() -> None:
    actor = Actor(user="ops", host="build-1")
    fields = entry_fields(
        action="deploy",
        actor=actor,
        at="2025-11-25T01:57:00Z",
        city="riverton",
        profile_digest="sha256:" + "0" * 64,
        blueprint={"name": "ai-commons-v1", "version": "1.0.0"},
        git_commit=None,
        runs=[
            StackRun("infra", "succeeded", {"create": 20}),
            StackRun("platform", "cancelled", {"create": 4, "replace": 1}),
        ],
        validation={"passed": 24, "failed": 0, "skipped": 3, "waived": 0},
        notes=["live validation unavailable", ""],
    )
    entry = LedgerEntry.model_validate(fields)
    assert entry.stacks["platform"].result == "cancelled" and entry.stacks["platform"].updated == 1
    assert entry.notes == "live validation unavailable; platform: 1 replaced (counted as updated)"
    assert entry.validation.passed == 24 and entry.tool_version


def test_notes_are_capped() -> None:
    fields = entry_fields(
        action="destroy", actor=Actor(user="u", host="h"), at="2025-11-25T01:57:00Z", city="c",
        profile_digest=None, blueprint=None, git_commit=None, runs=[], validation=None, notes=["x" * 5000],
    )  # fmt: skip
    assert len(fields["notes"]) == 2000
    LedgerEntry.model_validate(fields)
