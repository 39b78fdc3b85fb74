"""Extra Kubernetes objects (e.g. the hub's CloudNativePG database), created after the releases
that install their CRDs. Stateful ones are protected like the infra stack's data."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from aicommons_stacks.args import ArgsError
from aicommons_stacks.common import child

FIELDS = {"apiVersion", "kind", "metadata", "spec"}
# (API group, kind) of objects that hold data.
STATEFUL = {("postgresql.cnpg.io", "Cluster"), ("", "PersistentVolumeClaim")}


def manifest_name(manifest: dict[str, Any], where: str) -> str:
    """A stable logical name: kind, namespace and name, e.g. `cluster-jupyterhub-hub-db`."""
    if not isinstance(manifest, dict) or not FIELDS >= set(manifest) >= {"apiVersion", "kind", "metadata"}:
        raise ArgsError(f"{where}: an object with apiVersion, kind, metadata (and spec), nothing else")
    metadata = manifest["metadata"]
    if not isinstance(metadata, dict) or not metadata.get("name"):
        raise ArgsError(f"{where}.metadata.name: missing")
    parts = [manifest["kind"], metadata.get("namespace", ""), metadata["name"]]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(p for p in parts if p).lower()).strip("-")


class Manifests(pulumi.ComponentResource):
    """One resource per object, typed by its apiVersion and kind."""

    def __init__(
        self,
        name: str,
        manifests: list[dict[str, Any]],
        *,
        after: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:platform:Manifests", name, None, opts)
        seen: set[str] = set()
        for i, manifest in enumerate(manifests):
            logical = manifest_name(manifest, f"manifests[{i}]")
            if logical in seen:
                raise ArgsError(f"manifests[{i}]: a second {logical}")
            seen.add(logical)
            group = manifest["apiVersion"].rpartition("/")[0]
            kubernetes.apiextensions.CustomResource(
                f"{name}-{logical}",
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest.get("spec"),
                opts=child(self, depends_on=after, protect=(group, manifest["kind"]) in STATEFUL),
            )
        self.register_outputs({"objects": sorted(seen)})
