"""Errors a city meets in its first hour: each names the profile field with its file:line, the
constraint that failed with its numbers, and what to write; never a stack key or a traceback."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from aicommons.cli.main import run
from aicommons.errors import EXIT_BAD_INPUT
from aicommons.profile.starter import starter_profile


def bad_profile(tmp_path: Path, tier: str, provider: str, change: Any) -> Path:
    doc = yaml.safe_load(starter_profile(tier, provider, "badtown"))
    change(doc)
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    try:
        run()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_budget_without_alert_recipients_is_asked_for_in_the_profile(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    path = bad_profile(tmp_path, "small", "aws", lambda d: d["budget"].update(alert_emails=[]))
    code, err = cli(monkeypatch, capsys, "render", str(path), "-o", str(tmp_path / "bundle"))
    assert code == EXIT_BAD_INPUT
    assert "budget_alert_emails" not in err
    assert f"{path}:{line_of(path, 'alert_emails')}:3: budget.alert_emails:" in err
    assert "alert_emails: [" in err  # what to write
    assert not (tmp_path / "bundle").exists()


def test_a_stack_key_in_a_stack_error_reads_as_the_profile_field() -> None:
    from aicommons.plan.offline import _in_profile_terms

    error = _in_profile_terms("private_subnet_ids: required with existing_vpc_id", "infra")
    assert error.render().startswith(
        "target.existing_vpc.private_subnet_ids: required with target.existing_vpc.vpc_id"
    )
    assert not re.search(r"(?<![.\w])(private_subnet_ids|existing_vpc_id)", error.render())
    both = _in_profile_terms("budget_alert_emails, budget_alert_thresholds: at least one each", "infra")
    assert both.render().startswith("budget.alert_emails, budget.alert_thresholds: at least one each")
    # A bundle edited by hand keeps the stack's terms: its keys are not the profile's.
    edited = _in_profile_terms("infra.node_pools[0]: unknown keys ['bogus']; allowed: ['zones']", "infra")
    assert edited.render() == "stack infra: infra.node_pools[0]: unknown keys ['bogus']; allowed: ['zones']"


def _mig(profile: str, min_gib: float, models: list[str] | None = None):  # type: ignore[no-untyped-def]
    def change(d: dict[str, Any]) -> None:
        gpu: dict[str, Any] = {"min_memory_gib": min_gib, "sharing": {"mode": "mig", "mig_profile": profile}}
        if models:
            gpu["models"] = models
        d["workloads"][2]["gpu"] = gpu

    return change


def test_mig_on_a_gpu_without_mig_names_the_gpus(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # The starter cluster's only GPU node is an L40S; L40S has no MIG (gpus.yaml).
    path = bad_profile(tmp_path, "small", "kubernetes", _mig("1g.10gb", 5))
    code, err = cli(monkeypatch, capsys, "size", str(path))
    assert code == EXIT_BAD_INPUT
    assert f"{path}:{line_of(path, 'sharing:')}:" in err and "workloads[2].gpu.sharing:" in err
    assert "(L40S) supports MIG" in err and "A100-40GB, H100-80GB" in err


def test_mig_on_t4_on_aws_names_the_gpu(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    path = bad_profile(tmp_path, "small", "aws", _mig("1g.10gb", 5, ["T4"]))
    code, err = cli(monkeypatch, capsys, "size", str(path))
    assert code == EXIT_BAD_INPUT
    assert "aws us-east-1 (T4) supports MIG" in err


def test_a_mig_slice_below_min_memory_gives_both_numbers(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # 1g.5gb is 5 GiB of GPU memory; the workload asks for 12 GiB: 5 < 12.
    def change(d: dict[str, Any]) -> None:
        d["target"]["node_types"][1].update(gpu_model="A100-40GB", gpu_memory_gib=40)
        _mig("1g.5gb", 12)(d)

    path = bad_profile(tmp_path, "small", "kubernetes", change)
    code, err = cli(monkeypatch, capsys, "size", str(path))
    assert code == EXIT_BAD_INPUT
    assert f"{path}:{line_of(path, 'mig_profile:')}:" in err
    assert "MIG slice '1g.5gb' has 5 GiB of GPU memory, less than the min_memory_gib: 12" in err
    allowed = err.split("allowed: ")[1]
    assert "1g.20gb" in allowed and "1g.10gb" not in allowed  # 10 GiB < 12 is not offered


def test_an_unknown_gpu_model_in_node_types_lists_the_known_ones(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    path = bad_profile(
        tmp_path, "small", "kubernetes", lambda d: d["target"]["node_types"][1].update(gpu_model="X100")
    )
    code, err = cli(monkeypatch, capsys, "size", str(path))
    assert code == EXIT_BAD_INPUT
    assert f"{path}:{line_of(path, 'X100')}:" in err
    assert "target.node_types[1].gpu_model: unknown GPU model 'X100'" in err and "L40S" in err


def test_node_limits_count_every_pool_that_uses_a_node_type(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # Small tier on the starter cluster: core 2 + user 2 + user-large-memory 2 cpu-nodes = 6 > max_nodes 2.
    path = bad_profile(
        tmp_path, "small", "kubernetes", lambda d: d["target"]["node_types"][0].update(max_nodes=2)
    )
    code, err = cli(monkeypatch, capsys, "size", str(path))
    assert code == EXIT_BAD_INPUT
    assert f"{path}:{line_of(path, 'max_nodes')}:" in err
    assert "needs 6 cpu-node nodes at peak (core 2, user 2, user-large-memory 2)" in err
    assert "max_nodes: 2" in err and "at least 6" in err


def test_node_limits_too_low_for_one_pool_say_so(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # 42 notebook servers of 0.5 CPU / 2 GiB need more than one 15.5-CPU, 60-GiB node (42 x 2 = 84 GiB > 60).
    path = bad_profile(
        tmp_path, "small", "kubernetes", lambda d: d["target"]["node_types"][0].update(max_nodes=1)
    )
    code, err = cli(monkeypatch, capsys, "size", str(path))
    assert code == EXIT_BAD_INPUT
    assert "notebook 42" in err and "cpu-node max_nodes: 1" in err
