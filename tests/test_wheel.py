"""The wheel ships its data and works outside the checkout (slow: builds and installs).

The wheel is built without build isolation (hatchling is in the test environment) and installed
with ``--no-deps`` into a fresh virtual environment in a temporary folder; the dependencies come
from the test environment's site-packages through a ``.pth`` file, so nothing is downloaded.
Every command then runs with its working directory outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

DATA_FILES = [
    "aicommons/_data/hardware_profiles/aws/instances.yaml",
    "aicommons/_data/hardware_profiles/aws/unit-prices.yaml",
    "aicommons/_data/hardware_profiles/gpus.yaml",
    "aicommons/_data/hardware_profiles/node_startup.yaml",
    "aicommons/_data/hardware_profiles/onprem/servers.yaml",
    "aicommons/_data/hardware_profiles/tiers/pilot.yaml",
    "aicommons/_data/hardware_profiles/tiers/large.yaml",
    "aicommons/_data/examples/cities/riverton.yaml",
]


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        cwd=out,
    )
    if result.returncode != 0 and "No module named build" in result.stderr:  # pragma: no cover
        result = _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "-w",
                str(out),
                str(ROOT),
            ],
            cwd=out,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    (found,) = out.glob("aicommons-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with only the wheel installed; dependencies borrowed read-only."""
    root = tmp_path_factory.mktemp("venv") / "env"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(root)], cwd=root.parent)
    assert made.returncode == 0, made.stderr
    python = root / "bin" / "python"
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=root.parent,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=root
        ).stdout.strip()
    )
    # Plain path lines only: the test environment's own .pth files (its editable install of
    # aicommons among them) are not processed, so `import aicommons` can only find the wheel.
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return root


@pytest.fixture()
def outside(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout, and an environment that cannot see the checkout."""
    assert ROOT not in tmp_path.parents
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "AICOMMONS_DEBUG"}}
    return tmp_path, env


def test_wheel_contains_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in DATA_FILES:
        assert name in names, name
    assert "aicommons/cli/main.py" in names
    assert not [n for n in names if n.startswith("tests/")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "aicommons = aicommons.cli.main:run" in text


def test_installed_package_comes_from_the_wheel(venv: Path, outside: tuple[Path, dict[str, str]]) -> None:
    cwd, env = outside
    result = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import aicommons, aicommons.resources as r; print(aicommons.__file__); "
            "print(r.data_dir('hardware_profiles'))",
        ],
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    module, data = result.stdout.split()
    assert Path(module).is_relative_to(venv), module
    assert Path(data).is_relative_to(venv) and Path(data).name == "hardware_profiles", data


def test_size_runs_from_the_wheel_outside_the_checkout(
    venv: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = outside
    profile = cwd / "riverton.yaml"
    shutil.copy(ROOT / "examples" / "cities" / "riverton.yaml", profile)
    result = _run(
        [str(venv / "bin" / "aicommons"), "size", str(profile), "--format", "json"], cwd=cwd, env=env
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert (plan["city"], plan["provider"], plan["region"]) == ("riverton", "aws", "us-east-1")
    assert {p["role"] for p in plan["pools"]} == {"core", "user", "gpu"}
    assert plan["cost"]["usd_month"] > 0
    # the same plan as the checkout computes
    checkout = _run(
        [sys.executable, "-m", "aicommons.cli", "size", str(profile), "--format", "json"], cwd=cwd, env=env
    )
    assert checkout.returncode == 0, checkout.stderr
    assert json.loads(checkout.stdout) == plan


def test_catalog_and_bad_input_from_the_wheel(venv: Path, outside: tuple[Path, dict[str, str]]) -> None:
    cwd, env = outside
    listing = _run(
        [str(venv / "bin" / "aicommons"), "catalog", "list", "--region", "eu-central-1", "--format", "json"],
        cwd=cwd,
        env=env,
    )
    assert listing.returncode == 0, listing.stderr
    assert any(row["instance_type"] == "g6.xlarge" for row in json.loads(listing.stdout))
    missing = _run([str(venv / "bin" / "aicommons"), "size", "nope.yaml"], cwd=cwd, env=env)
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr and "nope.yaml" in missing.stderr


def test_init_works_from_the_wheel(venv: Path, outside: tuple[Path, dict[str, str]]) -> None:
    cwd, env = outside
    aic = str(venv / "bin" / "aicommons")
    made = _run([aic, "init", "my-city", "--tier", "small", "--provider", "aws"], cwd=cwd, env=env)
    assert made.returncode == 0, made.stderr
    profile = cwd / "my-city" / "profile.yaml"
    data = yaml.safe_load(profile.read_text())
    assert data["city"]["slug"] == "my-city" and data["tier"] == "small"
    sized = _run([aic, "size", str(profile), "--format", "json"], cwd=cwd, env=env)
    assert sized.returncode == 0, sized.stderr
    assert json.loads(sized.stdout)["city"] == "my-city"


def test_wheel_ships_stacks_and_blueprints(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "aicommons/_data/stacks/aicommons_stacks/args.py" in names
    assert "aicommons/_data/blueprints/ai-commons-v1.yaml" in names


def test_render_runs_from_the_wheel(venv: Path, outside: tuple[Path, dict[str, str]]) -> None:
    cwd, env = outside
    profile = cwd / "riverton.yaml"
    shutil.copy(ROOT / "examples" / "cities" / "riverton.yaml", profile)
    result = _run([str(venv / "bin" / "aicommons"), "render", str(profile), "-o", "bundle"], cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    assert (cwd / "bundle" / "pulumi" / "Pulumi.yaml").exists()
