"""YAML in and out: located loading with ruamel.yaml, deterministic dumping.

Loading keeps each mapping key's and sequence item's line and column so that a
validation error on ``workloads[1].gpu.count`` can point at ``file:line:column``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from aicommons.errors import InputError, Location


def _yaml_rt() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


class LocatedDocument:
    """A loaded YAML document that can answer "where is this field?"."""

    def __init__(self, data: Any, path: str):
        self.data = data
        self.path = path

    def locate(self, field_path: Sequence[str | int]) -> Location:
        """Best location for a pydantic-style path: the deepest node that exists."""
        node = self.data
        line: int | None = None
        col: int | None = None
        for part in field_path:
            if isinstance(node, CommentedMap) and part in node:
                pos = node.lc.key(part)
                line, col = pos[0] + 1, pos[1] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                pos = node.lc.item(part)
                line, col = pos[0] + 1, pos[1] + 1
                node = node[part]
            else:
                if line is None and isinstance(node, CommentedMap | CommentedSeq):
                    line, col = node.lc.line + 1, node.lc.col + 1
                break
        return Location(file=self.path, line=line, column=col, field=format_path(field_path))


def format_path(parts: Sequence[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def to_plain(node: Any) -> Any:
    """Turn ruamel's commented containers into plain dicts and lists."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    return node


def load_located(path: Path) -> LocatedDocument:
    """Read one YAML document; malformed YAML becomes a located InputError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", Location(file=str(path))) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc.__class__.__name__}", Location(file=str(path))) from None
    return load_located_text(text, str(path))


def load_located_text(text: str, name: str) -> LocatedDocument:
    try:
        data = _yaml_rt().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(
            file=name, line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None
        )
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        raise InputError(f"malformed YAML: {problem}", loc) from None
    except Exception as exc:  # ruamel raises a few non-marked errors (e.g. duplicate keys)
        raise InputError(f"malformed YAML: {exc}", Location(file=name)) from None
    if data is None:
        raise InputError("the file is empty", Location(file=name))
    return LocatedDocument(data, name)


def dump_yaml(data: Any) -> str:
    """Deterministic YAML: block style, sorted keys, no aliases."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096  # never fold long URLs
    yaml.representer.add_representer(str, _represent_str)
    yaml.sort_base_mapping_type_on_output = True  # type: ignore[attr-defined]
    yaml.representer.ignore_aliases = lambda *_: True  # type: ignore[method-assign]
    buf = io.StringIO()
    yaml.dump(_sorted(data), buf)
    return buf.getvalue()


def _sorted(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _sorted(node[k]) for k in sorted(node)}
    if isinstance(node, list):
        return [_sorted(v) for v in node]
    return node


def _represent_str(representer: Any, value: str) -> Any:
    """Multi-line strings (embedded config, scripts) as literal blocks, the rest plain."""
    style = "|" if "\n" in value and all(line == line.rstrip() for line in value.splitlines()) else None
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)
