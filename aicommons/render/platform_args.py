"""The platform stack's arguments (PlatformArgs in stacks/aicommons_stacks/args.py)."""

from __future__ import annotations

from typing import Any

from aicommons.profile.model import CityProfile
from aicommons.render.jupyterhub import NAMESPACE as HUB_NAMESPACE
from aicommons.render.jupyterhub import OIDC_SECRET_KEY
from aicommons.render.monitoring import NAMESPACE as MONITORING_NAMESPACE
from aicommons.render.platform_releases import CALICO_NAMESPACE, DB_NAMESPACE, GPU_NAMESPACE, SYSTEM_NAMESPACE
from aicommons.render.releases import Release
from aicommons.targets.platform import PlatformDefaults


def _pss(level: str) -> dict[str, str]:
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }


def namespaces(releases: list[Release]) -> list[dict[str, Any]]:
    """Namespaces the platform stack creates, with Pod Security labels.

    System namespaces that run node agents (device plugin, log shipper) need `privileged`; the
    hub's namespace is `restricted` (every z2jh pod gets a restricted security context) and runs
    z2jh's own network policies, so no namespace-wide deny there (the project chart's policies
    cover user servers).
    """
    wanted = {HUB_NAMESPACE: ("restricted", False), SYSTEM_NAMESPACE: ("privileged", False)}
    used = {r.namespace for r in releases}
    for r in releases:  # a second hub (staging) gets the hub's namespace settings
        if r.pin.chart == "jupyterhub":
            wanted[r.namespace] = ("restricted", False)
    for ns, level in (
        (GPU_NAMESPACE, "privileged"),
        (DB_NAMESPACE, "baseline"),
        (CALICO_NAMESPACE, "privileged"),
        (MONITORING_NAMESPACE, "privileged"),  # node exporter: host network, PID and /proc
    ):
        if ns in used:
            wanted[ns] = (level, False)
    return [
        {
            "name": name,
            "labels": {**_pss(level), "aicommons.dev/managed-by": "aicommons"},
            "default_deny": deny,
        }
        for name, (level, deny) in sorted(wanted.items())
    ]


def platform_args(
    profile: CityProfile,
    defaults: PlatformDefaults,
    releases: list[Release],
    project: str,
    manifests: list[dict[str, Any]],
    tags: dict[str, str],
    project_namespaces: list[dict[str, Any]] | None = None,
    nodes: list[dict[str, Any]] | None = None,
    vendored: bool = False,
) -> dict[str, Any]:
    """The stack's arguments; ``vendored``: repository charts install from their archive in the bundle."""
    args: dict[str, Any] = {
        "city": profile.city.slug,
        "provider": profile.target.provider,
        "kube_context": defaults.kube_context,
        "infra_stack": f"organization/{project}/infra" if defaults.has_infra_stack else None,
        "namespaces": namespaces(releases) + (project_namespaces or []),
        "storage_classes": defaults.storage_classes,
        "releases": [_release(r, vendored) for r in releases],
        "tags": tags,
        "manifests": manifests,
    }
    pulls = pull_secrets(profile)
    if pulls:  # only with a private registry, so other bundles stay as they were
        args["pull_secrets"] = pulls
    if nodes:  # only where the stack labels the city's own nodes, so other bundles stay as they were
        args["nodes"] = nodes
    return args


def pull_secrets(profile: CityProfile) -> list[dict[str, Any]]:
    """The image pull secrets the stack creates from a config secret (never the password itself)."""
    return [
        {
            "name": r.secret_name,
            "namespace": HUB_NAMESPACE,
            "server": r.server,
            "username": r.username,
            "password_key": r.config_key,
        }
        for r in profile.registries
        if r.config_key is not None
    ]


def _release(r: Release, vendored: bool) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": r.name,
        "namespace": r.namespace,
        # a local chart is copied into the bundle under helm/charts/
        "chart": r.pin.chart if r.pin.repository else f"helm/charts/{r.pin.chart.rsplit('/', 1)[-1]}",
        "version": r.pin.version,
        "repository": r.pin.repository,
        "values_file": r.values_file,
        "depends_on": list(r.depends_on),
        "secret_values": dict(r.secret_values),
        "stack_output_values": dict(r.stack_output_values),
        **({"after_manifests": list(r.after_manifests)} if r.after_manifests else {}),
        **({} if r.wait else {"wait": False}),
    }
    if vendored and r.pin.repository is not None:
        # the stack checks the digest, then installs the archive instead of asking the repository
        args["archive"] = r.pin.vendored_path
        args["archive_sha256"] = r.pin.sha256
    return args


__all__ = ["OIDC_SECRET_KEY", "namespaces", "platform_args"]
