"""The sized plan a bundle records, reused while what it was sized from is unchanged.

Choosing a plan on the running-cluster model simulates every candidate (sizing/simulated.py); the
bundle's lock file (``aicommons.lock.json``, key ``sizing``) records the chosen plan with the digest
of its inputs (``simulated.inputs_digest``: the profile, the project servers admitted on the day,
the packaged catalogs and startup figures, the tool's version and the method). ``render``, ``plan``,
``deploy``, ``drift`` and the other commands that need the plan take the recorded one when the
digest matches, so they neither simulate again nor render a plan other than the one sized.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aicommons.governance.model import AIProject
from aicommons.profile.model import CityProfile
from aicommons.sizing.plan_model import SizingPlan

LOCK_FILE = "aicommons.lock.json"  # render/bundle.py
MAX_LOCK_BYTES = 64 * 1024 * 1024


def recorded_plan(lock: Mapping[str, Any], digest: str) -> SizingPlan | None:
    """The lock's plan when it was chosen on the model from inputs of this digest, else None."""
    sizing = lock.get("sizing")
    if not isinstance(sizing, dict):
        return None
    try:
        plan = SizingPlan.model_validate(sizing)
    except ValidationError:  # a lock of another version: size again
        return None
    if plan.simulated is None or plan.simulated.inputs_digest != digest:
        return None
    return plan


def read_lock(bundle_dir: Path) -> dict[str, Any]:
    """The bundle's lock file, or {} when there is none or it cannot be read (then the plan is sized)."""
    path = bundle_dir / LOCK_FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_LOCK_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def plan_for(
    profile: CityProfile,
    projects: Sequence[AIProject] = (),
    today: date | None = None,
    bundle_dir: Path | None = None,
) -> SizingPlan:
    """The plan the bundle in ``bundle_dir`` records when its inputs are unchanged, else sized anew
    on the running-cluster model."""
    from aicommons.sizing.simulated import inputs_digest, size_on_model

    if bundle_dir is not None:
        plan = recorded_plan(read_lock(bundle_dir), inputs_digest(profile, projects, today))
        if plan is not None:
            return plan
    return size_on_model(profile, projects, today).plan
