"""The example city of docs/governance-dossier-example.md: Riverton with the test register (plus a
high-risk project still in development, whose obligations are open before first use), one recorded
waiver and a ledger of two records, judged as on 2026-03-01.

Regenerate the document (after a change to the dossier, the blueprint or the register):

    PYTHONPATH=. python -m tests.governance.dossier_example
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from aicommons.ledger.chain import append_record, ledger_path
from aicommons.ledger.model import Actor, BlueprintRef, LedgerEntry, StackSummary, ValidationSummary

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "governance-dossier-example.md"
RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"
PROJECTS = Path(__file__).parent / "fixtures" / "projects"
# welfare-fraud-score (a fail fixture of AIC-GOV-09 in pilot) back in development, with only its
# oversight recorded: the dossier lists what it still owes before first use.
IN_DEVELOPMENT = Path(__file__).parent / "fixtures" / "ai-act" / "fail" / "welfare-fraud-score.yaml"
TODAY = date(2026, 3, 1)
WAIVER = """  exceptions:
    - control: AIC-HA-01
      who: Jane Doe, Chief Information Officer
      why: Pilot tier in one zone until the service is declared operational by the council.
      until: 2026-06-30
      ticket: RVT-DEC-2026-011
"""
ACTOR = Actor(user="ci", host="runner-1")


def example_city(folder: Path, *, ledger: bool = True) -> Path:
    """Write the example city into `folder` (profile.yaml, projects/, .aicommons/ledger.jsonl);
    returns the profile's path."""
    text = RIVERTON.read_text(encoding="utf-8")
    anchor = "  data_residency_regions: [us-east-1]\n"
    assert anchor in text
    profile = folder / "profile.yaml"
    profile.write_text(text.replace(anchor, anchor + WAIVER), encoding="utf-8")
    shutil.copytree(PROJECTS, folder / "projects")
    developing = IN_DEVELOPMENT.read_text(encoding="utf-8")
    head, obligations = developing.split("\nobligations:\n", 1)
    oversight = obligations.split("  log_retention_days:", 1)[0]
    assert "status: pilot" in head and oversight.startswith("  eu_database_id:")
    developing = head.replace("status: pilot", "status: development") + "\nobligations:\n"
    developing += oversight.split("\n", 1)[1]  # without eu_database_id
    (folder / "projects" / IN_DEVELOPMENT.name).write_text(developing, encoding="utf-8")
    if ledger:
        blueprint = BlueprintRef(name="ai-commons-v1", version="1.0.0")
        common = {"actor": ACTOR, "city": "riverton", "blueprint": blueprint, "tool_version": "0.1.0"}
        append_record(
            ledger_path(folder),
            LedgerEntry(
                action="deploy",
                at="2026-02-20T09:30:00Z",
                git_commit="4f2a9c1e0b7d",
                stacks={
                    "infra": StackSummary(created=41, result="succeeded"),
                    "platform": StackSummary(created=27, result="succeeded"),
                },
                validation=ValidationSummary(passed=30, failed=0, skipped=7, waived=1),
                **common,
            ),
        )
        append_record(
            ledger_path(folder),
            LedgerEntry(
                action="drift",
                at="2026-02-27T06:00:00Z",
                drift={"bundle": "clean", "engine": "clean"},
                **common,
            ),
        )
    return profile


def dossier_text(folder: Path, charts: Path) -> str:
    """The example dossier as `aicommons governance report --today 2026-03-01` writes it (Markdown),
    with an empty chart cache so the document does not depend on the machine's."""
    from aicommons.blueprint.load import default_blueprint
    from aicommons.cityfolder import of_profile
    from aicommons.cli.validate_cmd import run_validation
    from aicommons.governance.dossier import build_dossier, ledger_evidence, render_dossier

    profile = example_city(folder)
    rules = default_blueprint()
    validation = run_validation(profile, rules, TODAY, charts=charts)
    city = of_profile(profile)
    evidence = ledger_evidence(city.ledger, str(city.ledger.relative_to(city.root)))
    assert validation.inventory.profile is not None
    dossier = build_dossier(
        validation.inventory.profile, validation.inventory.projects, validation.report, rules, evidence, TODAY
    )
    return render_dossier(dossier, "md")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "charts").mkdir()
        (Path(tmp) / "city").mkdir()
        DOC.write_text(dossier_text(Path(tmp) / "city", Path(tmp) / "charts"), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
