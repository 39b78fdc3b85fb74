"""Read and write the ledger's anchor (the imperative shell around `ledger.anchor`).

Which anchor a city uses, first match wins: the `--anchor` option, the AICOMMONS_LEDGER_ANCHOR
environment variable, `governance.ledger_anchor` in the profile, then the target's own (on
AWS the Object-Locked audit bucket the infra stack creates). `none` turns anchoring off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from aicommons.errors import MissingComponentError
from aicommons.ledger.anchor import (
    ANCHOR_ENV,
    AnchorCheck,
    AnchorSpec,
    compare,
    head_line,
    object_name,
    parse_anchor,
    parse_object_name,
)
from aicommons.ledger.chain import canonical_json, read_ledger
from aicommons.ledger.model import LedgerRecord

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile

NOT_ANCHORED = (
    "this shows only that the file is consistent with itself; a rewrite of every record "
    "with re-computed hashes would also verify. Set governance.ledger_anchor in the profile or "
    f"{ANCHOR_ENV} (a folder or s3:// URL), or compare the head with the last `ledger head:` line "
    "in your CI log (--expect-head)"
)


def resolve_anchor(
    profile: CityProfile | None,
    city_folder: Path,
    environ: Mapping[str, str] | None = None,
    override: str | None = None,
) -> AnchorSpec | None:
    """The anchor this city uses, or None. Raises InputError for a malformed setting."""
    from aicommons.errors import InputError, Location
    from aicommons.ledger.anchor import AnchorSyntaxError

    env = os.environ if environ is None else environ
    candidates: list[tuple[str | None, str, Location | None]] = [
        (override, "--anchor", Location(field="--anchor")),
        (env.get(ANCHOR_ENV), f"the {ANCHOR_ENV} environment variable", Location(field=ANCHOR_ENV)),
    ]
    if profile is not None and profile.governance.ledger_anchor:
        candidates.append((profile.governance.ledger_anchor, "governance.ledger_anchor in the profile", None))
    for value, source, where in candidates:
        if value:
            try:
                return parse_anchor(value, city_folder, source)
            except AnchorSyntaxError as exc:
                raise InputError(str(exc), where) from None
    if profile is not None:
        from aicommons.targets.base import target_for

        return target_for(profile).ledger_anchor(profile)
    return None


def anchored(spec: AnchorSpec) -> list[tuple[int, str]]:
    """(seq, sha256) of every record the anchor holds. MissingComponentError when it cannot be read."""
    if spec.kind == "folder":
        folder = Path(spec.location)
        if not folder.is_dir():
            raise MissingComponentError(
                f"the ledger's anchor folder {folder} does not exist or is not a folder",
                allowed=f"the folder named by {spec.source or 'the anchor setting'}, mounted and readable",
            )
        try:
            names = [p.name for p in folder.iterdir()]
        except OSError as exc:
            raise MissingComponentError(f"could not read the anchor folder {folder}: {exc}") from None
        return sorted(parsed for name in names if (parsed := parse_object_name(name)))
    from aicommons.ledger.audit_bucket import anchored_records, resolve_bucket

    bucket = resolve_bucket(spec.location, spec.region, spec.endpoint)
    return anchored_records(bucket, spec.prefix, spec.region, spec.endpoint)


def put(spec: AnchorSpec, record: LedgerRecord) -> str:
    """Write the record's line to the anchor; returns where. Never overwrites a different record."""
    line = canonical_json(record.model_dump(mode="json")) + b"\n"
    if spec.kind == "folder":
        folder = Path(spec.location)
        path = folder / object_name(record.seq, record.sha256)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except FileExistsError:
            if path.read_bytes() != line:
                raise MissingComponentError(
                    f"{path} exists with other content; nothing was overwritten"
                ) from None
        except OSError as exc:
            raise MissingComponentError(f"could not write the ledger's anchor {path}: {exc}") from None
        return str(path)
    import aicommons.ledger as ledger_pkg  # looked up at call time: tests replace upload_record
    from aicommons.ledger.audit_bucket import resolve_bucket

    bucket = resolve_bucket(spec.location, spec.region, spec.endpoint)
    extra = {"endpoint": spec.endpoint} if spec.endpoint else {}
    key = ledger_pkg.upload_record(bucket, spec.prefix, record, spec.region, **extra)
    return f"s3://{bucket}/{key}"


def anchor_append(record: LedgerRecord, spec: AnchorSpec | None, echo: Callable[[str], None]) -> str | None:
    """After an append: print the head for the CI log and write the record to the anchor.

    A failure is reported, never raised: the record is already in the local file, and the
    next `ledger verify` names the records the anchor lacks.
    """
    echo(head_line(record.seq, record.sha256))
    if spec is None:
        echo(
            "ledger: no anchor configured; the head above, kept in this log, is its only copy outside the file"
        )
        return None
    try:
        where = put(spec, record)
    except MissingComponentError as exc:
        echo(f"ledger: record {record.seq} was NOT anchored in {spec.describe()}: {exc.render()}")
        return None
    echo(f"ledger: record {record.seq} anchored in {where}")
    return where


def resolved(spec: AnchorSpec) -> AnchorSpec:
    """The spec with the AWS account filled into the bucket's name (an STS call) when it has one."""
    if spec.kind != "s3":
        return spec
    from aicommons.ledger.audit_bucket import resolve_bucket

    return spec.with_bucket(resolve_bucket(spec.location, spec.region, spec.endpoint))


def check_anchor(ledger: Path, spec: AnchorSpec) -> tuple[AnchorCheck, AnchorSpec]:
    """Compare a ledger (already verified as a chain) with its anchor; also the anchor as read."""
    spec = resolved(spec)
    local = [(r.seq, r.sha256) for r in read_ledger(ledger)]
    return compare(local, anchored(spec)), spec


def _line(spec: AnchorSpec, seq: int, sha256: str) -> bytes:
    if spec.kind == "folder":
        path = Path(spec.location) / object_name(seq, sha256)
        try:
            return path.read_bytes().rstrip(b"\n")
        except OSError as exc:
            raise MissingComponentError(f"could not read the anchored record {path}: {exc}") from None
    from aicommons.ledger.audit_bucket import read_record_line

    return read_record_line(spec.location, spec.prefix, seq, sha256, spec.region, spec.endpoint)


def pull(ledger: Path, spec: AnchorSpec) -> int:
    """Append the records the anchor holds past the file's end (a copy of the ledger that is behind,
    e.g. a CI run's checkout); returns how many. Each restored line must link onto the file.

    Raises LedgerTampered when the file and the anchor disagree before the file's end, and
    MissingComponentError when the anchor cannot be read.
    """
    from aicommons.errors import Location
    from aicommons.ledger.chain import LedgerTampered, append_lines

    spec = resolved(spec)
    if spec.kind == "folder" and not Path(spec.location).exists():
        return 0  # nothing anchored yet: the first anchored append creates the folder
    entries = anchored(spec)
    local = [(r.seq, r.sha256) for r in read_ledger(ledger)]
    last = local[-1][0] if local else 0
    check = compare(local, [(seq, sha) for seq, sha in entries if seq <= last])
    if not check.ok:
        raise LedgerTampered(
            f"{check.problem} [anchor: {spec.describe()}]; nothing was restored",
            Location(file=str(ledger), line=check.first_bad_seq),
        )
    ahead = sorted({(seq, sha) for seq, sha in entries if seq > last})
    seqs = [seq for seq, _ in ahead]
    if len(set(seqs)) != len(seqs):
        raise LedgerTampered(
            f"the anchor holds two different records with one seq past the file's end [anchor: {spec.describe()}]; "
            "nothing was restored",
            Location(file=str(ledger)),
        )
    if seqs and seqs != list(range(last + 1, last + 1 + len(seqs))):
        missing = sorted(set(range(last + 1, seqs[-1] + 1)) - set(seqs))
        ahead = [(seq, sha) for seq, sha in ahead if seq < missing[0]]
    if not ahead:
        return 0
    return append_lines(ledger, [_line(spec, seq, sha) for seq, sha in ahead])
