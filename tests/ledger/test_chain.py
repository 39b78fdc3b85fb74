"""The ledger's chain: appends read back, and every kind of tampering is found at its line."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from pathlib import Path

import pytest

from aicommons.errors import InputError
from aicommons.ledger import LedgerEntry, append_record, ledger_path, read_ledger, verify_ledger
from aicommons.ledger.chain import canonical_json, seal
from aicommons.ledger.model import GENESIS_SHA256
from tests.ledger.conftest import make_entry


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = ledger_path(tmp_path)
    for hour in (1, 2, 3, 4):
        append_record(path, make_entry(hour))
    return path


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_ledger_lives_in_the_city_folder(tmp_path: Path) -> None:
    assert ledger_path(tmp_path) == tmp_path / ".aicommons" / "ledger.jsonl"


def test_append_then_read_and_verify(ledger: Path) -> None:
    records = read_ledger(ledger)
    assert [r.seq for r in records] == [1, 2, 3, 4]
    assert records[0].prev_sha256 == GENESIS_SHA256
    raw = lines(ledger)
    for before, record in zip(raw, records[1:], strict=False):
        assert record.prev_sha256 == hashlib.sha256(before.rstrip(b"\n")).hexdigest()
    assert [r.entry() for r in records] == [make_entry(h) for h in (1, 2, 3, 4)]
    assert verify_ledger(ledger).model_dump() == {
        "ok": True,
        "records": 4,
        "first_bad_line": None,
        "problem": None,
        "line_endings_changed": False,
    }


def test_lines_are_canonical_json_and_the_hash_covers_all_but_itself(ledger: Path) -> None:
    line = lines(ledger)[0].rstrip(b"\n")
    data = json.loads(line)
    assert canonical_json(data) == line
    claimed = data.pop("sha256")
    assert hashlib.sha256(canonical_json(data)).hexdigest() == claimed


def test_append_returns_what_was_written(tmp_path: Path) -> None:
    path = ledger_path(tmp_path)
    written = append_record(path, make_entry(1))
    assert read_ledger(path) == [written]
    again = append_record(path, written)  # a record handed back is appended as a new entry
    assert again.seq == 2 and again.entry() == written.entry()


def test_missing_ledger_reads_empty_and_verify_says_it_is_missing(tmp_path: Path) -> None:
    assert read_ledger(tmp_path / "none.jsonl") == []
    with pytest.raises(InputError, match="no ledger here"):
        verify_ledger(tmp_path / "none.jsonl")


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC"):
        make_entry(at="2025-11-25T01:00:00+02:00")
    with pytest.raises(ValueError, match="ISO-8601"):
        make_entry(at="yesterday")


def _bad(path: Path) -> tuple[int | None, str]:
    result = verify_ledger(path)
    assert not result.ok
    return result.first_bad_line, result.problem or ""


def test_an_edited_field_is_found(ledger: Path) -> None:
    raw = lines(ledger)
    raw[1] = raw[1].replace(b'"created":12', b'"created":2')
    ledger.write_bytes(b"".join(raw))
    line, problem = _bad(ledger)
    assert (line, verify_ledger(ledger).records) == (2, 1)
    assert "sha256 does not match" in problem


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(ledger: Path) -> None:
    raw = lines(ledger)
    record = json.loads(raw[1])
    record["notes"] = "nothing happened here"
    del record["sha256"]
    record["sha256"] = hashlib.sha256(canonical_json(record)).hexdigest()
    raw[1] = canonical_json(record) + b"\n"
    ledger.write_bytes(b"".join(raw))
    line, problem = _bad(ledger)
    assert line == 3
    assert "prev_sha256 does not match line 2" in problem


def test_a_deleted_line_is_found(ledger: Path) -> None:
    raw = lines(ledger)
    del raw[1]
    ledger.write_bytes(b"".join(raw))
    line, problem = _bad(ledger)
    assert line == 2
    assert "seq is 3, expected 2" in problem


def test_swapped_lines_are_found(ledger: Path) -> None:
    raw = lines(ledger)
    raw[1], raw[2] = raw[2], raw[1]
    ledger.write_bytes(b"".join(raw))
    line, problem = _bad(ledger)
    assert line == 2
    assert "deleted, inserted or moved" in problem


def test_a_forged_line_with_its_own_hash_but_a_wrong_link_is_found(ledger: Path) -> None:
    raw = lines(ledger)
    _, forged = seal(make_entry(9, notes="forged"), seq=2, prev_sha256="f" * 64)
    raw.insert(1, forged + b"\n")
    ledger.write_bytes(b"".join(raw))
    line, problem = _bad(ledger)
    assert line == 2
    assert "prev_sha256 does not match line 1" in problem


def test_a_forged_line_linked_correctly_shows_at_the_next_line(ledger: Path) -> None:
    raw = lines(ledger)
    prev = hashlib.sha256(raw[0].rstrip(b"\n")).hexdigest()
    _, forged = seal(make_entry(9, notes="forged"), seq=2, prev_sha256=prev)
    raw.insert(1, forged + b"\n")
    ledger.write_bytes(b"".join(raw))
    assert _bad(ledger)[0] == 3


def test_a_truncated_last_line_is_found(ledger: Path) -> None:
    blob = ledger.read_bytes()
    ledger.write_bytes(blob[: len(blob) - 40])
    line, problem = _bad(ledger)
    assert line == 4
    assert "truncated" in problem


def test_a_missing_final_newline_is_a_truncation(ledger: Path) -> None:
    ledger.write_bytes(ledger.read_bytes().rstrip(b"\n"))
    line, problem = _bad(ledger)
    assert (line, "truncated" in problem) == (4, True)


def test_a_reformatted_line_is_an_edit(ledger: Path) -> None:
    raw = lines(ledger)
    raw[0] = json.dumps(json.loads(raw[0]), indent=1).replace("\n", " ").encode() + b"\n"
    ledger.write_bytes(b"".join(raw))
    assert _bad(ledger) == (1, "not in canonical form: the line was edited")


@pytest.mark.parametrize(
    ("junk", "problem"),
    [(b"\n", "blank line"), (b"{not json\n", "not valid JSON"), (b'{"seq": 1}\n', "not a ledger record")],
)
def test_junk_lines_are_reported(ledger: Path, junk: bytes, problem: str) -> None:
    raw = lines(ledger)
    raw.insert(2, junk)
    ledger.write_bytes(b"".join(raw))
    line, found = _bad(ledger)
    assert line == 3 and found.startswith(problem)


def test_nothing_is_appended_after_a_damaged_last_line(ledger: Path) -> None:
    blob = ledger.read_bytes()
    ledger.write_bytes(blob[:-10])
    with pytest.raises(InputError, match="nothing was appended") as info:
        append_record(ledger, make_entry(5))
    assert info.value.location is not None and info.value.location.line == 4
    assert ledger.read_bytes() == blob[:-10]


def test_nothing_is_appended_after_an_edited_last_record(ledger: Path) -> None:
    raw = lines(ledger)
    raw[-1] = raw[-1].replace(b"record 4", b"record X")
    ledger.write_bytes(b"".join(raw))
    with pytest.raises(InputError, match="last record is damaged"):
        append_record(ledger, make_entry(5))


def test_appends_never_rewrite_earlier_lines(ledger: Path) -> None:
    before = ledger.read_bytes()
    append_record(ledger, make_entry(5))
    assert ledger.read_bytes().startswith(before)


def _append_many(path: str, worker: int, count: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]  # both processes begin together
    for i in range(count):
        append_record(Path(path), make_entry(worker, notes=f"worker {worker} record {i}"))


def test_concurrent_appends_from_two_processes_stay_one_chain(tmp_path: Path) -> None:
    path = ledger_path(tmp_path)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [context.Process(target=_append_many, args=(str(path), w, 40, start)) for w in (1, 2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=120)
        assert p.exitcode == 0
    result = verify_ledger(path)
    assert result.ok, result
    assert result.records == 80
    notes = [r.notes for r in read_ledger(path)]
    assert sorted(notes) == sorted(f"worker {w} record {i}" for w in (1, 2) for i in range(40))


def test_entries_forbid_unknown_fields() -> None:
    with pytest.raises(ValueError, match="Extra inputs"):
        LedgerEntry.model_validate({**make_entry().model_dump(), "password": "hunter2"})
