"""Fetch a pinned chart from its Helm repository: index.yaml, then the archive, verified before it lands.

Plain HTTP(S) with the standard library (proxies from the usual environment variables), so a
base install can pull; helm-python is an optional extra. The archive is streamed into a hidden
temporary file beside its destination, hashed on the way, and renamed into place only when its
sha256 is the pin's: an interrupted or refused download leaves nothing in the cache.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal
from urllib.parse import urljoin

from aicommons import __version__
from aicommons.charts.cache import ChartDigestError, chart_archive, digest_error
from aicommons.charts.indexes import store_index
from aicommons.errors import InputError, Location, MissingComponentError
from aicommons.render.releases import ChartPin
from aicommons.yamlio import safe_load

TIMEOUT_SECONDS = 30
MAX_INDEX_BYTES = 256 << 20  # some public indexes run to tens of MiB
MAX_ARCHIVE_BYTES = 64 << 20
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Pulled:
    pin: ChartPin
    status: Literal["pulled", "cached"]
    path: Path


def pull_chart(
    pin: ChartPin, dest: Path, repository: str | None = None, timeout: float = TIMEOUT_SECONDS
) -> Pulled:
    """Put the pinned archive into ``dest`` (a cached, verified copy is kept without asking the network).

    ``repository`` replaces the pin's own (a mirror holding the same releases); the digest decides.
    """
    try:
        if chart_archive(pin, dest) is not None:
            return Pulled(pin, "cached", dest / pin.archive_name)
    except ChartDigestError as exc:  # never replaced silently: someone else wrote those bytes
        raise ChartDigestError(f"{exc.message}; delete the file and pull again", exc.location) from None
    source = repository or pin.repository
    assert source is not None  # archive_name refuses local charts
    index_url = urljoin(_as_folder(source), "index.yaml")
    blob = _download(index_url, timeout, MAX_INDEX_BYTES)
    index = _parse_index(blob, index_url)
    store_index(dest, source, blob)  # `upgrade plan` reads what is newer from it, offline
    entry = index_entry(index, pin, index_url)
    target = dest / pin.archive_name
    _land_verified(archive_url(entry, pin, index_url), timeout, target, pin, entry.get("digest"))
    return Pulled(pin, "pulled", target)


def refresh_index(
    pin: ChartPin, dest: Path, repository: str | None = None, timeout: float = TIMEOUT_SECONDS
) -> Path:
    """Fetch the pin's repository index into the cache (``charts pull`` does, for ``upgrade plan``)."""
    source = repository or pin.repository
    assert source is not None
    index_url = urljoin(_as_folder(source), "index.yaml")
    blob = _download(index_url, timeout, MAX_INDEX_BYTES)
    _parse_index(blob, index_url)
    return store_index(dest, source, blob)


def index_entry(index: dict[str, Any], pin: ChartPin, where: str) -> dict[str, Any]:
    """The index's entry for the pin's chart and version."""
    entries = index.get("entries")
    versions = entries.get(pin.chart) if isinstance(entries, dict) else None
    if not isinstance(versions, list):
        raise MissingComponentError(f"the repository lists no chart {pin.chart!r}", Location(file=where))
    for entry in versions:
        if isinstance(entry, dict) and str(entry.get("version")) == pin.version:
            return entry
    raise MissingComponentError(
        f"the repository lists no version {pin.version} of {pin.chart}", Location(file=where)
    )


def archive_url(entry: dict[str, Any], pin: ChartPin, index_url: str) -> str:
    """The entry's first URL, resolved against the index's address (index URLs may be relative)."""
    urls = entry.get("urls")
    if not isinstance(urls, list) or not urls or not isinstance(urls[0], str):
        raise MissingComponentError(
            f"the index entry of {pin.chart} {pin.version} has no archive URL", Location(file=index_url)
        )
    return urljoin(index_url, urls[0])


def _as_folder(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _open(url: str, timeout: float) -> BinaryIO:
    request = urllib.request.Request(url, headers={"User-Agent": f"aicommons/{__version__}"})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as exc:
        raise MissingComponentError(
            f"the repository answered HTTP {exc.code} {exc.reason}", Location(file=url)
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise _unreachable(url, getattr(exc, "reason", None) or exc) from None


def _unreachable(url: str, reason: object) -> MissingComponentError:
    return MissingComponentError(
        f"could not reach the chart repository ({reason}); check the network or the proxy "
        "(HTTPS_PROXY), or copy the pinned archives into the chart cache by hand",
        Location(file=url),
    )


def _chunks(stream: BinaryIO, url: str, limit: int) -> Iterator[bytes]:
    """The response body in chunks; a broken connection or an oversized body is a located error."""
    size = 0
    while True:
        try:
            chunk = stream.read(_CHUNK)
        except (http.client.HTTPException, OSError) as exc:
            raise _unreachable(url, exc) from None
        if not chunk:
            return
        size += len(chunk)
        if size > limit:
            raise MissingComponentError(f"more than {limit >> 20} MiB; refused", Location(file=url))
        yield chunk


def _download(url: str, timeout: float, limit: int) -> bytes:
    with _open(url, timeout) as response:
        return b"".join(_chunks(response, url, limit))


def _parse_index(blob: bytes, url: str) -> dict[str, Any]:
    try:
        index = safe_load(blob, url)
    except InputError as exc:  # malformed, an alias bomb or absurd nesting: the repository is not usable
        raise MissingComponentError(f"not a Helm repository index: {exc.message}", exc.location) from None
    if not isinstance(index, dict) or "entries" not in index:
        raise MissingComponentError("not a Helm repository index (no entries)", Location(file=url))
    return index


def _land_verified(url: str, timeout: float, target: Path, pin: ChartPin, listed: Any) -> None:
    """Stream into a temporary file beside ``target``; rename it into place only if the digest matches."""
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror})", Location(file=str(target.parent))) from None
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, _open(url, timeout) as response:
            for chunk in _chunks(response, url, MAX_ARCHIVE_BYTES):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != pin.sha256:
            raise digest_error(
                pin, url, actual, _index_hint(listed, actual) + "; nothing was written to the cache"
            )
        os.replace(tmp, target)
    except OSError as exc:  # the disk, not the network (_chunks reports the network)
        raise InputError(
            f"could not write the archive ({exc.strerror})", Location(file=str(target))
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _index_hint(listed: Any, actual: str) -> str:
    """What the repository's index says about the digest, to tell a re-packed release from a bad download."""
    if listed == actual:
        return (
            "; the repository's index lists this same digest: the release was re-packed, or the pin is wrong"
        )
    return f"; the repository's index lists {listed}" if listed else ""
