"""A Helm repository on 127.0.0.1 (http.server in a thread) and the pinned archives to serve from it.

Nothing here reaches the network: the repository is a temporary folder with an index.yaml, and
the archives are copies of the upstream ones in $AICOMMONS_TEST_CHARTS.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aicommons.render.releases import ChartPin, repository_pins

Serve = Callable[[Path], str]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours proxy variables; the local repository must be asked directly."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Serve a folder over HTTP on 127.0.0.1; returns its URL (servers stop after the test)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def index_repository(folder: Path, base_url: str | None = None) -> None:
    """Write folder/index.yaml as `helm repo index` does (helm-python's binding of Helm's code)."""
    helm = pytest.importorskip("helm_python")
    helm.repo_index_generate(folder, base_url=base_url)


@pytest.fixture
def pinned_repository(tmp_path: Path, upstream_charts: Path) -> Path:
    """A folder with every pinned archive (copied from the upstream charts) and its index.yaml."""
    folder = tmp_path / "repository"
    folder.mkdir()
    for pin in repository_pins():
        source = upstream_charts / pin.archive_name
        if not source.is_file():
            pytest.skip(f"chart {pin.archive_name} not in AICOMMONS_TEST_CHARTS ({upstream_charts})")
        shutil.copyfile(source, folder / pin.archive_name)
    index_repository(folder)
    return folder


def demo_pin(repository: str | None, blob: bytes, version: str = "1.0.0") -> ChartPin:
    """A pin for a made-up chart whose archive is ``blob`` (the cache never opens archives)."""
    return ChartPin(
        name="demo",
        repository=repository,
        chart="demo",
        version=version,
        source="test",
        sha256=hashlib.sha256(blob).hexdigest(),
    )
