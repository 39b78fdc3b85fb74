"""Bounds on what a YAML document may grow into once loaded: alias expansion and nesting depth.

An alias shares its anchor's node, so loading stays cheap, but anything that walks the data
(copying, validating, rendering, dumping) expands it: a few hundred bytes of nested aliases
("billion laughs") become billions of nodes, and an alias inside its own anchor never ends.
A document nested thousands of levels deep exhausts the recursion of every walker. Both are
refused while parsing, located at the alias or the level that crosses the bound.

The check reads parser events (both ruamel.yaml and PyYAML emit the same ones), so it costs one
linear pass over the text and never builds the expanded document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aicommons.errors import InputError, Location

# Nodes that aliases may add to one document, counted as if each alias were written out.
# Profiles, project files and blueprints use a handful of anchors (tens of nodes); a bomb needs millions.
MAX_ALIAS_NODES = 10_000
# Levels of nesting; Kubernetes CRD schemas, the deepest YAML the tool reads, reach about 30.
MAX_DEPTH = 100

_STARTS = frozenset({"MappingStartEvent", "SequenceStartEvent"})
_ENDS = frozenset({"MappingEndEvent", "SequenceEndEvent"})


def check_events(events: Iterable[Any], name: str) -> None:
    """Raise a located InputError when a document's aliases expand beyond MAX_ALIAS_NODES,
    an alias refers to a node that contains it, or nesting goes deeper than MAX_DEPTH."""
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, aliases expanded
    open_frames: list[tuple[str | None, int]] = []  # (anchor, nodes counted before it began)
    counted = 0  # nodes of this document so far, aliases expanded
    added = 0  # of those, nodes added by aliases
    for event in events:
        kind = type(event).__name__
        if kind == "ScalarEvent":
            counted += 1
            if event.anchor is not None:
                sizes[str(event.anchor)] = 1
        elif kind in _STARTS:
            if len(open_frames) >= MAX_DEPTH:
                raise InputError(
                    f"nested more than {MAX_DEPTH} levels deep",
                    _location(name, event),
                    f"at most {MAX_DEPTH} levels of mappings and lists",
                )
            open_frames.append((None if event.anchor is None else str(event.anchor), counted))
            counted += 1
        elif kind in _ENDS:
            anchor, before = open_frames.pop()
            if anchor is not None:
                sizes[anchor] = counted - before
        elif kind == "AliasEvent":
            anchor = str(event.anchor)
            if any(frame_anchor == anchor for frame_anchor, _ in open_frames):
                raise InputError(
                    f"alias *{anchor} refers to a node that contains it (the document would never end)",
                    _location(name, event),
                    "an alias after the end of its anchored node",
                )
            size = sizes.get(anchor, 1)  # an undefined alias is the parser's error to report
            counted += size
            added += size
            if added > MAX_ALIAS_NODES:
                raise InputError(
                    f"aliases expand this document by more than {MAX_ALIAS_NODES:,} nodes "
                    f"(*{anchor} alone stands for {size:,}); refused as an alias bomb",
                    _location(name, event),
                    f"aliases that add at most {MAX_ALIAS_NODES:,} nodes per document; write the values out",
                )
        elif kind == "DocumentStartEvent":  # anchors belong to one document
            sizes.clear()
            counted = added = 0


def _location(name: str, event: Any) -> Location:
    mark = event.start_mark
    if mark is None:
        return Location(file=name)
    return Location(file=name, line=mark.line + 1, column=mark.column + 1)
