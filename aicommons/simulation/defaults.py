"""Documented defaults of the model: node startup times (a data file) and how users' sessions go."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from aicommons.catalog.load import load_model_file
from aicommons.resources import data_dir
from aicommons.simulation.scenario import Sessions


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


#: Session defaults when the profile sets none (`users.sessions`, issue 11). No published study gives
#: all four figures for a municipal hub, so they are planning assumptions, chosen from:
#: - median 1.5 h, spread 1.0 (lognormal sigma): Berkeley DataHub's usage analysis of hub start/stop
#:   logs (github.com/berkeley-dsep-infra/datahub-usage-analysis, notebooks/03-visualize-cost-and-usage)
#:   shows most sessions last under a few hours with a long tail of all-day users;
#: - self_stop_share 0.2: few users press "Stop My Server" (JupyterHub keeps servers until the idle
#:   culler ends them; z2jh enables the culler by default for that reason: zero-to-jupyterhub
#:   jupyterhub/values.yaml `cull.enabled: true`, and mybinder.org's 10-minute idle policy,
#:   github.com/jupyterhub/binderhub/issues/572);
#: - end_of_day_share 0.9: office users close their laptops when the working day ends.
SESSION_DEFAULTS = Sessions(median_hours=1.5, spread=1.0, self_stop_share=0.2, end_of_day_share=0.9)
