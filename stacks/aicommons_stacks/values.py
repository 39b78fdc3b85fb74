"""Values paths of Helm releases (`a.b\\.c.0.d`), as `helm --set` spells them. No Pulumi import:
the offline cluster check places its placeholders with the same code."""

from __future__ import annotations

from typing import Any

from aicommons_stacks.args import ArgsError

__all__ = ["parse_path", "set_path"]


def parse_path(path: str) -> list[str]:
    """Split a values path into keys: `a.b\\.c.d` -> ["a", "b.c", "d"] (backslash escapes a dot)."""
    keys: list[str] = []
    key: list[str] = []
    chars = iter(path)
    for char in chars:
        if char == "\\":
            escaped = next(chars, None)
            if escaped not in (".", "\\"):
                raise ArgsError(f"values path {path!r}: a backslash escapes only '.' or '\\'")
            key.append(escaped)
        elif char == ".":
            keys.append("".join(key))
            key = []
        else:
            key.append(char)
    keys.append("".join(key))
    if any(not k for k in keys):
        raise ArgsError(f"values path {path!r}: empty key")
    return keys


def set_path(values: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path`, creating the mappings on the way."""
    keys = parse_path(path)
    node: Any = values
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ArgsError(f"values path {path!r}: {where} is not an index of a list of {len(node)}")
            if last:
                node[int(key)] = value
            else:
                node = node[int(key)]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
        else:
            raise ArgsError(f"values path {path!r}: {where} is inside a {type(node).__name__}, not a mapping")
