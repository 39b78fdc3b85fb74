"""The command line: output formats, exit codes through the real entry point, and a light start-up.

Most checks invoke the typer app in-process (``CliRunner``) or call the console entry point
``aicommons.cli.main.run`` in-process (to see its exit codes and messages); a few run the
installed ``aicommons`` script in a subprocess to check the same from the outside.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from aicommons.catalog.load import cloud_catalog
from aicommons.cli.main import app, run
from aicommons.errors import EXIT_BAD_INPUT, EXIT_OK
from tests.conftest import EXAMPLES, FIXTURES, ROOT, TIERS, VENV_BIN, make_profile, write_profile

AICOMMONS = VENV_BIN / "aicommons"
RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
GOOD = sorted((FIXTURES / "good").glob("*.yaml"))
HEAVY = {"pulumi", "pulumi_aws", "pulumi_kubernetes", "kubernetes", "matplotlib"}

runner = CliRunner()


def invoke(*args: str) -> Any:
    """Run the typer app in-process, on a wide terminal so tables do not wrap."""
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    """Call the console entry point in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    code = 0
    try:
        run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


def aicommons(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "AICOMMONS_DEBUG"}}
    env["COLUMNS"] = "160"
    return subprocess.run(
        [str(AICOMMONS), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
    )


def assert_clean_bad_input(code: int, out: str, err: str) -> None:
    """Exit 2, one paragraph on stderr starting with 'error:', nothing on stdout, no traceback."""
    assert code == EXIT_BAD_INPUT, (code, out, err)
    assert err.startswith("error:"), err
    assert "Traceback" not in out + err
    assert "\n\n" not in err.strip(), f"more than one paragraph:\n{err}"
    assert out == ""


def test_the_console_script_is_installed() -> None:
    assert AICOMMONS.exists(), f"{AICOMMONS} missing: install the project into the test environment"


# --- size --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def riverton_json() -> dict[str, Any]:
    result = invoke("size", str(RIVERTON), "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


def test_size_json_has_the_documented_keys(riverton_json: dict[str, Any]) -> None:
    plan = riverton_json
    assert {"city", "provider", "region", "workloads", "pools", "cost"} <= set(plan)
    assert (plan["city"], plan["provider"], plan["region"]) == ("riverton", "aws", "us-east-1")
    for w in plan["workloads"]:
        assert {"name", "cpu", "memory_gib", "gpu", "gpu_memory_gib", "peak_pods"} <= set(w)
    for p in plan["pools"]:
        assert {"name", "role", "instance_type", "nodes", "allocatable", "usd_hour", "workloads"} <= set(p)
        assert set(p["nodes"]) >= {"min", "peak", "max"}
        assert set(p["allocatable"]) >= {"cpu", "memory_gib", "gpu"}
        assert p["role"] in {"core", "user", "gpu"}
    assert {"usd_month", "breakdown"} <= set(plan["cost"])


def test_size_json_describes_riverton(riverton_json: dict[str, Any]) -> None:
    profile = yaml.safe_load(RIVERTON.read_text())
    plan = riverton_json
    workloads = {w["name"]: w for w in plan["workloads"]}
    assert set(workloads) == {w["name"] for w in profile["workloads"]}
    notebook, gpu = workloads["notebook"], workloads["gpu-small"]
    assert (notebook["cpu"], notebook["memory_gib"], notebook["gpu"]) == (0.5, 2.0, 0)
    assert notebook["peak_pods"] == 20  # 0.8 of 25 people at once
    assert (gpu["cpu"], gpu["memory_gib"], gpu["gpu"], gpu["gpu_memory_gib"]) == (3.0, 12.0, 1, 15.0)
    assert gpu["peak_pods"] == 3
    pools = {p["name"]: p for p in plan["pools"]}
    assert [p["role"] for p in plan["pools"]].count("core") == 1
    hosting = {w: p["name"] for p in plan["pools"] for w in p["workloads"]}
    assert pools[hosting["notebook"]]["role"] == "user"
    gpu_pool = pools[hosting["gpu-small"]]
    assert gpu_pool["role"] == "gpu" and gpu_pool["allocatable"]["gpu"] >= 1 and gpu_pool["nodes"]["min"] == 0
    total = sum(line["usd_month"] for line in plan["cost"]["breakdown"])
    assert plan["cost"]["usd_month"] == pytest.approx(total, abs=0.005)
    assert plan["cost"]["usd_month"] <= profile["budget"]["monthly"]


def test_size_table_and_markdown(riverton_json: dict[str, Any]) -> None:
    table = invoke("size", str(RIVERTON))
    assert table.exit_code == EXIT_OK, table.output
    md = invoke("size", str(RIVERTON), "--format", "md")
    assert md.exit_code == EXIT_OK, md.output
    for pool in riverton_json["pools"]:
        assert pool["name"] in table.stdout
        assert f"| {pool['name']} | {pool['role']} | {pool['instance_type']} |" in md.stdout
    assert md.stdout.startswith("# ")
    assert "within budget" in table.stdout.replace("\n", " ")
    total = f"{riverton_json['cost']['usd_month']:,.2f}"
    assert total in md.stdout and total in table.stdout


def test_size_writes_to_a_file(tmp_path: Path, riverton_json: dict[str, Any]) -> None:
    out = tmp_path / "plans" / "riverton.json"
    result = invoke("size", str(RIVERTON), "-f", "json", "-o", str(out))
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(out.read_text()) == riverton_json
    assert result.stdout == ""


@pytest.mark.parametrize("path", EXAMPLES + TIERS + GOOD, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_tier_and_good_fixture_sizes(path: Path) -> None:
    result = invoke("size", str(path), "-f", "json")
    assert result.exit_code == EXIT_OK, result.output
    plan = json.loads(result.stdout)
    assert plan["pools"][0]["role"] == "core"
    assert len({p["name"] for p in plan["pools"]}) == len(plan["pools"])


# --- catalog -----------------------------------------------------------------------------------


def test_catalog_list_json_in_eu_west_1() -> None:
    result = invoke("catalog", "list", "--provider", "aws", "--region", "eu-west-1", "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    rows = json.loads(result.stdout)
    keys = {
        "instance_type",
        "vcpu",
        "memory_gib",
        "gpu_count",
        "gpu_model",
        "gpu_memory_gib",
        "allocatable",
        "usd_hour",
    }
    prices = {t.instance_type: t.usd_hour for t in cloud_catalog("aws").instance_types}
    names = [r["instance_type"] for r in rows]
    assert len(names) == len(set(names))
    assert names == [n for n in sorted(prices) if "eu-west-1" in prices[n]]
    for row in rows:
        assert keys <= set(row)
        assert set(row["allocatable"]) >= {"cpu", "memory_gib", "gpu"}
        assert row["usd_hour"] == pytest.approx(prices[row["instance_type"]]["eu-west-1"])
        assert 0 < row["allocatable"]["cpu"] < row["vcpu"]
        assert 0 < row["allocatable"]["memory_gib"] < row["memory_gib"]
        assert row["allocatable"]["gpu"] == row["gpu_count"]
        assert (row["gpu_model"] is None) == (row["gpu_count"] == 0)
    # g6 (L4) and g6e (L40S) have no eu-west-1 price: they are not offered there
    assert not [n for n in names if n.startswith(("g6.", "g6e.", "p5."))]
    assert "g5.xlarge" in names and "m6i.large" in names


def test_catalog_list_table_and_us_east_1() -> None:
    result = invoke("catalog", "list", "--region", "us-east-1")
    assert result.exit_code == EXIT_OK, result.output
    assert "g6.xlarge" in result.stdout and "p5.48xlarge" in result.stdout


def test_catalog_list_unknown_region_is_bad_input(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(monkeypatch, capsys, "catalog", "list", "--region", "mars-north-1")
    assert_clean_bad_input(code, out, err)
    assert "--region" in err and "us-east-1" in err


# --- schema ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema")
    result = invoke("schema", "profile")
    assert result.exit_code == EXIT_OK, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_draft_2020_12(validator) -> None:  # type: ignore[no-untyped-def]
    schema = validator.schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert {"apiVersion", "kind", "city", "target", "users", "workloads", "budget"} <= set(schema["required"])


def _nonstandard_keywords(node: Any, path: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"gt", "ge", "lt", "le"} and not path.endswith("/properties"):
                found.append(f"{path}/{key}")
            found += _nonstandard_keywords(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _nonstandard_keywords(value, f"{path}/{i}")
    return found


def test_schema_uses_only_standard_bounds(validator) -> None:  # type: ignore[no-untyped-def]
    assert _nonstandard_keywords(validator.schema) == []


def as_json_data(path: Path) -> Any:
    """A YAML file as an editor's YAML 1.2 language server sees it (dates stay strings)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


@pytest.mark.parametrize("path", EXAMPLES + TIERS + GOOD, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_schema_accepts_the_examples_tiers_and_good_fixtures(validator, path: Path) -> None:  # type: ignore[no-untyped-def]
    data = as_json_data(path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize(
    "name",
    ["unknown-key", "unknown-key-top-level", "wrong-type-integer", "sharing-mode-unknown", "bad-slug"],
)
def test_schema_rejects_what_the_loader_rejects(validator, name: str) -> None:  # type: ignore[no-untyped-def]
    assert list(validator.iter_errors(as_json_data(FIXTURES / "bad" / f"{name}.yaml")))


@pytest.mark.parametrize("provider", ["aws", "kubernetes", "onprem"])
@pytest.mark.parametrize("tier", ["pilot", "small", "medium", "large"])
def test_schema_accepts_every_starter_profile(validator, tier: str, provider: str) -> None:  # type: ignore[no-untyped-def]
    from aicommons.profile.starter import starter_profile

    data = json.loads(json.dumps(yaml.safe_load(starter_profile(tier, provider, "some-city")), default=str))
    assert [e.message for e in validator.iter_errors(data)] == []


# --- init --------------------------------------------------------------------------------------

TIER_NAMES = ["pilot", "small", "medium", "large"]
PROVIDERS = ["aws", "kubernetes", "onprem"]
INIT_CASES = [
    pytest.param(tier, provider, id=f"{tier}-{provider}") for tier in TIER_NAMES for provider in PROVIDERS
]


@pytest.mark.parametrize(("tier", "provider"), INIT_CASES)
def test_init_writes_a_profile_that_sizes(
    tmp_path: Path, monkeypatch, capsys, tier: str, provider: str
) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / f"{tier}-{provider}-city"
    code, out, err = run_main(
        monkeypatch, capsys, "init", str(directory), "--tier", tier, "--provider", provider
    )
    assert code == EXIT_OK, err
    written = directory / "profile.yaml"
    assert written.exists() and str(written) in out
    text = written.read_text()
    assert text.lstrip().startswith("#"), "the starter profile is commented"
    data = yaml.safe_load(text)
    assert data["target"]["provider"] == provider
    assert data["city"]["slug"] == f"{tier}-{provider}-city"
    assert data.get("tier") == tier
    code, out, err = run_main(monkeypatch, capsys, "size", str(written), "-f", "json")
    assert code == EXIT_OK, err
    plan = json.loads(out)
    assert plan["provider"] == provider and plan["tier"] == tier


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_main(monkeypatch, capsys, "init", str(tmp_path / "city"), "--tier", "small")
    assert code == EXIT_OK, err
    profile = tmp_path / "city" / "profile.yaml"
    profile.write_text("# my edits\n" + profile.read_text())
    before = profile.read_bytes()
    code, out, err = run_main(monkeypatch, capsys, "init", str(tmp_path / "city"), "--tier", "large")
    assert_clean_bad_input(code, out, err)
    assert "--force" in err and str(profile) in err
    assert profile.read_bytes() == before
    code, _, err = run_main(
        monkeypatch, capsys, "init", str(tmp_path / "city"), "--tier", "medium", "--force"
    )
    assert code == EXIT_OK, err
    assert profile.read_bytes() != before
    assert yaml.safe_load(profile.read_text())["tier"] == "medium"


def test_init_rejects_an_unknown_tier(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(monkeypatch, capsys, "init", str(tmp_path / "c"), "--tier", "huge")
    assert code == EXIT_BAD_INPUT
    assert "Traceback" not in out + err
    assert not (tmp_path / "c").exists()


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_profiles_exit_2_with_one_message(monkeypatch, capsys, path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(monkeypatch, capsys, "size", str(path))
    assert_clean_bad_input(code, out, err)
    assert str(path) in err


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget": 10}, "budget.monthly"),
        ({"catalog": {"prices": {"m9z.huge": 1.0}}}, "catalog.prices.m9z.huge"),
        ({"region": "ap-south-1"}, "target.region"),
    ],
    ids=["budget", "price", "region"],
)
def test_profiles_sizing_rejects_exit_2(
    tmp_path: Path, monkeypatch, capsys, change: dict, field: str
) -> None:  # type: ignore[no-untyped-def]
    path = write_profile(tmp_path, make_profile(**change))
    code, out, err = run_main(monkeypatch, capsys, "size", str(path))
    assert_clean_bad_input(code, out, err)
    assert f"{field}: " in err and "(allowed: " in err


def test_usage_errors_exit_2(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(monkeypatch, capsys, "size", str(RIVERTON), "--format", "xml")
    assert code == EXIT_BAD_INPUT
    assert "Traceback" not in out + err
    code, out, err = run_main(monkeypatch, capsys, "size", "--no-such-option")
    assert code == EXIT_BAD_INPUT
    assert "Traceback" not in out + err


def test_missing_profile_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(monkeypatch, capsys, "size", str(tmp_path / "nowhere.yaml"))
    assert_clean_bad_input(code, out, err)
    assert "file not found" in err and "nowhere.yaml" in err


def test_a_directory_is_not_a_profile(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(monkeypatch, capsys, "size", str(tmp_path))
    assert_clean_bad_input(code, out, err)


# --- through the installed script --------------------------------------------------------------


def test_script_size_json_and_exit_0(tmp_path: Path) -> None:
    result = aicommons("size", str(RIVERTON), "--format", "json", cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["city"] == "riverton"


def test_script_bad_profile_exit_2_without_traceback(tmp_path: Path) -> None:
    path = FIXTURES / "bad" / "unknown-key.yaml"
    result = aicommons("size", str(path), cwd=tmp_path)
    assert_clean_bad_input(result.returncode, result.stdout, result.stderr)
    assert (
        f"{path}:19:3: users.peak_concurent: unknown field 'peak_concurent'; did you mean 'peak_concurrent'?"
        in (result.stderr)
    )


def test_script_missing_file_exit_2(tmp_path: Path) -> None:
    result = aicommons("size", "does-not-exist.yaml", cwd=tmp_path)
    assert_clean_bad_input(result.returncode, result.stdout, result.stderr)
    assert "does-not-exist.yaml" in result.stderr


def test_script_sizing_error_exit_2(tmp_path: Path) -> None:
    data = make_profile()
    data["workloads"][1]["gpu"]["min_memory_gib"] = 200
    path = write_profile(tmp_path, data)
    result = aicommons("size", str(path), cwd=tmp_path)
    assert_clean_bad_input(result.returncode, result.stdout, result.stderr)
    assert "workloads[1].gpu.min_memory_gib" in result.stderr


def test_script_init_refuses_overwrite_exit_2(tmp_path: Path) -> None:
    first = aicommons("init", "town", "--tier", "pilot", "--provider", "aws", cwd=tmp_path)
    assert first.returncode == EXIT_OK, first.stderr
    before = (tmp_path / "town" / "profile.yaml").read_bytes()
    again = aicommons("init", "town", "--tier", "pilot", "--provider", "aws", cwd=tmp_path)
    assert_clean_bad_input(again.returncode, again.stdout, again.stderr)
    assert (tmp_path / "town" / "profile.yaml").read_bytes() == before


def test_script_version_and_help() -> None:
    version = aicommons("--version")
    assert version.returncode == EXIT_OK and version.stdout.startswith("aicommons ")
    help_ = aicommons("--help")
    assert help_.returncode == EXIT_OK
    for command in ("init", "schema", "size", "catalog"):
        assert command in help_.stdout


# --- start-up stays light ----------------------------------------------------------------------

_IMPORTED_AFTER_HELP = """
import json, sys
from typer.testing import CliRunner
from aicommons.cli.main import app
for args in (["--help"], ["size", "--help"], ["catalog", "list", "--help"], ["init", "--help"]):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (args, result.output)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))))
"""


def test_help_does_not_import_the_heavy_libraries() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTED_AFTER_HELP, *sorted(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_help_through_the_script_imports_no_heavy_library() -> None:
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [str(AICOMMONS), "--help"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == EXIT_OK, result.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "aicommons" in imported and "typer" in imported  # the import log was captured
    assert imported & HEAVY == set()
