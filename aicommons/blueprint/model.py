"""The governance blueprint: components a deployment must have, bounds for the profile's
knobs, and the controls with their parameters and the standards clauses they support."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Severity = Literal["low", "medium", "high", "critical"]
Source = Literal["bundle", "plan", "live"]
SEVERITY_ORDER: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class StandardRef(Strict):
    """A clause of a standard a control supports."""

    framework: str = Field(description="e.g. 'ISO/IEC 27001', 'EU AI Act', 'CIS Kubernetes Benchmark'.")
    version: str = Field(description="e.g. '2022', 'Regulation (EU) 2024/1689', 'v1.9'.")
    clause: str = Field(description="e.g. 'A.8.15', 'Art. 12(1)', '5.3.2'.")
    title: str | None = Field(default=None, description="The clause's title, where public.")
    note: str | None = Field(
        default=None, description="Where the mapping is uncertain or partial, say so here."
    )


class Control(Strict):
    """One machine-checkable control."""

    id: str = Field(pattern=r"^AIC-[A-Z]+-[0-9]{2}$")
    title: str
    severity: Severity
    rationale: str
    remediation: str
    standards: list[StandardRef] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1, description="Where the control can be checked.")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters of the check.")


class Bound(Strict):
    """The range a profile knob may take without a recorded exception."""

    field: str = Field(description="Dotted path in the profile, e.g. governance.audit_retention_days.")
    min: float | None = None
    max: float | None = None
    control: str = Field(description="The control that enforces the bound.")


class Components(Strict):
    """What every deployment must have."""

    jupyterhub: bool = True
    gpu_pool_when_gpu_workloads: bool = True
    object_store: bool = True
    audit_pipeline: bool = True


class Blueprint(Strict):
    apiVersion: Literal["aicommons.dev/v1"]
    kind: Literal["Blueprint"]
    name: str
    version: str = Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")
    description: str
    components: Components
    bounds: list[Bound]
    allowed_registries: list[str] = Field(description="Image registries AIC-SUP-01 accepts.")
    controls: list[Control] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Blueprint:
        ids = [c.id for c in self.controls]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"control ids must be unique: {', '.join(dupes)}")
        known = set(ids)
        for bound in self.bounds:
            if bound.control not in known:
                raise ValueError(f"bound on {bound.field} names unknown control {bound.control}")
        return self

    def control(self, control_id: str) -> Control:
        for c in self.controls:
            if c.id == control_id:
                return c
        raise KeyError(control_id)
