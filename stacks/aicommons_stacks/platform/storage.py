"""StorageClasses the target needs (e.g. encrypted gp3 on EKS): volumes are retained."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes

from aicommons_stacks.args import ArgsError, StorageClassArgs
from aicommons_stacks.common import child

DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


class StorageClasses(pulumi.ComponentResource):
    """One StorageClass per argument; at most one is the cluster default."""

    def __init__(
        self, name: str, classes: list[StorageClassArgs], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aicommons:platform:StorageClasses", name, None, opts)
        defaults = [c.name for c in classes if c.default]
        if len(defaults) > 1:
            raise ArgsError(f"storage_classes: at most one default, got {defaults}")
        for c in classes:
            if c.reclaim_policy not in ("Retain", "Delete"):
                raise ArgsError(
                    f"storage_classes[{c.name}].reclaim_policy: Retain or Delete, got {c.reclaim_policy!r}"
                )
            kubernetes.storage.v1.StorageClass(
                f"{name}-{c.name}",
                metadata=kubernetes.meta.v1.ObjectMetaArgs(
                    name=c.name, annotations={DEFAULT_CLASS: "true"} if c.default else None
                ),
                provisioner=c.provisioner,
                parameters=dict(sorted(c.parameters.items())),
                reclaim_policy=c.reclaim_policy,
                volume_binding_mode="WaitForFirstConsumer",  # zonal disks follow the pod's zone
                allow_volume_expansion=True,
                opts=child(self),
            )
        self.register_outputs({"names": sorted(c.name for c in classes)})
