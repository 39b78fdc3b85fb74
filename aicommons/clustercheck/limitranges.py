"""The LimitRanger admission plugin: defaults, then minima, maxima and ratios.

Modelled from kubernetes plugin/pkg/admission/limitranger/admission.go
(defaultContainerResourceRequirements, mergeContainerResources, PodLimitFunc), and from the
API's own defaulting that runs before admission (pkg/apis/core/v1/defaults.go:
SetDefaults_Pod gives a container without a request its limit as the request;
SetDefaults_LimitRangeItem gives a Container item without ``default`` its ``max`` and
without ``defaultRequest`` its ``default``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aicommons.clustercheck.model import ClusterInput, Obj
from aicommons.clustercheck.quantities import amount, maximum, resource_list, text


@dataclass(frozen=True)
class Defaulted:
    """One container the LimitRange gave requests (or limits) it did not set itself."""

    container: str
    init: bool
    requests: Mapping[str, int]  # only the defaulted resources
    limits: Mapping[str, int]


def limit_ranges(cluster: ClusterInput) -> dict[str, list[Obj]]:
    """LimitRange objects by namespace, in creation order."""
    out: dict[str, list[Obj]] = {}
    for obj in cluster.objects:
        if obj.kind == "LimitRange" and obj.namespace:
            out.setdefault(obj.namespace, []).append(obj)
    return out


def items(limit_range: Obj) -> list[dict[str, Any]]:
    """The LimitRange's items after the API server's defaulting (SetDefaults_LimitRangeItem)."""
    out = []
    for raw in (limit_range.doc.get("spec") or {}).get("limits") or []:
        item = copy.deepcopy(dict(raw))
        if item.get("type") == "Container":
            default = dict(item.get("default") or {})
            for k, v in (item.get("max") or {}).items():
                default.setdefault(k, v)
            request = dict(item.get("defaultRequest") or {})
            for k, v in default.items():
                request.setdefault(k, v)
            item["default"], item["defaultRequest"] = default, request
        out.append(item)
    return out


def api_defaults(spec: dict[str, Any]) -> None:
    """SetDefaults_Pod: a container with a limit and no request gets request = limit."""
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            res = c.setdefault("resources", {}) or {}
            c["resources"] = res
            limits = res.get("limits") or {}
            if limits:
                requests = dict(res.get("requests") or {})
                for k, v in limits.items():
                    requests.setdefault(k, v)
                res["requests"] = requests


def apply_defaults(spec: dict[str, Any], ranges: Iterable[Obj]) -> list[Defaulted]:
    """Give every container the LimitRanges' defaults it lacks (mutates ``spec``).

    mergePodResourceRequirements: for containers and init containers, each resource named
    in a Container item's ``default`` becomes the limit and each in ``defaultRequest`` the
    request, where the container does not set that resource itself.
    """
    default_limits: dict[str, Any] = {}
    default_requests: dict[str, Any] = {}
    for lr in ranges:  # Admit applies each LimitRange in turn: the first to default a resource wins
        limits: dict[str, Any] = {}
        requests: dict[str, Any] = {}
        for item in items(lr):  # within one LimitRange, a later Container item overrides
            if item.get("type") == "Container":
                limits.update(item.get("default") or {})
                requests.update(item.get("defaultRequest") or {})
        default_limits = {**limits, **default_limits}
        default_requests = {**requests, **default_requests}
    out: list[Defaulted] = []
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            res = c.get("resources") or {}
            c["resources"] = res
            limits, requests = dict(res.get("limits") or {}), dict(res.get("requests") or {})
            set_limits = {k: v for k, v in default_limits.items() if k not in limits}
            set_requests = {k: v for k, v in default_requests.items() if k not in requests}
            if set_limits:
                res["limits"] = {**limits, **set_limits}
            if set_requests:
                res["requests"] = {**requests, **set_requests}
            if set_limits or set_requests:
                out.append(
                    Defaulted(
                        container=str(c.get("name", "")),
                        init=key == "initContainers",
                        requests=resource_list(set_requests),
                        limits=resource_list(set_limits),
                    )
                )
    return out


def _bound(kind: str, resource: str, bound: Any, req: dict[str, int], lim: dict[str, int]) -> str | None:
    """minConstraint / maxConstraint of admission.go; None when the bound holds."""
    value = amount(resource, bound)
    name = f"{kind} {resource}"
    if kind.startswith("max"):
        if resource not in lim:
            return f"{name} is {text(resource, value)} but no limit is set"
        if lim[resource] > value:
            return f"{name} is {text(resource, value)} but the limit is {text(resource, lim[resource])}"
        if resource in req and req[resource] > value:
            return f"{name} is {text(resource, value)} but the request is {text(resource, req[resource])}"
        return None
    if resource not in req:
        return f"{name} is {text(resource, value)} but no request is set"
    if req[resource] < value:
        return f"{name} is {text(resource, value)} but the request is {text(resource, req[resource])}"
    if resource in lim and lim[resource] < value:
        return f"{name} is {text(resource, value)} but the limit is {text(resource, lim[resource])}"
    return None


def _ratio(resource: str, bound: Any, req: dict[str, int], lim: dict[str, int]) -> str | None:
    """limitRequestRatioConstraint of admission.go."""
    if not req.get(resource) or not lim.get(resource):
        return f"maxLimitRequestRatio {resource} is {bound} but the request or limit is unset or 0"
    ratio = lim[resource] / req[resource]
    if ratio * 1000 > amount("cpu", bound):  # compared in thousandths, as admission.go does
        return f"maxLimitRequestRatio {resource} is {bound} but limit/request is {ratio:g}"
    return None


def _check(item: Mapping[str, Any], req: dict[str, int], lim: dict[str, int]) -> list[str]:
    errors: list[str | None] = []
    for k, v in (item.get("min") or {}).items():
        errors.append(_bound("min", str(k), v, req, lim))
    for k, v in (item.get("max") or {}).items():
        errors.append(_bound("max", str(k), v, req, lim))
    for k, v in (item.get("maxLimitRequestRatio") or {}).items():
        errors.append(_ratio(str(k), v, req, lim))
    return [e for e in errors if e]


def violations(spec: Mapping[str, Any], ranges: Iterable[Obj]) -> list[str]:
    """What PodLimitFunc refuses: per-container and per-pod minima, maxima and ratios."""
    out: list[str] = []
    containers = [
        (c, key == "initContainers") for key in ("containers", "initContainers") for c in spec.get(key) or []
    ]
    for lr in ranges:
        for item in items(lr):
            if item.get("type") == "Container":
                for c, init in containers:
                    res = c.get("resources") or {}
                    req, lim = resource_list(res.get("requests")), resource_list(res.get("limits"))
                    where = f"{'init container' if init else 'container'} {c.get('name')}"
                    out += [f"{where}: {e} (LimitRange {lr.name})" for e in _check(item, req, lim)]
            elif item.get("type") == "Pod":
                req, lim = _pod_totals(spec)
                out += [f"pod: {e} (LimitRange {lr.name})" for e in _check(item, req, lim)]
    return out


def _pod_totals(spec: Mapping[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """Pod items compare max(sum of containers, each init container), as PodLimitFunc does;
    its ``sum`` leaves out a resource that not every container sets."""
    containers = [c.get("resources") or {} for c in spec.get("containers") or []]
    totals = []
    for which in ("requests", "limits"):
        lists = [resource_list(r.get(which)) for r in containers]
        keys = set().union(*lists) if lists else set()
        total = {k: sum(x[k] for x in lists) for k in keys if all(k in x for x in lists)}
        for c in spec.get("initContainers") or []:
            total = maximum(total, resource_list((c.get("resources") or {}).get(which)))
        totals.append(total)
    return totals[0], totals[1]
