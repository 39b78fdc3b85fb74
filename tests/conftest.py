"""Shared helpers: where the repository is, and builders for valid profiles as plain dicts.

The builders return dicts (not models) so that a test can break one field and see what the
loader or the sizing says about it. ``make_profile()`` is a small AWS city that sizes.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "cities").glob("*.yaml"))
TIERS = sorted((ROOT / "hardware_profiles" / "tiers").glob("*.yaml"))
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "profiles"
VENV_BIN = Path(sys.executable).parent  # the environment running the tests (.venv/bin)

CPU_IMAGE = "quay.io/jupyter/datascience-notebook:2025-10-20"
GPU_IMAGE = "quay.io/jupyter/pytorch-notebook:cuda12-2025-10-20"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def riverton_path() -> Path:
    return ROOT / "examples" / "cities" / "riverton.yaml"


UPSTREAM_CHARTS_ENV = "AICOMMONS_TEST_CHARTS"


@pytest.fixture(scope="session")
def upstream_charts() -> Path:
    """The folder of upstream chart archives (``<chart>-<version>.tgz``) the tests render and serve."""
    folder = os.environ.get(UPSTREAM_CHARTS_ENV)
    if not folder or not Path(folder).is_dir():
        pytest.skip(
            "upstream charts not available: set AICOMMONS_TEST_CHARTS "
            "(make test points it at ../shared/upstream-charts)"
        )
    return Path(folder)


STANDARDS_ENV = "AICOMMONS_TEST_STANDARDS"


@pytest.fixture(scope="session")
def reference_standards() -> Path:
    """The project's reference copies of the published standards (the schemas the product ships)."""
    folder = os.environ.get(STANDARDS_ENV)
    if not folder or not Path(folder).is_dir():
        pytest.skip(
            "reference standards not available: set AICOMMONS_TEST_STANDARDS "
            "(make test points it at ../shared/standards)"
        )
    return Path(folder)


def cpu_workload(name: str = "notebook", cpu: Any = 0.5, memory: Any = 2, **extra: Any) -> dict[str, Any]:
    """A CPU environment; ``share=0.8`` unless ``share`` or ``peak`` is given."""
    workload: dict[str, Any] = {
        "name": name,
        "image": CPU_IMAGE,
        "cpu": {"request": cpu, "limit": cpu if isinstance(cpu, str) else max(cpu, 2)},
        "memory": {"request": memory, "limit": memory if isinstance(memory, str) else max(memory, 4)},
    }
    workload.update(extra)
    if "share" not in workload and "peak" not in workload:
        workload["share"] = 0.8
    return workload


def gpu_workload(
    name: str = "gpu",
    cpu: float = 2,
    memory: float = 8,
    gpu: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A GPU environment; one exclusive GPU of at least 15 GiB and ``peak=2`` by default."""
    workload: dict[str, Any] = {
        "name": name,
        "image": GPU_IMAGE,
        "cpu": {"request": cpu, "limit": cpu + 2},
        "memory": {"request": memory, "limit": memory + 4},
        "gpu": gpu if gpu is not None else {"count": 1, "min_memory_gib": 15},
    }
    workload.update(extra)
    if "share" not in workload and "peak" not in workload:
        workload["peak"] = 2
    return workload


def make_profile(
    workloads: list[dict[str, Any]] | None = None,
    *,
    registered: int = 100,
    peak: int = 20,
    region: str = "us-east-1",
    zones: list[str] | None = None,
    budget: float = 100_000,
    **top: Any,
) -> dict[str, Any]:
    """A valid AWS profile as a plain dict; top-level keys in ``top`` replace or add sections."""
    profile: dict[str, Any] = {
        "apiVersion": "aicommons.dev/v1",
        "kind": "CityProfile",
        "city": {"slug": "testville", "name": "Testville", "country": "US", "population": 50_000},
        "target": {
            "provider": "aws",
            "region": region,
            "availability_zones": zones if zones is not None else [f"{region}a", f"{region}b"],
        },
        "users": {"registered": registered, "peak_concurrent": peak},
        "workloads": copy.deepcopy(workloads) if workloads is not None else [cpu_workload(), gpu_workload()],
        "budget": {"monthly": budget},
    }
    profile.update(copy.deepcopy(top))
    return profile


def profile_yaml(profile: dict[str, Any]) -> str:
    return yaml.safe_dump(profile, sort_keys=False)


def write_profile(directory: Path, profile: dict[str, Any], name: str = "profile.yaml") -> Path:
    path = directory / name
    path.write_text(profile_yaml(profile), encoding="utf-8")
    return path


def load_dict(profile: dict[str, Any], name: str = "profile.yaml"):  # type: ignore[no-untyped-def]
    """Validate a profile dict through the same located loader the CLI uses."""
    from aicommons.profile import load_profile_text

    return load_profile_text(profile_yaml(profile), name)
