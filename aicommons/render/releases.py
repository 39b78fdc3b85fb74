"""Helm releases: pinned charts (charts/releases.yaml) and the values each release gets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aicommons.resources import data_dir


class ChartPin(BaseModel):
    """One chart at one version; a repository chart also pins the digest of its release archive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The release name the platform stack installs it as.")
    repository: str | None = Field(description="Helm repository URL; null for a chart of this project.")
    chart: str = Field(description="Chart name in its repository, or the local chart's folder.")
    version: str
    source: str = Field(description="Where the version (and why it was chosen) was checked.")
    sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="sha256 of the archive <chart>-<version>.tgz (required for a repository chart).",
    )
    app_version: str | None = Field(default=None, description="The chart's appVersion, for readers.")

    @model_validator(mode="after")
    def _digest_for_repository_charts(self) -> ChartPin:
        if self.repository is not None and self.sha256 is None:
            raise ValueError("a repository chart needs the sha256 of its archive")
        if self.repository is None and self.sha256 is not None:
            raise ValueError("a local chart is copied from this repository; it has no archive digest")
        return self

    @property
    def archive_name(self) -> str:
        """The archive's file name, as Helm names it: ``<chart>-<version>.tgz``."""
        if self.repository is None:
            raise ValueError(f"{self.name} is a local chart, not an archive")
        return f"{self.chart}-{self.version}.tgz"

    @property
    def vendored_path(self) -> str:
        """Where ``render --vendor-charts`` puts the archive in the bundle."""
        return f"{VENDOR_DIR}/{self.archive_name}"


class ChartPins(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    charts: list[ChartPin]


VENDOR_DIR = "helm/vendor"


@cache
def _pinned() -> dict[str, ChartPin]:
    from aicommons.catalog.load import load_model_file

    pins = load_model_file(data_dir("charts") / "releases.yaml", ChartPins)
    return {p.name: p for p in pins.charts}


# Pins replaced for one render (`upgrade plan` renders the bundle with a newer chart).
_REPLACED: ContextVar[Mapping[str, ChartPin] | None] = ContextVar("replaced_pins", default=None)


def chart_pins() -> dict[str, ChartPin]:
    """The pinned charts by release name (charts/releases.yaml, or a replacement in effect)."""
    return {**_pinned(), **(_REPLACED.get() or {})}


@contextmanager
def replaced_pins(pins: Mapping[str, ChartPin]) -> Iterator[None]:
    """Render with these pins instead of the committed ones (by release name), within the block."""
    token = _REPLACED.set(dict(pins))
    try:
        yield
    finally:
        _REPLACED.reset(token)


def repository_pins() -> list[ChartPin]:
    """The pins fetched from a Helm repository (the ones with an archive), by name."""
    return sorted((p for p in chart_pins().values() if p.repository is not None), key=lambda p: p.name)


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
    # False: Helm does not wait for the release's objects to be ready (its claims bind only when
    # a pod first mounts them, which no pod of the release does)
    wait: bool = True

    @property
    def values_file(self) -> str:
        return f"helm/{self.name}.values.yaml"


def release(name: str, namespace: str, values: dict[str, Any], **extra: Any) -> Release:
    return Release(name=name, namespace=namespace, pin=chart_pins()[name], values=values, **extra)
