"""A checkov scan of the rendered aicommons-platform manifests: no failed check, and
every suppression (a `checkov.io/skipN: CKV_K8S_NN=reason` annotation) carries a reason.

checkov is not in the project's dependencies (its pins clash with pulumi's); the test
runs it as a separate program. It looks, in order, for $CHECKOV_BIN, a `checkov` next
to this interpreter or on PATH, and an importable `checkov` package, and is skipped with
the install line when none is there. checkov runs with --skip-download: no network.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from platform_chart_support import CHART_DIR, CI_VALUES_FILES, load_values

INSTALL_HINT = (
    "checkov is not installed; install it in its own environment, e.g. "
    "`python3 -m venv /opt/checkov && /opt/checkov/bin/pip install checkov` "
    "and set CHECKOV_BIN=/opt/checkov/bin/checkov"
)

# Planted on purpose next to the rendered chart: proves the secrets scan really runs.
CANARY = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: planted-credentials
  namespace: canary
data:
  aws_access_key_id: AKIAIOSFODNN7EXAMPLE
  aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"""


def checkov_command() -> list[str] | None:
    explicit = os.environ.get("CHECKOV_BIN")
    if explicit:
        return [explicit]
    beside_python = Path(sys.executable).with_name("checkov")
    if beside_python.is_file():
        return [str(beside_python)]
    on_path = shutil.which("checkov")
    if on_path:
        return [on_path]
    if importlib.util.find_spec("checkov") is not None:
        return [sys.executable, "-m", "checkov.main"]
    return None


def write_rendered(rendered: dict[str, str], directory: Path) -> None:
    directory.mkdir(parents=True)
    for template, text in sorted(rendered.items()):
        if template.endswith((".yaml", ".yml")) and text.strip():
            (directory / Path(template).name).write_text(text)


def reports(stdout: str) -> list[dict[str, Any]]:
    """checkov -o json prints one report object, or a list when several frameworks report."""
    parsed = json.loads(stdout)
    return parsed if isinstance(parsed, list) else [parsed]


@pytest.fixture(scope="module")
def checkov_reports(
    render: Callable[..., dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    command = checkov_command()
    if command is None:
        pytest.skip(INSTALL_HINT)

    root = tmp_path_factory.mktemp("checkov")
    scenarios: dict[str, dict[str, Any] | None] = {"defaults": None}
    for path in CI_VALUES_FILES:
        scenarios[path.stem] = load_values(path)
    gpu_city = load_values(CHART_DIR / "ci" / "gpu-city-values.yaml")
    for sink in (
        {"type": "s3", "s3": {"bucket": "riverton-audit", "region": "eu-central-1", "prefix": "audit"}},
        {"type": "loki", "loki": {"url": "https://loki.example.org", "tenantId": "riverton"}},
    ):
        scenarios[f"gpu-city-{sink['type']}-sink"] = {
            **gpu_city,
            "audit": {**gpu_city["audit"], "sink": sink},
        }
    for name, values in scenarios.items():
        write_rendered(render(values), root / "rendered" / name)
    (root / "canary").mkdir()
    (root / "canary" / "planted-credentials.yaml").write_text(CANARY)

    result = subprocess.run(
        [
            *command,
            "--directory",
            str(root),
            "--framework",
            "kubernetes",
            "secrets",
            "--output",
            "json",
            "--skip-download",
            "--compact",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # Exit code 1 only means failed checks (the canary guarantees some); 2+ is a crash.
    assert result.returncode in (0, 1), result.stderr[-4000:]
    return reports(result.stdout)


def checks(found: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [c for report in found for c in report.get("results", {}).get(kind, [])]


def in_canary(check: dict[str, Any]) -> bool:
    return check["file_path"].lstrip("/").startswith("canary/")


def test_checkov_scanned_the_rendered_manifests(checkov_reports: list[dict[str, Any]]) -> None:
    by_type = {r.get("check_type"): r for r in checkov_reports}
    assert "kubernetes" in by_type, "checkov ran no Kubernetes checks"
    assert by_type["kubernetes"]["summary"]["parsing_errors"] == 0
    # Every rendered object was seen, not just the canary.
    assert by_type["kubernetes"]["summary"]["resource_count"] > 20
    assert [c for c in checks(checkov_reports, "passed_checks") if not in_canary(c)]


def test_checkov_secrets_scan_is_live(checkov_reports: list[dict[str, Any]]) -> None:
    planted = [c for c in checks(checkov_reports, "failed_checks") if in_canary(c)]
    assert any(c["check_id"].startswith("CKV_SECRET_") for c in planted)


def test_rendered_chart_passes_checkov(checkov_reports: list[dict[str, Any]]) -> None:
    failed = [
        f"{c['check_id']} {c['check_name']}: {c['resource']} ({c['file_path']})"
        for c in checks(checkov_reports, "failed_checks")
        if not in_canary(c)
    ]
    assert failed == []


# What checkov records when a skip annotation has no "=reason" part.
NO_REASON = {"", "No comment provided"}


def test_every_checkov_suppression_has_a_reason(checkov_reports: list[dict[str, Any]]) -> None:
    unexplained = [
        f"{c['check_id']}: {c['resource']}"
        for c in checks(checkov_reports, "skipped_checks")
        if (c.get("check_result", {}).get("suppress_comment") or "").strip() in NO_REASON
    ]
    assert unexplained == []
