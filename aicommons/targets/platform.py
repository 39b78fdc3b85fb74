"""What each target needs from the platform stack (the render side of the target protocol)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

NO_AUDIT_SINK_NOTE = (
    "Audit events go to the log shipper's stdout until governance.audit_sink names the city's log store "
    "(AIC-LOG-02 fails until then)."
)

GpuSetup = Literal[
    "none", "device-plugin", "operator-with-driver", "operator-without-driver", "existing-operator"
]


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
