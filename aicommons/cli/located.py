"""Errors about a profile field, pointed at the line of the profile file that holds it.

Sizing and rendering work on the validated model and name a field (`budget.alert_emails`,
`workloads[2].gpu.sharing`); the command that read the file adds `file:line:column`, or the line
of the nearest enclosing section when the field is not written (then the message says what to add).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from aicommons.errors import AicommonsError, ErrorGroup, InputError

F = TypeVar("F", bound=Callable[..., Any])
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_parts(field: str) -> list[str | int]:
    """`workloads[2].gpu.count` -> ['workloads', 2, 'gpu', 'count']."""
    return [int(index) if index else name for name, index in _PART.findall(field)]


def locate_in_profile(exc: AicommonsError, path: Path) -> AicommonsError:
    """The same error with the profile's file:line where it names a profile field and no file."""
    if isinstance(exc, ErrorGroup):
        return ErrorGroup([locate_in_profile(e, path) for e in exc.errors])
    where = exc.location
    if not isinstance(exc, InputError) or where is None or where.file or not where.field:
        return exc
    from aicommons.profile.model import CityProfile
    from aicommons.yamlio import load_located

    parts = field_parts(where.field)
    if not parts or parts[0] not in CityProfile.model_fields:
        return exc
    try:
        doc = load_located(path)
    except AicommonsError:
        return exc
    return type(exc)(exc.message, doc.locate(parts), exc.allowed)


def in_profile(command: F) -> F:
    """Wrap a command whose `profile` argument is the profile file: its field errors get file:line."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            profile = kwargs.get("profile")
            if not isinstance(profile, Path):
                raise
            raise locate_in_profile(exc, profile) from None

    return wrapper  # type: ignore[return-value]


__all__ = ["field_parts", "in_profile", "locate_in_profile"]
