"""Waivers (`governance.exceptions`) must name a control the blueprint has.

A waiver for a control that does not exist (a typo, a control renamed in a newer blueprint)
accepts nothing and would hide the mistake; it is bad input (exit 2), located at the profile
line of that exception, with the blueprint's closest control IDs.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aicommons.blueprint.model import Blueprint
from aicommons.errors import AicommonsError, ErrorGroup, InputError, Location
from aicommons.profile.model import CityProfile

Locate = Callable[[Sequence[str | int]], Location]


@dataclass(frozen=True)
class UnknownWaiver:
    index: int  # position in governance.exceptions
    control: str
    close: tuple[str, ...]  # the blueprint's closest control IDs


def unknown_waivers(profile: CityProfile, blueprint: Blueprint) -> list[UnknownWaiver]:
    """The exceptions naming no control of `blueprint`, each with its close matches."""
    ids = [c.id for c in blueprint.controls]
    return [
        UnknownWaiver(i, e.control, tuple(difflib.get_close_matches(e.control, ids, n=3, cutoff=0.6)))
        for i, e in enumerate(profile.governance.exceptions)
        if e.control not in ids
    ]


def field_location(path: Sequence[str | int]) -> Location:
    """A location by field path alone (a profile read from a bundle's lock file, say)."""
    from aicommons.yamlio import format_path

    return Location(field=format_path(path))


def refuse_unknown_waivers(
    profile: CityProfile, blueprint: Blueprint, locate: Locate = field_location
) -> None:
    """Raise one located InputError per waiver of a control `blueprint` lacks (exit 2)."""
    unknown = unknown_waivers(profile, blueprint)
    if not unknown:
        return
    errors: list[AicommonsError] = [
        InputError(
            f"waiver of {w.control}, a control blueprint {blueprint.name} {blueprint.version} does not have"
            + (f"; did you mean {' or '.join(w.close)}?" if w.close else ""),
            locate(["governance", "exceptions", w.index, "control"]),
            "a control ID of the blueprint; `aicommons blueprint controls` lists them",
        )
        for w in unknown
    ]
    raise ErrorGroup(errors)


def profile_locator(path: str | os.PathLike[str] | None) -> Locate:
    """Locate fields in the profile file at `path` (the shell's side: it reads the file); by field
    path alone when it cannot be read."""
    from pathlib import Path

    from aicommons.yamlio import load_located

    if path is None:
        return field_location
    try:
        doc = load_located(Path(path))
    except AicommonsError:
        return field_location
    return doc.locate
