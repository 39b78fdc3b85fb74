"""`aicommons project`: add, list, show, assess (interactive), export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.errors import InputError
from aicommons.governance.load import load_project

from .support import PROJECTS

runner = CliRunner()


def _register(tmp_path: Path) -> Path:
    folder = tmp_path / "projects"
    shutil.copytree(PROJECTS, folder)
    return folder


def test_add_writes_a_starter_that_loads_and_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "projects"
    args = ["project", "add", "noise-map", "-r", "RVT-2026-009", "-d", str(folder), "--today", "2026-03-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    path = folder / "noise-map.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# AI project noise-map") and "\nregister:\n" in text and "\nsandbox:\n" in text
    project = load_project(path)
    assert (project.register_id, str(project.sandbox.end_date)) == ("RVT-2026-009", "2027-03-01")
    assert (project.apiVersion, project.register.status) == ("aicommons.dev/v2", "development")
    assert project.sandbox.assessment is None
    # the AI Act evidence: every field present (with its article in a comment) and empty
    assert "\nobligations:\n  fria_url: null" in text and "(Art. 27)" in text
    assert project.obligations == type(project.obligations)()
    assert (
        project.line_of("obligations", "fria_url")
        == text.splitlines().index(next(line for line in text.splitlines() if line.startswith("  fria_url:")))
        + 1
    )

    path.write_text(text + "# edited\n", encoding="utf-8")
    again = runner.invoke(app, args)
    assert isinstance(again.exception, InputError)  # exit code 2 through the console entry point
    assert "already exists" in str(again.exception)
    assert path.read_text(encoding="utf-8").endswith("# edited\n")


def test_add_refuses_a_bad_slug(tmp_path: Path) -> None:
    result = runner.invoke(app, ["project", "add", "Bad_Slug", "-r", "X1", "-d", str(tmp_path)])
    assert isinstance(result.exception, InputError)
    assert not list(tmp_path.iterdir())


def test_list_and_show(tmp_path: Path) -> None:
    folder = _register(tmp_path)
    listing = runner.invoke(app, ["project", "list", "-d", str(folder), "--today", "2027-01-05"])
    assert listing.exit_code == 0, listing.output
    assert "benefit-triage" in listing.output and "expired" in listing.output
    shown = runner.invoke(app, ["project", "show", "benefit-triage", "-d", str(folder)])
    assert shown.exit_code == 0, shown.output
    assert "impact level III: raw 25/38" in shown.output
    assert "AI Act: high risk, operational: no open obligation(s)" in shown.output
    development = runner.invoke(app, ["project", "show", "bike-demand", "-d", str(folder)])
    assert "AI Act: minimal risk, development: no open obligation(s)" in development.output
    assert "human_decision_maker: True" in shown.output


def test_assess_prompts_and_saves_the_answers(tmp_path: Path) -> None:
    folder = _register(tmp_path)
    path = folder / "bike-demand.yaml"
    # implementation branch; risk 3+2+4+3+4+3+6+4+3+4+2 = 38 (all maximal);
    # mitigation 2+2+3+3 = 10 of 10 -> reduced: 38 x 0.85 = 32.3 -> 32 > 28.5 -> IV.
    # "bogus" is refused and asked again.
    risk = ["yes", "yes", "opaque", "yes", "decides", "yes", "very-high", "long", "most", "special", "yes"]
    mitigation = ["external", "yes", "yes", "bogus", "yes"]
    answers = "\n".join(["implementation", *risk, *mitigation]) + "\n"
    result = runner.invoke(app, ["project", "assess", "bike-demand", "-d", str(folder)], input=answers)
    assert result.exit_code == 0, result.output
    assert "'bogus' is not one of: no, yes" in result.output
    assert "impact level IV: raw 38/38 -15% for mitigation -> 32" in result.output
    project = load_project(path)
    assessment = project.sandbox.assessment
    assert assessment is not None and assessment.branch == "implementation"
    assert assessment.answers["mit-impl-privacy"] == "yes"
    assert "mit-design-privacy" not in assessment.answers
    text = path.read_text(encoding="utf-8")
    assert "  owners: [a.jansen@riverton.example]" in text  # rest untouched
    assert "  status: development  # planned | design" in text  # comments kept
    assert '      mit-impl-privacy: "yes"' in text


def test_assess_keeps_previous_answers_as_defaults(tmp_path: Path) -> None:
    folder = _register(tmp_path)
    before = load_project(folder / "bike-demand.yaml").sandbox.assessment
    result = runner.invoke(app, ["project", "assess", "bike-demand", "-d", str(folder)], input="\n" * 20)
    assert result.exit_code == 0, result.output
    assert load_project(folder / "bike-demand.yaml").sandbox.assessment == before


def test_export_writes_json_markdown_and_html(tmp_path: Path) -> None:
    folder = _register(tmp_path)
    out = tmp_path / "register"
    result = runner.invoke(
        app, ["project", "export", "-d", str(folder), "-o", str(out), "--city", "Riverton"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["register.html", "register.json", "register.md"]
    assert len(json.loads((out / "register.json").read_text(encoding="utf-8"))) == 2
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    runner.invoke(app, ["project", "export", "-d", str(folder), "-o", str(out), "--city", "Riverton"])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_render_picks_up_the_register_beside_the_profile(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "examples" / "cities" / "riverton.yaml", tmp_path / "riverton.yaml")
    _register(tmp_path)
    out = tmp_path / "bundle"
    result = runner.invoke(app, ["render", str(tmp_path / "riverton.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    register = json.loads((out / "governance" / "register.json").read_text(encoding="utf-8"))
    assert {e["project"]["slug"] for e in register["projects"]} == {"benefit-triage", "bike-demand"}
    assert (out / "helm" / "aicommons-sandboxes.values.yaml").is_file()


def test_schema_project() -> None:
    result = runner.invoke(app, ["schema", "project"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["$id"].endswith("ai-project-v2.json")
    registration = schema["$defs"]["Registration"]
    assert registration["properties"]["description_short"]["anyOf"][0]["maxLength"] == 150
    assert schema["additionalProperties"] is False
    assert list(schema["properties"])[-3:] == ["register", "sandbox", "obligations"]
    assert "obligations" not in schema["required"]
    evidence = schema["$defs"]["Obligations"]
    assert evidence["additionalProperties"] is False and "fria_url" in evidence["properties"]


def test_add_takes_the_city_name_from_the_profile(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "examples" / "cities" / "riverton.yaml", tmp_path / "profile.yaml")
    folder = tmp_path / "projects"
    result = runner.invoke(app, ["project", "add", "noise-map", "-r", "RVT-2026-009", "-d", str(folder)])
    assert result.exit_code == 0, result.output
    assert load_project(folder / "noise-map.yaml").register.organization == "City of Riverton"
    # without a profile beside the register, the placeholder stays and add says so
    other = tmp_path / "elsewhere" / "projects"
    result = runner.invoke(app, ["project", "add", "noise-map", "-r", "RVT-2026-009", "-d", str(other)])
    assert result.exit_code == 0 and "a placeholder; set it, or pass --profile" in result.output
    assert load_project(other / "noise-map.yaml").register.organization == "City of Example"


def test_export_refuses_the_starters_placeholder_text(tmp_path: Path) -> None:
    folder = _register(tmp_path)
    args = ["project", "add", "noise-map", "-r", "RVT-2026-009", "-d", str(folder), "--today", "2026-03-01"]
    assert runner.invoke(app, args).exit_code == 0
    path = folder / "noise-map.yaml"
    out = tmp_path / "register"
    result = runner.invoke(
        app, ["project", "export", "-d", str(folder), "-o", str(out), "--city", "Riverton"]
    )
    assert isinstance(result.exception, InputError) and not out.exists()
    message = result.exception.render()
    lines = path.read_text(encoding="utf-8").splitlines()
    goal_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("  goal:"))
    assert f"{path}:{goal_line}:3: register.goal: still holds the starter's placeholder" in message
    assert "register.contact_email" in message and "sandbox.datasets[0].name" in message
    assert "register.organization" in message and "register.description:" in message
    risk_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("  risk_category:"))
    assert f"{path}:{risk_line}:3: register.risk_category: 'Risk category' is required" in message
    # once every placeholder is replaced and the empty required fields are written, it is published
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    register = data["register"]
    for key in (
        "organization",
        "department",
        "description_short",
        "goal",
        "impact",
        "proportionality",
        "area",
    ):
        register[key] = f"Our own {key}."
    for key in ("lawful_basis", "objection_procedure", "source_data", "methods_and_models", "training_data"):
        register[key] = f"Our own {key}."
    for key in (
        "monitoring",
        "human_intervention",
        "risks",
        "decision_making_process",
        "connected_data_sources",
    ):
        register[key] = f"Our own {key}."
    register["description"] = "How the noise map works, in our own words. " * 12  # 528 characters
    register |= {
        "contact_email": "noise@riverton.example",
        "domain": "environment, spacial planning and water",
    }
    register |= {"risk_category": "minimal risk", "algorithm_type": "self-learning", "type": "descriptive"}
    register |= {"lang": "en", "publication_date": "2026-03-02", "revision_date": "2027-03-01"}
    data["sandbox"]["owners"] = ["n.devries@riverton.example"]
    data["sandbox"]["datasets"][0]["name"] = "Noise sensors (hourly)"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = runner.invoke(
        app, ["project", "export", "-d", str(folder), "-o", str(out), "--city", "Riverton"]
    )
    assert result.exit_code == 0, result.output
    published = json.loads((out / "register.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in published] == [
        "Bike-share demand forecast",
        "Benefit application triage",
        "noise-map",
    ]
