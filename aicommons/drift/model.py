"""What a drift check found, per kind: the bundle, the engine's stacks, the blueprint's controls."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["bundle", "engine", "blueprint"]
KINDS: tuple[Kind, ...] = ("bundle", "engine", "blueprint")
Status = Literal["clean", "drifted", "skipped", "unavailable"]
Change = Literal["added", "removed", "changed"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileDrift(_Out):
    """One file that differs between the committed bundle and a fresh render."""

    path: str
    change: Change = Field(
        description="What a fresh render would do to the committed file: add, remove or change it."
    )
    hand_edited: bool = Field(
        description="The committed file differs from what its lock recorded: edited (or deleted) by hand."
    )
    diff: str = Field(default="", description="Unified diff, committed → freshly rendered (capped).")
    diff_truncated: bool = False


class BundleDrift(_Out):
    """The committed bundle against a fresh render of the committed profile."""

    files: list[FileDrift] = Field(default_factory=list)
    profile_changed: bool = Field(
        description="The profile's digest differs from the one the bundle was rendered from."
    )
    inputs_changed: bool = Field(
        description="The lock's inputs_digest differs (profile, tool, catalogs or charts)."
    )
    tool_version: tuple[str, str] | None = Field(
        default=None, description="Tool version (committed, fresh) when it changed."
    )
    charts: list[str] = Field(default_factory=list, description="Chart pins that changed: 'name old → new'.")
    untracked: list[str] = Field(
        default_factory=list,
        description="Files in the folder neither lock lists (the city's own); not drift.",
    )

    @property
    def drifted(self) -> bool:
        return bool(self.files)

    @property
    def hand_edited(self) -> list[str]:
        return [f.path for f in self.files if f.hand_edited]

    def causes(self) -> list[str]:
        out = []
        if self.hand_edited:
            out.append(f"generated files edited by hand: {', '.join(self.hand_edited)}")
        if self.profile_changed:
            out.append("the profile changed since the bundle was rendered")
        if self.tool_version:
            out.append(f"the tool changed ({self.tool_version[0]} → {self.tool_version[1]})")
        if self.charts:
            out.append(f"chart pins changed ({'; '.join(self.charts)})")
        if self.inputs_changed and not (self.profile_changed or self.tool_version or self.charts):
            out.append("the tool, catalogs or charts changed")
        return out


class StackDrift(_Out):
    """One stack's refresh + preview with expect-no-changes."""

    stack: str
    changed: bool
    changes: dict[str, int] = Field(
        default_factory=dict, description="Resources by operation (create, update, ...)."
    )
    resources: list[str] = Field(default_factory=list, description="What would change: 'op urn-or-name'.")
    detail: str = Field(default="", description="The engine's own words (capped).")


class ControlDrift(_Out):
    """A control that passed at the last deploy and fails now."""

    id: str
    title: str
    severity: str
    was: str
    now: str
    findings: list[str] = Field(default_factory=list)


class KindResult(_Out):
    """One drift kind's verdict."""

    kind: Kind
    status: Status
    reason: str | None = Field(default=None, description="Why skipped or unavailable; what drifted.")
    bundle: BundleDrift | None = None
    stacks: list[StackDrift] | None = None
    controls: list[ControlDrift] | None = None
    validation: dict[str, int] | None = Field(
        default=None, description="Counts of the live validation that blueprint drift ran."
    )


class DriftReport(_Out):
    city: str
    profile: str
    profile_digest: str
    bundle_dir: str
    kinds: list[KindResult]

    def of(self, kind: Kind) -> KindResult | None:
        return next((k for k in self.kinds if k.kind == kind), None)

    @property
    def drifted(self) -> bool:
        return any(k.status == "drifted" for k in self.kinds)
