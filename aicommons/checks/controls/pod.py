"""Pod security and resources: Pod Security levels, privileges, hardening, limits, culling."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from aicommons.checks.controls import _z2jh as z2jh
from aicommons.checks.controls._kube import (
    ENFORCE_LABEL,
    finding_at,
    hardening_issues,
    jupyterhub_releases,
    namespace_objects,
    partial,
    privilege_issues,
    system_namespaces,
    tenant_namespaces,
    user_pods,
    workloads,
)
from aicommons.checks.model import (
    HELM_RELEASE,
    NODE_GROUP,
    STACK_CONFIG,
    CheckContext,
    Finding,
    Inventory,
    Resource,
    Skip,
)
from aicommons.checks.registry import check
from aicommons.units import parse_spawner_memory_gib

# --- AIC-POD-01 ------------------------------------------------------------------------------


@check("AIC-POD-01", "bundle", "plan", "live")
def tenants_enforce_restricted(ctx: CheckContext) -> Iterable[Finding]:
    """Tenant namespaces enforce `restricted`; only listed system namespaces may be privileged."""
    inventory = ctx.inventory
    if "Namespace" in inventory.unavailable:
        raise Skip(f"Namespace could not be read: {inventory.unavailable['Namespace']}")
    label = ctx.params.get("label", ENFORCE_LABEL)
    required = ctx.params.get("required_level", "restricted")
    exception = ctx.params.get("exception_level", "baseline")
    system = system_namespaces(ctx)
    namespaces, tenants = namespace_objects(inventory), tenant_namespaces(inventory)
    if not namespaces and not tenants:
        raise Skip(f"no namespaces in the {inventory.source} inventory")
    for name in sorted(tenants):
        ns = namespaces.get(name)
        if ns is None:
            yield Finding(
                resource=f"Namespace/{name}",
                message=f"tenant namespace '{name}' is not created by this deployment, so nothing sets its "
                f"{label} label; create it with {label}: {required}",
            )
            continue
        level = ns.labels.get(label)
        if level == required:
            continue
        if level == exception:
            why = f"enforces {exception}; tenant namespaces must enforce {required} ({exception} only with a recorded exception for AIC-POD-01)"
        else:
            shown = level or "nothing (no label: the cluster default, usually privileged)"
            why = f"enforces {shown}; tenant namespaces must enforce {required}"
        yield _at_namespace(inventory, ns, f"tenant namespace '{name}' {why}", label)
    for name, ns in sorted(namespaces.items()):
        if name not in tenants and name not in system and ns.labels.get(label) == "privileged":
            yield _at_namespace(
                inventory,
                ns,
                f"namespace '{name}' enforces privileged but is not a system namespace "
                f"({', '.join(system)}); enforce baseline or restricted, or add it to system_namespaces",
                label,
            )


def _at_namespace(inventory: Inventory, ns: Resource, message: str, label: str) -> Finding:
    platform = next((r for r in inventory.of(STACK_CONFIG) if r.name == "platform"), None)
    if platform is not None and ns.file == platform.file:
        names = [n.get("name") for n in platform.spec.get("namespaces", [])]
        if ns.name in names:
            path = ("config", "aicommons:platform", "namespaces", names.index(ns.name), "labels", label)
            return finding_at(inventory, ns, message, *path)
    return Finding.on(ns, message)


# --- AIC-POD-02 ------------------------------------------------------------------------------


def _excused(ctx: CheckContext, namespace: str | None, name: str, labels: Mapping[str, str]) -> bool:
    if namespace in system_namespaces(ctx):
        return True
    exceptions = set(ctx.params.get("system_exceptions", []))
    app = {labels.get(k) for k in ("app.kubernetes.io/name", "app", "k8s-app")}
    return bool(exceptions & app) or any(name.startswith(f"{e}-") or name == e for e in exceptions)


@check("AIC-POD-02", "bundle", "plan", "live")
def no_privileged_pods(ctx: CheckContext) -> Iterable[Finding]:
    """No privileged containers, host namespaces, hostPath or hostPort outside system namespaces."""
    inventory = ctx.inventory
    hubs = jupyterhub_releases(inventory)
    others = [r for r in inventory.of(HELM_RELEASE) if r not in hubs]
    pods = workloads(inventory)
    if not hubs and not others and not pods:
        raise Skip(f"no JupyterHub release or pod in the {inventory.source} inventory")
    namespaces = namespace_objects(inventory)
    for release in hubs:
        if _excused(ctx, release.namespace, "", {}):
            continue
        values = release.spec.get("values") or {}
        ns = namespaces.get(release.namespace or "")
        level = ns.labels.get(ENFORCE_LABEL) if ns else None
        for origin, problem, slugs in z2jh.grouped_issues(values, privilege_issues):
            fix = ""
            if origin == "singleuser.cloudMetadata.blockWithIptables":
                fix = (
                    " (added by singleuser.cloudMetadata.blockWithIptables: true); block the metadata "
                    "endpoint with the user-pod NetworkPolicy instead and set blockWithIptables: false"
                )
            if level in ("baseline", "restricted"):
                fix += f"; namespace '{release.namespace}' enforces {level}, which rejects such pods, so user servers cannot start"
            yield finding_at(
                inventory, release, f"user pods ({slugs}): {problem}{fix}", *_path(origin or "singleuser")
            )
    for release in others:
        if _excused(ctx, release.namespace, release.name, {}):
            continue
        for path, problem in _values_privileges(release.spec.get("values") or {}, ()):
            yield finding_at(inventory, release, f"values set {problem} at {'.'.join(map(str, path))}", *path)
    system = ", ".join(system_namespaces(ctx))
    for resource, spec, labels in pods:
        if _excused(ctx, resource.namespace, resource.name, labels or resource.labels):
            continue
        for _, problem in privilege_issues(spec):
            yield Finding.on(resource, f"{problem}, outside the system namespaces ({system})")


def _values_privileges(node: Any, path: tuple[str | int, ...]) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Privileged settings anywhere in a third-party chart's values."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = (*path, key)
            if key in ("hostNetwork", "hostPID", "hostIPC", "privileged") and value is True:
                yield here, f"{key}: true"
            elif key == "hostPath" and value:
                yield here, "a hostPath volume"
            elif key == "hostPort" and value:
                yield here, f"hostPort {value}"
            else:
                yield from _values_privileges(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _values_privileges(item, (*path, i))


def _path(origin: str) -> tuple[str, ...]:
    return tuple(origin.split("."))


# --- AIC-POD-03 ------------------------------------------------------------------------------


@check("AIC-POD-03", "bundle", "plan", "live")
def user_pods_hardened(ctx: CheckContext) -> Iterable[Finding]:
    """User containers: non-root, no privilege escalation, drop ALL capabilities, seccomp RuntimeDefault."""
    drop = list(ctx.params.get("drop_capabilities", ["ALL"]))
    seccomp = list(ctx.params.get("seccomp_profiles", ["RuntimeDefault", "Localhost"]))
    inventory = ctx.inventory
    releases = jupyterhub_releases(inventory)
    pods = user_pods(inventory) if inventory.source == "live" else []
    if not releases and not pods:
        raise Skip(f"no JupyterHub release or user pod in the {inventory.source} inventory")
    for release in releases:
        values = release.spec.get("values") or {}
        for origin, problem, slugs in z2jh.grouped_issues(
            values, lambda s: hardening_issues(s, drop, seccomp)
        ):
            if origin == "singleuser":
                hint = (
                    "; set hub.config.KubeSpawner.container_security_context to {runAsNonRoot: true, "
                    "allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: "
                    "{type: RuntimeDefault}}"
                )
            else:
                hint = f" (from {origin})"
            yield finding_at(
                inventory, release, f"user pods ({slugs}): {problem}{hint}", *_path(origin or "singleuser")
            )
    for pod in pods:
        for _, problem in hardening_issues(pod.spec.get("spec") or {}, drop, seccomp):
            yield Finding.on(pod, problem)


# --- AIC-POD-04 ------------------------------------------------------------------------------

_REQUIRED = ("cpu_guarantee", "cpu_limit", "mem_guarantee", "mem_limit")


def gpu_signals(inventory: Inventory, profile: z2jh.Profile, resource: str) -> list[str]:
    """Why a profile is a GPU profile (empty when it is not)."""
    t = profile.traits
    why = []
    sized = {w.name: w for w in inventory.plan.workloads} if inventory.plan else {}
    if profile.slug in sized and sized[profile.slug].gpu > 0:
        why.append(f"the sizing plan gives it {sized[profile.slug].gpu} GPU")
    for trait, what in (("extra_resource_limits", "limits"), ("extra_resource_guarantees", "guarantees")):
        if any(k == resource or k.startswith("nvidia.com/") for k in t.get(trait) or {}):
            why.append(f"{what} a GPU")
    if any((tol or {}).get("key") == resource for tol in t.get("tolerations") or []):
        why.append(f"tolerates the {resource} taint")
    selector = t.get("node_selector") or {}
    for group in inventory.of(NODE_GROUP):
        if (
            group.spec.get("role") == "gpu"
            and selector
            and all(group.labels.get(k) == v for k, v in selector.items())
        ):
            why.append(f"selects GPU node group '{group.name}'")
    return why


@check("AIC-POD-04", "bundle", "plan", "live")
def profiles_have_resources(ctx: CheckContext) -> Iterable[Finding]:
    """Every profile has requests and limits, GPU profiles a GPU limit, every tenant a GPU quota."""
    inventory = ctx.inventory
    gpu = ctx.params.get("gpu_resource", "nvidia.com/gpu")
    releases = jupyterhub_releases(inventory)
    if not releases:
        raise Skip(f"no JupyterHub release in the {inventory.source} inventory")
    findings: list[Finding] = []
    for release in releases:
        values = release.spec.get("values") or {}
        for profile in z2jh.profiles(values):
            path = _profile_path(profile)
            missing = [k for k in _REQUIRED if profile.traits.get(k) in (None, "")]
            if missing:
                findings.append(
                    finding_at(
                        inventory,
                        release,
                        f"profile '{profile.slug}' sets no {', '.join(missing)} (nor does singleuser.cpu/memory): "
                        f"every profile needs CPU and memory guarantees and limits",
                        *path,
                    )
                )
            for key in ("mem_guarantee", "mem_limit"):
                value = profile.traits.get(key)
                if value in (None, ""):
                    continue
                try:
                    parse_spawner_memory_gib(value)
                except ValueError:
                    findings.append(
                        finding_at(
                            inventory,
                            release,
                            f"profile '{profile.slug}' sets {key}: {value!r}, which JupyterHub refuses at spawn "
                            f"(it takes a number with K, M, G or T, powers of 1024: '2G', not '2Gi')",
                            *path,
                        )
                    )
            signals = gpu_signals(inventory, profile, gpu)
            limits = profile.traits.get("extra_resource_limits") or {}
            count = limits.get(gpu) or next(
                (v for k, v in limits.items() if k.startswith("nvidia.com/mig-")), None
            )
            if signals and not _positive_int(count):
                findings.append(
                    finding_at(
                        inventory,
                        release,
                        f"GPU profile '{profile.slug}' ({'; '.join(signals)}) sets no extra_resource_limits "
                        f"{{{gpu}: N}}: the server gets no GPU, or uses one nobody accounts for",
                        *path,
                    )
                )
    unverified: list[str] = []
    quotas = inventory.of("ResourceQuota")
    if "ResourceQuota" in inventory.unavailable:
        unverified.append(
            f"GPU quotas not checked: ResourceQuota could not be read ({inventory.unavailable['ResourceQuota']})"
        )
    elif not quotas and inventory.source != "bundle":
        unverified.append(
            f"GPU quotas not checked: the {inventory.source} inventory holds no ResourceQuota objects"
        )
    else:
        for ns in sorted(tenant_namespaces(inventory)):
            hard = [
                q
                for q in quotas
                if q.namespace == ns and f"requests.{gpu}" in ((q.spec.get("spec") or {}).get("hard") or {})
            ]
            if not hard:
                findings.append(
                    Finding(
                        resource=f"Namespace/{ns}",
                        message=f"tenant namespace '{ns}' has no ResourceQuota with requests.{gpu}: one tenant "
                        f"could hold every GPU (the aicommons-platform chart renders one per tenant)",
                    )
                )
    return partial(findings, unverified)


def _profile_path(profile: z2jh.Profile) -> tuple[str | int, ...]:
    if profile.index is None:
        return ("singleuser",)
    return ("singleuser", "profileList", profile.index, "kubespawner_override")


def _positive_int(value: Any) -> bool:
    try:
        return int(str(value)) > 0
    except ValueError:
        return False


# --- AIC-POD-05 ------------------------------------------------------------------------------

_SHUTDOWN = re.compile(r"^--(?:ServerApp|NotebookApp)\.shutdown_no_activity_timeout=(\d+)$")


@check("AIC-POD-05", "bundle", "plan", "live")
def idle_servers_culled(ctx: CheckContext) -> Iterable[Finding]:
    """Idle culling on and within the bounds; GPU servers stop sooner and have a maximum age."""
    inventory = ctx.inventory
    gov = inventory.profile.governance if inventory.profile else None
    idle = _bound(
        ctx.params.get("max_idle_minutes", 120),
        gov.idle_cull_minutes if gov else None,
        "max_idle_minutes",
        "governance.idle_cull_minutes",
    )
    gpu_idle = _bound(
        ctx.params.get("max_gpu_idle_minutes", 60),
        gov.gpu_idle_cull_minutes if gov else None,
        "max_gpu_idle_minutes",
        "governance.gpu_idle_cull_minutes",
    )
    age = _bound(
        ctx.params.get("max_gpu_age_hours", 24),
        gov.gpu_max_age_hours if gov else None,
        "max_gpu_age_hours",
        "governance.gpu_max_age_hours",
    )
    releases = jupyterhub_releases(inventory)
    if not releases:
        raise Skip(f"no JupyterHub release in the {inventory.source} inventory")
    for release in releases:
        values = release.spec.get("values") or {}
        enabled = bool(z2jh.get(values, "cull.enabled"))
        timeout = int(z2jh.get(values, "cull.timeout") or 0)
        if not enabled:
            yield finding_at(
                inventory, release, "cull.enabled is false: idle servers are never stopped", "cull", "enabled"
            )
        elif timeout <= 0 or timeout > idle[0] * 60:
            yield finding_at(
                inventory,
                release,
                f"cull.timeout is {timeout} s; the blueprint allows at most {idle[0] * 60} s ({idle[1]})",
                "cull",
                "timeout",
            )
        max_age = int(z2jh.get(values, "cull.maxAge") or 0) if enabled else 0
        for profile in z2jh.profiles(values):
            if not gpu_signals(inventory, profile, "nvidia.com/gpu"):
                continue
            path = _profile_path(profile)
            shutdown = [
                int(m.group(1)) for a in profile.traits.get("args") or [] if (m := _SHUTDOWN.match(str(a)))
            ]
            candidates = [s for s in shutdown if s > 0] + ([timeout] if enabled and timeout > 0 else [])
            effective = min(candidates) if candidates else None
            if effective is None or effective > gpu_idle[0] * 60:
                shown = f"stops after {effective} s idle" if effective else "is never stopped when idle"
                yield finding_at(
                    inventory,
                    release,
                    f"GPU profile '{profile.slug}' {shown}; the blueprint allows at most {gpu_idle[0] * 60} s "
                    f"({gpu_idle[1]}): pass --ServerApp.shutdown_no_activity_timeout in its args",
                    *path,
                )
            deadline = (profile.traits.get("extra_pod_config") or {}).get("activeDeadlineSeconds")
            lifetimes = [int(x) for x in (deadline, max_age) if x and int(x) > 0]
            if not lifetimes or min(lifetimes) > age[0] * 3600:
                shown = f"may run {min(lifetimes)} s" if lifetimes else "has no maximum age"
                yield finding_at(
                    inventory,
                    release,
                    f"GPU profile '{profile.slug}' {shown}; the blueprint allows at most {age[0] * 3600} s "
                    f"({age[1]}): set extra_pod_config.activeDeadlineSeconds",
                    *path,
                )


def _bound(param: Any, governance: int | None, param_name: str, knob: str) -> tuple[int, str]:
    """The stricter of the blueprint's maximum and the city's own knob, and which one it is."""
    if governance is not None and governance < int(param):
        return governance, f"{knob}: {governance}"
    return int(param), f"AIC-POD-05 {param_name}: {param}"
