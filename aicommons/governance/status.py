"""Which register statuses get a live sandbox: the one rule every part of aicommons uses.

The seven statuses are the Eurocities Algorithmic Transparency Standard v0.3.1's (``status``
in ``standards/eurocities-ats-v0.3.1.schema.json``). The rule:

* ``planned`` and ``design``: no sandbox yet (the project is an idea or a design on paper);
* ``development``: a sandbox to build the system in, with no residents' cases;
* ``pilot``, ``evaluation``, ``operational``: a sandbox, and the system's output reaches real
  residents' cases, so the project needs a recorded approval to go live
  (``sandbox.safeguards.approval``) before its sandbox is rendered;
* ``operational`` alone may expose a public endpoint (with that approval);
* ``retired``: closed; no sandbox, and its personal data is deleted by its end date
  (the sandbox chart deletes the data volume once the project has no sandbox).

Readiness (``governance/readiness.py``), the rendered sandboxes, sizing and the AIC-GOV controls all
ask these functions; none of them lists statuses of its own.
"""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal["planned", "design", "development", "pilot", "evaluation", "operational", "retired"]
STATUSES: tuple[Status, ...] = get_args(Status)

SANDBOX_STATUSES: tuple[Status, ...] = ("development", "pilot", "evaluation", "operational")
GO_LIVE_STATUSES: tuple[Status, ...] = ("pilot", "evaluation", "operational")
PUBLIC_STATUSES: tuple[Status, ...] = ("operational",)
CLOSED_STATUS: Status = "retired"


def allows_sandbox(status: str) -> bool:
    """Whether a project with this status may have a live sandbox."""
    return status in SANDBOX_STATUSES


def needs_go_live_approval(status: str) -> bool:
    """Whether the system's output reaches residents' cases, so a recorded approval must come first."""
    return status in GO_LIVE_STATUSES


def allows_public_endpoint(status: str) -> bool:
    """Whether the project may expose a service publicly (it also needs its go-live approval)."""
    return status in PUBLIC_STATUSES


def is_closed(status: str) -> bool:
    """Retired: closed, its personal data deleted by the end date."""
    return status == CLOSED_STATUS
