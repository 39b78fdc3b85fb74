"""What runs inside a test server, and how its answer is read (pure).

The server runs one Python cell in its default kernel (every Jupyter image has Python: the Jupyter
server itself is Python). The cell only uses the standard library and prints one line, a marker
followed by JSON, which `read_answer` parses; everything else the cell prints is ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aicommons.errors import InputError, Location

MARKER = "AICOMMONS-CHECK-RESULT "
NVIDIA_SMI = ("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv")
METADATA = ("cloud metadata endpoint", "169.254.169.254", 80)
# Another namespace's in-cluster Service present in every cluster: CoreDNS's metrics port. User
# servers may reach DNS (port 53) and the hub, nothing else on private addresses.
OTHER_NAMESPACE = ("kube-system service kube-dns:9153", "kube-dns.kube-system.svc.cluster.local", 9153)


@dataclass(frozen=True)
class Probe:
    """A TCP endpoint a user server must not reach."""

    label: str
    host: str
    port: int


def default_probes() -> list[Probe]:
    return [Probe(*METADATA), Probe(*OTHER_NAMESPACE)]


def parse_probe(text: str) -> Probe:
    """A `--probe` value: HOST:PORT, optionally `LABEL=HOST:PORT`."""
    label, _, target = text.rpartition("=")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(
            f"{text!r} is not an endpoint", Location(field="--probe"), "HOST:PORT or LABEL=HOST:PORT"
        )
    return Probe(label or f"{host}:{port}", host, int(port))


_CELL = """\
import json, os, socket, subprocess
out = {}
if GPU:
    try:
        p = subprocess.run(NVIDIA_SMI, capture_output=True, text=True, timeout=60)
        out["gpu"] = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr[-400:]}
    except FileNotFoundError:
        out["gpu"] = {"rc": None, "error": "nvidia-smi is not on the server's PATH"}
    except subprocess.TimeoutExpired:
        out["gpu"] = {"rc": None, "error": "nvidia-smi did not answer within 60 s"}
path = os.path.join(os.path.expanduser("~"), FILE_NAME)
try:
    with open(path, "w") as f:
        f.write(CONTENT)
    with open(path) as f:
        back = f.read()
    os.remove(path)
    out["home"] = {"path": path, "same": back == CONTENT}
except OSError as e:
    out["home"] = {"path": path, "error": f"{type(e).__name__}: {e.strerror or e}"}
out["probes"] = []
for label, host, port in PROBES:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            result = "connected"
    except socket.timeout:
        result = "timed out"
    except ConnectionRefusedError:
        result = "refused"
    except socket.gaierror:
        result = "name not resolved"
    except OSError as e:
        result = e.strerror or type(e).__name__
    out["probes"].append({"label": label, "result": result})
print(MARKER + json.dumps(out))
"""


def server_cell(gpu: bool, file_name: str, content: str, probes: list[Probe], timeout: float) -> str:
    """The cell a test server runs: the values are Python literals (repr), never formatted code."""
    head = "".join(
        f"{name} = {value!r}\n"
        for name, value in (
            ("GPU", gpu),
            ("NVIDIA_SMI", list(NVIDIA_SMI)),
            ("FILE_NAME", file_name),
            ("CONTENT", content),
            ("PROBES", [(p.label, p.host, p.port) for p in probes]),
            ("TIMEOUT", timeout),
            ("MARKER", MARKER),
        )
    )
    return head + _CELL


class AnswerError(ValueError):
    """The server's output carries no readable answer."""


def read_answer(output: str) -> dict[str, Any]:
    """The JSON the cell printed after the marker (the last such line wins)."""
    lines = [line for line in output.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise AnswerError(f"the server printed no answer: {output[-300:]!r}")
    try:
        answer = json.loads(lines[-1][len(MARKER) :])
    except json.JSONDecodeError as exc:
        raise AnswerError(f"the server's answer is not JSON: {exc}") from None
    if not isinstance(answer, dict):
        raise AnswerError("the server's answer is not an object")
    return answer


@dataclass(frozen=True)
class Gpu:
    name: str
    memory: str


def parse_nvidia_smi(csv_text: str) -> list[Gpu]:
    """`nvidia-smi --query-gpu=name,memory.total --format=csv`: a header, then one line per GPU,
    e.g. ``NVIDIA A10G, 23028 MiB`` (the memory as nvidia-smi prints it, unit included)."""
    rows = [line.strip() for line in csv_text.splitlines() if line.strip()]
    if not rows or not rows[0].lower().startswith("name"):
        return []
    gpus = []
    for row in rows[1:]:
        name, _, memory = row.rpartition(",")
        if name:
            gpus.append(Gpu(name.strip(), memory.strip()))
    return gpus
