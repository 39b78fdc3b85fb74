"""Blueprint drift through the live adapter's recorded Kubernetes API: passed at deploy, failing now."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from aicommons.checks.report import Report
from aicommons.drift import controls_drift, last_validation_path, load_last_validation, write_last_validation
from aicommons.drift.blueprint import blueprint_drift
from aicommons.drift.run import Edges, run_drift
from aicommons.errors import InputError
from aicommons.profile import load_profile
from aicommons.sizing.plan import size
from tests.drift.conftest import RIVERTON
from tests.live.k8s_api import FIXTURES, RecordedKubeAPI

TODAY = date(2026, 11, 25)


@pytest.fixture
def compliant_fixtures(tmp_path: Path) -> Path:
    """The cluster as it was at the deploy: without the wildcard `notebook-debug` Role added since."""
    folder = tmp_path / "k8s-at-deploy"
    shutil.copytree(FIXTURES, folder)
    roles = json.loads((folder / "roles.json").read_text())
    roles["items"] = [r for r in roles["items"] if r["metadata"]["name"] != "notebook-debug"]
    (folder / "roles.json").write_text(json.dumps(roles))
    return folder


@pytest.fixture
def live(tmp_path: Path) -> Iterator[functools.partial]:  # type: ignore[type-arg]
    """`live_inventory` reading the recorded cluster as it is now (the cluster only, not AWS)."""
    from aicommons.checks.adapters.live import live_inventory

    with RecordedKubeAPI() as api:
        kubeconfig = api.kubeconfig(tmp_path / "kubeconfig-now")
        yield functools.partial(live_inventory, kubeconfig=str(kubeconfig), aws=False)


def validate_live(fixtures: Path, tmp_path: Path) -> Report:
    from aicommons.blueprint.load import default_blueprint
    from aicommons.checks.adapters.live import live_inventory
    from aicommons.checks.run import run_checks

    profile = load_profile(RIVERTON)
    with RecordedKubeAPI(fixtures=fixtures) as api:
        kubeconfig = api.kubeconfig(tmp_path / "kubeconfig-then")
        inventory = live_inventory(
            "riverton", kubeconfig=str(kubeconfig), aws=False, profile=profile, plan=size(profile)
        )
    return run_checks(inventory, default_blueprint(), TODAY)


def test_a_control_that_passed_at_deploy_and_fails_now(
    tmp_path: Path,
    compliant_fixtures: Path,
    live: functools.partial,  # type: ignore[type-arg]
) -> None:
    at_deploy = validate_live(compliant_fixtures, tmp_path)
    assert next(c for c in at_deploy.controls if c.id == "AIC-IAM-03").status == "passed"
    write_last_validation(tmp_path, at_deploy, at="2026-11-20T10:00:00Z")
    profile = load_profile(RIVERTON)

    result = blueprint_drift(
        load_last_validation(tmp_path),  # type: ignore[arg-type]
        live,
        context="riverton",
        profile=profile,
        plan=size(profile),
        today=TODAY,
    )
    assert result.status == "drifted"
    assert [(c.id, c.was, c.now) for c in result.controls or []] == [("AIC-IAM-03", "passed", "failed")]
    assert "notebook-debug" in " ".join(result.controls[0].findings)  # type: ignore[index]
    assert (
        result.reason
        == "1 control(s) passed at the last deploy and fail now since the deploy at 2026-11-20T10:00:00Z"
    )
    assert result.validation is not None and result.validation["failed"] >= 1


def test_the_same_cluster_is_no_blueprint_drift(
    tmp_path: Path,
    live: functools.partial,  # type: ignore[type-arg]
) -> None:
    write_last_validation(tmp_path, validate_live(FIXTURES, tmp_path), at="2026-11-20T10:00:00Z")
    profile = load_profile(RIVERTON)
    result = blueprint_drift(
        load_last_validation(tmp_path),  # type: ignore[arg-type]
        live,
        context="riverton",
        profile=profile,
        plan=size(profile),
        today=TODAY,
    )
    assert (result.status, result.controls) == ("clean", [])


def test_an_unreachable_cluster_is_reported_not_raised(city: Path, tmp_path: Path) -> None:
    from aicommons.checks.adapters.live import live_inventory

    write_last_validation(city.parent, validate_live(FIXTURES, tmp_path), at="2026-11-20T10:00:00Z")
    with RecordedKubeAPI() as api:
        kubeconfig = api.kubeconfig(tmp_path / "kubeconfig-gone")
        url = api.url
    # the server has stopped: nothing listens at `url` any more
    live = functools.partial(live_inventory, kubeconfig=str(kubeconfig), aws=False)
    edges = Edges(preview=None, live_inventory=live, today=TODAY)

    report = run_drift(city, edges, context="riverton")
    blueprint = report.of("blueprint")
    assert blueprint is not None and blueprint.status == "skipped"
    assert url.removeprefix("http://") in (blueprint.reason or "")
    asked = run_drift(city, edges, kinds=["blueprint"], context="riverton")
    assert [k.status for k in asked.kinds] == ["unavailable"]


def test_controls_drift_ignores_waived_skipped_and_earlier_failures() -> None:
    def report(**statuses: str) -> Report:
        return Report.model_validate(
            {
                "blueprint": {"name": "ai-commons-v1", "version": "1.0.0"},
                "source": "live",
                "controls": [
                    {"id": i.replace("_", "-"), "title": i, "severity": "high", "status": s, "standards": []}
                    for i, s in statuses.items()
                ],
                "summary": {"passed": 0, "failed": 0, "skipped": 0, "waived": 0, "failed_by_severity": {}},
            }
        )

    before = report(
        AIC_A_01="passed", AIC_B_01="passed", AIC_C_01="failed", AIC_D_01="skipped", AIC_E_01="passed"
    )
    now = report(
        AIC_A_01="failed", AIC_B_01="waived", AIC_C_01="failed", AIC_D_01="failed", AIC_E_01="skipped"
    )
    assert [c.id for c in controls_drift(before, now)] == ["AIC-A-01"]


def test_last_validation_round_trip_and_bad_files(tmp_path: Path) -> None:
    assert load_last_validation(tmp_path) is None
    report = Report.model_validate(
        {
            "blueprint": {"name": "ai-commons-v1", "version": "1.0.0"},
            "source": "live",
            "controls": [],
            "summary": {"passed": 0, "failed": 0, "skipped": 0, "waived": 0, "failed_by_severity": {}},
        }
    )
    path = write_last_validation(tmp_path, report, at="2026-11-20T10:00:00Z")
    assert path == last_validation_path(tmp_path) == tmp_path / ".aicommons" / "last-validation.json"
    loaded = load_last_validation(tmp_path)
    assert loaded is not None and loaded.at == "2026-11-20T10:00:00Z" and loaded.report == report
    path.write_text(report.model_dump_json())  # a bare report (no `at`) is accepted
    assert load_last_validation(tmp_path).report == report  # type: ignore[union-attr]
    path.write_text("{")
    with pytest.raises(InputError, match="not a stored validation report"):
        load_last_validation(tmp_path)


def test_blueprint_drift_without_a_stored_validation_is_skipped(city: Path) -> None:
    def live(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing to compare: the cluster is not read")

    report = run_drift(city, Edges(preview=None, live_inventory=live, today=TODAY), kinds=["blueprint"])
    assert report.kinds[0].status == "unavailable"
    assert "no validation stored by a deploy" in (report.kinds[0].reason or "")
