"""The recorded Prometheus answers of tests/fixtures/prometheus: a 6-hour window, one sample an hour.

Window: Monday 2026-11-02 00:00-06:00 UTC, steps 0..5. Prices (plan.json): core m5.large $0.10/h,
user m5.xlarge $0.20/h, gpu-t4-shared g4dn.xlarge $0.50/h (time-sliced, 4 slots per node).

Nodes: core-1 (2 cpu, 8 GiB) and user-a (4 cpu, 16 GiB) steps 0-5; user-b (4 cpu, 16 GiB) only
steps 2-3 (scaled up, then down); gpu-a (4 GPU slots) steps 0-5.

Pods: the hub (0.5 cpu, 1 GiB) on core-1; bob (0.5 cpu, 8 GiB, labelled workload=standard) on
user-a 0-5; alice (1 cpu, 4 GiB, no workload label) on user-a 1-2 then, a new pod of the same
name, on user-b 3 (the pod that moved); erin (1 cpu, 4 GiB) in namespace project-roads, which
has no namespace label, on user-b 2-3; carol (2 cpu, 8 GiB, 1 slot) in project-flood, labelled
by its namespace, on gpu-a 0-5; dave (1 slot) on gpu-a 2-3; node-exporter (0.1 cpu) on every
user and GPU node.
"""

from __future__ import annotations

import json
from pathlib import Path

from aicommons.sizing.plan import SizingPlan
from aicommons.usage.series import QUERIES, Observations, parse_matrix

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "prometheus"
START = 1793577600  # 2026-11-02T00:00:00Z, a Monday
HOUR = 3600
END = START + 6 * HOUR


def body(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def observations() -> Observations:
    return Observations(
        START, END, HOUR, {name: parse_matrix(body(name), f"{name}.json") for name in QUERIES}
    )


def plan() -> SizingPlan:
    return SizingPlan.model_validate_json((FIXTURES / "plan.json").read_text(encoding="utf-8"))
