"""`render` with overrides: the chart's values schema judges them, errors point at the profile line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.overrides.conftest import run_cli


@pytest.fixture
def hub_chart_cache(tmp_path: Path, upstream_charts: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A chart cache holding only the pinned z2jh archive (the upstream bytes its pin names)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "jupyterhub-4.4.0.tgz").write_bytes((upstream_charts / "jupyterhub-4.4.0.tgz").read_bytes())
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(cache))
    return cache


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_key_the_z2jh_schema_does_not_know_is_exit_2_at_its_profile_line(
    hub_chart_cache, write_profile, monkeypatch, capsys, tmp_path
) -> None:
    profile = write_profile("extra_values:\n  jupyterhub:\n    hub:\n      notAValue: 3\n")
    code, out, err = run_cli(monkeypatch, capsys, "render", str(profile), "-o", str(tmp_path / "b"))
    assert code == 2, out + err
    line = _line_of(profile, "notAValue")
    assert f"{profile}:{line}:" in err and "extra_values.jupyterhub.hub.notAValue" not in out
    assert "values schema rejects hub" in err and "notAValue" in err
    assert not (tmp_path / "b").exists()  # nothing written


def test_a_wrong_type_the_schema_finds_is_exit_2_at_its_profile_line(
    hub_chart_cache, write_profile, monkeypatch, capsys, tmp_path
) -> None:
    # hub.consecutiveFailureLimit is not rendered by the tool: only the chart's schema knows its type
    profile = write_profile("extra_values:\n  jupyterhub:\n    hub:\n      consecutiveFailureLimit: soon\n")
    code, out, err = run_cli(monkeypatch, capsys, "render", str(profile), "-o", str(tmp_path / "b"))
    assert code == 2, out + err
    assert f"{profile}:{_line_of(profile, 'consecutiveFailureLimit')}:" in err
    assert "'soon' is not of type 'integer', 'null'" in err and "(allowed: type ['integer', 'null'])" in err


def test_a_wrong_type_against_the_rendered_value_is_exit_2_without_any_chart(
    write_profile, monkeypatch, capsys, tmp_path
) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path / "empty"))
    profile = write_profile('extra_values:\n  jupyterhub:\n    cull:\n      enabled: "false"\n')
    code, out, err = run_cli(monkeypatch, capsys, "render", str(profile), "-o", str(tmp_path / "b"))
    assert code == 2, out + err
    assert f"{profile}:{_line_of(profile, 'enabled: ')}:" in err and "a boolean" in err


def test_an_unknown_release_is_exit_2_at_its_profile_line(
    write_profile, monkeypatch, capsys, tmp_path
) -> None:
    profile = write_profile("extra_values:\n  jupyter-hub:\n    cull: {timeout: 1800}\n")
    code, out, err = run_cli(monkeypatch, capsys, "render", str(profile), "-o", str(tmp_path / "b"))
    assert code == 2
    assert f"{profile}:{_line_of(profile, 'jupyter-hub')}:" in err and "no release 'jupyter-hub'" in err


def test_valid_overrides_say_validated_or_not_validated_never_a_silent_pass(
    hub_chart_cache, write_profile, monkeypatch, capsys, tmp_path
) -> None:
    profile = write_profile(
        "extra_values:\n  jupyterhub:\n    cull: {timeout: 1800}\n"
        "  cluster-autoscaler:\n    extraArgs: {scale-down-unneeded-time: 20m}\n"
    )
    code, out, err = run_cli(monkeypatch, capsys, "render", str(profile), "-o", str(tmp_path / "b"))
    assert code == 0, out + err
    assert "extra_values.jupyterhub: validated against the jupyterhub 4.4.0 values.schema.json" in out
    assert (
        "extra_values.cluster-autoscaler: not validated: cluster-autoscaler-9.59.0.tgz is not in the "
        "chart cache (run `aicommons charts pull`)" in out
    )
