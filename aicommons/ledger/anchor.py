"""Where the ledger's chain head is anchored outside the file, and how the file is compared with it.

A ledger that hashes each record and links it to the one before proves only that the file is
consistent with itself: someone who rewrites every record and recomputes every hash gets a
ledger that verifies. An anchor closes that gap. At every append the new record (its seq,
its sha256, which covers the whole chain before it, and its exact line) is written to a store
outside the file: the Object-Locked audit bucket on AWS, elsewhere a folder or an
S3-compatible bucket the city names. `aicommons ledger verify` then compares the file with
every record the anchor holds.

This module is pure: parsing an anchor setting and comparing two lists of (seq, sha256).
`anchor_store` reads and writes the stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

ANCHOR_ENV = "AICOMMONS_LEDGER_ANCHOR"
NO_ANCHOR = "none"
ACCOUNT_PLACEHOLDER = "{account_id}"  # filled from the caller's AWS account (STS) when reading/writing
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_OBJECT_NAME = re.compile(r"^(?P<seq>[0-9]{10})-(?P<sha>[0-9a-f]{64})\.json$")
ANCHOR_SYNTAX = (
    "a folder (absolute, or relative to the city folder), file:///path, "
    "s3://bucket/prefix (optionally ?region=eu-west-1&endpoint=https://s3.city.example), or none"
)


class AnchorSyntaxError(ValueError):
    """An anchor setting that is not a folder, a file:// or an s3:// URL."""


@dataclass(frozen=True)
class AnchorSpec:
    """One anchor store: a folder, or a bucket and key prefix (S3 or S3-compatible)."""

    kind: Literal["folder", "s3"]
    location: str  # the folder, or the bucket name (may hold {account_id})
    prefix: str = ""
    region: str | None = None
    endpoint: str | None = None
    source: str = field(default="", compare=False)  # where the setting came from, for messages

    def describe(self) -> str:
        if self.kind == "folder":
            return f"folder {self.location}"
        url = f"s3://{self.location}/{self.prefix}".rstrip("/")
        return url + (f" at {self.endpoint}" if self.endpoint else "")

    def with_bucket(self, bucket: str) -> AnchorSpec:
        return AnchorSpec(self.kind, bucket, self.prefix, self.region, self.endpoint, self.source)


def parse_anchor(text: str, base: Path | None = None, source: str = "") -> AnchorSpec | None:
    """The anchor a setting names; None for `none`. Raises AnchorSyntaxError otherwise."""
    text = text.strip()
    if not text:
        raise AnchorSyntaxError(f"an empty anchor; write {ANCHOR_SYNTAX}")
    if text.lower() == NO_ANCHOR:
        return None
    if text.startswith("s3://"):
        return _parse_s3(text, source)
    if "://" in text and not text.startswith("file://"):
        raise AnchorSyntaxError(f"{text!r} is not an anchor: write {ANCHOR_SYNTAX}")
    path = Path(text.removeprefix("file://"))
    if not path.is_absolute() and base is not None:
        path = base / path
    return AnchorSpec("folder", str(path), source=source)


def _parse_s3(text: str, source: str) -> AnchorSpec:
    url = urlsplit(text)
    bucket = url.netloc
    if not _BUCKET.match(bucket.replace(ACCOUNT_PLACEHOLDER, "000000000000")):
        raise AnchorSyntaxError(f"{bucket!r} is not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')")
    query = parse_qs(url.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"region", "endpoint"})
    if unknown:
        raise AnchorSyntaxError(
            f"unknown option(s) {', '.join(unknown)} in {text!r}: only region and endpoint"
        )
    endpoint = query.get("endpoint", [None])[-1]
    if endpoint is not None and not re.match(r"^https?://[^\s/]+", endpoint):
        raise AnchorSyntaxError(f"endpoint {endpoint!r} is not an http(s) URL")
    return AnchorSpec(
        "s3",
        bucket,
        prefix=url.path.strip("/"),
        region=query.get("region", [None])[-1] or None,
        endpoint=endpoint,
        source=source,
    )


def object_name(seq: int, sha256: str) -> str:
    """`<seq, 10 digits>-<sha256>.json`: sorted by seq, unique per record."""
    return f"{seq:010d}-{sha256}.json"


def parse_object_name(name: str) -> tuple[int, str] | None:
    """(seq, sha256) from an anchored object's name; None for anything else in the store."""
    match = _OBJECT_NAME.match(name.rsplit("/", 1)[-1])
    return (int(match["seq"]), match["sha"]) if match else None


@dataclass(frozen=True)
class AnchorCheck:
    """The ledger compared with its anchor."""

    ok: bool
    anchored: int  # records the anchor holds
    anchored_up_to: int  # highest seq the anchor holds (0: none)
    problem: str | None = None
    first_bad_seq: int | None = None
    unanchored: tuple[int, ...] = ()  # seqs in the file that the anchor does not hold


def compare(local: list[tuple[int, str]], anchored: list[tuple[int, str]]) -> AnchorCheck:
    """Compare the file's (seq, sha256) with the anchor's.

    A record's sha256 covers its content and its link to the previous line, so one matching
    anchored record vouches for the whole chain up to it. The anchor disagrees when it holds a
    record the file has with another hash (the file was rewritten from there), two different
    records under one seq (the anchor never loses one, so a rewrite cannot hide by adding its
    own), or records past the file's end (records were removed from the end, or this copy of
    the file is older than the anchor).
    """
    by_seq: dict[int, set[str]] = {}
    for seq, sha in anchored:
        by_seq.setdefault(seq, set()).add(sha)
    top = max(by_seq, default=0)
    count = len(by_seq)
    mine = dict(local)
    for seq in sorted(by_seq):
        shas = by_seq[seq]
        if len(shas) > 1:
            return AnchorCheck(
                ok=False,
                anchored=count,
                anchored_up_to=top,
                first_bad_seq=seq,
                problem=f"the anchor holds {len(shas)} different records {seq}: the ledger was rewritten "
                f"from record {seq} (or two copies of it were appended to separately)",
            )
        if seq not in mine:
            continue
        (sha,) = shas
        if mine[seq] != sha:
            return AnchorCheck(
                ok=False,
                anchored=count,
                anchored_up_to=top,
                first_bad_seq=seq,
                problem=f"record {seq} differs from the anchored record {seq} (sha256 {sha[:16]}..., the "
                f"file has {mine[seq][:16]}...): the ledger was rewritten from record {seq}",
            )
    last = max(mine, default=0)
    if top > last:
        return AnchorCheck(
            ok=False,
            anchored=count,
            anchored_up_to=top,
            first_bad_seq=last + 1,
            problem=f"the anchor holds records up to {top} but the file ends at {last}: records were "
            "removed from the end, or this copy of the ledger is older than the anchor",
        )
    return AnchorCheck(
        ok=True,
        anchored=count,
        anchored_up_to=top,
        unanchored=tuple(seq for seq in sorted(mine) if seq not in by_seq),
    )


def parse_head(text: str) -> tuple[int, str]:
    """`SEQ:SHA256` (the sha256 may be shortened to at least 12 hex digits), as printed at every append."""
    match = re.fullmatch(r"\s*([0-9]+):([0-9a-f]{12,64})\s*", text)
    if not match:
        raise AnchorSyntaxError(f"{text!r} is not a ledger head: write SEQ:SHA256, e.g. 12:3f1a9c0b7d2e")
    return int(match[1]), match[2]


def head_line(seq: int, sha256: str) -> str:
    """The line every append prints, so a CI log anchors the head too."""
    return f"ledger head: {seq}:{sha256}"
