"""Load a CityProfile from YAML, turning every problem into a located, readable error."""

from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from aicommons.errors import ErrorGroup, InputError
from aicommons.profile.model import CityProfile
from aicommons.yamlio import LocatedDocument, load_located, load_located_text, to_plain


def load_profile(path: Path) -> CityProfile:
    """Read and validate a profile file."""
    return profile_from_document(load_located(path, "a profile file"))


def load_profile_text(text: str, name: str = "<profile>") -> CityProfile:
    return profile_from_document(load_located_text(text, name))


def profile_from_document(doc: LocatedDocument) -> CityProfile:
    if not isinstance(doc.data, dict):
        raise InputError(
            "a profile is a mapping with apiVersion, kind, city, target, users, workloads, budget",
            doc.locate([]),
        )
    try:
        return CityProfile.model_validate(to_plain(doc.data))
    except ValidationError as exc:
        raise validation_errors(exc, doc, CityProfile) from None


def validation_errors(exc: ValidationError, doc: LocatedDocument, model: type[BaseModel]) -> ErrorGroup:
    """Translate pydantic's errors into located InputErrors (one per problem)."""
    errors: list[InputError] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        path = _yaml_path(list(err["loc"]), doc.data)
        location = doc.locate(path)
        message, allowed = _explain(err, model, path, doc.data)
        key = f"{location}|{message}"
        if key in seen:
            continue
        seen.add(key)
        errors.append(InputError(message, location, allowed))
    return ErrorGroup(errors)


def _yaml_path(loc: list[Any], data: Any) -> list[str | int]:
    """Drop pydantic's discriminator tags and validator markers from an error path."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, str) and isinstance(node, dict) and part not in node:
            if node.get("provider") == part or part.startswith("function-"):
                continue  # union tag, e.g. target.aws.region -> target.region
        out.append(part)
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and part < len(node)
        ):
            node = node[part]
        else:
            node = None
    return out


def _explain(
    err: dict[str, Any], model: type[BaseModel], path: list[str | int], data: Any = None
) -> tuple[str, str | None]:
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else "?"
        known = sorted(_fields_at(model, path[:-1], data))
        guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return f"unknown field {name!r}{hint}", ", ".join(known) or None
    if kind == "missing":
        info = _field_info(model, path, data)  # its description says what to give
        return "required field is missing", info.description if info is not None else None
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected")
        return f"{err['input']!r} is not allowed", str(expected) if expected else None
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"unknown {ctx.get('discriminator', 'kind')} {ctx.get('tag')!r}", str(ctx.get("expected_tags"))
    if kind == "finite_number":
        return f"{err['input']!r} is not a finite number", "a number (infinity and NaN are not numbers here)"
    if kind == "union_tag_not_found":
        return "missing 'provider' (which target this is)", "'aws', 'kubernetes', 'onprem'"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "string_pattern_mismatch":
        field_cls = _field_info(model, path, data)
        described = field_cls.description if field_cls is not None else None
        return f"{err['input']!r} has the wrong form", described or err["ctx"]["pattern"]
    return msg, None


def _submodel(annotation: Any, key: str | int | None) -> type[BaseModel] | None:
    """The model class reached through an annotation (lists, optionals, unions, tags)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = typing.get_args(annotation)
    candidates = [a for a in args if a is not type(None)]
    for arg in candidates:
        found = _submodel(arg, key)
        if found is not None:
            if isinstance(key, str) and "provider" in found.model_fields:
                default = found.model_fields["provider"].default
                if default != key and len(candidates) > 1:
                    continue
            return found
    return None


def _walk(model: type[BaseModel], path: list[str | int], data: Any = None) -> type[BaseModel] | None:
    """The model at ``path``; a tagged union (``target``) resolves by the document's ``provider``."""
    current: type[BaseModel] | None = model
    node = data
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        node = node.get(part) if isinstance(node, dict) else None
        tag = node.get("provider") if isinstance(node, dict) else None
        current = _submodel(info.annotation, tag if isinstance(tag, str) else None)
    return current


def _fields_at(model: type[BaseModel], path: list[str | int], data: Any = None) -> set[str]:
    found = _walk(model, path, data)
    return set(found.model_fields) if found is not None else set()


def _field_info(model: type[BaseModel], path: list[str | int], data: Any = None):  # type: ignore[no-untyped-def]
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return None
    parent = _walk(model, path[: max(i for i, p in enumerate(path) if isinstance(p, str))], data)
    if parent is None:
        return None
    return parent.model_fields.get(names[-1])
