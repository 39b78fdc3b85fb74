"""The `platform` stack (every target): namespaces, default-deny policies, storage classes and
the Helm releases, on the cluster the infra stack built or on an existing one."""

from __future__ import annotations

from pathlib import Path

import pulumi

from aicommons_stacks.args import ArgsError, PlatformArgs, ReleaseArgs
from aicommons_stacks.order import creation_order
from aicommons_stacks.platform.manifests import Manifests
from aicommons_stacks.platform.namespaces import TenantNamespace
from aicommons_stacks.platform.nodes import NodeLabels
from aicommons_stacks.platform.provider import infra_outputs, kubernetes_provider
from aicommons_stacks.platform.pull_secrets import PullSecrets
from aicommons_stacks.platform.releases import HelmReleases
from aicommons_stacks.platform.storage import StorageClasses

__all__ = ["platform_program"]


def platform_program(args: PlatformArgs, bundle_root: Path) -> None:
    """Declare the platform stack's resources; values and local charts come from `bundle_root`."""
    names = [ns.name for ns in args.namespaces]
    if len(set(names)) != len(names):
        raise ArgsError(f"namespaces: names must be unique, got {names}")
    infra = infra_outputs(args)
    provider = kubernetes_provider(args, infra)

    def opts() -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(providers={"kubernetes": provider})  # children inherit it

    namespaces = {ns.name: TenantNamespace(f"ns-{ns.name}", ns, opts=opts()) for ns in args.namespaces}
    storage = StorageClasses("storage", args.storage_classes, opts=opts())
    # Pods select the pools' labels: the city's nodes carry them before any release installs.
    nodes = [NodeLabels("nodes", args.nodes, opts=opts())] if args.nodes else []
    # Private registries' pull secrets exist before any pod names them.
    pulls = (
        [PullSecrets("pull-secrets", args.pull_secrets, list(namespaces.values()), opts=opts())]
        if args.pull_secrets
        else []
    )
    helm = HelmReleases(
        "helm",
        bundle_root=bundle_root,
        namespaces=dict(namespaces),
        infra=infra,
        after=[storage, *nodes, *pulls],  # a PVC made before its default StorageClass would wait forever
        opts=opts(),
    )
    manifests = Manifests("manifests", opts=opts()) if args.manifests else None
    # One pass in creation order: a manifest after the releases it names (e.g. the operator
    # with its CRD), a release after the manifests it reads (see order.py).
    for item in creation_order(args.releases, args.manifests):
        if isinstance(item, ReleaseArgs):
            helm.add(item, [manifests.created[m] for m in item.after_manifests] if manifests else [])
        elif manifests is not None:  # always, when there is a manifest to create
            manifests.add(
                item, [storage, *namespaces.values(), *(helm.created[r] for r in item.after)], infra
            )
    helm.finish()
    if manifests is not None:
        manifests.finish()
    pulumi.export("namespaces", sorted(names))
    pulumi.export(
        "releases", {r.name: f"{r.chart}@{r.version}" for r in sorted(args.releases, key=lambda r: r.name)}
    )
