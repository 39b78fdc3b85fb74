"""Exit codes through the real console entry point (a subprocess), not only CliRunner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aicommons.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_validate_exits_1_when_a_control_at_the_threshold_fails(tmp_path: Path) -> None:
    profile = tmp_path / "city.yaml"
    text = RIVERTON.read_text().replace(
        "  audit_retention_days: 365\n", "  audit_retention_days: 365\n  idle_cull_minutes: 600\n"
    )
    profile.write_text(text)
    failing = _run("validate", str(profile), "--format", "json", "--fail-on", "medium")
    assert failing.returncode == 1, failing.stderr
    assert '"AIC-POD-05"' in failing.stdout
    assert _run("validate", str(profile), "--format", "json", "--fail-on", "critical").returncode == 0


def test_validate_exits_0_on_the_clean_example() -> None:
    assert _run("validate", str(RIVERTON), "--format", "json").returncode == 0


def test_bad_input_exits_2_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: aicommons.dev/v1\nkind: CityProfile\ncity: [unclosed\n")
    result = _run("size", str(broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "broken.yaml:" in result.stderr
