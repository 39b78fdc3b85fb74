"""The plan worker gives the plans and errors of planning in-process, and is replaced by it when it fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import aicommons.plan.bundle as bundle_module
from aicommons.errors import EXIT_BAD_INPUT, InputError
from aicommons.plan import wire
from aicommons.plan.background import WORKER_COMMAND, PlanWorker
from aicommons.plan.bundle import plan_bundle
from aicommons.plan.model import StackPlan
from tests.conftest import ROOT
from tests.stacks import riverton
from tests.stacks.test_bundle_plan import write_stack_files

# The CLI's process imports the kubernetes client only for its quantity parser (the cluster
# check's admission model, about 0.25 s); the Pulumi SDKs stay in the worker.
HEAVY = {"pulumi", "pulumi_aws", "pulumi_kubernetes"}


@pytest.fixture(scope="module")
def disk_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stack_files(riverton.write_bundle(tmp_path_factory.mktemp("worker-bundle")))


@pytest.fixture(scope="module")
def in_process(disk_bundle: Path) -> list[StackPlan]:
    return plan_bundle(disk_bundle)


@pytest.fixture
def worker_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning in this process fails the test: the answer has to come from the worker."""

    def refuse(bundle_root: Path) -> list[StackPlan]:
        raise AssertionError(f"planned {bundle_root} in-process")

    monkeypatch.setattr(bundle_module, "plan_bundle", refuse)


def through_worker(bundle: Path, command: tuple[str, ...] = WORKER_COMMAND) -> list[StackPlan]:
    with PlanWorker.start(command) as worker:
        worker.submit(bundle)
        return worker.plans()


def test_the_worker_plans_as_in_process(
    disk_bundle: Path, in_process: list[StackPlan], worker_only: None
) -> None:
    assert through_worker(disk_bundle) == in_process


def _no_project_file(bundle: Path) -> None:
    (bundle / "pulumi" / "Pulumi.yaml").unlink()


def _unknown_pool_key(bundle: Path) -> None:
    path = bundle / "pulumi" / "Pulumi.infra.yaml"
    data = yaml.safe_load(path.read_text())
    data["config"]["aicommons:infra"]["node_pools"][0]["bogus"] = 1
    path.write_text(yaml.safe_dump(data))


def _tampered_archive(bundle: Path) -> None:
    """A vendored chart archive whose bytes are not the pinned ones (helm/vendor/, render --vendor-charts)."""
    path = bundle / "pulumi" / "Pulumi.platform.yaml"
    data = yaml.safe_load(path.read_text())
    hub = next(r for r in data["config"]["aicommons:platform"]["releases"] if r["name"] == "jupyterhub")
    hub.update(archive="helm/vendor/jupyterhub-4.3.3.tgz", archive_sha256="0" * 64)
    path.write_text(yaml.safe_dump(data))
    (bundle / "helm" / "vendor").mkdir()
    (bundle / "helm" / "vendor" / "jupyterhub-4.3.3.tgz").write_bytes(b"not the pinned bytes")


@pytest.mark.parametrize("breakage", [_no_project_file, _unknown_pool_key, _tampered_archive])
def test_a_bad_bundle_gives_the_same_located_error(
    tmp_path: Path, breakage: Callable[[Path], None], worker_only: None
) -> None:
    bundle = write_stack_files(riverton.write_bundle(tmp_path))
    breakage(bundle)
    with pytest.raises(InputError) as here:
        plan_bundle(bundle)  # bound at import: planning here still works in this test
    with pytest.raises(InputError) as there:
        through_worker(bundle)
    assert type(there.value) is type(here.value)
    assert there.value.render() == here.value.render()
    assert there.value.location == here.value.location and here.value.location is not None
    assert there.value.exit_code == EXIT_BAD_INPUT


_CRASH = (
    "import json, sys; sys.stdin.readline(); "
    f"print(json.dumps({{'aicommons': {wire.PACKAGE!r}, 'error': {{'kind': 'crash', 'text': 'boom'}}}}))"
)


@pytest.mark.parametrize(
    "command",
    [
        (str(Path(sys.executable).parent / "no-such-python"),),  # cannot start
        (sys.executable, "-c", "pass"),  # dies without a reply
        (sys.executable, "-c", _CRASH),  # a bug in the worker: planned again here, to show it as is
    ],
    ids=["no-start", "dies", "crash"],
)
def test_a_failing_worker_falls_back_to_planning_in_process(
    disk_bundle: Path, in_process: list[StackPlan], command: tuple[str, ...]
) -> None:
    assert through_worker(disk_bundle, command) == in_process


def test_the_worker_is_ended_on_every_way_out() -> None:
    with pytest.raises(KeyboardInterrupt), PlanWorker.start() as worker:
        process = worker._process
        assert process is not None and process.poll() is None
        raise KeyboardInterrupt
    assert process.returncode is not None  # ended and reaped, not left running or a zombie


_CLI = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))), file=sys.stderr))
from aicommons.cli.main import run
run()
"""


def test_the_cli_plans_through_the_worker_without_loading_pulumi(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    env = {k: v for k, v in os.environ.items() if k != "AICOMMONS_DEBUG"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"HEAVY = {sorted(HEAVY)!r}" + _CLI,
            "plan",
            "--bundle",
            str(out),
            "-f",
            "json",
        ]
        + [str(ROOT / "examples" / "cities" / "riverton.yaml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []  # the worker loaded the SDK, not the CLI
    expected = [
        {"type": r.type, "name": r.name, "stack": r.stack, "inputs": r.inputs, "protect": r.protect}
        for s in plan_bundle(out)
        for r in s.resources
    ]
    assert json.loads(result.stdout)["resources"] == expected
