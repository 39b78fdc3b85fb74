"""The sizing plan a bundle was rendered from (its lock file's ``sizing``), or a report's JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from aicommons.errors import InputError, Location
from aicommons.sizing.plan import SizingPlan
from aicommons.usage.report import CostReport

LOCK_FILE = "aicommons.lock.json"  # render/bundle.py
MAX_BYTES = 64 * 1024 * 1024


def _json(path: Path) -> object:
    if not path.is_file():
        raise InputError("no such file", Location(file=str(path)))
    if path.stat().st_size > MAX_BYTES:
        raise InputError("too large", Location(file=str(path)), f"at most {MAX_BYTES // 1024 // 1024} MiB")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", Location(file=str(path))) from None


def _first(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    return ".".join(str(p) for p in err["loc"]), err["msg"]


def plan_from_bundle(bundle: Path) -> SizingPlan:
    path = bundle / LOCK_FILE
    data = _json(path)
    if not isinstance(data, dict) or "sizing" not in data:
        raise InputError(
            "no sizing plan", Location(file=str(path), field="sizing"), "a bundle `aicommons render` wrote"
        )
    try:
        return SizingPlan.model_validate(data["sizing"])
    except ValidationError as exc:
        field, msg = _first(exc)
        raise InputError(msg, Location(file=str(path), field=f"sizing.{field}")) from None


def load_report(path: Path) -> CostReport:
    """A report `aicommons cost report --live --format json` wrote."""
    data = _json(path)
    try:
        return CostReport.model_validate(data)
    except ValidationError as exc:
        field, msg = _first(exc)
        raise InputError(
            msg,
            Location(file=str(path), field=field),
            "the JSON `aicommons cost report --live -f json` writes",
        ) from None
