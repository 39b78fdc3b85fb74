"""What the city promises its users (`service`) and how long their sessions last (`users.sessions`).

Both sections are optional; unset, the defaults below apply and the profile (and the bundle's lock)
serialises exactly as before they existed. Sizing chooses the cheapest layout that meets the service
level on the simulated cluster (sizing/choose.py); the session model feeds that simulation.

Defaults and why a city can defend them:

- ``start_wait_p95_minutes.cpu = 5``: 95 of 100 CPU starts begin within five minutes. Five minutes is
  Zero-to-JupyterHub's own default start timeout (``singleuser.startTimeout: 300``), the wait the
  chart already treats as acceptable; a start that needs a new CPU node (boot plus image pull, about
  2-4 minutes on EKS) fits inside it.
- ``start_wait_p95_minutes.gpu = 15``: a GPU start that needs a new node boots a larger instance,
  loads the driver and pulls a multi-GB CUDA image (about 6-10 minutes); fifteen minutes covers that
  with room for a second node, and keeps a GPU pool free to scale to zero outside business hours.
- ``max_failed_starts_per_month = 0``: a start that times out or finds every node group at its
  maximum is a user turned away; the plan claims none in a typical (median) month.

Session defaults are assumptions, not measurements: replace them with the hub's own figures (the
JupyterHub REST API's server ``started`` and ``last_activity`` times, or the culler's log). They are
the one table of session figures: the running-cluster model takes them field for field
(simulation/build.py). No published study gives all four for a municipal hub; they are informed by:

- Berkeley DataHub's analysis of its hub's start/stop logs (github.com/berkeley-dsep-infra/
  datahub-usage-analysis): most sessions last under a few hours, with a long tail of all-day users
  (a median of 1.5 h with a log-normal spread of 0.8);
- JupyterHub's reliance on its idle culler (z2jh ``cull.enabled: true`` by default, jupyterhub/
  zero-to-jupyterhub-k8s values.yaml; mybinder.org's idle policy, jupyterhub/binderhub issue 572):
  most users do not press "Stop My Server" (0.3 do).

The running-cluster model first drafted other figures (spread 1.0, self-stop 0.2, end of day 0.9);
the profile's were kept because they are the ones a city sees, sets and has documented, and the
end-of-day share of 0.9 made almost every server end at the close of business, hiding the idle
culler's tail that the issue's review measured (servers outliving the schedule by the cull timeout).

- ``median_hours = 1.5``: a working session of a notebook user, between a quick look and an afternoon.
- ``spread = 0.8``: session lengths are log-normal; this is the standard deviation of their natural
  logarithm (0.8: one session in six lasts over 3.3 hours, one in six under 40 minutes).
- ``self_stop_share = 0.3``: users who stop their server themselves when done (File > Hub Control Panel).
- ``end_of_day_share = 0.3``: users who keep it open until they leave at the end of business hours.
  The others walk away and leave it to the idle culler (``governance.idle_cull_minutes``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from aicommons.profile.strict import Strict

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile

MAX_WAIT_MINUTES = 120  # a start still pending after two hours is a failure, not a wait


class StartWait(Strict):
    """The 95th percentile of the wait between pressing Start and the server running, in minutes."""

    cpu: float = Field(
        default=5.0,
        gt=0,
        le=MAX_WAIT_MINUTES,
        description="CPU servers: 95% of starts begin within this many minutes (default 5, z2jh's timeout).",
    )
    gpu: float = Field(
        default=15.0,
        gt=0,
        le=MAX_WAIT_MINUTES,
        description="GPU servers: 95% of starts begin within this many minutes (default 15: a new GPU node "
        "boots and pulls its image in 6-10).",
    )


class ServiceLevel(Strict):
    """The service level sizing must meet: waits to start a server and starts that fail."""

    start_wait_p95_minutes: StartWait = Field(
        default_factory=StartWait, description="Longest wait to start a server, 95th percentile (minutes)."
    )
    max_failed_starts_per_month: int = Field(
        default=0,
        ge=0,
        le=100_000,
        description="Starts a month that may fail (timeout, or every node group at its maximum); default 0.",
    )


class Sessions(Strict):
    """How long a server runs once started: log-normal lengths and how sessions end."""

    median_hours: float = Field(
        default=1.5, gt=0, le=24, description="Median session length in hours (default 1.5, an assumption)."
    )
    spread: float = Field(
        default=0.8,
        ge=0,
        le=3,
        description="Standard deviation of the natural log of session length (log-normal; default 0.8).",
    )
    self_stop_share: float = Field(
        default=0.3, ge=0, le=1, description="Share of users who stop their server when done (default 0.3)."
    )
    end_of_day_share: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Share who keep it open until business hours end (default 0.3); the rest are culled idle.",
    )

    @model_validator(mode="after")
    def _shares(self) -> Sessions:
        total = self.self_stop_share + self.end_of_day_share
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"self_stop_share + end_of_day_share is {total:.2f}; they are shares of the same users "
                "(the rest leave it to the idle culler) and may add up to at most 1.0"
            )
        return self


def service_level(profile: CityProfile) -> ServiceLevel:
    """The profile's service level, or the defaults when it has no `service` section."""
    return profile.service or ServiceLevel()


def sessions(profile: CityProfile) -> Sessions:
    """The profile's session model, or the defaults when `users.sessions` is unset."""
    return profile.users.sessions or Sessions()
