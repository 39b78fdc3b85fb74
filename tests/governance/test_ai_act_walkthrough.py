"""A city's way through the AI Act tools, on the command line in its own folder: `project add`, fill in
the starter, `project assess`, `project show`, then `governance report`, which fails AIC-GOV-09 at the file's lines
until the obligations' evidence is written, and lists the open obligations for the council."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.governance.load import load_project

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SLUG = "welfare-fraud-score"
# the answers `project assess` asks for, in its order: the branch, eleven risk questions, four
# mitigation questions (benefit-triage's, which score impact level III)
RISK = ["yes", "yes", "partly", "no", "recommends", "yes", "high", "medium", "most", "special", "no"]
MITIGATION = ["external", "yes", "yes", "no"]
FILLED = {
    "  status: development ": "  status: pilot ",
    "  risk_category: null ": "  risk_category: high risk ",
    "  domain: null ": "  domain: subsidies, benefits and allowances ",
    "    notice: false": "    notice: true",
    "    explanation: false": "    explanation: true",
    "    peer_review: null": "    peer_review: PR-2026-04",
    "    bias_analysis: null": "    bias_analysis: BIAS-2026-02",
    "    human_decision_maker: null": "    human_decision_maker: investigator",
    "    log_retention_days: null": "    log_retention_days: 365",
    "    approval: null ": "    approval: {by: chief digital officer, on: 2026-01-30}  ",
}
EVIDENCE = {
    "  fria_url: null ": "  fria_url: https://riverton.example/fria/welfare-fraud-score ",
    "  eu_database_id: null ": "  eu_database_id: EUDB-2026-000321 ",
    "  oversight: [] ": "  oversight: [{role: investigations lead, competence: oversight course 2026-01}] ",
    "  workers_informed: null ": "  workers_informed: {on: 2026-01-20, reference: WC-2026-01} ",
    "  affected_persons_informed: null ": "  affected_persons_informed: {how: a letter to every recipient} ",
}


def edit(path: Path, changes: dict[str, str]) -> str:
    text = path.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def report(profile: Path, charts: Path) -> dict[str, Any]:
    args = ["governance", "report", str(profile), "--format", "json", "--today", "2026-03-01"]
    result = runner.invoke(app, [*args, "--no-plan", "--charts", str(charts)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def control(dossier: dict[str, Any], control_id: str) -> dict[str, Any]:
    return next(c for c in dossier["validation"]["controls"] if c["id"] == control_id)


def test_add_fill_assess_report(tmp_path: Path) -> None:
    city, charts = tmp_path / "city", tmp_path / "charts"
    city.mkdir()
    charts.mkdir()
    profile = city / "profile.yaml"
    shutil.copy(ROOT / "examples" / "cities" / "riverton.yaml", profile)
    folder = city / "projects"
    add = ["project", "add", SLUG, "-r", "RVT-2026-011", "-d", str(folder), "--today", "2026-01-05"]
    assert runner.invoke(app, add).exit_code == 0
    path = folder / f"{SLUG}.yaml"
    edit(path, FILLED)
    answers = "\n".join(["implementation", *RISK, *MITIGATION]) + "\n"
    assessed = runner.invoke(app, ["project", "assess", SLUG, "-d", str(folder)], input=answers)
    assert assessed.exit_code == 0, assessed.output
    assert "impact level III" in assessed.output

    # in pilot without evidence: Art. 26(6) is met by sandbox.safeguards' 365 days; five are open
    shown = runner.invoke(app, ["project", "show", SLUG, "-d", str(folder), "--today", "2026-03-01"])
    assert "AI Act: high risk, pilot: 5 open obligation(s)" in shown.output
    assert (
        "  Art. 27 (Fundamental rights impact assessment for high-risk AI systems), due now: "
        "obligations.fria_url is not recorded"
    ) in shown.output
    dossier = report(profile, charts)
    [row] = dossier["projects"]
    assert (row["slug"], row["status"], row["impact_level"], row["risk_category"]) == (
        SLUG,
        "pilot",
        "III",
        "high risk",
    )
    assert [(o["article"], o["evidence"], o["due"]) for o in row["open_obligations"]] == [
        ("Art. 27", "fria_url", True),
        ("Art. 49(3), Art. 26(8)", "eu_database_id", True),
        ("Art. 26(2)", "oversight", True),
        ("Art. 26(7)", "workers_informed", True),
        ("Art. 26(11)", "affected_persons_informed", True),
    ]
    gov09 = control(dossier, "AIC-GOV-09")
    assert gov09["status"] == "failed"
    text = path.read_text(encoding="utf-8")  # as assess left it
    lines = text.splitlines()
    where = {f["message"].split(" (")[0]: (f["file"], f["line"]) for f in gov09["findings"]}
    fria_line = next(i for i, line in enumerate(lines, 1) if line.startswith("  fria_url:"))
    assert where["Art. 27"] == (f"projects/{SLUG}.yaml", fria_line)
    assert len(where) == 5
    assert {control(dossier, c)["status"] for c in ("AIC-GOV-08", "AIC-GOV-10")} == {"passed"}

    # the evidence written: nothing is open, the control passes
    edit(path, EVIDENCE)
    assert load_project(path).obligations.fria_url is not None
    dossier = report(profile, charts)
    assert dossier["projects"][0]["open_obligations"] == []
    assert control(dossier, "AIC-GOV-09")["status"] == "passed"
