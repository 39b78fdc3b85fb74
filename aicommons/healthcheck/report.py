"""Pass or fail for each step of the health check, and the report (pure).

The shell (``run.py``) records what happened; the functions here decide what it means and
write the table and the JUnit XML. Nothing here reads the clock: latencies come in as numbers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aicommons.errors import EXIT_FAILED, EXIT_OK
from aicommons.healthcheck.probe import Gpu, Probe, parse_nvidia_smi
from aicommons.healthcheck.targets import ExpectedWait, Target

Status = Literal["passed", "failed", "skipped"]
NO_EXPECTED_WAIT = "no expected wait in the plan"


@dataclass(frozen=True)
class Outcome:
    """One step of one profile's check."""

    profile: str
    step: str
    status: Status
    detail: str
    seconds: float | None = None  # the start latency, on the start step


def started(target: Target, seconds: float) -> Outcome:
    return Outcome(
        target.slug,
        "start",
        "passed",
        f"ready in {seconds:.1f} s ({expected_text(target.expected_wait)})",
        seconds,
    )


def not_started(target: Target, why: str, seconds: float | None) -> Outcome:
    return Outcome(target.slug, "start", "failed", why, seconds)


def expected_text(wait: ExpectedWait | None) -> str:
    if wait is None:
        return NO_EXPECTED_WAIT
    return f"the plan expects {wait.p50_seconds:.0f} s median, {wait.p95_seconds:.0f} s p95"


def skipped_after_start(target: Target, probes: Sequence[Probe], why: str) -> list[Outcome]:
    return [Outcome(target.slug, step, "skipped", why) for step in steps_inside(target, probes)]


def steps_inside(target: Target, probes: Sequence[Probe]) -> list[str]:
    """The steps that run inside a started server, in report order."""
    return [*(["gpu"] if target.gpus else []), "home volume", *(f"unreachable: {p.label}" for p in probes)]


def judge_answer(target: Target, probes: Sequence[Probe], answer: Mapping[str, Any]) -> list[Outcome]:
    """The server's answer (probe.read_answer) as one outcome per step."""
    out = []
    if target.gpus:
        out.append(_judge_gpu(target, answer.get("gpu") or {}))
    out.append(_judge_home(target, answer.get("home") or {}))
    results = {p.get("label"): p.get("result") for p in answer.get("probes") or [] if isinstance(p, Mapping)}
    for probe in probes:
        result = results.get(probe.label)
        step = f"unreachable: {probe.label}"
        if result is None:
            out.append(Outcome(target.slug, step, "failed", "the server did not report this probe"))
        elif result == "connected":
            out.append(
                Outcome(
                    target.slug,
                    step,
                    "failed",
                    f"{probe.host}:{probe.port} accepted a connection from the user server",
                )
            )
        elif result == "name not resolved":  # proves nothing about isolation: inconclusive
            out.append(
                Outcome(
                    target.slug,
                    step,
                    "skipped",
                    f"{probe.host} does not resolve from the server, so its reachability is unknown",
                )
            )
        else:
            out.append(Outcome(target.slug, step, "passed", f"{probe.host}:{probe.port} {result}"))
    return out


def _judge_gpu(target: Target, gpu: Mapping[str, Any]) -> Outcome:
    if gpu.get("rc") != 0:
        why = gpu.get("error") or f"nvidia-smi exited {gpu.get('rc')}: {str(gpu.get('stderr', '')).strip()}"
        return Outcome(target.slug, "gpu", "failed", str(why))
    gpus = parse_nvidia_smi(str(gpu.get("stdout", "")))
    if not gpus:
        return Outcome(target.slug, "gpu", "failed", "nvidia-smi listed no GPU")
    got = gpu_text(gpus)
    if target.exact_gpus is not None and len(gpus) != target.exact_gpus:
        return Outcome(target.slug, "gpu", "failed", f"expected {target.exact_gpus} GPU(s), got {got}")
    return Outcome(target.slug, "gpu", "passed", got)


def gpu_text(gpus: Sequence[Gpu]) -> str:
    """``2 × NVIDIA A10G (23028 MiB)``; different models are listed one by one."""
    kinds = sorted({(g.name, g.memory) for g in gpus})
    return ", ".join(f"{sum(1 for g in gpus if (g.name, g.memory) == k)} × {k[0]} ({k[1]})" for k in kinds)


def _judge_home(target: Target, home: Mapping[str, Any]) -> Outcome:
    path = home.get("path", "~")
    if home.get("error"):
        return Outcome(target.slug, "home volume", "failed", f"{path}: {home['error']}")
    if home.get("same") is not True:
        return Outcome(target.slug, "home volume", "failed", f"{path}: read back something else")
    return Outcome(target.slug, "home volume", "passed", f"wrote and read {path}")


def stopped(target: Target) -> Outcome:
    return Outcome(target.slug, "stop", "passed", "server stopped")


def not_stopped(target: Target, why: str) -> Outcome:
    return Outcome(target.slug, "stop", "failed", why)


def exit_code(outcomes: Sequence[Outcome]) -> int:
    return EXIT_FAILED if any(o.status == "failed" for o in outcomes) else EXIT_OK


def table(outcomes: Sequence[Outcome]) -> str:
    """Plain text, one line per step, in the order the steps ran (profile-list order)."""
    width = max((len(o.profile) for o in outcomes), default=0)
    mark = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}
    lines = [f"{mark[o.status]}  {o.profile:<{width}}  {o.step}: {o.detail}" for o in outcomes]
    failed = sum(o.status == "failed" for o in outcomes)
    passed = sum(o.status == "passed" for o in outcomes)
    skipped = len(outcomes) - failed - passed
    lines.append(f"{passed} passed, {failed} failed, {skipped} skipped")
    return "\n".join(lines) + "\n"


def junit(outcomes: Sequence[Outcome], suite: str = "aicommons check --live") -> str:
    """JUnit XML: one testsuite, one testcase per step (classname the profile), in run order.
    Only the start step carries a time (its latency)."""
    failures = sum(o.status == "failed" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    root = ET.Element(
        "testsuite",
        {"name": suite, "tests": str(len(outcomes)), "failures": str(failures), "skipped": str(skipped)},
    )
    for o in outcomes:
        attrs = {"classname": o.profile, "name": o.step}
        if o.seconds is not None:
            attrs["time"] = f"{o.seconds:.3f}"
        case = ET.SubElement(root, "testcase", attrs)
        if o.status == "failed":
            ET.SubElement(case, "failure", {"message": o.detail})
        elif o.status == "skipped":
            ET.SubElement(case, "skipped", {"message": o.detail})
        else:
            ET.SubElement(case, "system-out").text = o.detail
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
