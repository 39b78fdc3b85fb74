"""Kubernetes-style quantities: CPU in cores and memory in GiB, from numbers or strings."""

from __future__ import annotations

import re

_MEM_UNITS = {
    "Ki": 1 / 1024**2,
    "Mi": 1 / 1024,
    "Gi": 1.0,
    "Ti": 1024.0,
    "K": 1e3 / 1024**3,
    "M": 1e6 / 1024**3,
    "G": 1e9 / 1024**3,
    "T": 1e12 / 1024**3,
}
_MEM_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(Ki|Mi|Gi|Ti|K|M|G|T)?\s*$")
_CPU_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(m)?\s*$")


def parse_cpu(value: object) -> float:
    """Cores from 2, 0.5, "500m" or "2"."""
    if isinstance(value, bool):
        raise ValueError("expected a number of cores such as 2, 0.5 or '500m'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _CPU_RE.match(value)
        if m:
            number = float(m.group(1))
            return number / 1000 if m.group(2) else number
    raise ValueError(f"{value!r} is not a CPU quantity: use cores (2, 0.5) or millicores ('500m')")


def parse_memory_gib(value: object) -> float:
    """GiB from 4 (GiB), 4.5, "512Mi", "4Gi" or "8G"."""
    if isinstance(value, bool):
        raise ValueError("expected a memory size such as 4 (GiB), '512Mi' or '4Gi'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _MEM_RE.match(value)
        if m:
            unit = m.group(2) or "Gi"
            return float(m.group(1)) * _MEM_UNITS[unit]
    raise ValueError(f"{value!r} is not a memory size: use GiB (4) or a quantity ('512Mi', '4Gi')")


def cpu_quantity(cores: float) -> str:
    """The Kubernetes quantity for a CPU amount, in millicores when not whole."""
    milli = round(cores * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def memory_quantity(gib: float) -> str:
    """The Kubernetes quantity for a memory amount, in Mi when not whole GiB."""
    mib = round(gib * 1024)
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"
