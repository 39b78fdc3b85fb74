"""Validation reports as JSON, a terminal table, SARIF 2.1.0 and JUnit XML."""

from __future__ import annotations

import hashlib
import json
from xml.etree import ElementTree as ET

from aicommons import __version__
from aicommons.checks.report import FindingOut, Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def report_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2) + "\n"


def report_sarif(report: Report) -> str:
    rules, results, notes = [], [], []
    for index, control in enumerate(report.controls):
        rules.append(
            {
                "id": control.id,
                "name": control.id.replace("-", ""),
                "shortDescription": {"text": control.title},
                "defaultConfiguration": {"level": _LEVEL[control.severity]},
                "properties": {
                    "severity": control.severity,
                    "tags": sorted({s["framework"] for s in control.standards}),
                    "standards": [f"{s['framework']} {s['clause']}" for s in control.standards],
                },
            }
        )
        if control.status == "skipped":  # not checked on this source: said, never a silent pass
            notes.append(
                {
                    "level": "note",
                    "message": {"text": f"{control.id} skipped: {control.reason or 'not checked'}"},
                    "associatedRule": {"id": control.id, "index": index},
                }
            )
        if control.status not in ("failed", "waived"):
            continue
        for finding in control.findings:
            result = {
                "ruleId": control.id,
                "level": _LEVEL[control.severity],
                "message": {"text": f"{finding.resource}: {finding.message}"},
                "partialFingerprints": {
                    "aicommonsFinding/v1": hashlib.sha256(
                        f"{control.id}|{finding.resource}|{finding.message}".encode()
                    ).hexdigest()
                },
            }
            location = {
                "physicalLocation": {"artifactLocation": {"uri": finding.file or "aicommons.lock.json"}}
            }
            if finding.line:
                location["physicalLocation"]["region"] = {"startLine": finding.line}
            result["locations"] = [location]
            if control.status == "waived" and control.exception:
                result["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{control.exception.why} ({control.exception.who}, "
                        f"until {control.exception.until})",
                    }
                ]
            results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aicommons",
                        "version": __version__,
                        "informationUri": "https://aicommons.dev",
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"aicommons/{report.blueprint['name']}/{report.source}"},
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"


def report_junit(report: Report) -> str:
    s = report.summary
    suite = ET.Element(
        "testsuite",
        {
            "name": f"aicommons {report.blueprint['name']} {report.blueprint['version']} ({report.source})",
            "tests": str(len(report.controls)),
            "failures": str(s.failed),
            "skipped": str(s.skipped + s.waived),
            "errors": "0",
        },
    )
    for control in report.controls:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"aicommons.{control.id.split('-')[1].lower()}",
                "name": f"{control.id} {control.title}",
            },
        )
        if control.status == "failed":
            text = "\n".join(finding_line(f) for f in control.findings)
            failure = ET.SubElement(
                case, "failure", {"message": f"{len(control.findings)} finding(s)", "type": control.severity}
            )
            failure.text = text
        elif control.status == "skipped":
            ET.SubElement(case, "skipped", {"message": control.reason or "skipped"})
        elif control.status == "waived":
            exc = control.exception
            ET.SubElement(
                case,
                "skipped",
                {"message": f"waived: {exc.why} ({exc.who}, until {exc.until})" if exc else "waived"},
            )
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def summary_line(report: Report) -> str:
    s = report.summary
    failed = ", ".join(f"{n} {k}" for k, n in s.failed_by_severity.items() if n) or "none"
    return f"{s.passed} passed, {s.failed} failed, {s.skipped} skipped, {s.waived} waived (failed: {failed})"


def finding_line(finding: FindingOut) -> str:
    """`resource: message (file:line)`, the place being the file a person edits to fix it."""
    where = f"{finding.file}:{finding.line}" if finding.file and finding.line else finding.file
    return f"{finding.resource}: {finding.message}" + (f" ({where})" if where else "")


def report_table(report: Report):  # rich renderable
    from rich.console import Group
    from rich.text import Text

    from aicommons.report.layout import Col, Listing

    colour = {"passed": "green", "failed": "red", "skipped": "dim", "waived": "yellow"}
    rows = []
    for c in report.controls:
        bullet = "- " if len(c.findings) > 1 else ""
        detail = "\n".join(bullet + finding_line(f) for f in c.findings)
        if c.status == "skipped":
            detail = c.reason or ""
        if c.status == "waived" and c.exception:
            detail = f"waived by {c.exception.who} until {c.exception.until}: {c.exception.why}"
        rows.append([c.id, c.severity, Text(c.status, style=colour[c.status]), c.title, detail])
    columns = [
        Col("control", "id"),
        Col("severity", "id"),
        Col("status", "id"),
        Col("title"),
        Col("findings / reason"),
    ]
    title = f"{report.blueprint['name']} {report.blueprint['version']} on the {report.source}"
    return Group(Listing(title, columns, rows), summary_line(report))
