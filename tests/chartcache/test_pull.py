"""Pulling one chart from a Helm repository served on 127.0.0.1: index, archive, digest, atomic landing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from aicommons.charts.cache import ChartDigestError
from aicommons.charts.pull import archive_url, pull_chart
from aicommons.errors import MissingComponentError
from tests.chartcache.conftest import Serve, demo_pin

BLOB = b"demo chart archive bytes"


def _repository(tmp_path: Path, blob: bytes = BLOB) -> Path:
    """A repository holding the made-up chart: its archive and an index.yaml as Helm writes one."""
    folder = tmp_path / "repo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo-1.0.0.tgz").write_bytes(blob)
    entry = {"name": "demo", "version": "1.0.0", "digest": hashlib.sha256(blob).hexdigest()}
    index = {"apiVersion": "v1", "entries": {"demo": [{**entry, "urls": ["demo-1.0.0.tgz"]}]}}
    (folder / "index.yaml").write_text(yaml.safe_dump(index))
    return folder


def _only_the_archive(cache: Path) -> list[str]:
    """The cache's archives (and no temporary file, there or beside a stored index)."""
    indexes = cache / "indexes"
    if indexes.is_dir():
        assert all(p.suffix == ".yaml" for p in indexes.iterdir()), sorted(indexes.iterdir())
    return sorted(p.name for p in cache.iterdir() if p != indexes)


def test_pull_fetches_index_then_archive_and_verifies(tmp_path: Path, serve: Serve) -> None:
    url = serve(_repository(tmp_path))
    cache = tmp_path / "cache"
    cache.mkdir()
    pulled = pull_chart(demo_pin(url, BLOB), cache)
    assert pulled.status == "pulled"
    assert (cache / "demo-1.0.0.tgz").read_bytes() == BLOB
    assert _only_the_archive(cache) == ["demo-1.0.0.tgz"]  # no temporary file left behind
    # the repository's index is kept for `upgrade plan`, as the repository served it
    (stored,) = (cache / "indexes").iterdir()
    assert "demo-1.0.0.tgz" in stored.read_text()


def test_a_verified_cached_archive_is_not_fetched_again(tmp_path: Path, closed_port_url: str) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "demo-1.0.0.tgz").write_bytes(BLOB)
    assert pull_chart(demo_pin(closed_port_url, BLOB), cache).status == "cached"


def test_a_cached_archive_with_other_bytes_is_an_error_and_stays(tmp_path: Path, serve: Serve) -> None:
    url = serve(_repository(tmp_path))
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "demo-1.0.0.tgz").write_bytes(b"put there by someone else")
    with pytest.raises(ChartDigestError, match="delete the file and pull again"):
        pull_chart(demo_pin(url, BLOB), cache)
    assert (cache / "demo-1.0.0.tgz").read_bytes() == b"put there by someone else"


def test_absolute_archive_urls_in_the_index_are_followed(tmp_path: Path, serve: Serve) -> None:
    """Repositories on GitHub Pages list archives elsewhere (release downloads): the index's URL wins."""
    archives = serve(_repository(tmp_path / "a"))
    index_only = tmp_path / "index-only"
    index_only.mkdir()
    (index_only / "index.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "entries": {"demo": [{"version": "1.0.0", "urls": [f"{archives}/demo-1.0.0.tgz"]}]},
            }
        )
    )
    cache = tmp_path / "cache"
    cache.mkdir()
    pull_chart(demo_pin(serve(index_only), BLOB), cache)
    assert (cache / "demo-1.0.0.tgz").read_bytes() == BLOB


def test_relative_urls_resolve_against_the_index() -> None:
    entry = {"urls": ["charts/demo-1.0.0.tgz"]}
    pin = demo_pin("https://h/x", BLOB)
    assert archive_url(entry, pin, "https://h/x/index.yaml") == "https://h/x/charts/demo-1.0.0.tgz"


def test_other_bytes_are_refused_and_nothing_lands(tmp_path: Path, serve: Serve) -> None:
    url = serve(_repository(tmp_path, blob=BLOB + b" tampered"))
    cache = tmp_path / "cache"
    cache.mkdir()
    pin = demo_pin(url, BLOB)
    with pytest.raises(ChartDigestError) as caught:
        pull_chart(pin, cache)
    message = caught.value.render()
    assert f"{url}/demo-1.0.0.tgz" in message and str(pin.sha256) in message
    assert "index lists this same digest" in message  # the repository serves what its index says
    assert _only_the_archive(cache) == []


def test_a_version_the_repository_lacks_is_a_clear_error(tmp_path: Path, serve: Serve) -> None:
    url = serve(_repository(tmp_path))
    with pytest.raises(MissingComponentError, match="lists no version 9.9.9 of demo"):
        pull_chart(demo_pin(url, BLOB, version="9.9.9"), tmp_path)


def test_a_folder_without_an_index_is_not_a_repository(tmp_path: Path, serve: Serve) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MissingComponentError, match="HTTP 404"):
        pull_chart(demo_pin(serve(empty), BLOB), tmp_path)


def test_an_unreachable_repository_says_so(tmp_path: Path, closed_port_url: str) -> None:
    with pytest.raises(MissingComponentError, match="could not reach the chart repository") as caught:
        pull_chart(demo_pin(closed_port_url, BLOB), tmp_path)
    assert f"{closed_port_url}/index.yaml" in caught.value.render()


def test_a_mirror_replaces_the_pins_repository(tmp_path: Path, serve: Serve, closed_port_url: str) -> None:
    mirror = serve(_repository(tmp_path))
    cache = tmp_path / "cache"
    cache.mkdir()
    assert pull_chart(demo_pin(closed_port_url, BLOB), cache, repository=mirror).status == "pulled"
