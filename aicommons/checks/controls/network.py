"""Network isolation: default-deny, private ranges, the metadata endpoint, TLS, enforcement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aicommons.checks.controls import _z2jh as z2jh
from aicommons.checks.controls._kube import (
    METADATA_CIDR,
    PRIVATE_CIDRS,
    covers_user_pods,
    egress_reaches,
    finding_at,
    is_default_deny,
    jupyterhub_releases,
    partial,
    policy_spec,
    policy_types,
    selects_user_pods,
    tenant_namespaces,
)
from aicommons.checks.model import (
    CLUSTER,
    HELM_RELEASE,
    NODE_GROUP,
    CheckContext,
    Finding,
    Inventory,
    Resource,
    Skip,
)
from aicommons.checks.registry import check

_EGRESS_RULES = ("singleuser", "networkPolicy", "egressAllowRules")


def _policies(inventory: Inventory, namespace: str, user_labels: Mapping[str, str]) -> list[Resource]:
    """NetworkPolicies in the namespace that (may) select its user pods."""
    return [
        p
        for p in inventory.of("NetworkPolicy")
        if p.namespace == namespace and selects_user_pods(policy_spec(p).get("podSelector"), user_labels)
    ]


# --- AIC-NET-01 ------------------------------------------------------------------------------


@check("AIC-NET-01", "bundle", "plan", "live")
def tenants_default_deny(ctx: CheckContext) -> Iterable[Finding]:
    """Default-deny in every tenant namespace; no user-pod egress to private ranges."""
    inventory = ctx.inventory
    blocked = list(ctx.params.get("blocked_cidrs", PRIVATE_CIDRS))
    tenants = tenant_namespaces(inventory)
    if not tenants:
        raise Skip(f"no tenant namespace in the {inventory.source} inventory")
    findings: list[Finding] = []
    unverified: list[str] = []
    if "NetworkPolicy" in inventory.unavailable and not inventory.of("NetworkPolicy"):
        unverified.append(
            f"NetworkPolicy objects could not be read: {inventory.unavailable['NetworkPolicy']}"
        )
    else:
        for ns, user_labels in sorted(tenants.items()):
            policies = _policies(inventory, ns, user_labels)
            denies = [
                p
                for p in policies
                if is_default_deny(policy_spec(p))
                and covers_user_pods(policy_spec(p).get("podSelector"), user_labels)
            ]
            if not denies:
                whose = "its user pods" if user_labels else "all pods"
                findings.append(
                    Finding(
                        resource=f"Namespace/{ns}",
                        message=f"tenant namespace '{ns}' has no default-deny NetworkPolicy (policyTypes Ingress "
                        f"and Egress, no rules) selecting {whose}",
                    )
                )
            for policy in policies:
                reached = egress_reaches(policy_spec(policy), blocked)
                if reached:
                    findings.append(
                        finding_at(
                            inventory,
                            policy,
                            f"allows egress from user pods in '{ns}' to {', '.join(reached)}; tenant egress must "
                            f"exclude {', '.join(blocked)}",
                            "spec",
                            "egress",
                        )
                    )
    for release in jupyterhub_releases(inventory):
        values = release.spec.get("values") or {}
        if not z2jh.get(values, "singleuser.networkPolicy.enabled"):
            findings.append(
                finding_at(
                    inventory,
                    release,
                    "singleuser.networkPolicy.enabled is false: the chart's user-pod NetworkPolicy is off; "
                    "set it to true",
                    "singleuser",
                    "networkPolicy",
                    "enabled",
                )
            )
            continue
        if z2jh.get(values, "singleuser.networkPolicy.egressAllowRules.privateIPs"):
            findings.append(
                finding_at(
                    inventory,
                    release,
                    "singleuser.networkPolicy.egressAllowRules.privateIPs is true: user servers can reach the "
                    "city's private networks (10/8, 172.16/12, 192.168/16); set it to false",
                    *_EGRESS_RULES,
                    "privateIPs",
                )
            )
        else:
            reached = egress_reaches(z2jh.singleuser_policy(values) or {}, blocked)
            if reached:
                findings.append(
                    finding_at(
                        inventory,
                        release,
                        f"singleuser.networkPolicy.egress allows user servers to reach {', '.join(reached)}",
                        "singleuser",
                        "networkPolicy",
                        "egress",
                    )
                )
    return partial(findings, unverified)


# --- AIC-NET-02 ------------------------------------------------------------------------------


@check("AIC-NET-02", "bundle", "plan", "live")
def metadata_blocked(ctx: CheckContext) -> Iterable[Finding]:
    """User pods cannot reach the metadata endpoint; nodes require IMDSv2 with a hop limit of 1."""
    inventory = ctx.inventory
    metadata = str(ctx.params.get("metadata_cidr", METADATA_CIDR))
    hop_limit = int(ctx.params.get("imds_hop_limit", 1))
    findings: list[Finding] = []
    unverified: list[str] = []
    releases = jupyterhub_releases(inventory)
    if not releases:
        unverified.append(
            f"user-pod egress not checked: no JupyterHub release in the {inventory.source} inventory"
        )
    for release in releases:
        values = release.spec.get("values") or {}
        ns = release.namespace or ""
        user_labels = tenant_namespaces(inventory).get(ns, {"component": "singleuser-server"})
        hub = z2jh.singleuser_policy(values)
        policies = [policy_spec(p) for p in _policies(inventory, ns, user_labels)]
        restricted = (hub is not None) or any("Egress" in policy_types(p) for p in policies)
        iptables = (
            " (singleuser.cloudMetadata.blockWithIptables only adds a privileged init container, which AIC-POD-02 rejects)"
            if z2jh.get(values, "singleuser.cloudMetadata.blockWithIptables")
            else ""
        )
        if hub is not None and egress_reaches(hub, [metadata]):
            findings.append(
                finding_at(
                    inventory,
                    release,
                    f"singleuser.networkPolicy lets user servers reach the cloud metadata endpoint {metadata} "
                    f"(egressAllowRules.cloudMetadataServer or an egress rule); NetworkPolicies add up, so the "
                    f"platform chart's exclusion cannot take it back: set cloudMetadataServer: false{iptables}",
                    *_EGRESS_RULES,
                    "cloudMetadataServer",
                )
            )
        elif "NetworkPolicy" in inventory.unavailable and hub is None:
            unverified.append(f"user-pod egress not checked: {inventory.unavailable['NetworkPolicy']}")
        elif not restricted:
            findings.append(
                finding_at(
                    inventory,
                    release,
                    f"no NetworkPolicy restricts user-pod egress in '{ns}', so {metadata} is reachable{iptables}",
                    "singleuser",
                    "networkPolicy",
                )
            )
        for policy in _policies(inventory, ns, user_labels):
            if egress_reaches(policy_spec(policy), [metadata]):
                findings.append(
                    finding_at(
                        inventory, policy, f"allows user pods in '{ns}' to reach {metadata}", "spec", "egress"
                    )
                )
    groups = inventory.of(NODE_GROUP)
    known = [g for g in groups if "imds_tokens_required" in g.spec or "imds_hop_limit" in g.spec]
    unknown = [g.name for g in groups if g not in known]
    for group in known:
        problems = []
        if group.spec.get("imds_tokens_required") is not True:
            problems.append("does not require IMDSv2 tokens")
        hops = group.spec.get("imds_hop_limit")
        if hops is None or int(hops) > hop_limit:
            problems.append(
                f"has an IMDS hop limit of {hops} (at most {hop_limit}, so pods cannot relay a token)"
            )
        if problems:
            findings.append(Finding.on(group, f"node group '{group.name}' {' and '.join(problems)}"))
    if unknown:
        unverified.append(
            f"IMDSv2 and hop limit of node groups {', '.join(unknown)} are not in the {inventory.source} "
            f"inventory (checked on the plan)"
        )
    elif not groups and inventory.source == "live":
        unverified.append("IMDS settings are not in the live inventory (checked on the plan)")
    return partial(findings, unverified)


# --- AIC-NET-03 ------------------------------------------------------------------------------


@check("AIC-NET-03", "bundle", "plan", "live")
def hub_behind_tls(ctx: CheckContext) -> Iterable[Finding]:
    """The proxy serves HTTPS (Let's Encrypt with hosts, a certificate, or TLS offloaded in front)."""
    inventory = ctx.inventory
    releases = jupyterhub_releases(inventory)
    services = [s for s in inventory.of("Service") if s.name == "proxy-public"]
    if not releases and not services:
        raise Skip(f"no JupyterHub release or proxy-public Service in the {inventory.source} inventory")
    for release in releases:
        values = release.spec.get("values") or {}
        if z2jh.get(values, "ingress.enabled", False) and z2jh.get(values, "ingress.tls", []):
            continue
        if not z2jh.get(values, "proxy.https.enabled"):
            how = (
                "is false"
                if z2jh.is_set(values, "proxy.https.enabled")
                else "is unset (the chart's default is false)"
            )
            yield finding_at(
                inventory,
                release,
                f"proxy.https.enabled {how}: sign-in and notebooks travel in clear text; enable HTTPS "
                f"(letsencrypt with hosts, or offload behind a load-balancer certificate)",
                "proxy",
                "https",
                "enabled",
            )
            continue
        kind = z2jh.get(values, "proxy.https.type")
        problem = None
        if kind == "letsencrypt" and not z2jh.get(values, "proxy.https.hosts", []):
            problem = "type letsencrypt needs proxy.https.hosts (the hub's DNS name)"
        elif kind == "secret" and not z2jh.get(values, "proxy.https.secret.name", None):
            problem = "type secret needs proxy.https.secret.name"
        elif kind == "manual" and not z2jh.get(values, "proxy.https.manual.cert", None):
            problem = "type manual needs proxy.https.manual.cert and key"
        elif kind not in ("letsencrypt", "secret", "manual", "offload"):
            problem = f"type '{kind}' is not one of letsencrypt, secret, manual, offload"
        if problem:
            yield finding_at(
                inventory, release, f"proxy.https is enabled but {problem}", "proxy", "https", "type"
            )
    for service in services:
        ports = [p.get("port") for p in ((service.spec.get("spec") or {}).get("ports") or [])]
        if 443 not in ports:
            yield Finding.on(service, f"serves ports {ports} and no 443: the hub is not behind TLS")


# --- AIC-NET-04 ------------------------------------------------------------------------------

_ENFORCERS = ("calico-node", "cilium", "antrea-agent", "kube-router", "weave-net", "canal")
_ENFORCER_CHARTS = ("tigera-operator", "calico", "cilium", "antrea")


@check("AIC-NET-04", "plan", "live")
def cni_enforces_policies(ctx: CheckContext) -> Iterable[Finding]:
    """A network plugin that enforces NetworkPolicy runs (or is created) in the cluster."""
    inventory = ctx.inventory
    engines = [
        r.name
        for r in inventory.of(HELM_RELEASE)
        if str(r.spec.get("chart") or r.name).rstrip("/").rsplit("/", 1)[-1] in _ENFORCER_CHARTS
    ]
    if inventory.source == "plan":
        clusters = inventory.of(CLUSTER)
        if any(c.spec.get("network_policy_enforced") for c in clusters) or engines:
            return []
        if clusters:
            return [
                Finding.on(
                    c,
                    "the cluster's network plugin does not enforce NetworkPolicy (network_policy_enforced is "
                    "false) and no policy engine (Calico, Cilium) is installed: every isolation policy is decoration",
                )
                for c in clusters
            ]
        raise Skip(
            "the plan creates no cluster and installs no policy engine; whether the existing cluster's "
            "network plugin enforces NetworkPolicy can only be checked live"
        )
    return _live_enforcement(inventory, engines)


def _live_enforcement(inventory: Inventory, engines: list[str]) -> list[Finding]:
    """The live adapter's verdict (from the CNI DaemonSets) when it has one, else the pods'."""
    for cluster in inventory.of(CLUSTER):
        enforced = cluster.spec.get("network_policy_enforced")
        evidence = "; ".join(cluster.spec.get("network_policy_evidence") or [])
        if enforced is True:
            return []
        if enforced is False:
            return [
                Finding.on(
                    cluster,
                    f"the cluster's network plugin does not enforce NetworkPolicy ({evidence or 'no policy engine'}) "
                    f"and no Calico or Cilium runs: every isolation policy is decoration",
                )
            ]
    if "Pod" in inventory.unavailable:
        raise Skip(f"Pod could not be read: {inventory.unavailable['Pod']}")
    pods = inventory.of("Pod")
    if any(p.name.startswith(_ENFORCERS) for p in pods):
        return []
    vpc_cni = [p for p in pods if p.namespace == "kube-system" and p.name.startswith("aws-node")]
    for pod in vpc_cni:
        for c in (pod.spec.get("spec") or {}).get("containers") or []:
            if c.get("name") == "aws-eks-nodeagent" and "--enable-network-policy=true" in (
                c.get("args") or []
            ):
                return []
    config = next((c for c in inventory.of("ConfigMap") if c.name == "amazon-vpc-cni"), None)
    if (
        config is not None
        and str((config.spec.get("data") or {}).get("enable-network-policy-controller")).lower() == "true"
    ):
        return []
    if vpc_cni:
        return [
            Finding.on(
                vpc_cni[0],
                "the Amazon VPC CNI runs without its network policy agent (enableNetworkPolicy) and no "
                "Calico or Cilium runs: NetworkPolicies are not enforced",
            )
        ]
    flannel = [p for p in pods if "flannel" in p.name]
    if flannel:
        return [Finding.on(flannel[0], "flannel does not enforce NetworkPolicy and no Calico or Cilium runs")]
    if engines:
        raise Skip(f"policy engine release(s) {', '.join(engines)} found but none of their pods run yet")
    raise Skip(
        f"no known network plugin among the cluster's pods ({', '.join(_ENFORCERS)}, aws-node, flannel); "
        f"confirm by hand that it enforces NetworkPolicy"
    )
