"""Write a bundle to disk without losing anything that is not ours to replace.

The bundle's lock file (aicommons.lock.json) lists every file aicommons wrote; only those are
ever replaced or removed. Every other file in the folder is the city's and is never touched.

- A new folder, or one holding no file, gets the bundle.
- A folder holding an earlier bundle (it has a lock) is updated: its files are replaced, and
  files the earlier bundle wrote but this one does not are removed.
- A folder holding no bundle but other files is refused unless `force`.
- A file of the city's where the bundle would put one of its own (the earlier lock does not list
  it, and it differs) is refused unless `force`. With `force` it is kept, the bundle's file is not
  written, and the new lock leaves it out, so a later render still treats it as the city's.
The report names the city's files it kept. Each file is written to a temporary name and
renamed, so an interrupted write leaves either the old or the new file, never half of one. Stack
files keep what the Pulumi engine wrote into them (the encryption salt and `secure:` values):
losing those would make the secrets unreadable.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from aicommons.errors import InputError, Location
from aicommons.render.bundle import LOCK_FILE
from aicommons.render.files import FileMap, json_bytes
from aicommons.render.stack_files import is_stack_file, merge_engine_keys, without_engine_keys

# Folders the engine or a developer creates inside a bundle (Pulumi's virtualenv, caches): neither
# the bundle's nor files a city keeps there, so they are not reported.
SKIP_DIRS = frozenset({".git", ".pulumi", ".venv", "venv", "__pycache__", "node_modules", ".pytest_cache"})
_TMP_SUFFIX = ".aicommons-tmp"


@dataclass
class WriteReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the city's files in the folder, left as they were
    not_written: list[str] = field(default_factory=list)  # bundle files a kept file of the city's holds


def write_bundle(files: FileMap, out: Path, force: bool = False) -> WriteReport:
    previous = _previous_files(out, force)
    theirs = _city_files_in_the_way(files, out, previous)
    if theirs and not force:
        raise InputError(
            f"{len(theirs)} file(s) here were not written by aicommons (the bundle's lock does not list "
            f"them) and the bundle would replace them: {', '.join(theirs)}; nothing was written",
            Location(file=str(out)),
            "move them out of the bundle folder, or `aicommons render --force` to write the rest of the "
            "bundle and keep them",
        )
    files = _without(files, theirs)
    report = WriteReport(not_written=theirs)
    for rel, blob in files.items():
        path = out / rel
        if path.is_file():
            existing = path.read_bytes()
            if is_stack_file(rel):  # keep what the Pulumi engine wrote there (salt, secure values)
                if without_engine_keys(existing) == blob:
                    report.unchanged.append(rel)
                    continue
                blob = merge_engine_keys(blob, existing)
            if existing == blob:
                report.unchanged.append(rel)
                continue
            report.changed.append(rel)
        else:
            report.created.append(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}{_TMP_SUFFIX}")
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    for rel in sorted(previous - set(files)):
        stale = out / rel
        if stale.is_file():
            stale.unlink()
            report.removed.append(rel)
            _prune_empty_dirs(stale.parent, out)
    report.kept = sorted(set(_folder_files(out)) - set(files))
    return report


def kept_line(report: WriteReport, limit: int = 10) -> str | None:
    """One line naming the city's files the write kept (None when there are none)."""
    if not report.kept:
        return None
    shown = report.kept[:limit] + (
        [f"and {len(report.kept) - limit} more"] if len(report.kept) > limit else []
    )
    line = f"kept {len(report.kept)} file(s) aicommons did not write: {', '.join(shown)}"
    if report.not_written:
        line += (
            f" (the bundle's own {', '.join(report.not_written)} not written: the city's file holds its "
            "place, and the lock leaves it out)"
        )
    return line


def _previous_files(out: Path, force: bool) -> set[str]:
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", Location(file=str(out)), "a new or bundle folder")
    if not out.exists() or not any(not p.is_dir() for p in out.rglob("*")):  # no file: nothing to lose
        return set()
    lock = out / LOCK_FILE
    if not lock.is_file():
        if force:
            return set()
        raise InputError(
            "folder is not empty and holds no aicommons bundle; nothing was written",
            Location(file=str(out)),
            "an empty folder, an earlier bundle, or --force to write beside what is there "
            "(the files there are kept)",
        )
    try:
        listed = json.loads(lock.read_text(encoding="utf-8")).get("files", {})
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        raise InputError(
            "the bundle's lock file is not valid JSON; nothing was written", Location(file=str(lock))
        ) from None
    return {rel for rel in listed if _inside(out, rel)}


def _city_files_in_the_way(files: FileMap, out: Path, previous: set[str]) -> list[str]:
    """Paths the bundle writes where a file the earlier lock does not list already is, and differs.

    An identical file is not in the way: writing it changes nothing, and the lock then lists it.
    """
    theirs = []
    for rel, blob in files.items():
        if rel == LOCK_FILE or rel in previous:
            continue
        path = out / rel
        if path.is_file():
            existing = path.read_bytes()
            if existing == blob or (is_stack_file(rel) and without_engine_keys(existing) == blob):
                continue
            theirs.append(rel)
        elif path.exists() or _file_above(out, rel):  # a folder there, or a file where a folder must be
            theirs.append(rel)
    return sorted(theirs)


def _file_above(out: Path, rel: str) -> bool:
    parent = (out / rel).parent
    while parent != out and parent.is_relative_to(out):
        if parent.is_file():
            return True
        parent = parent.parent
    return False


def _without(files: FileMap, theirs: list[str]) -> FileMap:
    """The bundle without the paths the city's files hold, its lock no longer listing them."""
    if not theirs:
        return files
    kept = {rel: blob for rel, blob in files.items() if rel not in theirs}
    if LOCK_FILE in kept:
        lock = json.loads(kept[LOCK_FILE])
        lock["files"] = {rel: digest for rel, digest in lock.get("files", {}).items() if rel not in theirs}
        kept[LOCK_FILE] = json_bytes(lock)
    return kept


def _folder_files(out: Path) -> list[str]:
    """Every file in the folder, as paths relative to it (without engine folders and caches)."""
    found = []
    for root, dirs, names in os.walk(out):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(names):
            if not name.endswith((".pyc", _TMP_SUFFIX)):
                found.append((Path(root) / name).relative_to(out).as_posix())
    return found


def _inside(out: Path, rel: str) -> bool:
    """Only paths inside the bundle folder (a tampered lock must not delete elsewhere)."""
    target = (out / rel).resolve()
    return target.is_relative_to(out.resolve()) and ".." not in Path(rel).parts


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
