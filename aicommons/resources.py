"""Locate the data folders (hardware_profiles, blueprints, charts, stacks, examples).

In a wheel they ship inside the package as ``aicommons/_data/<name>``; in a checkout
(or an editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder holding the named data set, wherever aicommons is installed."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"aicommons data folder {name!r} is missing from this installation")
