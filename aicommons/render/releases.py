"""Helm releases: pinned charts (charts/releases.yaml) and the values each release gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from aicommons.resources import data_dir


class ChartPin(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    repository: str | None
    chart: str
    version: str
    source: str


class ChartPins(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    charts: list[ChartPin]


@cache
def chart_pins() -> dict[str, ChartPin]:
    from aicommons.catalog.load import load_model_file

    pins = load_model_file(data_dir("charts") / "releases.yaml", ChartPins)
    return {p.name: p for p in pins.charts}


@dataclass(frozen=True)
class Release:
    """One Helm release of the platform stack."""

    name: str
    namespace: str
    pin: ChartPin
    values: dict[str, Any]
    depends_on: tuple[str, ...] = ()
    # values path -> stack config secret key (set with `pulumi config set --secret`)
    secret_values: dict[str, str] = field(default_factory=dict)
    # values path -> output of the infra stack (e.g. an IAM role ARN known only after deploy)
    stack_output_values: dict[str, str] = field(default_factory=dict)
    # manifests (Kind/namespace/name) the stack creates before this release, e.g. the hub's database
    after_manifests: tuple[str, ...] = ()

    @property
    def values_file(self) -> str:
        return f"helm/{self.name}.values.yaml"


def release(name: str, namespace: str, values: dict[str, Any], **extra: Any) -> Release:
    return Release(name=name, namespace=namespace, pin=chart_pins()[name], values=values, **extra)
