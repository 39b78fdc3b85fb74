"""The ledger's evidence for the dossier: is the chain intact, its head, the last validation and
the last deploy. A missing ledger is a fact the dossier states ("no validation recorded")."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from aicommons.ledger.chain import read_ledger, verify_ledger
from aicommons.ledger.model import LedgerRecord, ValidationSummary


class RecordEvidence(BaseModel):
    """One ledger record as the dossier shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    at: str
    action: str
    who: str
    blueprint: str | None
    git_commit: str | None
    sha256: str
    validation: ValidationSummary | None
    stacks: dict[str, str]  # stack -> "+created ~updated -deleted result"


class LedgerEvidence(BaseModel):
    """What the city's ledger shows, relative to the city folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str  # as shown in the document: relative to the city folder
    present: bool
    verified: bool = False
    records: int = 0
    problem: str | None = None  # why it does not verify (line and cause)
    head: RecordEvidence | None = None
    last_validation: RecordEvidence | None = None
    last_deploy: RecordEvidence | None = None


def _record(r: LedgerRecord) -> RecordEvidence:
    return RecordEvidence(
        seq=r.seq,
        at=r.at,
        action=r.action,
        who=r.actor.label(),
        blueprint=f"{r.blueprint.name} {r.blueprint.version}" if r.blueprint else None,
        git_commit=r.git_commit,
        sha256=r.sha256,
        validation=r.validation,
        stacks={
            name: f"+{s.created} ~{s.updated} -{s.deleted} {s.result}" for name, s in sorted(r.stacks.items())
        },
    )


def ledger_evidence(ledger: Path, shown_as: str) -> LedgerEvidence:
    """Verify the ledger (every hash and link) and pick the evidence from it; only read it when
    it verifies, so a damaged ledger is reported, never quoted."""
    if not ledger.is_file():
        return LedgerEvidence(path=shown_as, present=False)
    result = verify_ledger(ledger)
    if not result.ok:
        where = f"line {result.first_bad_line}: " if result.first_bad_line else ""
        return LedgerEvidence(
            path=shown_as, present=True, records=result.records, problem=f"{where}{result.problem}"
        )
    records = read_ledger(ledger)
    validated = [r for r in records if r.validation is not None]
    deployed = [r for r in records if r.action == "deploy"]
    return LedgerEvidence(
        path=shown_as,
        present=True,
        verified=True,
        records=len(records),
        head=_record(records[-1]) if records else None,
        last_validation=_record(validated[-1]) if validated else None,
        last_deploy=_record(deployed[-1]) if deployed else None,
    )
