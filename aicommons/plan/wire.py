"""What the plan worker and the CLI say to each other: one JSON line each way.

Request: `{"bundle": "<bundle folder>"}`. Reply: `{"aicommons": "<package folder>", "plans":
[...]}` on success, or `{"aicommons": ..., "error": {...}}`. A located project error travels
as its class, message, location and allowed values and is raised again as the same error;
anything else is only named (`"kind": "crash"`), and the CLI then plans in-process so that a
bug shows exactly as it would have without the worker. Plans travel as the models' plain
dumps through the standard `json` module, which keeps every value as it is.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path
from typing import Any

import aicommons
from aicommons.errors import AicommonsError, ErrorGroup, Location
from aicommons.plan.model import StackPlan

PACKAGE = str(Path(aicommons.__file__).resolve().parent)  # both sides must run the same code


def request(bundle_root: Path) -> str:
    return json.dumps({"bundle": str(bundle_root)}) + "\n"


def bundle_of(line: str) -> Path:
    return Path(json.loads(line)["bundle"])


def plans_reply(plans: list[StackPlan]) -> str:
    return json.dumps({"aicommons": PACKAGE, "plans": [p.model_dump() for p in plans]}) + "\n"


def error_reply(exc: BaseException) -> str:
    return json.dumps({"aicommons": PACKAGE, "error": encode_error(exc)}) + "\n"


def encode_error(exc: BaseException) -> dict[str, Any]:
    kind = type(exc)
    name = f"{kind.__module__}:{kind.__qualname__}"
    if not isinstance(exc, AicommonsError):
        return {"kind": "crash", "class": name, "text": str(exc)}
    location = dataclasses.asdict(exc.location) if exc.location else None
    return {
        "kind": "project",
        "class": name,
        "message": exc.message,
        "location": location,
        "allowed": exc.allowed,
        "errors": [encode_error(e) for e in exc.errors] if isinstance(exc, ErrorGroup) else None,
        "text": exc.render(),
        "exit_code": exc.exit_code,
    }


def decode_error(data: dict[str, Any]) -> AicommonsError | None:
    """The project error again, or None if it cannot be rebuilt as exactly the same message."""
    if data.get("kind") != "project":
        return None
    try:
        module, qualname = data["class"].split(":")
        kind: Any = importlib.import_module(module)
        for part in qualname.split("."):
            kind = getattr(kind, part)
        if not (isinstance(kind, type) and issubclass(kind, AicommonsError)):
            return None
        if issubclass(kind, ErrorGroup):
            members = [decode_error(e) for e in data["errors"]]
            if any(m is None for m in members):
                return None
            error = kind([m for m in members if m is not None])
        else:
            location = Location(**data["location"]) if data["location"] else None
            error = kind(data["message"], location, data["allowed"])
    except (ImportError, AttributeError, KeyError, TypeError, ValueError):
        return None
    same = error.render() == data["text"] and error.exit_code == data["exit_code"]
    return error if same else None


def decode_reply(line: str) -> tuple[list[StackPlan] | None, dict[str, Any] | None]:
    """(plans, None) or (None, error data); ValueError if the line is not a reply of this code."""
    data = json.loads(line)
    if not isinstance(data, dict) or data.get("aicommons") != PACKAGE:
        raise ValueError("not a reply from this aicommons")
    if "plans" in data:
        return [StackPlan.model_validate(p) for p in data["plans"]], None
    return None, data["error"]
