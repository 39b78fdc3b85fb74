"""The README's Quick start, command by command, for every profile `aicommons init` writes.

The commands are read from README.md's Quick start block (so the test breaks when the README
does), the tier and provider of its `init` line are replaced by each of the 4 x 3 starters, and
each command runs through the CLI in-process in a fresh folder and must exit 0. `make demo` is
left out (it is the example city's flow, tested elsewhere).

One starter per provider runs by default; the other nine are marked slow (each takes ~15 s:
render and validate run the stacks under Pulumi's mocks).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.profile.starter import TIERS
from tests.conftest import ROOT

PROVIDERS = ("aws", "kubernetes", "onprem")
FAST = {("small", "aws"), ("pilot", "kubernetes"), ("medium", "onprem")}


def quickstart_commands() -> list[list[str]]:
    """The aicommons command lines of README.md's Quick start block, without the program name."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^## Quick start\n.*?^```sh\n(.*?)^```", readme, re.S | re.M)
    assert block, "README.md has a Quick start section with a ```sh block"
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0] == "make":
            continue
        assert Path(words[0]).name == "aicommons", f"a Quick start line runs something else: {line}"
        commands.append(words[1:])
    return commands


def for_starter(command: list[str], tier: str, provider: str) -> list[str]:
    out = list(command)
    for option, value in (("--tier", tier), ("--provider", provider)):
        if option in out:
            out[out.index(option) + 1] = value
    return out


def test_the_quick_start_is_what_this_test_runs() -> None:
    """init, size, render, validate in that order, and init names a tier and a provider to replace."""
    commands = quickstart_commands()
    assert [c[0] for c in commands] == ["init", "size", "render", "validate"]
    assert "--tier" in commands[0] and "--provider" in commands[0]
    assert for_starter(commands[0], "large", "onprem")[-4:] == ["--tier", "large", "--provider", "onprem"]


CASES = [
    pytest.param(
        tier,
        provider,
        id=f"{tier}-{provider}",
        marks=() if (tier, provider) in FAST else pytest.mark.slow,
    )
    for tier in TIERS
    for provider in PROVIDERS
]


@pytest.mark.parametrize(("tier", "provider"), CASES)
def test_quick_start_runs_for_every_starter(
    tier: str, provider: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(tmp_path / "no-charts"))  # no user cache is read
    runner = CliRunner()
    for command in quickstart_commands():
        args = for_starter(command, tier, provider)
        result = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, (
            f"aicommons {shlex.join(args)} exited {result.exit_code}:\n{result.output}"
        )
    sarif = json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))
    failed = [r for run in sarif["runs"] for r in run["results"] if r.get("level") == "error"]
    assert failed == []
