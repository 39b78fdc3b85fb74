"""Preflight of what the cluster provides: StorageClass, NetworkPolicy enforcement, hub exposure."""

from __future__ import annotations

import shlex

from aicommons.checks.adapters.live_k8s import network_policy_engine
from aicommons.preflight.report import Finding
from aicommons.preflight.snapshot import ClusterSnapshot
from aicommons.targets.platform import PlatformDefaults

# Workloads that give LoadBalancer Services an address (a cloud's in-tree controller runs in the
# control plane and shows only through Services that have one).
LB_CONTROLLERS = (
    "aws-load-balancer-controller",
    "metallb-controller",
    "metallb-speaker",
    "kube-vip",
    "kube-vip-ds",
    "kube-vip-cloud-provider",
    "openelb-manager",
)
CERT_MANAGER = "cert-manager"
# The DaemonSet that shows a CNI Calico can run over in policy-only mode.
_CNI_DAEMONSETS = {"AmazonVPC": ("aws-node",), "AzureVNET": ("azure-cns", "azure-vnet"), "GKE": ()}
VPC_CNI_POLICY_FIX = (
    "aws eks update-addon --cluster-name CLUSTER --addon-name vpc-cni "
    '--configuration-values \'{"enableNetworkPolicy":"true"}\''
)


def check_storage(snapshot: ClusterSnapshot, defaults: PlatformDefaults) -> list[Finding]:
    """User homes need the named StorageClass, or a default one."""
    if "StorageClass" in snapshot.unreadable:
        return [Finding("storage", "StorageClass", "unknown", snapshot.unreadable["StorageClass"])]
    names = sorted(c.name for c in snapshot.storage_classes)
    ctx = shlex.quote(snapshot.context)
    created = {c["name"] for c in defaults.storage_classes}
    wanted = defaults.home_storage_class
    if wanted:
        if wanted in names or wanted in created:
            return [Finding("storage", wanted, "ok", "the StorageClass for user homes exists")]
        return [
            Finding(
                "storage",
                wanted,
                "missing",
                f"target.storage_class {wanted!r} does not exist (the cluster has: {', '.join(names) or 'none'})",
                (f"kubectl --context {ctx} get storageclass",),
            )
        ]
    defaults_found = sorted(c.name for c in snapshot.storage_classes if c.default)
    if not defaults_found:
        first = names[0] if names else "STORAGECLASS"
        return [
            Finding(
                "storage",
                "default StorageClass",
                "missing",
                "no default StorageClass: user homes (PVCs without a class) would stay Pending; mark one "
                "default, or name one in target.storage_class",
                (
                    f"kubectl --context {ctx} patch storageclass {shlex.quote(first)} -p "
                    '\'{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}\'',
                ),
            )
        ]
    note = "" if len(defaults_found) == 1 else " (several defaults: Kubernetes uses the newest)"
    return [Finding("storage", defaults_found[0], "ok", f"default StorageClass{note}")]


def check_network_policy(snapshot: ClusterSnapshot, defaults: PlatformDefaults) -> list[Finding]:
    """NetworkPolicy is enforced by the cluster, or by the Calico the bundle installs, never by two CNIs."""
    if "DaemonSet" in snapshot.unreadable:
        return [Finding("network-policy", "CNI", "unknown", snapshot.unreadable["DaemonSet"])]
    daemonsets = [w.as_manifest() for w in snapshot.workloads if w.kind == "DaemonSet"]
    enforced, evidence = network_policy_engine(daemonsets)
    seen = "; ".join(evidence) or "no known CNI DaemonSet"
    names = {w.name for w in snapshot.workloads if w.kind == "DaemonSet"}
    if not defaults.calico:
        if enforced:
            return [Finding("network-policy", "CNI", "ok", f"NetworkPolicy is enforced ({seen})")]
        fix = (VPC_CNI_POLICY_FIX,) if "aws-node" in names else ()
        return [
            Finding(
                "network-policy",
                "CNI",
                "missing" if enforced is False else "unknown",
                f"the profile says NetworkPolicy is enforced, but {seen}: enable the CNI's policy engine, "
                "or set target.network_policy_enforced: false with target.cni (Calico policy-only)",
                fix,
            )
        ]
    if defaults.calico_cni == "Calico":
        if evidence:
            return [
                Finding(
                    "network-policy",
                    "CNI",
                    "missing",
                    f"the bundle installs Calico as the cluster's CNI, but a CNI runs already ({seen})",
                )
            ]
        return [Finding("network-policy", "CNI", "note", "no CNI yet: the bundle installs Calico as the CNI")]
    if enforced:
        return [
            Finding(
                "network-policy",
                "CNI",
                "missing",
                f"the cluster already enforces NetworkPolicy ({seen}), and the bundle would add Calico: "
                "set target.network_policy_enforced: true",
            )
        ]
    expected = _CNI_DAEMONSETS.get(defaults.calico_cni, ())
    if expected and not names & set(expected):
        return [
            Finding(
                "network-policy",
                "CNI",
                "missing",
                f"target.cni is {defaults.calico_cni}, but none of its DaemonSets ({', '.join(expected)}) runs "
                f"({seen}): name the cluster's real CNI",
            )
        ]
    return [
        Finding(
            "network-policy",
            "CNI",
            "ok",
            f"Calico will enforce NetworkPolicy in policy-only mode over {defaults.calico_cni} ({seen})",
        )
    ]


def check_exposure(snapshot: ClusterSnapshot, defaults: PlatformDefaults, letsencrypt: bool) -> list[Finding]:
    """What the hub's exposure needs: a load-balancer controller, or the ingress class (and cert-manager)."""
    exposure = defaults.hub_exposure
    ctx = shlex.quote(snapshot.context)
    if exposure.type == "NodePort":
        return [Finding("exposure", "proxy-public", "ok", "NodePort: every cluster serves it")]
    if exposure.type == "LoadBalancer":
        controller = snapshot.workload_named(*LB_CONTROLLERS)
        served = [s for s in snapshot.load_balancer_services if s.addresses]
        if controller is not None:
            why = f"{controller.kind} {controller.namespace}/{controller.name} runs"
        elif served:
            why = f"Service {served[0].namespace}/{served[0].name} has a load-balancer address"
        else:
            return [
                Finding(
                    "exposure",
                    "proxy-public",
                    "note",
                    "no load-balancer controller is visible (no known controller, no LoadBalancer Service with "
                    "an address); the profile declares one (a cloud's runs in its control plane). If it has "
                    "none, Helm waits for an address that never comes: use hub.exposure NodePort or Ingress",
                )
            ]
        return [Finding("exposure", "proxy-public", "ok", f"LoadBalancer: {why}")]
    out: list[Finding] = []
    if "IngressClass" in snapshot.unreadable:
        out.append(Finding("exposure", "IngressClass", "unknown", snapshot.unreadable["IngressClass"]))
    elif exposure.ingress_class not in {c.name for c in snapshot.ingress_classes}:
        have = ", ".join(sorted(c.name for c in snapshot.ingress_classes)) or "none"
        out.append(
            Finding(
                "exposure",
                f"IngressClass {exposure.ingress_class}",
                "missing",
                f"the hub's Ingress uses class {exposure.ingress_class!r}, which the cluster lacks (it has: {have})",
                (f"kubectl --context {ctx} get ingressclass",),
            )
        )
    else:
        out.append(
            Finding("exposure", f"IngressClass {exposure.ingress_class}", "ok", "the ingress class exists")
        )
    if letsencrypt:
        if snapshot.workload_named(CERT_MANAGER) is None:
            out.append(
                Finding(
                    "exposure",
                    "cert-manager",
                    "missing",
                    f"Ingress with Let's Encrypt needs cert-manager and its ClusterIssuer "
                    f"{exposure.cluster_issuer!r}",
                    (
                        f"helm --kube-context {ctx} install cert-manager oci://quay.io/jetstack/charts/cert-manager "
                        "--namespace cert-manager --create-namespace --set crds.enabled=true",
                    ),
                )
            )
        else:
            out.append(
                Finding(
                    "exposure",
                    "cert-manager",
                    "ok",
                    f"cert-manager runs; ClusterIssuer {exposure.cluster_issuer!r} must exist "
                    f"(`kubectl --context {ctx} get clusterissuer`)",
                )
            )
    return out
