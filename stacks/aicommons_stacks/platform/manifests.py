"""Extra Kubernetes objects (e.g. the hub's CloudNativePG database), each created after the
releases it names (the one that installs its CRD) and before the releases that read it.
Stateful ones are protected like the infra stack's data."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from aicommons_stacks.args import ArgsError, ManifestArgs
from aicommons_stacks.common import child
from aicommons_stacks.order import manifest_name, manifest_ref
from aicommons_stacks.platform.provider import InfraOutputs, output_names
from aicommons_stacks.values import parse_path, set_path

# (API group, kind) of objects that hold data.
STATEFUL = {("postgresql.cnpg.io", "Cluster"), ("", "PersistentVolumeClaim")}


def with_outputs(manifest: ManifestArgs, infra: InfraOutputs | None) -> dict[str, Any]:
    """The object with its stack_output_values filled in from the infra stack's outputs."""
    body = copy.deepcopy(manifest.object)
    ref = manifest_ref(body, "manifests")
    for path, text in sorted(manifest.stack_output_values.items()):
        parse_path(path)
        if infra is None:
            raise ArgsError(f"manifests[{ref}].stack_output_values: needs infra_stack")
        names = output_names(text)
        filled = pulumi.Output.all(*(infra.get(n) for n in names)).apply(
            lambda values, text=text, names=names: text.format(**dict(zip(names, values, strict=True)))
        )
        set_path(body, path, filled)
    return body


class Manifests(pulumi.ComponentResource):
    """One resource per object, typed by its apiVersion and kind; `add` each in creation order."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aicommons:platform:Manifests", name, None, opts)
        self._name = name
        self.created: dict[str, kubernetes.apiextensions.CustomResource] = {}  # by Kind/namespace/name
        self._names: list[str] = []

    def add(
        self, manifest: ManifestArgs, depends_on: list[pulumi.Resource], infra: InfraOutputs | None = None
    ) -> pulumi.Resource:
        body = with_outputs(manifest, infra)
        ref = manifest_ref(body, "manifests")
        group = body["apiVersion"].rpartition("/")[0]
        logical = manifest_name(body, "manifests")
        created = kubernetes.apiextensions.CustomResource(
            f"{self._name}-{logical}",
            api_version=body["apiVersion"],
            kind=body["kind"],
            metadata=body["metadata"],
            spec=body.get("spec"),
            opts=child(self, depends_on=depends_on, protect=(group, body["kind"]) in STATEFUL),
        )
        self.created[ref] = created
        self._names.append(logical)
        return created

    def finish(self) -> None:
        self.register_outputs({"objects": sorted(self._names)})
