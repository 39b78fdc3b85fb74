"""The register model against the standard's schema: a field name, type, enumeration, format or limit
that drifts from the Eurocities ATS v0.3.1 schema fails here; the shipped copy is the official one."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from aicommons.governance.registration import SCHEMA_FILE, Registration, required_fields

SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
PROPERTIES: dict[str, dict[str, Any]] = SCHEMA["properties"]


def test_the_shipped_schema_is_the_official_one(reference_standards: Path) -> None:
    official = reference_standards / "eurocities-ats-v0.3.1.schema.json"
    assert SCHEMA_FILE.read_bytes() == official.read_bytes()


def test_the_schema_has_49_fields_29_required() -> None:
    assert (len(PROPERTIES), len(SCHEMA["required"])) == (49, 29)
    assert required_fields() == tuple(SCHEMA["required"])


def test_field_names_are_exactly_the_standards() -> None:
    assert list(Registration.model_fields) == list(PROPERTIES)


def _literals(info: FieldInfo) -> set[str] | None:
    for arg in (info.annotation, *typing.get_args(info.annotation)):
        if typing.get_origin(arg) is typing.Literal:
            return set(typing.get_args(arg))
    return None


def _constraints(info: FieldInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for meta in info.metadata:
        for name in ("min_length", "max_length", "pattern"):
            if getattr(meta, name, None) is not None:
                out[name] = getattr(meta, name)
    for arg in typing.get_args(info.annotation):
        for meta in getattr(arg, "__metadata__", ()):
            for name in ("min_length", "max_length", "pattern"):
                if getattr(meta, name, None) is not None:
                    out[name] = getattr(meta, name)
    return out


def test_types_enumerations_formats_and_limits_match_the_schema() -> None:
    problems = []
    for name, prop in PROPERTIES.items():
        info = Registration.model_fields[name]
        literals = _literals(info)
        said = _constraints(info)
        if "enum" in prop and literals != set(prop["enum"]):
            problems.append(f"{name}: enum {literals} != {prop['enum']}")
        if "const" in prop and literals != {prop["const"]}:
            problems.append(f"{name}: const {literals} != {prop['const']}")
        if prop.get("format") == "date" and "date" not in str(info.annotation):
            problems.append(f"{name}: not a date")
        if prop.get("format") in ("uri", "email", "uuid") and "pattern" not in said:
            problems.append(f"{name}: {prop['format']} without a pattern")
        if "pattern" in prop and not said.get("pattern", "").startswith(prop["pattern"]):
            problems.append(f"{name}: pattern {said.get('pattern')} does not start with {prop['pattern']}")
        for key, ours in (("minLength", "min_length"), ("maxLength", "max_length")):
            if prop.get(key) != said.get(ours):
                problems.append(f"{name}: {key} {said.get(ours)} != {prop.get(key)}")
        if prop.get("type") == "string" and "format" not in prop and "str" not in str(info.annotation):
            problems.append(f"{name}: not a string")
    assert problems == []
