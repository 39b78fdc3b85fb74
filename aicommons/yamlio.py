"""YAML in and out: located loading with ruamel.yaml, deterministic dumping.

Loading keeps each mapping key's and sequence item's line and column so that a
validation error on ``workloads[1].gpu.count`` can point at ``file:line:column``.
Every YAML the tool reads from a user (profiles, project files, blueprints, catalogs, a
bundle's files) goes through a loader here, bounded against alias bombs and deep nesting
(``aicommons.yamlbounds``); ``safe_load`` and friends are the fast PyYAML ones for bundles.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from aicommons.errors import InputError, Location
from aicommons.yamlbounds import check_events

_FAST_LOADER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)  # libyaml keeps positions too


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


MAX_FILE_BYTES = 16 * 1024 * 1024  # far above any profile, project file, blueprint or catalog


def read_text_file(path: Path, what: str = "a YAML file") -> str:
    """The UTF-8 text of a user's file; a folder, a device, a binary or non-UTF-8 file is a located error."""
    where = Location(file=str(path))
    try:
        if path.is_dir():
            raise InputError(f"is a folder, not {what}", where, "the path of a YAML file")
        if path.exists() and not path.is_file():
            raise InputError(f"is not a regular file (a device or a pipe), not {what}", where)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(
                f"is {path.stat().st_size:,} bytes, too large for {what}",
                where,
                f"at most {MAX_FILE_BYTES:,} bytes",
            )
        blob = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", where) from None
    except PermissionError:
        raise InputError("cannot be read: permission denied", where) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc.__class__.__name__}", where) from None
    return decode_text(blob, str(path), what)


def decode_text(blob: bytes, name: str, what: str = "a YAML file") -> str:
    """UTF-8 text from bytes; binary content or another encoding is named, at its line and column."""
    if b"\x00" in blob:
        line, col = _line_col(blob, blob.index(b"\x00"))
        raise InputError(f"is a binary file, not {what}", Location(file=name, line=line, column=col))
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(blob, exc.start)
        raise InputError(
            f"is not UTF-8 text (byte 0x{blob[exc.start]:02x} cannot start or continue a character)",
            Location(file=name, line=line, column=col),
            "UTF-8; save the file as UTF-8 in your editor",
        ) from None


def _line_col(blob: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset (columns counted in bytes for bytes, characters for text)."""
    before = blob[:offset]
    newline = b"\n" if isinstance(before, bytes) else "\n"
    return before.count(newline) + 1, offset - (before.rfind(newline) + 1) + 1  # type: ignore[arg-type]


def load_located(path: Path, what: str = "a YAML file") -> LocatedDocument:
    """Read one YAML document; unreadable, malformed or unbounded YAML becomes a located InputError."""
    return load_located_text(read_text_file(path, what), str(path))


def _events(text: str, rt: Any) -> Iterable[Any]:
    """The document's parser events for the bounds check: libyaml's (C, ~30x faster) where it
    parses the text, else ruamel's own parser, whose errors are then the ones reported."""
    loader = getattr(pyyaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return list(pyyaml.parse(text, Loader=loader))
        except pyyaml.YAMLError:
            pass  # YAML 1.2 corners libyaml refuses, or a real error: ruamel decides
    return rt.parse(text)


def load_located_text(text: str, name: str) -> LocatedDocument:
    yaml = _yaml_rt()
    try:
        check_events(_events(text, yaml), name)  # before loading: an alias bomb never gets expanded
        data = yaml.load(text)
    except InputError:
        raise
    except ReaderError as exc:  # a control character YAML does not allow
        line, col = _line_col(text, exc.position)
        raise InputError(
            f"malformed YAML: character {exc.character!r} is not allowed in YAML text",
            Location(file=name, line=line, column=col),
        ) from None
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


def safe_load(text: str | bytes, name: str) -> Any:
    """PyYAML's ``safe_load`` at libyaml's speed, bounded like ``load_located``; any problem is a
    located InputError (malformed YAML included)."""
    with _located_errors(text, name):
        check_events(pyyaml.parse(text, Loader=_FAST_LOADER), name)
        return pyyaml.load(text, Loader=_FAST_LOADER)


def safe_load_all(text: str | bytes, name: str) -> list[Any]:
    """Every document of a YAML stream, bounded and located like ``safe_load``."""
    with _located_errors(text, name):
        check_events(pyyaml.parse(text, Loader=_FAST_LOADER), name)
        return list(pyyaml.load_all(text, Loader=_FAST_LOADER))


def compose_all(text: str | bytes, name: str) -> list[pyyaml.Node]:
    """Every document's node tree (with positions), bounded and located like ``safe_load``."""
    with _located_errors(text, name):
        check_events(pyyaml.parse(text, Loader=_FAST_LOADER), name)
        return list(pyyaml.compose_all(text, Loader=_FAST_LOADER))


@contextmanager
def _located_errors(text: str | bytes, name: str) -> Iterator[None]:
    try:
        yield
    except pyyaml.reader.ReaderError as exc:  # bytes that are not UTF-8, or a control character
        line, col = _line_col(text, exc.position)
        raise InputError(
            f"malformed YAML: {exc.reason}", Location(file=name, line=line, column=col)
        ) from None
    except pyyaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(
            file=name, line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None
        )
        raise InputError(f"malformed YAML: {(exc.problem or exc.context or '').strip()}", loc) from None
    except pyyaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", Location(file=name)) from None


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
