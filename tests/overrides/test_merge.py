"""The merge rule of `extra_values` and what it refuses, on cases worked out by hand."""

from __future__ import annotations

import pytest

from aicommons.errors import ErrorGroup, InputError
from aicommons.render.overrides import apply_extra_values, deep_merge, overrides_of
from aicommons.render.releases import release
from tests.overrides.conftest import render_text, riverton_with, values_of


def test_maps_merge_key_by_key_and_lists_replace_whole() -> None:
    base = {"hub": {"a": 1, "b": {"c": 2}}, "tolerations": [{"key": "x"}, {"key": "y"}]}
    override = {"hub": {"b": {"d": 3}}, "tolerations": [{"key": "z"}]}
    # hub.a kept, hub.b.c kept, hub.b.d added; the two-item list becomes the one-item list
    assert deep_merge(base, override) == {
        "hub": {"a": 1, "b": {"c": 2, "d": 3}},
        "tolerations": [{"key": "z"}],
    }
    assert base["hub"]["b"] == {"c": 2}  # the rendered values are not changed in place


def test_overrides_are_listed_by_release_then_path_with_json_values() -> None:
    found = overrides_of(
        {"jupyterhub": {"cull": {"timeout": 1800, "enabled": True}}, "fluent-bit": {"x": [1]}}
    )
    assert [(o.release, o.path, o.value) for o in found] == [
        ("fluent-bit", "x", "[1]"),
        ("jupyterhub", "cull.enabled", "true"),
        ("jupyterhub", "cull.timeout", "1800"),
    ]
    assert found[1].profile_field == "extra_values.jupyterhub.cull.enabled"


def _hub(values):  # type: ignore[no-untyped-def]
    return [release("jupyterhub", "jupyterhub", values)]


def test_a_string_where_a_boolean_was_rendered_is_refused_at_its_field() -> None:
    with pytest.raises(InputError) as exc:
        apply_extra_values(_hub({"cull": {"enabled": True}}), {"jupyterhub": {"cull": {"enabled": "false"}}})
    assert exc.value.location.field == "extra_values.jupyterhub.cull.enabled"
    assert "boolean" in exc.value.message and '"false"' in exc.value.message


def test_a_scalar_replacing_a_mapping_and_null_are_refused_each_located() -> None:
    with pytest.raises(ErrorGroup) as exc:
        apply_extra_values(
            _hub({"cull": {"enabled": True}, "hub": {"db": {"type": "postgres"}}}),
            {"jupyterhub": {"cull": 3, "hub": {"db": None}}},
        )
    fields = sorted(e.location.field for e in exc.value.errors)
    assert fields == ["extra_values.jupyterhub.cull", "extra_values.jupyterhub.hub.db"]


def test_integer_and_float_are_both_numbers_and_new_keys_are_left_to_the_schema() -> None:
    merged = apply_extra_values(
        _hub({"cull": {"timeout": 3600}}), {"jupyterhub": {"cull": {"timeout": 1800.0, "every": 60}}}
    )
    assert merged[0].values == {"cull": {"timeout": 1800.0, "every": 60}}


def test_an_unknown_release_is_refused_with_the_bundles_releases() -> None:
    with pytest.raises(InputError) as exc:
        render_text(riverton_with("extra_values:\n  jupyter-hub:\n    cull: {timeout: 1800}\n"))
    assert exc.value.location.field == "extra_values.jupyter-hub"
    assert "jupyterhub" in (exc.value.allowed or "") and "cluster-autoscaler" in (exc.value.allowed or "")


def test_the_override_reaches_the_values_file_and_the_readme_lists_it() -> None:
    bundle = render_text(
        riverton_with(
            "extra_values:\n  jupyterhub:\n    cull: {timeout: 1800}\n"
            "  cluster-autoscaler:\n    extraArgs: {scale-down-unneeded-time: 20m}\n"
        )
    )
    assert values_of(bundle, "jupyterhub")["cull"]["timeout"] == 1800
    assert values_of(bundle, "jupyterhub")["cull"]["enabled"] is True  # the rest of cull is kept
    args = values_of(bundle, "cluster-autoscaler")["extraArgs"]
    assert args["scale-down-unneeded-time"] == "20m" and len(args) > 1  # merged, not replaced
    readme = bundle.files["README.md"].decode()
    assert "| jupyterhub | `cull.timeout` | `1800` | `extra_values.jupyterhub.cull.timeout` |" in readme
    assert (
        '| cluster-autoscaler | `extraArgs.scale-down-unneeded-time` | `"20m"` | '
        "`extra_values.cluster-autoscaler.extraArgs.scale-down-unneeded-time` |" in readme
    )


def test_without_extra_values_the_readme_has_no_override_section() -> None:
    assert "extra_values" not in render_text(riverton_with("")).files["README.md"].decode()
