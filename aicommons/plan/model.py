"""What an offline plan records: the resources a stack would create and its outputs.

Plain pydantic models with no Pulumi import, so the CLI and the checks can read plans (e.g.
plans sent back by the plan worker) without loading the Pulumi SDK.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SECRET = "[secret]"
UNKNOWN = "[unknown]"


class PlannedResource(BaseModel):
    """One resource the program would create: its Pulumi type token, logical name and inputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = Field(description="Pulumi type token, e.g. aws:eks/nodeGroup:NodeGroup")
    name: str = Field(description="Logical name of the resource in the program")
    stack: str = Field(description="Stack the resource belongs to, e.g. infra or platform")
    inputs: dict[str, Any] = Field(description='Plain JSON inputs; secrets are "[secret]"')
    urn: str = Field(description="Resource URN (type chain of the parents and the name)")
    parent: str | None = Field(default=None, description="URN of the parent (None under the stack)")
    provider: str | None = Field(default=None, description="URN of the explicit provider, if any")
    custom: bool = Field(default=True, description="False for component resources")
    protect: bool = Field(default=False, description="Protected from deletion (`protect` option)")
    dependencies: list[str] = Field(
        default_factory=list,
        description="URNs of the resources it waits for (`depends_on`, expanded by the SDK), sorted",
    )


class StackPlan(BaseModel):
    """The result of one offline run: the resources and the stack's exported outputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stack: str
    resources: list[PlannedResource]
    outputs: dict[str, Any] = Field(description='Exported outputs, JSON; secrets are "[secret]"')
    secret_outputs: list[str] = Field(description="Names of the outputs that are secrets")
    diagnostics: list[str] = Field(default_factory=list, description="Warnings the program logged, sorted")
