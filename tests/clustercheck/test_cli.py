"""The cluster check in `aicommons plan` and `aicommons validate`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.render.releases import chart_pins
from aicommons.render.write import write_bundle
from tests.clustercheck.support import PLATFORM, ROOT, charts_folder, example, need_charts

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})


def test_plan_shows_the_cluster_check_and_its_json_carries_it(tmp_path: Path) -> None:
    folder = charts_folder()
    city = ROOT / "examples" / "cities" / "riverton.yaml"
    out = tmp_path / "riverton"
    table = invoke("plan", str(city), "--bundle", str(out), "--charts", str(folder))
    assert table.exit_code == 0, table.output
    assert "cluster check AIC-OPS-03 (references and order)" in table.output
    assert "releases not checked" not in table.output
    result = invoke(
        "plan", str(city), "--bundle", str(out), "-f", "json", env={"AICOMMONS_CHART_CACHE": str(folder)}
    )
    doc = json.loads(result.output)
    assert doc["cluster_check"]["skipped"] == {} and "order" in doc["cluster_check"]["models"]


def test_without_a_chart_cache_the_releases_are_reported_not_cached(tmp_path: Path) -> None:
    city = ROOT / "examples" / "cities" / "riverton.yaml"
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    result = invoke("plan", str(city), "--bundle", str(tmp_path / "b"), "--charts", str(empty))
    assert "releases not checked" in result.output
    version = chart_pins()["jupyterhub"].version
    assert f"chart jupyterhub {version} not cached; run `aicommons charts pull`" in result.output


def test_validate_fails_a_bundle_with_the_hub_database_after_the_hub(tmp_path: Path) -> None:
    """Defect 2 put back into a written bundle: validate exits 1 and names it."""
    _, _, bundle = example("metro")
    need_charts(bundle)
    folder = tmp_path / "metro"
    write_bundle(bundle.files, folder)
    config = yaml.safe_load((folder / PLATFORM).read_text())
    platform = config["config"]["aicommons:platform"]
    platform["manifests"][0]["after"] = [r["name"] for r in platform["releases"]]
    for release in platform["releases"]:
        release.pop("after_manifests", None)
    (folder / PLATFORM).write_text(yaml.safe_dump(config, sort_keys=False))
    result = invoke("validate", str(folder), "--no-plan", "-f", "json", "--charts", str(charts_folder()))
    assert result.exit_code == 1, result.output
    (ops,) = [c for c in json.loads(result.output)["controls"] if c["id"] == "AIC-OPS-03"]
    assert ops["status"] == "failed"
    (finding,) = ops["findings"]
    assert finding["resource"] == "Deployment/jupyterhub/hub"
    assert "release jupyterhub" in finding["message"] and "hub-db-app" in finding["message"]
