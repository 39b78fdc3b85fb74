"""A chart's ``values.schema.json``, and what it says of the values a city overrides.

Helm validates the merged values against the chart's schema at install and refuses the release
when they do not conform (helm/pkg/chartutil/jsonschema.go); the z2jh chart's schema is strict
(``additionalProperties: false``). The same check runs here, before anything is written, so a
wrong override is bad input located at its profile line, not a failed deploy.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicommons.errors import AicommonsError, ErrorGroup, InputError, Location
from aicommons.render.overrides import FIELD
from aicommons.render.releases import ChartPin, Release
from aicommons.resources import data_dir

SCHEMA_FILE = "values.schema.json"
# The pinned archive's bytes, or None when the chart cache does not hold it.
ArchiveSource = Callable[[ChartPin], bytes | None]


def schema_from_archive(blob: bytes, chart: str) -> dict[str, Any] | None:
    """The chart's values schema from its ``.tgz`` (top folder = chart name); None when it has none."""
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        try:
            member = tar.extractfile(f"{chart}/{SCHEMA_FILE}")
        except KeyError:
            return None
        if member is None:
            return None
        schema = json.loads(member.read().decode("utf-8"))
    return schema if isinstance(schema, dict) else None


def defaults_from_archive(blob: bytes, chart: str) -> dict[str, Any]:
    """The chart's own values.yaml (Helm validates the city's values merged over it)."""
    from aicommons.yamlio import safe_load

    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        try:
            member = tar.extractfile(f"{chart}/values.yaml")
        except KeyError:
            return {}
        data = safe_load(member.read(), f"{chart}/values.yaml") if member is not None else None
    return data if isinstance(data, dict) else {}


def with_defaults(defaults: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values Helm validates: the chart's defaults with the release's values merged over them."""
    from aicommons.render.overrides import deep_merge

    return deep_merge(defaults, values)


def schema_errors(
    schema: Mapping[str, Any], values: Mapping[str, Any]
) -> list[tuple[tuple[str, ...], str, Any]]:
    """(path in the values, message, the failing error) of each violation, sorted by path."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema)
    errors = cls(schema).iter_errors(dict(values))
    found = [(tuple(str(p) for p in e.absolute_path), e.message, e) for e in errors]
    return sorted(found, key=lambda f: (f[0], f[1]))


def _override_path(override: Mapping[str, Any], path: Sequence[str], error: Any) -> list[str] | None:
    """The deepest path of ``override`` along ``path``, or None when the error is outside every
    override; a key the schema does not allow, added by the override, is named itself."""
    node: Any = override
    got: list[str] = []
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            break
        node = node[part]
        got.append(part)
    if len(got) == len(path) and isinstance(node, Mapping) and error.validator == "additionalProperties":
        allowed = set((error.schema or {}).get("properties", {}))
        extra = sorted(str(k) for k in node if k not in allowed)
        if extra:
            return [*got, extra[0]]
    return got or None


@dataclass(frozen=True)
class OverrideCheck:
    """How one release's overrides were validated: ``validated`` or why not (never a silent pass)."""

    release: str
    chart: str
    status: str  # "validated", "not validated: ..."

    def line(self) -> str:
        return f"extra_values.{self.release}: {self.status}"


def release_schema(
    release: Release, source: ArchiveSource
) -> tuple[dict[str, Any] | None, dict[str, Any], str]:
    """(the schema, the chart's default values, "") or (None, {}, why it was not validated)."""
    pin = release.pin
    if pin.repository is None:
        folder = data_dir("charts") / pin.chart.rsplit("/", 1)[-1]
        if not (folder / SCHEMA_FILE).is_file():
            return None, {}, f"not validated: the {pin.chart} chart has no {SCHEMA_FILE}"
        from aicommons.yamlio import safe_load

        defaults = safe_load((folder / "values.yaml").read_bytes(), str(folder / "values.yaml")) or {}
        return json.loads((folder / SCHEMA_FILE).read_text(encoding="utf-8")), defaults, ""
    blob = source(pin)
    if blob is None:
        return (
            None,
            {},
            (f"not validated: {pin.archive_name} is not in the chart cache (run `aicommons charts pull`)"),
        )
    schema = schema_from_archive(blob, pin.chart)
    if schema is None:
        return None, {}, f"not validated: the {pin.chart} {pin.version} chart has no {SCHEMA_FILE}"
    return schema, defaults_from_archive(blob, pin.chart), ""


def check_overrides(
    releases: Sequence[Release], extra_values: Mapping[str, Mapping[str, Any]], source: ArchiveSource
) -> list[OverrideCheck]:
    """Validate each overridden release's merged values against its chart's schema.

    A violation inside an override raises a located InputError at ``extra_values.<release>.<path>``
    (the CLI adds the profile's file:line); a chart without schema, or not in the cache, is
    reported "not validated".
    """
    checks: list[OverrideCheck] = []
    errors: list[AicommonsError] = []
    for release in sorted(releases, key=lambda r: r.name):
        override = extra_values.get(release.name)
        if not override:
            continue
        schema, defaults, why = release_schema(release, source)
        label = f"{release.pin.chart} {release.pin.version}"
        if schema is None:
            checks.append(OverrideCheck(release.name, label, why))
            continue
        for path, message, error in schema_errors(schema, with_defaults(defaults, release.values)):
            where = _override_path(override, path, error)
            if where is None:
                continue  # not the city's value; the cluster check reports the chart's refusal
            errors.append(
                InputError(
                    f"the {label} chart's values schema rejects {'.'.join(path) or '(values)'}: {message}",
                    Location(field=".".join([FIELD, release.name, *where])),
                    _allowed(error),
                )
            )
        checks.append(OverrideCheck(release.name, label, f"validated against the {label} {SCHEMA_FILE}"))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)
    return checks


def _allowed(error: Any) -> str | None:
    schema = getattr(error, "schema", None) or {}
    if "type" in schema:
        return f"type {schema['type']}"
    if "enum" in schema:
        return ", ".join(json.dumps(v) for v in schema["enum"])
    if "properties" in schema:
        return ", ".join(sorted(schema["properties"]))
    return None


def cached_archives(cache_dir: Any = None, bundle_dir: Any = None) -> ArchiveSource:
    """The verified archive from the bundle's helm/vendor/ or the chart cache; None when absent."""
    from aicommons.charts.cache import archive_bytes
    from aicommons.render.releases import VENDOR_DIR

    def source(pin: ChartPin) -> bytes | None:
        if bundle_dir is not None:
            blob = archive_bytes(pin, bundle_dir / VENDOR_DIR)
            if blob is not None:
                return blob
        return archive_bytes(pin, cache_dir)

    return source
