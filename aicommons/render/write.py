"""Write a bundle to disk without losing anything that is not ours to replace.

- A new or empty folder gets the bundle.
- A folder holding an earlier bundle (it has aicommons.lock.json) is updated: files are
  replaced, and files the earlier bundle wrote but this one does not are removed. Files the
  earlier lock does not list (the city's own) are never touched.
- Any other non-empty folder is refused unless `force`, which writes but removes nothing.
Each file is written to a temporary name and renamed, so an interrupted write leaves either
the old or the new file, never half of one. Stack files keep what the Pulumi engine wrote into
them (the encryption salt and `secure:` values): losing those would make the secrets unreadable.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from aicommons.errors import InputError, Location
from aicommons.render.bundle import LOCK_FILE
from aicommons.render.files import FileMap
from aicommons.render.stack_files import is_stack_file, merge_engine_keys, without_engine_keys


@dataclass
class WriteReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_bundle(files: FileMap, out: Path, force: bool = False) -> WriteReport:
    previous = _previous_files(out, force)
    report = WriteReport()
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
        tmp = path.with_name(f".{path.name}.aicommons-tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    for rel in sorted(previous - set(files)):
        stale = out / rel
        if stale.is_file():
            stale.unlink()
            report.removed.append(rel)
            _prune_empty_dirs(stale.parent, out)
    return report


def _previous_files(out: Path, force: bool) -> set[str]:
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", Location(file=str(out)), "a new or bundle folder")
    if not out.exists() or not any(out.iterdir()):
        return set()
    lock = out / LOCK_FILE
    if not lock.is_file():
        if force:
            return set()
        raise InputError(
            "folder is not empty and holds no aicommons bundle; nothing was written",
            Location(file=str(out)),
            "an empty folder, an earlier bundle, or --force to write beside what is there",
        )
    try:
        listed = json.loads(lock.read_text(encoding="utf-8")).get("files", {})
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        raise InputError(
            "the bundle's lock file is not valid JSON; nothing was written", Location(file=str(lock))
        ) from None
    return {rel for rel in listed if _inside(out, rel)}


def _inside(out: Path, rel: str) -> bool:
    """Only paths inside the bundle folder (a tampered lock must not delete elsewhere)."""
    target = (out / rel).resolve()
    return target.is_relative_to(out.resolve()) and ".." not in Path(rel).parts


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
