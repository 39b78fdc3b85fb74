"""Kubernetes quantities as integers, and the scheduler's effective request of a pod.

Units follow the API server: cpu in millicores (``Quantity.MilliValue``), every other
resource in its base unit (``Quantity.Value``: bytes for memory and storage, counts for
extended resources such as ``nvidia.com/gpu``), both rounded up as Kubernetes rounds them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from kubernetes.utils.quantity import parse_quantity

CPU = "cpu"
MEMORY = "memory"
_MILLI = ("cpu", "requests.cpu", "limits.cpu")

Resources = dict[str, int]


class QuantityError(ValueError):
    """A value that is not a Kubernetes quantity."""


def amount(resource: str, value: Any) -> int:
    """``value`` of ``resource`` as an integer: millicores for cpu, base units otherwise."""
    try:
        q: Decimal = parse_quantity(value)
    except ValueError as exc:
        raise QuantityError(f"{resource}: {value!r} is not a Kubernetes quantity") from exc
    scaled = q * 1000 if resource in _MILLI else q
    return math.ceil(scaled)


def resource_list(values: Mapping[str, Any] | None) -> Resources:
    """A container's ``requests`` or ``limits`` map as integers."""
    return {str(k): amount(str(k), v) for k, v in (values or {}).items() if v is not None}


def add(a: Mapping[str, int], b: Mapping[str, int]) -> Resources:
    return {k: a.get(k, 0) + b.get(k, 0) for k in sorted(set(a) | set(b))}


def maximum(a: Mapping[str, int], b: Mapping[str, int]) -> Resources:
    return {k: max(a.get(k, 0), b.get(k, 0)) for k in sorted(set(a) | set(b))}


def _containers(spec: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return [c for c in (spec.get(key) or []) if isinstance(c, Mapping)]


def container_values(container: Mapping[str, Any], which: str) -> Resources:
    """``which`` is "requests" or "limits"."""
    return resource_list((container.get("resources") or {}).get(which))


def pod_resources(spec: Mapping[str, Any], which: str = "requests") -> Resources:
    """The pod's effective requests (or limits) as the scheduler and quota compute them.

    k8s.io/component-helpers/resource/helpers.go (PodRequests, used by the scheduler's
    NodeResourcesFit and by pkg/quota/v1/evaluator/core/pods.go): the sum of the regular
    containers plus restartable ("sidecar") init containers, or the largest init container
    together with the sidecars started before it, whichever is larger, per resource; plus the
    pod's overhead (set from its RuntimeClass).
    """
    total: Resources = {}
    for c in _containers(spec, "containers"):
        total = add(total, container_values(c, which))
    sidecars: Resources = {}
    init_peak: Resources = {}
    for c in _containers(spec, "initContainers"):
        own = container_values(c, which)
        if c.get("restartPolicy") == "Always":
            total = add(total, own)
            sidecars = add(sidecars, own)
            during = dict(sidecars)
        else:
            during = add(own, sidecars)
        init_peak = maximum(init_peak, during)
    total = maximum(total, init_peak)
    total = add(total, resource_list(spec.get("overhead")))
    return {CPU: 0, MEMORY: 0, **total}


def cpu_text(millicores: int) -> str:
    return f"{millicores // 1000} CPU" if millicores % 1000 == 0 else f"{millicores}m CPU"


def bytes_text(value: int) -> str:
    for unit, size in (("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    if value >= 1024**3:
        return f"{value / 1024**3:.2f}Gi"
    if value >= 1024**2:
        return f"{value / 1024**2:.1f}Mi"
    return str(value)


def text(resource: str, value: int) -> str:
    """A value for a message: ``1 CPU``, ``500m CPU``, ``4Gi``, ``2``."""
    if resource in _MILLI:
        return cpu_text(value)
    if resource.endswith(("memory", "storage")):
        return bytes_text(value)
    return str(value)


def resources_text(values: Mapping[str, int], keys: Iterable[str] = (CPU, MEMORY)) -> str:
    return " / ".join(text(k, values.get(k, 0)) for k in keys)
