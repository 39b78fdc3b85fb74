"""Merging a city's ``extra_values`` into the rendered values of its releases.

The merge rule, as Helm merges a values file over a chart's defaults
(helm/pkg/chartutil/coalesce.go): mappings merge key by key, recursively; a list or a scalar
replaces what was there, whole. Two rules are stricter than Helm, because an override that does
not do what its author meant must not pass silently:

- a mapping cannot replace a scalar or list, nor a scalar or list a mapping (the shape the tool
  rendered is the chart's shape);
- a scalar cannot change type (a string where the tool rendered a boolean is a typo, e.g.
  ``"false"``); integers and floats are both numbers;
- ``null`` (Helm's "delete this key") is refused: it would remove a value a control reads.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicommons.errors import AicommonsError, ErrorGroup, InputError, Location
from aicommons.render.releases import Release

FIELD = "extra_values"


@dataclass(frozen=True)
class Override:
    """One value a city set: the release, its dotted values path, the value (as JSON)."""

    release: str
    path: str
    value: str

    @property
    def profile_field(self) -> str:
        """Where it is written in the profile, e.g. ``extra_values.jupyterhub.cull.enabled``."""
        return f"{FIELD}.{self.release}.{self.path}"


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in: mappings merge, lists and scalars replace."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def leaves(values: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every (path, value) an override sets: a list, a scalar or an empty mapping is a leaf."""
    out: list[tuple[tuple[str, ...], Any]] = []
    for key in sorted(values, key=str):
        value = values[key]
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value:
            out += leaves(value, path)
        else:
            out.append((path, value))
    return out


def overrides_of(extra_values: Mapping[str, Mapping[str, Any]]) -> list[Override]:
    """Every override, sorted by release and path (the README lists them)."""
    return [
        Override(release, ".".join(path), json.dumps(value, sort_keys=True))
        for release in sorted(extra_values)
        for path, value in leaves(extra_values[release])
    ]


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _shape_errors(
    release: str, base: Any, override: Mapping[str, Any], prefix: Sequence[str]
) -> list[AicommonsError]:
    errors: list[AicommonsError] = []
    for key in sorted(override, key=str):
        value = override[key]
        path = [*prefix, str(key)]
        where = Location(field=".".join([FIELD, release, *path]))
        if value is None:
            errors.append(
                InputError(
                    "null is not allowed: it would delete the chart's value",
                    where,
                    "a value (a mapping merges, a list or scalar replaces)",
                )
            )
            continue
        current = base.get(key) if isinstance(base, Mapping) else None
        if current is None:
            continue  # a value the tool does not render: the chart's schema judges it
        have, want = _kind(current), _kind(value)
        if have == want == "mapping":
            errors += _shape_errors(release, current, value, path)
        elif have != want:
            errors.append(
                InputError(
                    f"{'.'.join(path)} is a {have} in the rendered {release} values; this override "
                    f"gives a {want} ({json.dumps(value, sort_keys=True)})",
                    where,
                    f"a {have}",
                )
            )
    return errors


def apply_extra_values(
    releases: list[Release], extra_values: Mapping[str, Mapping[str, Any]]
) -> list[Release]:
    """The releases with the city's overrides merged in; a located InputError (exit 2) for an
    unknown release or an override of the wrong shape or type."""
    if not extra_values:
        return releases
    by_name = {r.name: r for r in releases}
    errors: list[AicommonsError] = []
    for name in sorted(extra_values):
        if name not in by_name:
            errors.append(
                InputError(
                    f"no release {name!r} in this bundle",
                    Location(field=f"{FIELD}.{name}"),
                    ", ".join(sorted(by_name)),
                )
            )
            continue
        errors += _shape_errors(name, by_name[name].values, extra_values[name], [])
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)
    return [
        dataclasses.replace(r, values=deep_merge(r.values, extra_values[r.name]))
        if r.name in extra_values
        else r
        for r in releases
    ]
