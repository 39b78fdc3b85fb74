"""Where the cluster check finds each release's chart: a `ChartSource` the caller gives.

The check never downloads: the CLI passes the chart cache (`aicommons charts pull` fills it),
tests a folder of archives. A chart the source does not have makes its release "skipped" with
the reason, never a silent pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ChartRef:
    """A release's pinned chart, as the bundle names it (attribute names as ChartPin's)."""

    name: str  # the release (and pin) name, e.g. "jupyterhub"
    chart: str  # the chart's name in its repository
    version: str
    repository: str

    @property
    def archive_name(self) -> str:
        """`<chart>-<version>.tgz`, as `helm package` and `helm pull` name archives."""
        return f"{self.chart}-{self.version}.tgz"


ChartSource = Callable[[ChartRef], Path | None]


def not_cached(ref: ChartRef) -> str:
    return f"chart {ref.chart} {ref.version} not cached; run `aicommons charts pull`"


def folder_source(folder: Path) -> ChartSource:
    """Archives named `<chart>-<version>.tgz` in one folder (a chart cache, or test charts)."""

    def find(ref: ChartRef) -> Path | None:
        path = folder / ref.archive_name
        return path if path.is_file() else None

    return find


def no_charts(ref: ChartRef) -> Path | None:
    """A source without any chart: every upstream release is skipped with the reason."""
    return None


def cache_source(folder: Path | None = None) -> ChartSource:
    """Charts from `folder`, else the chart cache (`aicommons.charts.cache.default_cache_dir`),
    each pinned archive's sha256 verified (`chart_archive`: a file with other bytes is an error,
    never used); a chart this version of aicommons does not pin is found by its file name."""
    from aicommons.charts.cache import chart_archive, default_cache_dir
    from aicommons.render.releases import chart_pins

    where = folder if folder is not None else Path(default_cache_dir())
    by_name = folder_source(where)

    def verified(ref: ChartRef) -> Path | None:
        pin = chart_pins().get(ref.name)
        if pin is not None and pin.version == ref.version and pin.sha256:
            return chart_archive(pin, where)
        return by_name(ref)

    return verified
