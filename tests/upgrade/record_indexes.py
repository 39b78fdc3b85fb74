"""Record the Helm repository indexes the upgrade tests read, from the upstream chart archives.

    AICOMMONS_TEST_CHARTS=../shared/upstream-charts python -m tests.upgrade.record_indexes

Each pinned repository gets an index.yaml listing the archives of its charts in that folder
(two versions of each pinned chart), with their real sha256 digests, as `helm repo index` writes
them (name, version, appVersion, digest, urls). The recorded files are committed.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import yaml

from aicommons.charts.indexes import index_file
from aicommons.render.releases import repository_pins

RECORDED = Path(__file__).resolve().parent / "recorded"  # a chart cache holding indexes only


def chart_yaml(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        member = next(
            m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/Chart.yaml")
        )
        return yaml.safe_load(io.TextIOWrapper(tar.extractfile(member), encoding="utf-8"))


def record(charts: Path, out: Path = RECORDED) -> list[Path]:
    by_repo: dict[str, dict[str, list[dict]]] = {}
    for pin in repository_pins():
        entries = by_repo.setdefault(str(pin.repository), {})
        for archive in sorted(charts.glob(f"{pin.chart}-*.tgz")):
            meta = chart_yaml(archive)
            if meta.get("name") != pin.chart:
                continue
            entries.setdefault(pin.chart, []).append(
                {
                    "apiVersion": meta.get("apiVersion", "v2"),
                    "name": pin.chart,
                    "version": str(meta["version"]),
                    "appVersion": str(meta.get("appVersion", "")),
                    "digest": hashlib.sha256(archive.read_bytes()).hexdigest(),
                    "urls": [archive.name],
                }
            )
    written = []
    for repository, entries in sorted(by_repo.items()):
        path = index_file(out, repository)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump({"apiVersion": "v1", "entries": entries}, sort_keys=True), encoding="utf-8"
        )
        written.append(path)
    return written


if __name__ == "__main__":
    for p in record(Path(os.environ["AICOMMONS_TEST_CHARTS"])):
        print(p)
