"""Bundle drift: the committed bundle folder against a fresh render of the committed profile.

A file that differs is either *hand-edited* (its bytes no longer match the digest the
committed lock recorded when the tool wrote it) or *regenerated* (the tool wrote it, but the
profile, the tool, the catalogs or the chart pins have changed since). The lock says which.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aicommons.drift.model import BundleDrift, Change, FileDrift
from aicommons.errors import InputError, Location
from aicommons.render.bundle import LOCK_FILE
from aicommons.render.files import bytes_digest
from aicommons.render.stack_files import is_stack_file, without_engine_keys
from aicommons.render.write import SKIP_DIRS

MAX_DIFF_LINES = 200


def bundle_drift(committed: Mapping[str, bytes], fresh: Mapping[str, bytes]) -> BundleDrift:
    """Every file a fresh render would add, remove or change, with why and a diff."""
    old_lock, new_lock = _lock(committed, "committed"), _lock(fresh, "fresh")
    recorded: dict[str, str] = old_lock.get("files", {})
    ours = set(recorded) | set(fresh) | {LOCK_FILE}
    files = []
    for path in sorted(ours):
        before, after = committed.get(path), fresh.get(path)
        if before is not None and is_stack_file(path):
            before = without_engine_keys(before)  # the engine's salt and secure values are not drift
        if before == after:
            continue  # unchanged, or listed by the old lock and gone from both
        change: Change = "added" if before is None else "removed" if after is None else "changed"
        hand = _hand_edited(path, before, recorded)
        diff, truncated = unified_diff(path, before or b"", after or b"")
        files.append(
            FileDrift(path=path, change=change, hand_edited=hand, diff=diff, diff_truncated=truncated)
        )
    old_version, new_version = old_lock.get("aicommons_version"), new_lock.get("aicommons_version")
    return BundleDrift(
        files=files,
        profile_changed=old_lock.get("profile_digest") != new_lock.get("profile_digest"),
        inputs_changed=old_lock.get("inputs_digest") != new_lock.get("inputs_digest"),
        tool_version=(str(old_version), str(new_version)) if old_version != new_version else None,
        charts=_chart_changes(old_lock.get("charts", []), new_lock.get("charts", [])),
        untracked=sorted(set(committed) - ours),
    )


def read_bundle_folder(folder: Path) -> dict[str, bytes]:
    """The committed bundle's files (without virtualenvs, caches and git's own folder)."""
    if not (folder / LOCK_FILE).is_file():
        what = "holds no aicommons.lock.json" if folder.is_dir() else "does not exist"
        raise InputError(
            f"no committed bundle: the folder {what}",
            Location(file=str(folder)),
            "a folder written by `aicommons render PROFILE` (commit it), or --bundle DIR",
        )
    files: dict[str, bytes] = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(names):
            if not name.endswith(".pyc"):
                path = Path(root) / name
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def unified_diff(path: str, before: bytes, after: bytes, limit: int = MAX_DIFF_LINES) -> tuple[str, bool]:
    """A unified diff, committed → rendered, of at most `limit` lines; binary files get one line."""
    try:
        old, new = before.decode("utf-8"), after.decode("utf-8")
    except UnicodeDecodeError:
        return f"Binary files committed/{path} and rendered/{path} differ\n", False
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"committed/{path}" if before else "/dev/null",
            tofile=f"rendered/{path}" if after else "/dev/null",
        )
    )
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    if len(lines) <= limit:
        return "".join(lines), False
    return "".join(lines[:limit]) + f"… {len(lines) - limit} more diff lines\n", True


def _lock(files: Mapping[str, bytes], which: str) -> dict[str, Any]:
    blob = files.get(LOCK_FILE)
    if blob is None:
        raise InputError(f"the {which} bundle has no {LOCK_FILE}", Location(file=LOCK_FILE))
    try:
        lock = json.loads(blob)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"the {which} bundle's lock is not valid JSON ({exc})", Location(file=LOCK_FILE)
        ) from None
    if not isinstance(lock, dict):
        raise InputError(f"the {which} bundle's lock is not a JSON object", Location(file=LOCK_FILE))
    return lock


def _hand_edited(path: str, before: bytes | None, recorded: Mapping[str, str]) -> bool:
    """The committed file is not what the tool wrote: edited, deleted, or put there by hand."""
    if path == LOCK_FILE:
        return False  # the lock records the others, not itself
    if path not in recorded:
        return before is not None
    return before is None or bytes_digest(before) != recorded[path]


def _chart_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    was = {c.get("release"): c.get("version") for c in old if isinstance(c, dict)}
    now = {c.get("release"): c.get("version") for c in new if isinstance(c, dict)}
    # A release added or dropped follows from the profile; a new version of one kept is the tool's.
    return [
        f"{name} {was[name]} → {now[name]}"
        for name in sorted(set(was) & set(now), key=str)
        if was[name] != now[name]
    ]
