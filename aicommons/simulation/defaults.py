"""Documented defaults of the model: node startup times (a data file)."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from aicommons.catalog.load import load_model_file
from aicommons.resources import data_dir


class Startup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    boot_seconds: float = Field(ge=0)
    image_pull_seconds: float = Field(ge=0)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    what: str
    url: str


class StartupDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cpu: Startup
    gpu: Startup


class StartupTable(BaseModel):
    """hardware_profiles/node_startup.yaml."""

    model_config = ConfigDict(extra="forbid")

    as_of: str
    sources: list[Source] = Field(min_length=1)
    defaults: StartupDefaults
    families: dict[str, Startup] = Field(default_factory=dict)

    def for_type(self, instance_type: str, has_gpu: bool) -> Startup:
        family = instance_type.split(".")[0]
        if family in self.families:
            return self.families[family]
        return self.defaults.gpu if has_gpu else self.defaults.cpu


@cache
def startup_table() -> StartupTable:
    return load_model_file(data_dir("hardware_profiles") / "node_startup.yaml", StartupTable)


# Session defaults live in one table: the profile's `users.sessions` (aicommons/profile/service.py),
# which build.py maps onto the simulation's Sessions.
