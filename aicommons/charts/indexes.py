"""Helm repository indexes kept in the chart cache (``<cache>/indexes/``), read offline.

``charts pull`` stores each repository's ``index.yaml`` as it fetched it; ``upgrade plan`` reads
the newest release of each pinned chart from there, never from the network.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from aicommons.errors import InputError, Location
from aicommons.yamlio import safe_load

INDEX_DIR = "indexes"


def index_file(cache_dir: Path, repository: str) -> Path:
    """``<cache>/indexes/<host and path>.yaml``, e.g. ``hub.jupyter.org_helm-chart.yaml``."""
    name = re.sub(r"^[a-z]+://", "", repository.strip().rstrip("/"))
    return cache_dir / INDEX_DIR / (re.sub(r"[^A-Za-z0-9.-]+", "_", name) + ".yaml")


def store_index(cache_dir: Path, repository: str, blob: bytes) -> Path:
    """Write the index atomically (a reader never sees half of one)."""
    path = index_file(cache_dir, repository)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(blob)
    os.replace(tmp, path)
    return path


def read_index(cache_dir: Path, repository: str) -> dict[str, Any] | None:
    """The cached index of ``repository``; None when the cache has none."""
    path = index_file(cache_dir, repository)
    if not path.is_file():
        return None
    data = safe_load(path.read_bytes(), str(path))
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        raise InputError("not a Helm repository index (no entries)", Location(file=str(path)))
    return data


def _version(text: str) -> Version | None:
    try:
        return Version(text.lstrip("v"))
    except InvalidVersion:
        return None


def newest_release(index: dict[str, Any], chart: str) -> dict[str, Any] | None:
    """The index entry of the chart's newest stable release (pre-releases and unparsable versions
    are left out, as ``helm search repo`` does without ``--devel``)."""
    best: tuple[Version, dict[str, Any]] | None = None
    for entry in index.get("entries", {}).get(chart) or []:
        if not isinstance(entry, dict):
            continue
        version = _version(str(entry.get("version", "")))
        if version is None or version.is_prerelease:
            continue
        if best is None or version > best[0]:
            best = (version, entry)
    return best[1] if best else None


def is_newer(candidate: str, pinned: str) -> bool:
    a, b = _version(candidate), _version(pinned)
    return a is not None and b is not None and a > b
