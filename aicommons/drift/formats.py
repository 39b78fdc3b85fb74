"""Drift reports as JSON, a terminal table with diffs, SARIF 2.1.0 and JUnit XML.

SARIF and JUnit follow `aicommons.checks.formats`: one rule (or testcase) per drift kind, one
result per drifted file, stack or control.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

from aicommons import __version__
from aicommons.checks.formats import SARIF_SCHEMA
from aicommons.drift.model import DriftReport, FileDrift, KindResult

RULES = {
    "bundle": ("AIC-DRIFT-BUNDLE", "The committed bundle matches a fresh render of the committed profile"),
    "engine": ("AIC-DRIFT-ENGINE", "The cloud and cluster match the last deploy (preview shows no changes)"),
    "blueprint": (
        "AIC-DRIFT-BLUEPRINT",
        "Controls that passed at the last deploy still pass on the live system",
    ),
}
_COLOUR = {"clean": "green", "drifted": "red", "skipped": "dim", "unavailable": "yellow"}


def report_json(report: DriftReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2) + "\n"


def summary_line(report: DriftReport) -> str:
    return f"drift for {report.city}: " + ", ".join(f"{k.kind} {k.status}" for k in report.kinds)


def file_line(f: FileDrift) -> str:
    how = "edited by hand" if f.hand_edited else "regenerated"
    return f"{f.path}: {f.change} ({how})"


def findings(kind: KindResult) -> list[tuple[str, str]]:
    """(where, what) for each drifted file, stack or control of one kind."""
    out: list[tuple[str, str]] = []
    if kind.bundle is not None:
        out += [(f.path, file_line(f)) for f in kind.bundle.files]
    for s in kind.stacks or []:
        if s.changed:
            what = ", ".join(f"{n} {op}" for op, n in sorted(s.changes.items()) if op != "same")
            out.append(
                (f"pulumi/Pulumi.{s.stack}.yaml", f"stack {s.stack} would change: {what or 'changes'}")
            )
    for c in kind.controls or []:
        detail = "; ".join(c.findings[:3]) + (
            f"; … {len(c.findings) - 3} more" if len(c.findings) > 3 else ""
        )
        out.append((c.id, f"{c.id} {c.title}: {c.was} at the last deploy, {c.now} now: {detail}"))
    return out


def report_table(report: DriftReport):  # rich renderable
    from rich.console import Group
    from rich.text import Text

    from aicommons.report.layout import Col, Listing

    rows = []
    for k in report.kinds:
        lines = [what for _, what in findings(k)] or [k.reason or ""]
        if k.status == "drifted" and k.reason:
            lines.append(f"why: {k.reason}")
        rows.append([k.kind, Text(k.status, style=_COLOUR[k.status]), "\n".join(lines)])
    columns = [Col("kind", "id"), Col("status", "id"), Col("what / why")]
    title = f"drift for {report.city} (bundle {report.bundle_dir})"
    parts: list[Any] = [Listing(title, columns, rows)]
    bundle = report.of("bundle")
    for f in bundle.bundle.files if bundle and bundle.bundle else []:
        parts.append(Text(f"\n{file_line(f)}", style="bold"))
        diff = Text()
        for line in f.diff.splitlines(keepends=True):
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            diff.append(line, style="cyan" if line.startswith("@@") else style)
        parts.append(diff)
    parts.append(Text(summary_line(report)))
    return Group(*parts)


def report_sarif(report: DriftReport) -> str:
    rules, results, notes = [], [], []
    for index, k in enumerate(report.kinds):
        rule_id, title = RULES[k.kind]
        rules.append(
            {
                "id": rule_id,
                "name": rule_id.replace("-", ""),
                "shortDescription": {"text": title},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["drift", k.kind]},
            }
        )
        if k.status in ("skipped", "unavailable"):  # not checked: the run fails (exit 3)
            notes.append(
                {
                    "level": "error",
                    "message": {"text": f"{k.kind} drift {k.status}: {k.reason}"},
                    "associatedRule": {"id": rule_id, "index": index},
                }
            )
        for where, what in findings(k):
            results.append(
                {
                    "ruleId": rule_id,
                    "level": "error",
                    "message": {"text": what + (f" (why: {k.reason})" if k.reason else "")},
                    "locations": [
                        {"physicalLocation": {"artifactLocation": {"uri": _uri(report, k, where)}}}
                    ],
                    "partialFingerprints": {
                        "aicommonsDrift/v1": hashlib.sha256(f"{rule_id}|{where}|{what}".encode()).hexdigest()
                    },
                }
            )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "aicommons",
                "version": __version__,
                "informationUri": "https://aicommons.dev",
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"aicommons/drift/{report.city}"},
        # every kind checked, or the run did not do its job (a skipped kind is not a pass)
        "invocations": [{"executionSuccessful": not notes, "toolExecutionNotifications": notes}],
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _uri(report: DriftReport, kind: KindResult, where: str) -> str:
    if kind.kind == "blueprint":
        return PurePosixPath(report.profile).as_posix()
    return (PurePosixPath(report.bundle_dir) / where).as_posix()


def report_junit(report: DriftReport) -> str:
    suite = ET.Element(
        "testsuite",
        {
            "name": f"aicommons drift {report.city}",
            "tests": str(len(report.kinds)),
            "failures": str(sum(k.status == "drifted" for k in report.kinds)),
            "errors": str(sum(k.status == "unavailable" for k in report.kinds)),
            "skipped": str(sum(k.status == "skipped" for k in report.kinds)),
        },
    )
    for k in report.kinds:
        rule_id, title = RULES[k.kind]
        case = ET.SubElement(
            suite, "testcase", {"classname": "aicommons.drift", "name": f"{rule_id} {title}"}
        )
        if k.status == "drifted":
            found = findings(k)
            failure = ET.SubElement(case, "failure", {"message": f"{len(found)} drifted", "type": k.kind})
            failure.text = "\n".join(what for _, what in found) + (f"\nwhy: {k.reason}" if k.reason else "")
            if k.bundle is not None:
                ET.SubElement(case, "system-out").text = "".join(f.diff for f in k.bundle.files)
        elif k.status == "unavailable":
            ET.SubElement(case, "error", {"message": k.reason or "unavailable", "type": "unavailable"})
        elif k.status == "skipped":
            ET.SubElement(case, "skipped", {"message": k.reason or "skipped"})
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
