"""Kubernetes schema validity of every object at the target version (kubernetes-validate).

Strict: unknown fields are errors, as Helm's client-side validation makes them at install.
kubernetes-validate bundles the built-in API's schemas for a range of versions; when the
target version is newer than it has, the newest it has is used and each finding says so.
Custom resources have no schema there: they are skipped (``skipped_custom`` names them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from packaging.version import Version

from aicommons.clustercheck.model import Obj


@dataclass(frozen=True)
class SchemaResult:
    obj: Obj
    message: str


def _versions() -> list[str]:
    from kubernetes_validate.utils import all_versions

    return sorted({".".join(v.split(".")[:2]) for v in all_versions()}, key=Version)


def schema_version(target: str) -> tuple[str, str]:
    """(the version validated against, a note when it is not the target)."""
    have = _versions()
    want = ".".join(target.lstrip("v").split(".")[:2])
    if want in have:
        return want, ""
    older = [v for v in have if Version(v) <= Version(want)]
    used = older[-1] if older else have[0]
    return used, f"validated against Kubernetes {used}: kubernetes-validate has no {want} schema"


# API groups kube-apiserver serves itself (the rest, e.g. gateway.networking.k8s.io, are CRDs).
_BUILT_IN_GROUPS = {
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "authentication.k8s.io", "authorization.k8s.io", "certificates.k8s.io", "coordination.k8s.io",
    "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io",
    "networking.k8s.io", "node.k8s.io", "rbac.authorization.k8s.io", "resource.k8s.io",
    "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io",
}  # fmt: skip


def _built_in(api_version: str) -> bool:
    group = api_version.split("/")[0] if "/" in api_version else ""
    return "." not in group or group in _BUILT_IN_GROUPS


@cache
def _definitions(version: str) -> Any:
    from kubernetes_validate.utils import schema_contents

    return schema_contents(f"kubernetes-json-schema/v{version}.0-local-strict/_definitions.json", version)


@cache
def _validator(version: str, kind: str, api_version: str) -> Any:
    """kubernetes-validate's strict schema of one kind, compiled once (its own ``validate``
    reloads the schemas for every object)."""
    import jsonschema
    from kubernetes_validate.utils import schema_contents
    from referencing import Registry, Resource

    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        body = schema_contents(
            f"kubernetes-json-schema/v{version}.0-local-strict/{kind.lower()}-{api}.json", version
        )
    except FileNotFoundError:
        return None
    registry = Resource.from_contents(_definitions(version)) @ (Resource.from_contents(body) @ Registry())
    return jsonschema.validators.Draft202012Validator(body, registry=registry)


def validate(objects: Iterable[Obj], target: str) -> tuple[list[SchemaResult], list[Obj]]:
    """(objects the API server would refuse as invalid, custom resources not validated)."""
    used, note = schema_version(target)
    invalid: list[SchemaResult] = []
    skipped: list[Obj] = []
    for obj in objects:
        api = str(obj.doc.get("apiVersion", ""))
        validator = _validator(used, obj.kind, api)
        if validator is None:
            if _built_in(api):
                invalid.append(SchemaResult(obj, f"Kubernetes {used} serves no {obj.kind} in {api}"))
            else:
                skipped.append(obj)
            continue
        errors = sorted(validator.iter_errors(dict(obj.doc)), key=lambda e: [str(p) for p in e.absolute_path])
        if errors:
            error = errors[0]
            at = ".".join(str(p) for p in error.absolute_path) or "(object)"
            msg = f"invalid at {at}: {error.message}"
            invalid.append(SchemaResult(obj, f"{msg} ({note})" if note else msg))
    return invalid, skipped
