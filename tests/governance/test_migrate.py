"""`aicommons project migrate`: old flat files to register: + sandbox:, as a dry-run diff by default,
comments kept, nothing invented; what the city must still write is listed with its line."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.errors import InputError
from aicommons.governance.load import load_project, load_project_text
from aicommons.governance.migrate import migrate_text
from aicommons.governance.registration import missing_required

from .support import FIXTURES

runner = CliRunner()
V1 = FIXTURES / "v1"
# The starter `project add` wrote before the v2 layout (aicommons.dev/v1), with its comments.
V1_STARTER = """\
# AI project noise-map: its public register record and its sandbox.
apiVersion: aicommons.dev/v1
kind: AIProject
slug: noise-map
register_id: RVT-2026-009          # id in the city's public register

# --- register record (published by `aicommons project export`)
name: "Noise map"
organization: City of Riverton
department: Environment
description_short: Maps traffic noise per street from sensors.
type: rule-based                 # rule-based | self-learning
category: [environment, noise]
status: in development              # in development | in use | out of use
goal: Quieter streets.
impact: None on individuals.
proportionality: Sensor averages only.
provider: https://vendor.example/noise
lawful_basis: Public task.
dpia: https://riverton.example/dpia/noise.pdf
human_rights_assessment: null       # reference of the human-rights impact assessment
objection_procedure: Not applicable.
source_data: Noise sensors.
methods_and_models: Averages.
source_code: null                   # link, if published
monitoring: Monthly.
human_intervention: Analysts review the map.
risks: Sensor faults.
contact:
  email: noise@riverton.example
  name: Noise team
begin_date: 2026-03-01
end_date: 2027-03-01                   # sandbox closes, personal data deleted after this date

# --- sandbox
owners: [n.devries@riverton.example]
members: [noise-members]           # identity-provider groups
quota:
  approved: false                   # set by the platform team
assessment: null
"""


def test_the_starter_of_v1_is_mapped_field_by_field_keeping_comments() -> None:
    result = migrate_text(V1_STARTER, "projects/noise-map.yaml")
    assert result is not None
    project = load_project_text(result.text, "projects/noise-map.yaml")
    reg = project.register
    assert (project.apiVersion, reg.status, reg.algorithm_type) == (
        "aicommons.dev/v2",
        "development",
        "rule-based",
    )
    assert (reg.domain, reg.keywords) == ("environment, spacial planning and water", "environment, noise")
    assert (reg.product_information, reg.DPIA_url, reg.DPIA_description) == (
        "https://vendor.example/noise",
        "https://riverton.example/dpia/noise.pdf",
        None,
    )
    assert (reg.contact_email, reg.contact_name, reg.AIA_url, reg.codebase_url) == (
        "noise@riverton.example",
        "Noise team",
        None,
        None,
    )
    assert reg.type is None and reg.risk_category is None  # never invented
    assert (project.sandbox.begin_date, project.sandbox.end_date) == (date(2026, 3, 1), date(2027, 3, 1))
    assert project.sandbox.members == ["noise-members"]
    text = result.text
    assert text.startswith("# AI project noise-map: its public register record and its sandbox.\n")
    for kept in (
        r"\nregister_id: RVT-2026-009 +# id in the city's public register\n",
        r"\n  status: development +# planned \| design \| development \| pilot \| evaluation \| operational \| retired\n",
        r"\n  algorithm_type: rule-based +# self-learning \| rule-based \| hybrid\n",  # the new allowed values
        r"\n  members: \[noise-members\] +# identity-provider groups\n",
        r"\n    approved: false +# set by the platform team\n",
        r"\n# --- register record \(published by `aicommons project export`\)\n",
    ):
        assert re.search(kept, text), kept
    assert (
        result.todo
        == tuple(missing_required(reg))
        == (
            "area",
            "decision_making_process",
            "risk_category",
            "training_data",
            "connected_data_sources",
            "description",
            "type",
            "lang",
            "publication_date",
            "last_change_date",
            "revision_date",
        )
    )
    assert "# TODO: the standard requires these fields" in text


def test_an_unmappable_category_and_a_text_provider_become_located_notes() -> None:
    result = migrate_text((V1 / "benefit-triage.yaml").read_text(encoding="utf-8"), "benefit-triage.yaml")
    assert result is not None
    notes = {n.field: n for n in result.notes}
    assert set(notes) == {"register.status", "register.domain", "register.remark"}
    assert notes["register.domain"].message.startswith(
        "category ['social services'] names no single domain of the standard; choose one of: taxes;"
    )
    lines = result.text.splitlines()
    assert notes["register.domain"].line == lines.index("register:") + 1  # where to write it
    assert notes["register.remark"].line == lines.index("  remark: 'Provider: Example Analytics B.V.'") + 1
    assert "domain" in result.todo
    project = load_project_text(result.text)
    assert (project.register.status, project.register.keywords) == ("operational", "social services")
    assert (
        project.register.DPIA_description == "DPIA-2025-117"
        and project.register.AIA_description == "IAMA-2025-009"
    )
    # the assessment answers stay strings for every YAML reader
    assert '      risk-system-area: "yes"' in lines


def test_a_risk_category_moves_to_the_register_and_obligations_stay_top_level() -> None:
    """An old file a city annotated for the AI Act: its risk_category is the standard's field, its
    obligations: the project file's own section; neither is an unknown field."""
    annotated = V1_STARTER.replace(
        "risks: Sensor faults.\n", "risks: Sensor faults.\nrisk_category: minimal risk\n"
    )
    annotated += "obligations:\n  log_retention_days: 200   # the city's log policy\n"
    migration = migrate_text(annotated, "projects/noise-map.yaml")
    assert migration is not None
    assert not [n for n in migration.notes if n.field in ("risk_category", "obligations")]
    project = load_project_text(migration.text)
    assert project.register.risk_category == "minimal risk"
    assert project.obligations.log_retention_days == 200
    assert "  log_retention_days: 200   # the city's log policy" in migration.text.splitlines()
    assert migration.text.index("\nsandbox:") < migration.text.index("\nobligations:")


def test_a_v2_file_is_left_alone() -> None:
    assert (
        migrate_text((FIXTURES / "projects" / "bike-demand.yaml").read_text(encoding="utf-8"), "b.yaml")
        is None
    )


def _city(tmp_path: Path) -> Path:
    city = tmp_path / "city"
    shutil.copytree(V1, city / "projects")
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "examples" / "cities" / "riverton.yaml", city / "profile.yaml")
    return city


def test_dry_run_prints_a_diff_and_writes_nothing_then_write_migrates(tmp_path: Path) -> None:
    city = _city(tmp_path)
    path = city / "projects" / "bike-demand.yaml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(InputError, match="aicommons project migrate"):
        load_project(path)
    result = runner.invoke(app, ["project", "migrate", str(city / "profile.yaml")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"--- a/{path}\n+++ b/{path}\n" in out
    assert "-status: in development\n" in out and "+  status: development  # planned" in out
    assert f"{path}: TODO, required by the standard and not in the old file: area, " in out
    assert "dry run: 2 of 2 project file(s)" in out
    assert path.read_text(encoding="utf-8") == before

    result = runner.invoke(app, ["project", "migrate", str(city), "--write"])
    assert result.exit_code == 0, result.output
    assert "migrated 2 of 2 project file(s)" in result.output
    assert load_project(path).register.status == "development"
    again = runner.invoke(app, ["project", "migrate", str(city)])
    assert f"{path}: already in the aicommons.dev/v2 layout" in again.output
    assert "dry run: 0 of 2" in again.output


def test_other_commands_refuse_an_old_file_with_exit_2(tmp_path: Path) -> None:
    city = _city(tmp_path)
    result = runner.invoke(app, ["project", "list", "-d", str(city / "projects")])
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2
    assert "run `aicommons project migrate`" in result.exception.render()
