"""`aicommons upgrade plan` against recorded repository indexes (tests/upgrade/recorded)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from aicommons.charts.values_schema import (
    defaults_from_archive,
    schema_errors,
    schema_from_archive,
    with_defaults,
)
from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.write import write_bundle
from aicommons.sizing.plan import size
from tests.conftest import ROOT
from tests.ledger.conftest import run_cli

RECORDED = Path(__file__).resolve().parent / "recorded"
RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Riverton with its bundle committed, and a chart cache holding the recorded indexes only."""
    profile = Path(shutil.copy(RIVERTON, tmp_path / "riverton.yaml"))
    city = load_profile(profile)
    write_bundle(render_bundle(city, size(city)).files, tmp_path / "bundles" / "riverton")
    cache = tmp_path / "cache"
    shutil.copytree(RECORDED, cache)
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(cache))
    return profile


def _plan(monkeypatch, capsys, profile: Path, *extra: str) -> dict:
    code, out, err = run_cli(monkeypatch, capsys, "upgrade", "plan", str(profile), "-f", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_a_chart_behind_its_repository_is_a_step_with_notes_diff_and_checks(
    city, monkeypatch, capsys
) -> None:
    plan = _plan(monkeypatch, capsys, city)
    status = {c["release"]: (c["pinned"], c["newest"], c["status"]) for c in plan["charts"]}
    # the recorded indexes hold two versions of each chart: fluent-bit's newest (0.58.1) is newer than
    # its pin (0.56.0); the others' pins are their newest
    assert status == {
        "cluster-autoscaler": ("9.59.0", "9.59.0", "up to date"),
        "dcgm-exporter": ("4.8.2", "4.8.2", "up to date"),
        "kube-prometheus-stack": ("88.5.3", "88.5.3", "up to date"),
        "fluent-bit": ("0.56.0", "0.58.1", "behind"),
        "jupyterhub": ("4.4.0", "4.4.0", "up to date"),
        "nvidia-device-plugin": ("0.20.0", "0.20.0", "up to date"),
    }
    step = next(c for c in plan["charts"] if c["release"] == "fluent-bit")
    assert step["changelog"] == "https://github.com/fluent/helm-charts/releases/tag/fluent-bit-0.58.1"
    assert step["files_changed"] == ["README.md", "aicommons.lock.json", "pulumi/Pulumi.platform.yaml"]
    assert "-      version: 0.56.0\n+      version: 0.58.1\n" in step["diff"]  # the stack's pin
    assert "+| fluent-bit | aicommons-system | fluent-bit | 0.58.1 |\n" in step["diff"]  # the README
    assert step["schema"].startswith("not checked: fluent-bit-0.58.1.tgz is not in the chart cache")
    assert f"aicommons validate {city} --live" in step["checks_after"]


def test_the_output_is_deterministic_and_each_format_says_the_same(city, monkeypatch, capsys) -> None:
    first = run_cli(monkeypatch, capsys, "upgrade", "plan", str(city), "-f", "md")
    second = run_cli(monkeypatch, capsys, "upgrade", "plan", str(city), "-f", "md")
    assert first == second and first[0] == 0
    assert "### fluent-bit: fluent-bit 0.56.0 → 0.58.1" in first[1]
    code, table, _ = run_cli(monkeypatch, capsys, "upgrade", "plan", str(city))
    assert code == 0 and "fluent-bit 0.56.0 -> 0.58.1" in table


def test_kubernetes_is_read_from_the_committed_bundle_and_stepped_one_minor_at_a_time(
    city, monkeypatch, capsys
) -> None:
    infra = city.parent / "bundles" / "riverton" / "pulumi" / "Pulumi.infra.yaml"
    doc = yaml.safe_load(infra.read_text())
    doc["config"]["aicommons:infra"]["kubernetes_version"] = "1.32"  # a bundle two minors behind
    infra.write_text(yaml.safe_dump(doc))
    plan = _plan(monkeypatch, capsys, city)
    assert plan["kubernetes"]["bundle"] == "1.32" and plan["kubernetes"]["tool_renders"] == "1.34"
    steps = [(s["what"], s["from_version"], s["to_version"]) for s in plan["kubernetes_steps"]]
    assert steps == [
        ("control plane", "1.32", "1.33"),
        ("node groups", "1.32", "1.33"),
        ("cluster autoscaler", "1.32", "1.33"),
        ("control plane", "1.33", "1.34"),
        ("node groups", "1.33", "1.34"),
        ("cluster autoscaler", "1.33", "1.34"),
    ]
    assert (
        plan["kubernetes"]["newest_supported"] == "1.35"
        and "checked 2026-02-14" in plan["kubernetes"]["source"]
    )


def test_without_cached_indexes_it_says_so_and_how_to_get_them(city, monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path / "empty"))
    plan = _plan(monkeypatch, capsys, city)
    assert {c["status"] for c in plan["charts"]} == {"no index cached"}
    assert any("aicommons charts pull --refresh-indexes" in n for n in plan["notes"])


def test_the_new_charts_schema_is_checked_when_its_archive_is_cached(
    city, monkeypatch, capsys, upstream_charts
) -> None:
    cache = Path(__import__("os").environ["AICOMMONS_CHART_CACHE"])
    shutil.copy(upstream_charts / "fluent-bit-0.58.1.tgz", cache)
    step = next(c for c in _plan(monkeypatch, capsys, city)["charts"] if c["release"] == "fluent-bit")
    # fluent-bit publishes no values.schema.json: said, never passed silently
    assert step["schema"] == "not checked: fluent-bit 0.58.1 has no values.schema.json"


def test_a_values_schema_accepts_or_rejects_the_citys_values(upstream_charts) -> None:
    """The check `upgrade plan` runs, against z2jh 4.3.3's schema (the other recorded version)."""
    archive = (upstream_charts / "jupyterhub-4.3.3.tgz").read_bytes()
    schema = schema_from_archive(archive, "jupyterhub")
    assert schema is not None
    defaults = defaults_from_archive(archive, "jupyterhub")
    city = load_profile(RIVERTON)
    values = yaml.safe_load(render_bundle(city, size(city)).files["helm/jupyterhub.values.yaml"])
    assert schema_errors(schema, with_defaults(defaults, values)) == []  # as Helm merges them
    values["hub"]["notAValue"] = 1
    (path, message, _), *_ = schema_errors(schema, with_defaults(defaults, values))
    assert path == ("hub",) and "'notAValue' was unexpected" in message


def test_a_bundle_option_that_is_no_bundle_is_exit_2(city, monkeypatch, capsys, tmp_path) -> None:
    code, _, err = run_cli(
        monkeypatch, capsys, "upgrade", "plan", str(city), "--bundle", str(tmp_path / "nope")
    )
    assert code == 2 and "no committed bundle" in err


def test_a_profile_that_does_not_load_is_exit_2(tmp_path, monkeypatch, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: aicommons.dev/v1\nkind: CityProfile\n")
    code, _, err = run_cli(monkeypatch, capsys, "upgrade", "plan", str(bad))
    assert code == 2 and f"{bad}" in err
