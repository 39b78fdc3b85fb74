"""The chart cache: a flat folder of ``<chart>-<version>.tgz`` archives, each checked against its pin.

The layout is the one Helm uses for pulled archives, so any folder of archives (a shared or
read-only mirror, an air-gapped USB stick) can serve as the cache. A file whose sha256 differs
from its pin is an error, never a warning: the cache must hold exactly the bytes that were checked.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aicommons.errors import Location, MissingComponentError
from aicommons.render.releases import ChartPin

CACHE_ENV = "AICOMMONS_CHART_CACHE"
_CHUNK = 1 << 16


class ChartDigestError(MissingComponentError):
    """An archive's bytes are not the pinned ones (a corrupted cache, or a repository that changed them)."""


def default_cache_dir() -> Path:
    """``$AICOMMONS_CHART_CACHE``, else ``$XDG_CACHE_HOME/aicommons/charts``, else ``~/.cache/aicommons/charts``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "aicommons" / "charts"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def digest_error(pin: ChartPin, where: str, actual: str, hint: str = "") -> ChartDigestError:
    return ChartDigestError(
        f"sha256 {actual} is not the pinned {pin.sha256} ({pin.chart} {pin.version}, charts/releases.yaml)"
        + hint,
        Location(file=where),
    )


def check_digest(pin: ChartPin, blob: bytes, where: str) -> bytes:
    """``blob`` when its sha256 is the pin's; raises ChartDigestError otherwise."""
    actual = hashlib.sha256(blob).hexdigest()
    if actual != pin.sha256:
        raise digest_error(pin, where, actual)
    return blob


def chart_archive(pin: ChartPin, cache_dir: Path | None = None) -> Path | None:
    """The pinned archive in the cache, its digest verified; None when the cache does not hold it.

    Raises ChartDigestError (naming the file, the expected and the actual digest) when the file
    is there with other bytes.
    """
    path = (cache_dir if cache_dir is not None else default_cache_dir()) / pin.archive_name
    if not path.is_file():
        return None
    actual = sha256_of(path)
    if actual != pin.sha256:
        raise digest_error(pin, str(path), actual)
    return path


def archive_bytes(pin: ChartPin, cache_dir: Path | None = None) -> bytes | None:
    """The pinned archive's bytes from the cache, verified as read (what is copied is what was checked)."""
    path = (cache_dir if cache_dir is not None else default_cache_dir()) / pin.archive_name
    if not path.is_file():
        return None
    return check_digest(pin, path.read_bytes(), str(path))


Status = Literal["verified", "missing", "mismatch"]


@dataclass(frozen=True)
class CacheEntry:
    """What the cache holds for one pin (``charts list``)."""

    pin: ChartPin
    status: Status
    problem: ChartDigestError | None = None


def cache_entry(pin: ChartPin, cache_dir: Path) -> CacheEntry:
    try:
        found = chart_archive(pin, cache_dir)
    except ChartDigestError as exc:
        return CacheEntry(pin, "mismatch", exc)
    return CacheEntry(pin, "verified" if found is not None else "missing")
