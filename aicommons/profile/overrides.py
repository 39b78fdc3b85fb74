"""The governed escape hatch: chart values a city sets that the tool does not model.

``extra_values`` maps a release name, as the bundle names its releases (``jupyterhub``,
``cluster-autoscaler``, ``fluent-bit``, ``cloudnative-pg``, ...), to values merged into that
release's rendered values file (aicommons/render/overrides.py holds the merge rule). The release
names are checked at render, where the bundle's releases are known; the values against the chart's
``values.schema.json`` where the chart has one (aicommons/charts/values_schema.py); the result by the
blueprint's controls like any rendered value.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

ReleaseName = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$",
        description="A release of the bundle, e.g. jupyterhub (`aicommons render` names them).",
    ),
]
ExtraValues = dict[ReleaseName, dict[str, Any]]

EXTRA_VALUES_DESCRIPTION = (
    "Chart values per release, merged into the rendered values (mappings merge key by key, lists and "
    "scalars replace). Validated against the chart's values schema where it has one, and checked by the "
    "blueprint: an override that turns a control off makes that control fail unless it is waived. "
    "Every override is listed in the bundle's README."
)
