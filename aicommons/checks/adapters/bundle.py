"""Inventory from a rendered bundle: Helm values, stack configuration, and the manifests of
the project's own chart (rendered with embedded Helm when helm-python-sdk is installed)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aicommons.checks.model import HELM_RELEASE, NODE_GROUP, STACK_CONFIG, Inventory, Resource
from aicommons.errors import InputError, Location
from aicommons.governance.model import AIProject
from aicommons.profile.model import CityProfile
from aicommons.sizing.plan import SizingPlan
from aicommons.yamlio import safe_load, safe_load_all

LOCK_FILE = "aicommons.lock.json"
PLATFORM_CONFIG = "pulumi/Pulumi.platform.yaml"
INFRA_CONFIG = "pulumi/Pulumi.infra.yaml"
REGISTER_FILE = "governance/register.json"  # aicommons.render.sandboxes.REGISTER_FILE
CHART_KINDS = ("Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "ConfigMap")


def read_bundle_dir(folder: Path) -> dict[str, bytes]:
    if not (folder / LOCK_FILE).is_file():
        raise InputError(
            "not a bundle: no aicommons.lock.json here",
            Location(file=str(folder)),
            "a folder written by `aicommons render`, or a profile YAML",
        )
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def bundle_inventory(files: Mapping[str, bytes]) -> Inventory:
    lock = _json(files, LOCK_FILE)
    profile = CityProfile.model_validate(lock["profile"]) if "profile" in lock else None
    plan = SizingPlan.model_validate(lock["sizing"]) if "sizing" in lock else None
    platform = _config(files, PLATFORM_CONFIG, "aicommons:platform")
    resources: list[Resource] = [
        Resource(kind=STACK_CONFIG, name="platform", spec=platform, file=PLATFORM_CONFIG)
    ]
    unavailable: dict[str, str] = {}
    for rel in platform.get("releases", []):
        values_file = rel["values_file"]
        values = _yaml(files, values_file)
        resources.append(
            Resource(
                kind=HELM_RELEASE,
                name=rel["name"],
                namespace=rel["namespace"],
                file=values_file,
                spec={
                    **{k: rel.get(k) for k in ("chart", "version", "repository")},
                    "values": values,
                    "secret_values": rel.get("secret_values", {}),
                },
            )
        )
    for ns in platform.get("namespaces", []):
        resources.append(
            Resource(
                kind="Namespace",
                name=ns["name"],
                labels=ns.get("labels", {}),
                spec={"default_deny": ns.get("default_deny", False)},
                file=PLATFORM_CONFIG,
            )
        )
        if ns.get("default_deny"):
            resources.append(_default_deny(ns["name"]))
    for entry in platform.get("manifests", []):
        manifest = entry.get("object", {}) if isinstance(entry, dict) else {}
        meta = manifest.get("metadata", {})
        resources.append(
            Resource(
                kind=manifest.get("kind", "?"),
                name=meta.get("name", "?"),
                namespace=meta.get("namespace"),
                labels=meta.get("labels", {}),
                spec=manifest,
                file=PLATFORM_CONFIG,
            )
        )
    if INFRA_CONFIG in files:
        infra = _config(files, INFRA_CONFIG, "aicommons:infra")
        resources.append(Resource(kind=STACK_CONFIG, name="infra", spec=infra, file=INFRA_CONFIG))
        for pool in infra.get("node_pools", []):
            resources.append(_node_group(pool))
    chart_objects, chart_unavailable = chart_resources(files, platform)
    resources += chart_objects
    unavailable.update(chart_unavailable)
    return Inventory(
        source="bundle",
        resources=tuple(resources),
        profile=profile,
        plan=plan,
        files=dict(files),
        unavailable=unavailable,
        projects=_register(files),
    )


def _register(files: Mapping[str, bytes]) -> tuple[AIProject, ...]:
    """The AI projects the bundle was rendered with (none when it has no register)."""
    if REGISTER_FILE not in files:
        return ()
    doc = _json(files, REGISTER_FILE)
    projects = []
    for i, entry in enumerate(doc.get("projects", [])):
        try:
            project = AIProject.model_validate(entry["project"])
            lines = entry.get("lines") or {}
            if not all(isinstance(k, str) and type(v) is int for k, v in lines.items()):
                raise TypeError("lines")
            projects.append(project.located(lines))
        except (KeyError, TypeError, AttributeError, ValidationError) as exc:
            raise InputError(
                f"not a register record: {exc.__class__.__name__}",
                Location(file=REGISTER_FILE, field=f"projects[{i}]"),
                "a record of the aicommons.dev/v2 layout: a bundle rendered before it needs `aicommons render` again",
            ) from None
    return tuple(projects)


_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}


def _node_group(pool: dict[str, Any]) -> Resource:
    taints = [
        {"key": t["key"], "value": t["value"], "effect": _EFFECTS.get(t["effect"], t["effect"])}
        for t in pool.get("taints", [])
    ]
    return Resource(
        kind=NODE_GROUP,
        name=pool["name"],
        labels=pool.get("labels", {}),
        file=INFRA_CONFIG,
        spec={
            "role": pool.get("role"),
            "instance_type": pool.get("instance_type"),
            "min_size": pool.get("min_size"),
            "max_size": pool.get("max_size"),
            "taints": taints,
            "zones": list(pool.get("zones") or []) or None,  # empty: every zone of the cluster
            "plan_group": pool.get("group") or pool["name"],
        },
    )


def _default_deny(namespace: str) -> Resource:
    body = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "default-deny", "namespace": namespace},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    return Resource(
        kind="NetworkPolicy", name="default-deny", namespace=namespace, spec=body, file=PLATFORM_CONFIG
    )


def chart_resources(
    files: Mapping[str, bytes], platform: dict[str, Any]
) -> tuple[list[Resource], dict[str, str]]:
    """The project chart's objects, or the chart's kinds marked unavailable with the reason."""
    objects, why = _chart_manifests(files, platform)
    return objects, ({kind: why for kind in CHART_KINDS} if why else {})


def _chart_manifests(
    files: Mapping[str, bytes], platform: dict[str, Any]
) -> tuple[list[Resource], str | None]:
    """Render the bundle's own (local) charts with their values; None reason when it worked."""
    local = [r for r in platform.get("releases", []) if r.get("repository") is None]
    if not local:
        return [], None
    try:
        import helm_python
    except ImportError:
        return [], "the project's chart needs helm-python-sdk to render (pip install 'aicommons[helm]')"
    out: list[Resource] = []
    for release in local:
        out += _render_chart(helm_python, files, release)
    return out, None


def _render_chart(helm_python: Any, files: Mapping[str, bytes], release: dict[str, Any]) -> list[Resource]:
    import tempfile

    prefix = release["chart"].rstrip("/") + "/"
    with tempfile.TemporaryDirectory() as tmp:
        for rel, blob in files.items():
            if rel.startswith(prefix):
                target = Path(tmp) / rel[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blob)
        try:
            rendered = helm_python.Chart.load(tmp).render(
                values=_yaml(files, release["values_file"]),
                name=release["name"],
                namespace=release["namespace"],
            )
        except Exception as exc:  # the chart's schema or templates rejected the values
            raise InputError(
                f"the project's chart does not render: {exc}", Location(file=release["values_file"])
            ) from None
    out = []
    for template, text in sorted(rendered.items()):
        rel = prefix + template.split("/", 1)[1] if "/" in template else template
        for doc in safe_load_all(text, rel):
            if not doc:
                continue
            meta = doc.get("metadata", {})
            out.append(
                Resource(
                    kind=doc.get("kind", "?"),
                    name=meta.get("name", "?"),
                    namespace=meta.get(
                        "namespace", release["namespace"] if doc.get("kind") != "Namespace" else None
                    ),
                    labels=meta.get("labels", {}) or {},
                    spec=doc,
                    file=rel,
                )
            )
    return out


def _json(files: Mapping[str, bytes], rel: str) -> dict[str, Any]:
    if rel not in files:
        raise InputError("missing from the bundle", Location(file=rel))
    try:
        return json.loads(files[rel])
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", Location(file=rel, line=exc.lineno, column=exc.colno)
        ) from None


def _yaml(files: Mapping[str, bytes], rel: str) -> Any:
    if rel not in files:
        raise InputError("missing from the bundle", Location(file=rel))
    return safe_load(files[rel], rel)


def _config(files: Mapping[str, bytes], rel: str, key: str) -> dict[str, Any]:
    data = _yaml(files, rel) or {}
    config = (data.get("config") or {}).get(key)
    if not isinstance(config, dict):
        raise InputError(f"has no {key} configuration", Location(file=rel))
    return config
