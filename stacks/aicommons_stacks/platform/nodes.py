"""Labels and taints on the nodes of a cluster the city runs, so they form the plan's pools.

A NodePatch (server-side apply) owns only the labels and taints it sets; the hub, proxy and
operators select `hub.jupyter.org/node-purpose=core` and user servers `aicommons.dev/pool`, so the
releases wait for these patches. Node taints are an atomic list in the API: the patch is forced, and
a node listed here carries exactly the pool's taints afterwards (other taints on it are replaced).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes

from aicommons_stacks.args import ArgsError, NodeArgs
from aicommons_stacks.common import TAINT_EFFECTS, child

PATCH_FORCE = "pulumi.com/patchForce"


class NodeLabels(pulumi.ComponentResource):
    """One NodePatch per node; a node named twice is an error."""

    patches: list[kubernetes.core.v1.NodePatch]

    def __init__(self, name: str, nodes: list[NodeArgs], opts: pulumi.ResourceOptions | None = None):
        super().__init__("aicommons:platform:NodeLabels", name, None, opts)
        names = [n.name for n in nodes]
        if len(set(names)) != len(names):
            raise ArgsError(f"nodes: names must be unique, got {names}")
        self.patches = []
        for node in sorted(nodes, key=lambda n: n.name):
            for t in node.taints:
                if t.effect not in TAINT_EFFECTS.values():
                    raise ArgsError(
                        f"nodes[{node.name}].taints: effect {t.effect!r}; allowed: "
                        f"{sorted(TAINT_EFFECTS.values())}"
                    )
            self.patches.append(
                kubernetes.core.v1.NodePatch(
                    f"{name}-{node.name}",
                    metadata=kubernetes.meta.v1.ObjectMetaPatchArgs(
                        name=node.name,
                        labels=dict(sorted(node.labels.items())),
                        annotations={PATCH_FORCE: "true"},
                    ),
                    spec=kubernetes.core.v1.NodeSpecPatchArgs(
                        taints=[
                            kubernetes.core.v1.TaintPatchArgs(key=t.key, value=t.value, effect=t.effect)
                            for t in node.taints
                        ]
                    ),
                    opts=child(self),
                )
            )
        self.register_outputs({"nodes": sorted(names)})
