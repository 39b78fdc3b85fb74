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
        return _finite(value)
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
        return _finite(value)
    if isinstance(value, str):
        m = _MEM_RE.match(value)
        if m:
            unit = m.group(2) or "Gi"
            return float(m.group(1)) * _MEM_UNITS[unit]
    raise ValueError(f"{value!r} is not a memory size: use GiB (4) or a quantity ('512Mi', '4Gi')")


def _finite(value: float) -> float:
    """A number as a float; an integer too large for one is a ValueError (a located error), not a crash."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError("is too large a number (beyond 1e308)") from None


def cpu_quantity(cores: float) -> str:
    """The Kubernetes quantity for a CPU amount, in millicores when not whole."""
    milli = round(cores * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def memory_quantity(gib: float) -> str:
    """The Kubernetes quantity for a memory amount, in Mi when not whole GiB."""
    mib = round(gib * 1024)
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def spawner_memory(gib: float) -> str:
    """A memory amount as JupyterHub's ByteSpecification takes it (KubeSpawner's mem_guarantee and
    mem_limit): suffixes K, M, G, T in powers of 1024, so "2G" is 2 GiB; "2Gi" is refused."""
    mib = round(gib * 1024)
    return f"{mib // 1024}G" if mib % 1024 == 0 else f"{mib}M"


def parse_spawner_memory_gib(value: object) -> float:
    """GiB from a JupyterHub memory size ("12G", "512M", or bytes): K, M, G, T are powers of 1024."""
    if isinstance(value, bool):
        raise ValueError("expected a memory size such as '12G'")
    if isinstance(value, int | float):
        return _finite(value) / 1024**3
    if isinstance(value, str):
        m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT])?\s*$", value)
        if m:
            power = {"K": 1, "M": 2, "G": 3, "T": 4}.get(m.group(2) or "", 0)
            return float(m.group(1)) * 1024**power / 1024**3
    raise ValueError(f"{value!r} is not a JupyterHub memory size: a number with K, M, G or T ('12G')")
