"""The standards inventory: which clauses of which frameworks the blueprint's controls support.

Pure functions over a `Blueprint`. The Markdown is what a city attaches to its governance
papers; `docs/standards-inventory.md` is this module's output for the packaged blueprint and is
regenerated with `python -m aicommons.blueprint.standards docs/standards-inventory.md`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from aicommons.blueprint.model import Blueprint, Control
from aicommons.errors import InputError, Location

# The frameworks a city is most often asked about come first, in this order; any other
# framework a blueprint cites follows alphabetically.
FRAMEWORK_ORDER: tuple[str, ...] = (
    "NIST AI RMF",
    "ISO/IEC 42001",
    "ISO/IEC 27001",
    "EU AI Act",
    "CIS Kubernetes Benchmark",
    "Pod Security Standards",
    "IEEE 7000-series",
)

# One sentence per framework for the Markdown document: what it is and how it is cited.
FRAMEWORK_ABOUT: dict[str, str] = {
    "NIST AI RMF": (
        "NIST AI 100-1, the AI Risk Management Framework; cited by function subcategory "
        "(GOVERN, MAP, MEASURE, MANAGE) with the subcategory's statement as title."
    ),
    "ISO/IEC 42001": (
        "AI management systems; Annex A controls cited by title from secondary catalogues, "
        "as the standard's text is paywalled."
    ),
    "ISO/IEC 27001": (
        "Information security management systems; Annex A controls cited by title from "
        "secondary catalogues, as the standard's text is paywalled."
    ),
    "EU AI Act": (
        "Regulation (EU) 2024/1689; the cited articles bind providers and deployers of "
        "high-risk AI systems, which a city may build or run on the Commons."
    ),
    "CIS Kubernetes Benchmark": "CIS recommendations for hardening a Kubernetes cluster, cited by number.",
    "Pod Security Standards": (
        "The Kubernetes project's Baseline and Restricted pod profiles, enforced per "
        "namespace by Pod Security Admission."
    ),
    "IEEE 7000-series": (
        "IEEE standards on ethically aligned design; mapped at standard level only, as their "
        "texts are paywalled."
    ),
    "CIS Amazon EKS Benchmark": "CIS recommendations for Amazon EKS, where the control plane is managed by AWS.",
    "Canada Algorithmic Impact Assessment": (
        "The Government of Canada's questionnaire under the Directive on Automated "
        "Decision-Making; cited as a public-sector reference point."
    ),
    "NSA/CISA Kubernetes Hardening Guidance": (
        "The US NSA and CISA technical report on hardening Kubernetes; cited by section."
    ),
}

# NIST AI RMF functions read in the framework's own order, not alphabetically.
_WORD_RANK: dict[str, int] = {"govern": 0, "map": 1, "measure": 2, "manage": 3}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ClauseNote(_Frozen):
    """A note on a clause's mapping and the controls it applies to."""

    note: str
    controls: list[str]


class ClauseCoverage(_Frozen):
    """One clause of a framework and the controls that support it."""

    clause: str
    version: str
    title: str | None = Field(description="The clause's title where confirmed; empty otherwise.")
    controls: list[str] = Field(description="IDs of the controls supporting the clause, in blueprint order.")
    notes: list[ClauseNote] = Field(default_factory=list)


class FrameworkCoverage(_Frozen):
    """Everything the blueprint supports in one framework."""

    framework: str
    versions: list[str]
    clauses: list[ClauseCoverage]
    controls: list[str] = Field(description="IDs of every control supporting a clause of the framework.")


def framework_sort_key(name: str) -> tuple[int, str]:
    """Frameworks in FRAMEWORK_ORDER first, in that order, then the rest alphabetically."""
    if name in FRAMEWORK_ORDER:
        return (FRAMEWORK_ORDER.index(name), "")
    return (len(FRAMEWORK_ORDER), name.casefold())


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that compares digit runs as numbers: A.5.15 < A.8.2 < A.8.15, 5.2.9 < 5.2.10."""
    key: list[tuple[int, int, str]] = []
    for index, part in enumerate(re.split(r"(\d+)", text)):
        if index % 2:
            key.append((1, int(part), ""))
        elif part:
            word = part.strip().casefold()
            key.append((0, _WORD_RANK.get(word, len(_WORD_RANK)), part.casefold()))
    return tuple(key)


def standards_inventory(blueprint: Blueprint) -> list[FrameworkCoverage]:
    """Group the blueprint's standards references by framework and clause, deterministically."""
    order = {c.id: i for i, c in enumerate(blueprint.controls)}
    grouped: dict[str, dict[tuple[str, str], list[tuple[Control, str | None, str | None]]]] = {}
    for control in blueprint.controls:
        for ref in control.standards:
            clauses = grouped.setdefault(ref.framework, {})
            clauses.setdefault((ref.clause, ref.version), []).append((control, ref.title, ref.note))

    inventory = []
    for framework in sorted(grouped, key=framework_sort_key):
        clauses = []
        for (clause, version), refs in sorted(
            grouped[framework].items(), key=lambda kv: (natural_key(kv[0][0]), natural_key(kv[0][1]))
        ):
            ids = _unique(c.id for c, _, _ in sorted(refs, key=lambda r: order[r[0].id]))
            title = next((t for _, t, _ in refs if t), None)
            clauses.append(
                ClauseCoverage(clause=clause, version=version, title=title, controls=ids, notes=_notes(refs))
            )
        versions = sorted({c.version for c in clauses}, key=natural_key)
        supporting = sorted({i for c in clauses for i in c.controls}, key=order.__getitem__)
        inventory.append(
            FrameworkCoverage(framework=framework, versions=versions, clauses=clauses, controls=supporting)
        )
    return inventory


def select_framework(inventory: Sequence[FrameworkCoverage], name: str) -> FrameworkCoverage:
    """The framework called `name` (case-insensitive; a unique part of the name also works)."""
    wanted = name.casefold().strip()
    exact = [f for f in inventory if f.framework.casefold() == wanted]
    partial = [f for f in inventory if wanted and wanted in f.framework.casefold()]
    if exact:
        return exact[0]
    if len(partial) == 1:
        return partial[0]
    known = ", ".join(f.framework for f in inventory)
    problem = "matches several frameworks" if partial else "is not a framework the blueprint cites"
    raise InputError(f"{name!r} {problem}", Location(field="--framework"), known)


def inventory_markdown(blueprint: Blueprint, framework: str | None = None) -> str:
    """The inventory as a Markdown document a city can attach to its governance papers."""
    inventory = standards_inventory(blueprint)
    shown = [select_framework(inventory, framework)] if framework else inventory
    clause_count = sum(len(f.clauses) for f in inventory)
    out = [
        f"# Standards inventory: {blueprint.name} {blueprint.version}",
        "",
        "<!-- Generated by `aicommons blueprint standards --format md`; do not edit by hand. -->",
        "",
        f"Blueprint **{blueprint.name}**, version **{blueprint.version}**: "
        f"{len(blueprint.controls)} controls supporting {clause_count} clauses "
        f"in {len(inventory)} frameworks.",
        "",
        f"> {_one_line(blueprint.description)}",
        "",
        "Each control is a machine-checked rule with a stable ID; `aicommons validate` checks it on "
        "the rendered bundle, the deployment plan or the live platform. A clause is listed when a "
        "control produces evidence for it: passing the control supports the clause, it does not by "
        "itself satisfy it. Notes say where a mapping is partial or uncertain; a title is left "
        "empty (—) where it could not be confirmed from a public source.",
        "",
    ]
    if framework is None:
        out += ["## Summary", "", _row(("Framework", "Version(s)", "Clauses", "Controls")), _rule(4)]
        for cov in inventory:
            versions = ", ".join(cov.versions)
            out.append(_row((cov.framework, versions, str(len(cov.clauses)), str(len(cov.controls)))))
        out.append("")
    for cov in shown:
        out += _framework_section(cov)
    listed = {i for cov in shown for i in cov.controls}
    controls = [c for c in blueprint.controls if c.id in listed]
    out += ["## Controls by ID", "", *controls_markdown_table(controls), ""]
    return "\n".join(out)


def controls_markdown_table(controls: Iterable[Control]) -> list[str]:
    """Rows of the Markdown table: id | title | severity | sources | frameworks."""
    lines = [_row(("ID", "Title", "Severity", "Sources", "Frameworks")), _rule(5)]
    for control in controls:
        frameworks = sorted({s.framework for s in control.standards}, key=framework_sort_key)
        lines.append(
            _row(
                (
                    control.id,
                    control.title,
                    control.severity,
                    ", ".join(control.sources),
                    ", ".join(frameworks),
                )
            )
        )
    return lines


def _framework_section(cov: FrameworkCoverage) -> list[str]:
    several = len(cov.versions) > 1
    out = [f"## {cov.framework}", ""]
    about = FRAMEWORK_ABOUT.get(cov.framework)
    if about:
        out += [about, ""]
    out += [
        f"Version{'s' if several else ''}: {', '.join(cov.versions)}. "
        f"{_count(len(cov.clauses), 'clause')}, supported by {_count(len(cov.controls), 'control')}.",
        "",
        _row(("Clause", "Title", "Controls", "Note")),
        _rule(4),
    ]
    for clause in cov.clauses:
        name = f"{clause.clause} ({clause.version})" if several else clause.clause
        out.append(_row((name, clause.title or "—", ", ".join(clause.controls), _note_cell(clause))))
    out.append("")
    return out


def _notes(refs: list[tuple[Control, str | None, str | None]]) -> list[ClauseNote]:
    by_note: dict[str, list[str]] = {}
    for control, _, note in refs:
        if note:
            by_note.setdefault(_one_line(note), []).append(control.id)
    return [ClauseNote(note=n, controls=_unique(ids)) for n, ids in by_note.items()]


def _note_cell(clause: ClauseCoverage) -> str:
    if len(clause.notes) == 1 and clause.notes[0].controls == clause.controls:
        return clause.notes[0].note
    return "<br>".join(f"{', '.join(n.controls)}: {n.note}" for n in clause.notes)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _rule(columns: int) -> str:
    return "|" + "---|" * columns


def main(argv: Sequence[str] | None = None) -> int:
    """Print the packaged blueprint's inventory as Markdown, or write it to the given file."""
    from aicommons.blueprint.load import default_blueprint

    args = list(sys.argv[1:] if argv is None else argv)
    text = inventory_markdown(default_blueprint())
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
