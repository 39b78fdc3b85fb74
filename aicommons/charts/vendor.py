"""Where ``render --vendor-charts`` takes the archives from, and whether a bundle was vendored.

A bundle rendered with vendored charts stays vendored when ``plan``, ``deploy`` or ``drift``
re-render it (its lock says so), so an air-gapped city's bundle never loses its archives: they
come from the bundle's own helm/vendor/ folder first, verified, then from the chart cache.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from aicommons.charts.cache import archive_bytes, default_cache_dir
from aicommons.errors import Location, MissingComponentError
from aicommons.render.bundle import LOCK_FILE
from aicommons.render.releases import VENDOR_DIR, ChartPin


def chart_source(
    cache_dir: Path | None = None, bundle_dir: Path | None = None
) -> Callable[[ChartPin], bytes]:
    """The verified bytes of a pinned archive: from ``bundle_dir``'s helm/vendor/, else the cache."""
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    folders = [bundle_dir / VENDOR_DIR] if bundle_dir is not None else []
    folders.append(cache)

    def source(pin: ChartPin) -> bytes:
        for folder in folders:
            blob = archive_bytes(pin, folder)  # raises when the file is there with other bytes
            if blob is not None:
                return blob
        raise MissingComponentError(
            "not in the chart cache; run `aicommons charts pull` "
            "(or set AICOMMONS_CHART_CACHE to a folder that holds it)",
            Location(file=str(cache / pin.archive_name)),
        )

    return source


def was_vendored(bundle_dir: Path) -> bool:
    """The bundle's lock says its charts were vendored (False for a new folder or an older lock)."""
    try:
        lock = json.loads((bundle_dir / LOCK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(lock, dict) and lock.get("vendored_charts") is True


def source_for(bundle_dir: Path, vendor: bool | None = None) -> Callable[[ChartPin], bytes] | None:
    """The chart source a re-render of ``bundle_dir`` needs: asked for, or as the bundle was rendered."""
    wanted = was_vendored(bundle_dir) if vendor is None else vendor
    return chart_source(bundle_dir=bundle_dir) if wanted else None
