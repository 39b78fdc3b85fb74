"""What a city says about a cluster it runs itself, and how the hub is reached.

These fields describe what the cluster already provides (a load-balancer controller, an ingress
controller, the CNI under a policy-only Calico) and which of its nodes form the city's pools, so
the bundle can label them and the preflight can check them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from aicommons.profile.strict import Strict

# The CNIs tigera-operator's Installation can run Calico over in policy-only mode
# (operator.tigera.io/v1 Installation, spec.cni.type; "Calico" means Calico is the CNI itself).
POLICY_ONLY_CNIS = ("AmazonVPC", "AzureVNET", "GKE")
PolicyOnlyCni = Literal["AmazonVPC", "AzureVNET", "GKE"]
ExposureType = Literal["LoadBalancer", "NodePort", "Ingress"]
LabelKey = Annotated[
    str, Field(pattern=r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
]
NodeName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)]
NodePortNumber = Annotated[int, Field(ge=30000, le=32767)]


class NodePorts(Strict):
    """Fixed node ports for the proxy (NodePort exposure), so a front load balancer can forward to them."""

    http: NodePortNumber = Field(description="Node port for HTTP (port 80 of proxy-public).")
    https: NodePortNumber = Field(description="Node port for HTTPS (port 443 of proxy-public).")

    @model_validator(mode="after")
    def _distinct(self) -> NodePorts:
        if self.http == self.https:
            raise ValueError(f"http and https need different node ports, both are {self.http}")
        return self


class Exposure(Strict):
    """How the hub's proxy is reached from outside the cluster (Zero-to-JupyterHub `proxy-public`).

    LoadBalancer needs a load-balancer controller (a cloud's, MetalLB, kube-vip); NodePort works on
    every cluster (point DNS or a front load balancer at the nodes); Ingress goes through the
    cluster's ingress controller, and TLS is then the ingress's (cert-manager for Let's Encrypt).
    """

    type: ExposureType = Field(description="LoadBalancer, NodePort or Ingress.")
    ingress_class: str | None = Field(
        default=None,
        min_length=1,
        description="Ingress: the IngressClass to use; the target's ingress_class when unset.",
    )
    node_ports: NodePorts | None = Field(
        default=None, description="NodePort: fixed node ports; Kubernetes picks them when unset."
    )
    cluster_issuer: str | None = Field(
        default=None,
        min_length=1,
        description="Ingress with https: letsencrypt: the cert-manager ClusterIssuer that issues the certificate.",
    )

    @model_validator(mode="after")
    def _fields_of_type(self) -> Exposure:
        if self.type != "Ingress" and (self.ingress_class or self.cluster_issuer):
            raise ValueError("ingress_class and cluster_issuer apply only to type: Ingress")
        if self.type != "NodePort" and self.node_ports is not None:
            raise ValueError("node_ports applies only to type: NodePort")
        return self


class NodeSet(Strict):
    """The nodes of one pool: by name (the platform stack labels and taints them) or by a label they
    already carry (the README and `aicommons preflight` give the commands)."""

    nodes: list[NodeName] | None = Field(default=None, min_length=1, description="Node names.")
    selector: dict[LabelKey, str] | None = Field(
        default=None, min_length=1, description="Labels the pool's nodes already carry, e.g. {pool: gpu}."
    )

    @model_validator(mode="after")
    def _one_form(self) -> NodeSet:
        if (self.nodes is None) == (self.selector is None):
            raise ValueError("give exactly one of nodes (names) or selector (labels the nodes carry)")
        return self


class ClusterServices(Strict):
    """What an existing or on-premises cluster already provides for reaching the hub."""

    load_balancer_controller: bool = Field(
        default=False,
        description="True when Services of type LoadBalancer get an address (cloud controller, MetalLB, "
        "kube-vip); the hub is then exposed by a LoadBalancer unless hub.exposure says otherwise.",
    )
    ingress_class: str | None = Field(
        default=None,
        min_length=1,
        description="IngressClass of the cluster's ingress controller, if it runs one.",
    )
    apiserver_audit_log: str | None = Field(
        default=None,
        pattern=r"^/",
        description="Where the API server writes its audit log on the control-plane nodes (its "
        "--audit-log-path, e.g. /var/log/kubernetes/audit/*.log); the log shipper tails it when set.",
    )
    node_pools: dict[str, NodeSet] | None = Field(
        default=None,
        description="The nodes of the city's pools, keyed by role (core, user, gpu) or by pool name "
        "(as `aicommons size` names them); a pool uses its own entry, else its role's.",
    )

    @property
    def capabilities(self) -> frozenset[str]:
        """What the cluster declares: 'load-balancer' and/or 'ingress'."""
        return frozenset({"load-balancer"} if self.load_balancer_controller else set()) | frozenset(
            {"ingress"} if self.ingress_class else set()
        )
