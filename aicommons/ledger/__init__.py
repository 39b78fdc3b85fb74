"""The audit ledger: a hash-chained JSON Lines record of every deploy, destroy and drift check."""

from aicommons.ledger.audit_bucket import record_key, upload_record
from aicommons.ledger.chain import append_record, ledger_path, read_ledger, verify_ledger
from aicommons.ledger.model import (
    Actor,
    BlueprintRef,
    CiRun,
    LedgerEntry,
    LedgerRecord,
    StackSummary,
    ValidationSummary,
    VerifyResult,
)
from aicommons.ledger.provenance import git_commit, utc_now, who_when

__all__ = [
    "Actor",
    "BlueprintRef",
    "CiRun",
    "LedgerEntry",
    "LedgerRecord",
    "StackSummary",
    "ValidationSummary",
    "VerifyResult",
    "append_record",
    "git_commit",
    "ledger_path",
    "read_ledger",
    "record_key",
    "upload_record",
    "utc_now",
    "verify_ledger",
    "who_when",
]
