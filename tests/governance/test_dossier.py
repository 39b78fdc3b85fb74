"""`aicommons governance report`: the dossier says what `validate` says, is deterministic, its HTML
is self-contained and escaped, and it states the ledger's evidence (or its absence) honestly."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from aicommons.checks.report import Report, summarise
from aicommons.governance.dossier import Dossier, render_dossier
from aicommons.governance.dossier.evidence import LedgerEvidence
from aicommons.governance.dossier.model import ObligationRow, ProjectRow, Waiver

from .dossier_example import DOC, TODAY, dossier_text, example_city

ROOT = Path(__file__).resolve().parents[2]
CITIES = ROOT / "examples" / "cities"


def invoke(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    """The real entry point (errors become exit codes): the suite's one in-process runner."""
    from tests.test_cli import run_main

    return run_main(monkeypatch, capsys, *args)


@pytest.fixture
def charts(tmp_path: Path) -> Path:
    """An empty chart cache: the cluster check reports its charts as not cached, on every machine."""
    folder = tmp_path / "charts"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    ("city", "plan"),
    [("riverton", True), ("lakeside", False), ("metro", False), ("harbourview-onprem", False)],
)
def test_the_dossiers_control_results_are_validates(
    city: str, plan: bool, charts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = str(CITIES / f"{city}.yaml")
    extra = ["--charts", str(charts)] + ([] if plan else ["--no-plan"])
    code, validated, err = invoke(monkeypatch, capsys, "validate", profile, "--format", "json", *extra)
    assert code in (0, 1), err
    today = date.today().isoformat()  # validate judges as on the clock's date
    code, dossier, err = invoke(
        monkeypatch, capsys, "governance", "report", profile, "--format", "json", "--today", today, *extra
    )
    assert code == 0, err
    assert json.loads(dossier)["validation"] == json.loads(validated)


def test_the_documented_example_is_current(tmp_path: Path, charts: Path) -> None:
    (tmp_path / "city").mkdir()
    text = dossier_text(tmp_path / "city", charts)
    assert text == DOC.read_text(encoding="utf-8"), (
        "docs/governance-dossier-example.md is stale: PYTHONPATH=. python -m tests.governance.dossier_example"
    )


def test_twice_the_same_bytes_in_both_formats(
    tmp_path: Path, charts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = example_city(tmp_path)
    for fmt in ("md", "html"):
        outs = [tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}"]
        for out in outs:
            args = ["governance", "report", str(profile), "-f", fmt, "-o", str(out), "--today", "2026-03-01"]
            code, _, err = invoke(monkeypatch, capsys, *args, "--no-plan", "--charts", str(charts))
            assert code == 0, err
        assert outs[0].read_bytes() == outs[1].read_bytes()
    html = (tmp_path / "one.html").read_text(encoding="utf-8")
    assert "Benefit application triage" in html and "RVT-DEC-2026-011" in html
    # self-contained: inline style, no script, no external stylesheet, image or link
    assert "<style>" in html and "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)\s*=|url\(|@import""", html)


def _hostile_dossier(ledger: LedgerEvidence) -> Dossier:
    report = Report(
        blueprint={"name": "bp", "version": "1.0.0"}, source="bundle", controls=[], summary=summarise([])
    )
    evil = "<script>alert('x')</script> | cell"
    return Dossier(
        city=f"City of {evil}",
        city_slug="evil",
        as_of="2026-03-01",
        regulation="Regulation (EU) 2024/1689",
        validation=report,
        settings=[],
        waivers=[
            Waiver(
                control="AIC-HA-01",
                who=evil,
                why=evil,
                until="2026-01-01",
                ticket=None,
                expired=True,
                control_status=None,
            )
        ],
        projects=[
            ProjectRow(
                slug="p",
                name=evil,
                register_id="R-1",
                status="pilot",
                impact_level="II",
                risk_category="high risk",
                open_obligations=[
                    ObligationRow(article="Art. 27", title="t", evidence="fria_url", missing=evil, due=True)
                ],
            )
        ],
        obligations=[],
        ledger=ledger,
    )


def test_html_escapes_every_text_and_markdown_keeps_tables_whole() -> None:
    dossier = _hostile_dossier(LedgerEvidence(path=".aicommons/ledger.jsonl", present=False))
    html = render_dossier(dossier, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    md = render_dossier(dossier, "md")
    assert "<script>" not in md
    waiver_row = next(line for line in md.splitlines() if line.startswith("| AIC-HA-01"))
    assert len(re.findall(r"(?<!\\)\|", waiver_row)) == 7  # six cells; the pipes in the text are escaped
    assert "expired" in waiver_row


def test_without_a_ledger_the_dossier_says_no_validation_recorded(
    tmp_path: Path, charts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = example_city(tmp_path, ledger=False)
    args = [
        "governance",
        "report",
        str(profile),
        "--today",
        "2026-03-01",
        "--no-plan",
        "--charts",
        str(charts),
    ]
    code, out, err = invoke(monkeypatch, capsys, *args)
    assert code == 0, err
    assert "No validation recorded: the city has no ledger at `.aicommons/ledger.jsonl`" in out


def test_a_tampered_ledger_is_reported_not_quoted_and_exits_1(
    tmp_path: Path, charts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = example_city(tmp_path)
    ledger = tmp_path / ".aicommons" / "ledger.jsonl"
    ledger.write_bytes(ledger.read_bytes().replace(b'"created":41', b'"created":40'))
    args = [
        "governance",
        "report",
        str(profile),
        "--today",
        "2026-03-01",
        "--no-plan",
        "--charts",
        str(charts),
    ]
    code, out, err = invoke(monkeypatch, capsys, *args)
    assert code == 1
    assert "**does not verify**: line 1: sha256 does not match" in out
    assert "Last deploy" not in out and "the ledger does not verify" in err


def test_the_ledger_evidence_names_head_last_validation_and_deploy(
    tmp_path: Path, charts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aicommons.ledger.chain import read_ledger

    profile = example_city(tmp_path)
    head = read_ledger(tmp_path / ".aicommons" / "ledger.jsonl")[-1]
    args = ["governance", "report", str(profile), "-f", "json", "--today", "2026-03-01", "--no-plan"]
    code, out, err = invoke(monkeypatch, capsys, *args, "--charts", str(charts))
    assert code == 0, err
    ledger = json.loads(out)["ledger"]
    assert (ledger["verified"], ledger["records"]) == (True, 2)
    assert (ledger["head"]["seq"], ledger["head"]["sha256"]) == (2, head.sha256)
    assert (
        ledger["last_validation"]["seq"] == ledger["last_deploy"]["seq"] == 1
    )  # the drift check validates nothing
    assert ledger["last_deploy"]["validation"] == {"passed": 30, "failed": 0, "skipped": 7, "waived": 1}


def test_waivers_show_who_why_until_ticket_and_the_controls_status(tmp_path: Path, charts: Path) -> None:
    (tmp_path / "city").mkdir()
    text = dossier_text(tmp_path / "city", charts)
    assert (
        "| AIC-HA-01 | Jane Doe, Chief Information Officer | Pilot tier in one zone until the service is declared "
        "operational by the council. | 2026-06-30 | RVT-DEC-2026-011 | in force; control"
    ) in text
    assert TODAY.isoformat() in text


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["governance", "report", "no-such-city.yaml"], "no-such-city.yaml"),
        (["governance", "report", str(CITIES)], str(CITIES)),
        (["governance", "report", str(CITIES / "riverton.yaml"), "--today", "2026-13-01"], "--today"),
    ],
)
def test_bad_input_exits_2_located(
    args: list[str], where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = invoke(monkeypatch, capsys, *args)
    assert code == 2
    assert err.startswith("error:") and where in err and "Traceback" not in err


def test_the_docs_obligations_table_is_the_data() -> None:
    """docs/governance.md shows the obligations table exactly as the dossier renders it from
    ai_act_obligations.yaml."""
    generated = DOC.read_text(encoding="utf-8").split("## EU AI Act obligations", 1)[1]
    rows = [line for line in generated.split("## Evidence", 1)[0].splitlines() if line.startswith("|")]
    assert len(rows) == 2 + 8  # header, rule, 1 unacceptable + 6 high risk + 1 limited risk
    documented = (ROOT / "docs" / "governance.md").read_text(encoding="utf-8")
    for row in rows:
        assert row in documented.splitlines(), row


def test_the_register_lists_each_projects_open_obligations(tmp_path: Path) -> None:
    """The example city's project files: benefit-triage is high risk and operational with every
    obligation evidenced; welfare-fraud-score is high risk in development with only its oversight
    recorded (its log retention stands in from sandbox.safeguards), so four are open before first use."""
    from aicommons.blueprint.load import default_blueprint
    from aicommons.governance.dossier import build_dossier
    from aicommons.governance.load import load_projects
    from aicommons.profile import load_profile

    profile = example_city(tmp_path, ledger=False)
    report = Report(
        blueprint={"name": "bp", "version": "1"}, source="bundle", controls=[], summary=summarise([])
    )
    ledger = LedgerEvidence(path=".aicommons/ledger.jsonl", present=False)
    projects = load_projects(tmp_path / "projects")
    dossier = build_dossier(load_profile(profile), projects, report, default_blueprint(), ledger, TODAY)
    rows = {p.slug: p for p in dossier.projects}
    assert (rows["benefit-triage"].risk_category, rows["benefit-triage"].impact_level) == ("high risk", "III")
    assert rows["benefit-triage"].open_obligations == []
    assert (rows["bike-demand"].risk_category, rows["bike-demand"].open_obligations) == ("minimal risk", [])
    # 6 high-risk obligations; oversight recorded, log retention from sandbox.safeguards: four open
    fraud = rows["welfare-fraud-score"]
    assert [(o.article, o.evidence, o.due) for o in fraud.open_obligations] == [
        ("Art. 27", "fria_url", False),
        ("Art. 49(3), Art. 26(8)", "eu_database_id", False),
        ("Art. 26(7)", "workers_informed", False),
        ("Art. 26(11)", "affected_persons_informed", False),
    ]
    md = render_dossier(dossier, "md")
    assert "| development | III | high risk | 4 |" in md
    assert (
        "- Art. 27 (Fundamental rights impact assessment for high-risk AI systems), due before first use: "
        "obligations.fria_url is not recorded" in md
    )
