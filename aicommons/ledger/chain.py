"""The hash-chained JSON Lines ledger: append, read and verify.

Each line is one record's canonical JSON (sorted keys, no whitespace, UTF-8) and a newline.
A record holds `sha256`, the hash of its own canonical JSON without that field, and
`prev_sha256`, the hash of the previous line (64 zeros for the first). Changing, removing,
adding or moving any line therefore breaks a hash, a link or a `seq` that `verify_ledger`
recomputes. Dropping the *last* records leaves a shorter valid chain: the copy in the
audit bucket (Object Lock) is what shows that.

Appends hold an exclusive `flock` on the file, only ever add a line at the end, and fsync.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aicommons.cityfolder import TOOL_DIR, CityFolder
from aicommons.errors import EXIT_FAILED, AicommonsError, InputError, Location
from aicommons.ledger.model import GENESIS_SHA256, LedgerEntry, LedgerRecord, VerifyResult

LEDGER_DIR = TOOL_DIR
LEDGER_FILE = "ledger.jsonl"
# Git must keep the ledger's bytes exactly: no end-of-line conversion (core.autocrlf), no diff
# filters. `aicommons init` writes this line into the city repository's .gitattributes.
GITATTRIBUTES_LINE = f"{LEDGER_DIR}/{LEDGER_FILE} -text"
CRLF_PROBLEM = (
    "the file's line endings were changed to Windows ones (CR LF), e.g. by git's core.autocrlf; "
    "the records are hashed with LF endings"
)
CRLF_FIX = (
    f"restore the exact bytes: add `{GITATTRIBUTES_LINE}` to .gitattributes, then "
    f"`git rm --cached {LEDGER_DIR}/{LEDGER_FILE} && git checkout -- {LEDGER_DIR}/{LEDGER_FILE}` "
    "(or convert CR LF back to LF)"
)
_CHUNK = 1024 * 1024


class LedgerTampered(AicommonsError):
    """A ledger line was edited, removed, added, moved or cut (exit 1)."""

    exit_code = EXIT_FAILED


def ledger_path(city_folder: Path) -> Path:
    """Where a city's ledger lives: `<city folder>/.aicommons/ledger.jsonl`."""
    return CityFolder(city_folder).ledger


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def seal(entry: LedgerEntry, seq: int, prev_sha256: str) -> tuple[LedgerRecord, bytes]:
    """The record for `entry` at position `seq` after a line hashing to `prev_sha256`, and its line."""
    if isinstance(entry, LedgerRecord):  # a record passed back in is appended as a new entry
        entry = entry.entry()
    body = {**entry.model_dump(mode="json"), "seq": seq, "prev_sha256": prev_sha256}
    body["sha256"] = sha256_hex(canonical_json(body))
    return LedgerRecord.model_validate(body), canonical_json(body)


def append_record(ledger: Path, record: LedgerEntry) -> LedgerRecord:
    """Append `record` to the ledger (created if missing) and return it as written.

    Safe against concurrent writers: the previous line is read and the new one written under
    an exclusive lock. Refuses (InputError) to append after a damaged last line.
    """
    ledger.parent.mkdir(parents=True, exist_ok=True)
    created = not ledger.exists()
    fd = os.open(ledger, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        seq, prev = _next_link(fd, ledger)
        written, line = seal(record, seq, prev)
        _write_all(fd, line + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        _fsync_dir(ledger.parent)
    return written


def append_lines(ledger: Path, lines: list[bytes]) -> int:
    """Append records' exact lines (restored from the anchor), each checked to follow the last one.

    Under the same lock as `append_record`; nothing is written unless every line links on.
    """
    ledger.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(ledger, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        seq, prev = _next_link(fd, ledger)
        for offset, line in enumerate(lines):
            problem = _line_problem(line, seq + offset, prev)
            if problem:
                raise InputError(
                    f"the anchored record {seq + offset} does not follow the ledger: {problem}; nothing was restored",
                    Location(file=str(ledger), line=seq + offset),
                    "run `aicommons ledger verify`",
                )
            prev = sha256_hex(line)
        _write_all(fd, b"".join(line + b"\n" for line in lines))
        os.fsync(fd)
    finally:
        os.close(fd)
    return len(lines)


def read_ledger(ledger: Path) -> list[LedgerRecord]:
    """Every record in order; no records when the file does not exist yet.

    This only parses; `verify_ledger` is what checks the chain.
    """
    if not ledger.exists():
        return []
    records = []
    for number, line in enumerate(_lines(ledger), start=1):
        record, problem = _parse(line)
        if record is None:
            raise InputError(
                problem or "unreadable",
                Location(file=str(ledger), line=number),
                "run `aicommons ledger verify`",
            )
        records.append(record)
    return records


def verify_ledger(ledger: Path) -> VerifyResult:
    """Recompute every hash, link and seq; report the first line that is wrong and why."""
    if not ledger.is_file():
        raise InputError("no ledger here", Location(file=str(ledger)), "a ledger.jsonl or a city profile")
    blob = ledger.read_bytes()
    lines = blob.split(b"\n")
    complete = lines[:-1]  # a well-formed file ends with a newline, so the last piece is empty
    if complete and all(line.endswith(b"\r") for line in complete) and not lines[-1]:
        return _verify_crlf(ledger, [line[:-1] for line in complete])
    prev = GENESIS_SHA256
    for number, line in enumerate(complete, start=1):
        problem = _line_problem(line, number, prev)
        if problem:
            return VerifyResult(ok=False, records=number - 1, first_bad_line=number, problem=problem)
        prev = sha256_hex(line)
    if lines[-1]:
        return VerifyResult(
            ok=False,
            records=len(complete),
            first_bad_line=len(complete) + 1,
            problem="truncated: the last line has no newline (an interrupted or cut write)",
        )
    return VerifyResult(ok=True, records=len(complete))


def _verify_crlf(ledger: Path, lines: list[bytes]) -> VerifyResult:
    """Every line ends in CR LF: check the records as they were written (LF), and name the change."""
    prev = GENESIS_SHA256
    for number, line in enumerate(lines, start=1):
        problem = _line_problem(line, number, prev)
        if problem:
            return VerifyResult(
                ok=False,
                records=number - 1,
                first_bad_line=number,
                problem=f"{CRLF_PROBLEM}, and with LF endings restored: {problem}",
                line_endings_changed=True,
            )
        prev = sha256_hex(line)
    return VerifyResult(
        ok=False,
        records=len(lines),
        first_bad_line=1,
        problem=f"{CRLF_PROBLEM}; with LF endings restored all {len(lines)} record(s) verify. Fix: {CRLF_FIX}",
        line_endings_changed=True,
    )


def _line_problem(line: bytes, number: int, prev: str) -> str | None:
    if line.endswith(b"\r"):
        return f"the line ends with CR LF: {CRLF_PROBLEM}. Fix: {CRLF_FIX}"
    record, problem = _parse(line)
    if problem:
        return problem
    assert record is not None
    data = record.model_dump(mode="json")
    if canonical_json(data) != line:
        return "not in canonical form: the line was edited"
    claimed = data.pop("sha256")
    if sha256_hex(canonical_json(data)) != claimed:
        return "sha256 does not match the record's content: the record was edited"
    if record.seq != number:
        return f"seq is {record.seq}, expected {number}: a record was deleted, inserted or moved"
    if record.prev_sha256 != prev:
        which = "the start of the ledger" if number == 1 else f"line {number - 1}"
        return f"prev_sha256 does not match {which}: a record was deleted, inserted or moved"
    return None


def _parse(line: bytes) -> tuple[LedgerRecord | None, str | None]:
    if not line.strip():
        return None, "blank line"
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"not valid JSON ({exc})"
    try:
        return LedgerRecord.model_validate(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        return None, f"not a ledger record: {where}: {first['msg']} ({exc.error_count()} problem(s))"


def _lines(ledger: Path) -> list[bytes]:
    lines = ledger.read_bytes().split(b"\n")
    return lines[:-1] if not lines[-1] else lines


def _next_link(fd: int, ledger: Path) -> tuple[int, str]:
    """The next record's seq and prev_sha256, read under the caller's lock.

    The last record is checked (hash, seq, link) so that nothing is ever chained onto a
    damaged line; the rest of the chain is `verify_ledger`'s job. The whole file is read: a
    ledger gains a line a day or so.
    """
    blob = _read_all(fd, os.fstat(fd).st_size)
    if not blob:
        return 1, GENESIS_SHA256
    lines = blob.split(b"\n")
    number = len(lines) - 1 if not lines[-1] else len(lines)
    problem = (
        _line_problem(lines[-2], number, sha256_hex(lines[-3]) if number > 1 else GENESIS_SHA256)
        if not lines[-1]
        else "the last line is incomplete (an interrupted write)"
    )
    if problem:
        raise InputError(
            f"the ledger's last record is damaged: {problem}; nothing was appended",
            Location(file=str(ledger), line=number),
            "run `aicommons ledger verify` and restore the ledger from the audit bucket's copy",
        )
    return number + 1, sha256_hex(lines[-2])


def _read_all(fd: int, size: int) -> bytes:
    chunks, offset = [], 0
    while offset < size:
        chunk = os.pread(fd, min(_CHUNK, size - offset), offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, blob: bytes) -> None:
    view = memoryview(blob)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
