"""What one ledger record holds: who, when, what was deployed from what, and what came of it.

There is deliberately no free-form mapping in these models that could carry a secret: every
field is a name, a count, a digest, a version or a short note the tool itself writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Action = Literal["deploy", "destroy", "drift", "preview", "restore"]
StackResult = Literal["succeeded", "failed", "cancelled"]
DriftStatus = Literal["clean", "drifted", "skipped", "unavailable"]

GENESIS_SHA256 = "0" * 64
_HEX64 = r"^[0-9a-f]{64}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CiRun(_Model):
    """The CI run that acted, when the tool ran in CI."""

    system: str = Field(description="github, gitlab, or ci (another system that sets CI=true).")
    run_id: str | None = Field(default=None, description="The run's or pipeline's id.")
    url: str | None = Field(default=None, description="A link to the run or job.")


class Actor(_Model):
    """Who acted: the operating-system user and host, and the CI run when there is one."""

    user: str = Field(description="The user name the tool ran as (or the CI actor).")
    host: str = Field(description="The host the tool ran on.")
    ci: CiRun | None = Field(default=None, description="The CI run, when the tool ran in CI.")
    # `who_when()` stamps the moment it was asked; the entry's `at` stores it, so it is not
    # serialised a second time inside the actor.
    at: str | None = Field(default=None, exclude=True, description="When who_when() was asked (UTC).")

    def label(self) -> str:
        who = f"{self.user}@{self.host}"
        if self.ci is not None:
            who += f" ({self.ci.system} run {self.ci.run_id or '?'})"
        return who


class BlueprintRef(_Model):
    name: str
    version: str


class StackSummary(_Model):
    """The engine's summary for one stack: resources by operation, and how the update ended."""

    created: int = Field(default=0, ge=0)
    updated: int = Field(default=0, ge=0)
    deleted: int = Field(default=0, ge=0)
    same: int = Field(default=0, ge=0)
    result: StackResult


class ValidationSummary(_Model):
    """Counts of the blueprint's controls by status, from the validation that went with the action."""

    passed: int = Field(ge=0)
    failed: int = Field(ge=0)
    skipped: int = Field(ge=0)
    waived: int = Field(ge=0)


class LedgerEntry(_Model):
    """One deploy, destroy, preview or drift check, as the caller describes it."""

    action: Action
    actor: Actor
    at: str = Field(description="When it happened: UTC, ISO-8601 (e.g. 2025-11-25T01:57:00Z).")
    city: str = Field(min_length=1, description="The city's slug.")
    profile_digest: str | None = Field(default=None, description="sha256 of the profile (canonical JSON).")
    blueprint: BlueprintRef | None = None
    tool_version: str
    git_commit: str | None = Field(default=None, description="HEAD of the city's repository, if any.")
    stacks: dict[str, StackSummary] = Field(default_factory=dict, description="Per stack (infra, platform).")
    validation: ValidationSummary | None = None
    drift: dict[str, DriftStatus] | None = Field(
        default=None, description="Per drift kind (bundle, engine, blueprint), for drift checks."
    )
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("at")
    @classmethod
    def _utc_iso(cls, value: str) -> str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO-8601 timestamp") from None
        if moment.utcoffset() != timedelta(0):
            raise ValueError("must be in UTC (end with Z or +00:00)")
        return value


class LedgerRecord(LedgerEntry):
    """An entry as written: its place in the chain and the hashes that tie it to the one before."""

    seq: int = Field(ge=1, description="1-based position in the ledger.")
    prev_sha256: str = Field(
        pattern=_HEX64, description="sha256 of the previous record's line (64 zeros for the first)."
    )
    sha256: str = Field(pattern=_HEX64, description="sha256 of this record's canonical JSON without sha256.")

    def entry(self) -> LedgerEntry:
        return LedgerEntry.model_validate(self.model_dump(exclude={"seq", "prev_sha256", "sha256"}))


class VerifyResult(_Model):
    """The outcome of checking every record's hash, its seq and its link to the record before."""

    ok: bool
    records: int = Field(
        description="Records read (all of them when ok; the good ones before the first bad)."
    )
    first_bad_line: int | None = None
    problem: str | None = None
    line_endings_changed: bool = Field(
        default=False, description="Every line ends in CR LF: the file was converted, not necessarily edited."
    )
