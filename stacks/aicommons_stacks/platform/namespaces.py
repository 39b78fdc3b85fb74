"""Namespaces with Pod Security labels, each closed by a default-deny NetworkPolicy.

The allow rules (DNS, hub <-> user servers, internet without private ranges) come from the
charts; here every namespace starts from nothing allowed, in both directions.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes

from aicommons_stacks.args import NamespaceArgs
from aicommons_stacks.common import child

DEFAULT_DENY = "default-deny"


class TenantNamespace(pulumi.ComponentResource):
    """A namespace and (unless turned off) its default-deny NetworkPolicy."""

    namespace: kubernetes.core.v1.Namespace

    def __init__(self, name: str, ns: NamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aicommons:platform:Namespace", name, None, opts)
        self.namespace = kubernetes.core.v1.Namespace(
            f"{name}-ns",
            metadata=kubernetes.meta.v1.ObjectMetaArgs(name=ns.name, labels=dict(sorted(ns.labels.items()))),
            opts=child(self),
        )
        if ns.default_deny:
            kubernetes.networking.v1.NetworkPolicy(
                f"{name}-default-deny",
                metadata=kubernetes.meta.v1.ObjectMetaArgs(name=DEFAULT_DENY, namespace=ns.name),
                spec=kubernetes.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=kubernetes.meta.v1.LabelSelectorArgs(),
                    policy_types=["Ingress", "Egress"],
                ),
                opts=child(self, depends_on=[self.namespace]),
            )
        self.register_outputs({"name": ns.name})
