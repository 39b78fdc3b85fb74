"""Entries as the deploy and drift commands would write them, and the CLI as a user runs it."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from aicommons.ledger import Actor, BlueprintRef, LedgerEntry, StackSummary, ValidationSummary


def make_entry(hour: int = 1, **changes: Any) -> LedgerEntry:
    fields: dict[str, Any] = {
        "action": "deploy",
        "actor": Actor(user="ana", host="city-laptop"),
        "at": f"2025-11-25T{hour:02d}:00:00Z",
        "city": "riverton",
        "profile_digest": "sha256:" + "ab" * 32,
        "blueprint": BlueprintRef(name="ai-commons-v1", version="1.0.0"),
        "tool_version": "0.1.0",
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "stacks": {
            "infra": StackSummary(created=12, updated=1, result="succeeded"),
            "platform": StackSummary(created=30, same=4, result="succeeded"),
        },
        "validation": ValidationSummary(passed=20, failed=0, skipped=7, waived=0),
        "notes": f"record {hour}",
    }
    fields.update(changes)
    return LedgerEntry(**fields)


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """The real entry point (errors become messages and exit codes): (exit code, stdout, stderr)."""
    from aicommons.cli import main

    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    try:
        main.run()
        code = 0
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
