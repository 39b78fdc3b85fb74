"""What each target needs from the platform stack (the render side of the target protocol)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aicommons.errors import InputError, Location
from aicommons.profile.cluster import Exposure, ExposureType, NodeSet

NO_AUDIT_SINK_NOTE = (
    "Audit events go to the log shipper's stdout until governance.audit_sink names the city's log store "
    "(AIC-LOG-02 fails until then)."
)

GpuSetup = Literal[
    "none", "device-plugin", "operator-with-driver", "operator-without-driver", "existing-operator"
]


LOAD_BALANCER = "load-balancer"  # Services of type LoadBalancer get an address
INGRESS = "ingress"  # an ingress controller serves Ingress objects of a declared class
CAPABILITY_NAMES = (INGRESS, LOAD_BALANCER)


@dataclass(frozen=True)
class HubExposure:
    """How proxy-public is exposed, resolved for the target (the profile's choice or the default)."""

    type: ExposureType = "LoadBalancer"
    ingress_class: str | None = None  # Ingress
    node_ports: tuple[int, int] | None = None  # NodePort: (http, https); None: Kubernetes picks
    cluster_issuer: str | None = None  # Ingress with Let's Encrypt: cert-manager ClusterIssuer


@dataclass(frozen=True)
class PlatformDefaults:
    """Target-specific choices the renderer applies; every field is plain data."""

    kube_context: str | None  # existing clusters; None when the infra stack provides the kubeconfig
    has_infra_stack: bool
    storage_classes: list[dict[str, Any]]
    home_storage_class: str | None  # for user homes; None: the cluster default
    autoscaler: bool
    gpu_setup: GpuSetup
    calico: bool  # install a NetworkPolicy engine
    audit_sink: dict[str, Any]
    audit_sink_outputs: dict[str, str] = field(default_factory=dict)  # values path -> infra output
    log_shipper_role_output: str | None = None
    notes: list[str] = field(default_factory=list)
    # How the cluster names the identity provider's groups: the groups prefix of its OIDC
    # configuration ("" where the cluster is not ours and passes the IdP's names through).
    kubernetes_groups_prefix: str = ""
    # What the target provides, for the cluster check and the preflight: "load-balancer" when a
    # controller gives LoadBalancer Services an address, "ingress" when an ingress class is declared.
    capabilities: frozenset[str] = frozenset()
    hub_exposure: HubExposure = field(default_factory=HubExposure)
    # tigera-operator Installation cni.type: "Calico" (Calico is the CNI) or the CNI a policy-only
    # Calico runs over (AmazonVPC, AzureVNET, GKE); only read when calico is True.
    calico_cni: str = "Calico"
    # The API server's audit log on the nodes, when the control plane writes one there (None: the
    # log shipper has no Kubernetes-audit input; on EKS the audit log goes to CloudWatch).
    kubernetes_audit_path: str | None = None
    # The namespace of a GPU operator the city runs itself ("existing-operator").
    gpu_operator_namespace: str = "gpu-operator"
    # The nodes exist before the platform (a cluster the city runs): they need the pools' labels and
    # taints from the platform stack (named nodes) or from the README's commands.
    node_setup: bool = False
    node_pools: Mapping[str, NodeSet] | None = None


def gpu_setup_for(
    plan_has_gpu: bool, has_mig: bool, nodes_have_driver: bool, operator_present: bool
) -> GpuSetup:
    if not plan_has_gpu:
        return "none"
    if operator_present:
        return "existing-operator"
    if not nodes_have_driver:
        return "operator-with-driver"
    return "operator-without-driver" if has_mig else "device-plugin"


def resolve_exposure(
    requested: Exposure | None, capabilities: frozenset[str], ingress_class: str | None = None
) -> HubExposure:
    """The hub's exposure on a target with these capabilities.

    Unset: LoadBalancer where a load-balancer controller exists, else Ingress where an ingress
    class is declared, else NodePort (which every cluster serves). A choice the target cannot
    serve is an error at hub.exposure.type: Helm would wait for a Service address or an Ingress
    that never comes.
    """
    if requested is None:
        if LOAD_BALANCER in capabilities:
            return HubExposure("LoadBalancer")
        if INGRESS in capabilities and ingress_class:
            return HubExposure("Ingress", ingress_class=ingress_class)
        return HubExposure("NodePort")
    if requested.type == "LoadBalancer" and LOAD_BALANCER not in capabilities:
        raise InputError(
            "hub.exposure.type LoadBalancer needs a load-balancer controller, and the target declares none",
            Location(field="hub.exposure.type"),
            "NodePort, Ingress (with target.ingress_class), or target.load_balancer_controller: true "
            "when the cluster runs one (MetalLB, kube-vip, a cloud controller)",
        )
    if requested.type == "Ingress":
        klass = requested.ingress_class or ingress_class
        if not klass:
            raise InputError(
                "hub.exposure.type Ingress needs an ingress class, and neither hub.exposure.ingress_class "
                "nor target.ingress_class names one",
                Location(field="hub.exposure.ingress_class"),
                "the IngressClass of the cluster's ingress controller (`kubectl get ingressclass`)",
            )
        return HubExposure("Ingress", ingress_class=klass, cluster_issuer=requested.cluster_issuer)
    ports = requested.node_ports
    return HubExposure(requested.type, node_ports=(ports.http, ports.https) if ports else None)
