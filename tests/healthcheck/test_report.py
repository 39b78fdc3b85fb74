"""The pure part of the health check: targets from the bundle, the server's answer, pass/fail, JUnit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from aicommons.errors import InputError
from aicommons.healthcheck import report
from aicommons.healthcheck.probe import (
    Gpu,
    Probe,
    default_probes,
    parse_nvidia_smi,
    parse_probe,
    read_answer,
    server_cell,
)
from aicommons.healthcheck.service import SERVICE_SCOPES, TEST_USER, hub_values
from aicommons.healthcheck.targets import ExpectedWait, expected_waits, targets
from aicommons.sizing.plan import SizingPlan
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"


def _bundle(city: str) -> tuple[dict, dict]:
    values = yaml.safe_load((GOLDEN / city / "helm" / "jupyterhub.values.yaml").read_text())
    lock = json.loads((GOLDEN / city / "aicommons.lock.json").read_text())
    return values, lock


def _targets(city: str, only: tuple[str, ...] = (), waits=None):  # type: ignore[no-untyped-def]
    values, lock = _bundle(city)
    return targets(values, SizingPlan.model_validate(lock["sizing"]), waits or {}, only)


# --- targets ---------------------------------------------------------------------------------------


def test_targets_follow_the_profile_list_and_count_exclusive_gpus_only() -> None:
    got = {t.slug: (t.gpus, t.exact_gpus, t.pool) for t in _targets("metro")}
    assert list(got) == [
        "notebook",
        "analytics-large",
        "gpu-shared",
        "inference-mig",
        "finetune",
        "train-a100",
        "train-h100",
    ]
    assert got["notebook"] == (0, None, "user")
    # time-sliced and MIG servers see the parent GPU: at least one, not an exact count
    assert got["gpu-shared"] == (1, None, "gpu-l4-shared")
    assert got["inference-mig"] == (1, None, "gpu-a100-mig")
    assert got["train-a100"] == (8, 8, "gpu-a100")


def test_profiles_option_picks_and_refuses_unknown_slugs() -> None:
    assert [t.slug for t in _targets("riverton", ("gpu-small",))] == ["gpu-small"]
    with pytest.raises(InputError) as err:
        _targets("riverton", ("gpu-large",))
    assert "gpu-large" in err.value.render() and "notebook, gpu-small" in err.value.render()


def test_project_profiles_open_only_to_their_groups_are_not_started() -> None:
    """The test user is in no group: the hub's profile filter would refuse a sandbox profile."""
    values, lock = _bundle("riverton")
    values["singleuser"]["profileList"].append({"slug": "project-bus-routes", "kubespawner_override": {}})
    values["custom"] = {"aicommons": {"profileGroups": {"project-bus-routes": ["bus-team"]}}}
    plan = SizingPlan.model_validate(lock["sizing"])
    assert [t.slug for t in targets(values, plan, {})] == ["notebook", "gpu-small"]
    with pytest.raises(InputError, match="project-bus-routes"):
        targets(values, plan, {}, ("project-bus-routes",))


def test_expected_wait_comes_from_the_plans_simulation_when_it_has_one() -> None:
    lock = {
        "simulation": {"pools": [{"name": "gpu-t4", "wait_p50_seconds": 40.0, "wait_p95_seconds": 181.4}]}
    }
    waits = expected_waits(lock)
    assert waits == {"gpu-t4": ExpectedWait(40.0, 181.4)}
    by_slug = {t.slug: t for t in _targets("riverton", waits=waits)}
    assert report.started(by_slug["gpu-small"], 12.34).detail == (
        "ready in 12.3 s (the plan expects 40 s median, 181 s p95)"
    )
    assert report.started(by_slug["notebook"], 3.0).detail == "ready in 3.0 s (no expected wait in the plan)"
    _, riverton_lock = _bundle("riverton")
    assert expected_waits(riverton_lock) == {}  # today's plans carry no wait figures


# --- the service the bundle provisions -------------------------------------------------------------


def test_every_scope_of_the_service_is_filtered_to_the_test_user() -> None:
    assert all(s.endswith(f"!user={TEST_USER}") for s in SERVICE_SCOPES)
    assert not any(s.split("!")[0] in ("tokens", "admin:users") for s in SERVICE_SCOPES)
    values, _ = _bundle("riverton")
    assert values["hub"]["services"] == hub_values()["services"]
    assert "apiToken" not in values["hub"]["services"]["aicommons-check"]  # z2jh generates it
    assert values["hub"]["loadRoles"]["aicommons-check-user"]["users"] == [TEST_USER]


# --- what the server runs, run here for real -----------------------------------------------------


def test_the_server_cell_runs_and_its_answer_is_judged(tmp_path: Path) -> None:
    """The cell as a server runs it: a fake nvidia-smi first on the PATH, HOME a temporary folder,
    a closed local port (refused) and an open one (connected)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text('#!/bin/sh\necho "name, memory.total [MiB]"\necho "NVIDIA A10G, 23028 MiB"\n')
    smi.chmod(0o755)
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    probes = [
        Probe("closed", "127.0.0.1", closed_port),
        Probe("open", "127.0.0.1", listener.getsockname()[1]),
    ]
    cell = server_cell(True, ".check-file", "abc123", probes, 2.0)
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", cell], env=env, capture_output=True, text=True, timeout=30
        )
    finally:
        listener.close()
    answer = read_answer("noise before\n" + done.stdout)
    target = _targets("riverton", ("gpu-small",))[0]
    outcomes = report.judge_answer(target, probes, answer)
    assert [(o.step, o.status) for o in outcomes] == [
        ("gpu", "passed"),
        ("home volume", "passed"),
        ("unreachable: closed", "passed"),
        ("unreachable: open", "failed"),
    ]
    assert outcomes[0].detail == "1 × NVIDIA A10G (23028 MiB)"
    assert "refused" in outcomes[2].detail
    assert not (tmp_path / ".check-file").exists()  # the cell removes what it wrote


def test_read_answer_refuses_output_without_the_marker() -> None:
    from aicommons.healthcheck.probe import AnswerError

    with pytest.raises(AnswerError, match="no answer"):
        read_answer("Traceback ...\nNameError: x\n")


# --- judging ---------------------------------------------------------------------------------------


def test_nvidia_smi_csv_is_read_line_by_line() -> None:
    text = "name, memory.total [MiB]\nNVIDIA A100-SXM4-80GB, 81920 MiB\nNVIDIA A100-SXM4-80GB, 81920 MiB\n"
    assert parse_nvidia_smi(text) == [Gpu("NVIDIA A100-SXM4-80GB", "81920 MiB")] * 2
    assert parse_nvidia_smi("No devices were found\n") == []
    assert report.gpu_text([Gpu("A", "1 MiB"), Gpu("B", "2 MiB"), Gpu("A", "1 MiB")]) == (
        "2 × A (1 MiB), 1 × B (2 MiB)"
    )


def test_an_exclusive_profile_must_see_all_its_gpus() -> None:
    train = _targets("metro", ("train-a100",))[0]
    one = {"rc": 0, "stdout": "name, memory.total [MiB]\nNVIDIA A100-SXM4-80GB, 81920 MiB\n"}
    outcome = report.judge_answer(train, [], {"gpu": one, "home": {"path": "/h/f", "same": True}})[0]
    assert (outcome.status, outcome.detail) == (
        "failed",
        "expected 8 GPU(s), got 1 × NVIDIA A100-SXM4-80GB (81920 MiB)",
    )
    shared = _targets("metro", ("gpu-shared",))[0]
    assert report.judge_answer(shared, [], {"gpu": one, "home": {"same": True}})[0].status == "passed"


def test_missing_nvidia_smi_home_errors_and_unreported_probes_fail() -> None:
    gpu = _targets("riverton", ("gpu-small",))[0]
    answer = {
        "gpu": {"rc": None, "error": "nvidia-smi is not on the server's PATH"},
        "home": {"path": "/home/jovyan/x", "error": "PermissionError: Permission denied"},
        "probes": [],
    }
    outcomes = report.judge_answer(gpu, default_probes(), answer)
    assert [o.status for o in outcomes] == ["failed"] * 4
    assert outcomes[0].detail == "nvidia-smi is not on the server's PATH"
    assert outcomes[1].detail == "/home/jovyan/x: PermissionError: Permission denied"
    assert outcomes[2].detail == "the server did not report this probe"


def test_a_name_that_does_not_resolve_proves_nothing() -> None:
    """Only a failed connection shows isolation; an unknown name is reported, neither pass nor fail."""
    notebook = _targets("riverton", ("notebook",))[0]
    probes = default_probes()
    answer = {
        "home": {"path": "/h/f", "same": True},
        "probes": [
            {"label": probes[0].label, "result": "timed out"},
            {"label": probes[1].label, "result": "name not resolved"},
        ],
    }
    outcomes = report.judge_answer(notebook, probes, answer)
    assert [o.status for o in outcomes] == ["passed", "passed", "skipped"]
    assert outcomes[2].detail == (
        "kube-dns.kube-system.svc.cluster.local does not resolve from the server, so its reachability is unknown"
    )


def test_exit_code_and_junit() -> None:
    passed = report.Outcome("notebook", "start", "passed", "ready in 3.0 s", 3.0)
    skipped = report.Outcome("gpu", "gpu", "skipped", "the server did not start")
    failed = report.Outcome("gpu", "start", "failed", "Spawn failed: <timeout> & more")
    assert report.exit_code([passed, skipped]) == 0
    assert report.exit_code([passed, failed, skipped]) == 1
    xml = report.junit([passed, failed, skipped])
    assert xml == report.junit([passed, failed, skipped])  # no clock, no randomness
    root = ET.fromstring(xml.split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("3", "1", "1")
    cases = root.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("notebook", "start"),
        ("gpu", "start"),
        ("gpu", "gpu"),
    ]
    assert cases[0].get("time") == "3.000" and cases[1].get("time") is None
    assert cases[1].find("failure").get("message") == "Spawn failed: <timeout> & more"  # escaped, intact


def test_probe_option() -> None:
    assert parse_probe("db=hub-db-rw.jupyterhub.svc:5432") == Probe("db", "hub-db-rw.jupyterhub.svc", 5432)
    assert parse_probe("10.0.0.1:80") == Probe("10.0.0.1:80", "10.0.0.1", 80)
    for bad in ("nohost", "h:0", "h:http", ":80"):
        with pytest.raises(InputError):
            parse_probe(bad)
