"""Kubernetes semantics the security controls share: tenants, pod specs, selectors, CIDRs.

Everything here reads the uniform model (`Resource.spec` holds the whole object as the
Kubernetes API or a manifest spells it) so one function serves the bundle, the plan and the
live cluster alike.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import yaml

from aicommons.checks.model import HELM_RELEASE, CheckContext, Finding, Inventory, Resource, Skip

TENANT_LABEL = "aicommons.dev/tenant"
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
# Zero-to-JupyterHub labels every user server `component: singleuser-server`.
USER_POD_LABELS: dict[str, str] = {"component": "singleuser-server"}
# Namespaces whose pods may need host access (device plugin, log shipper, CNI, the monitoring node
# exporter). Calico's operator creates calico-system itself when the renderer installs it.
SYSTEM_NAMESPACES = [
    "aicommons-system",
    "gpu-system",
    "tigera-operator",
    "calico-system",
    "kube-system",
    "cnpg-system",
    "monitoring",
]
PRIVATE_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
METADATA_CIDR = "169.254.169.254/32"

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_POD_TEMPLATE_KINDS = ("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job")


def system_namespaces(ctx: CheckContext) -> list[str]:
    return list(ctx.params.get("system_namespaces", SYSTEM_NAMESPACES))


def partial(findings: list[Finding], unverified: list[str]) -> list[Finding]:
    """Findings of the half that could be checked; Skip when they are clean but a half was not."""
    if findings or not unverified:
        return findings
    raise Skip("; ".join(unverified))


# --- Tenants ---------------------------------------------------------------------------------


def jupyterhub_releases(inventory: Inventory) -> list[Resource]:
    """Zero-to-JupyterHub releases (by chart name, or by release name when the chart is unknown)."""
    out = []
    for r in inventory.of(HELM_RELEASE):
        chart = str(r.spec.get("chart") or "").rstrip("/").rsplit("/", 1)[-1]
        if chart == "jupyterhub" or (not chart and r.name == "jupyterhub"):
            out.append(r)
    return out


def hub_namespaces(inventory: Inventory) -> list[str]:
    """Where user servers run: the hub release's namespace (KubeSpawner's default)."""
    found = []
    for release in jupyterhub_releases(inventory):
        config = (((release.spec.get("values") or {}).get("hub") or {}).get("config")) or {}
        ns = (config.get("KubeSpawner") or {}).get("namespace") or release.namespace
        if ns and ns not in found:
            found.append(ns)
    return found


def _platform_tenants(inventory: Inventory) -> list[dict[str, Any]]:
    tenants: list[dict[str, Any]] = []
    for r in inventory.of(HELM_RELEASE):
        if "aicommons-platform" in str(r.spec.get("chart") or r.name):
            tenants += [t for t in (r.spec.get("values") or {}).get("tenants") or [] if isinstance(t, dict)]
    return tenants


def tenant_namespaces(inventory: Inventory) -> dict[str, dict[str, str]]:
    """Tenant namespace -> the labels of its user pods ({} = every pod in it is a user pod).

    A namespace is a tenant when it carries `aicommons.dev/tenant`, holds objects the platform
    chart made for a tenant, is a tenant in the chart's values, hosts the hub's user servers,
    or (live) runs a user server. Where the hub runs, user pods are those labelled
    `component: singleuser-server` (the hub and the proxy share the namespace).
    """
    hubs = set(hub_namespaces(inventory))
    hubs |= {p.namespace for p in inventory.of("Pod") if p.namespace and matches(USER_POD_LABELS, p.labels)}
    tenants: dict[str, dict[str, str]] = {}
    for t in _platform_tenants(inventory):
        name = t.get("name")
        if name:
            tenants[name] = dict(t.get("podSelector") or (USER_POD_LABELS if name in hubs else {}))
    named = [r.name for r in inventory.of("Namespace") if TENANT_LABEL in r.labels]
    named += [r.namespace for r in inventory.resources if r.kind != "Namespace" and TENANT_LABEL in r.labels]
    for ns in [*sorted(hubs), *named]:
        if ns and ns not in tenants:
            tenants[ns] = dict(USER_POD_LABELS) if ns in hubs else {}
    return tenants


def user_pods(inventory: Inventory) -> list[Resource]:
    """Pods of user servers: in a tenant namespace and carrying its user-pod labels."""
    tenants = tenant_namespaces(inventory)
    return [
        p for p in inventory.of("Pod") if p.namespace in tenants and matches(tenants[p.namespace], p.labels)
    ]


def namespace_objects(inventory: Inventory) -> dict[str, Resource]:
    return {r.name: r for r in inventory.of("Namespace")}


# --- Pods ------------------------------------------------------------------------------------


def pod_spec(resource: Resource) -> tuple[Mapping[str, Any], Mapping[str, str]] | None:
    """(pod spec, pod labels) of a Pod or a workload's pod template; None for other kinds."""
    body = resource.spec
    if resource.kind == "Pod":
        return body.get("spec") or {}, resource.labels
    if resource.kind in _POD_TEMPLATE_KINDS:
        template = (body.get("spec") or {}).get("template") or {}
    elif resource.kind == "CronJob":
        job = ((body.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}
        template = job.get("template") or {}
    else:
        return None
    return template.get("spec") or {}, (template.get("metadata") or {}).get("labels") or {}


def workloads(inventory: Inventory) -> list[tuple[Resource, Mapping[str, Any], Mapping[str, str]]]:
    """(resource, pod spec, pod labels) of every Pod and workload; a Pod whose controller is in
    the inventory too is left out, so a DaemonSet's problem is reported once, not once per node."""
    found = [(r, pod_spec(r)) for r in inventory.resources]
    controllers = {(r.namespace, r.kind, r.name) for r, spec in found if spec is not None and r.kind != "Pod"}
    out = []
    for r, spec in found:
        if spec is None:
            continue
        owners = (r.spec.get("metadata") or {}).get("ownerReferences") or [] if r.kind == "Pod" else []
        if any((r.namespace, o.get("kind"), o.get("name")) in controllers for o in owners):
            continue
        out.append((r, *spec))
    return out


def containers(spec: Mapping[str, Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """('init container'|'container'|'ephemeral container', container) for every container."""
    for key, what in (
        ("initContainers", "init container"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeral container"),
    ):
        for c in spec.get(key) or []:
            if isinstance(c, Mapping):
                yield what, c


def privilege_issues(spec: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """(origin, problem) for each privileged setting of a pod spec."""
    issues: list[tuple[str | None, str]] = []
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            issues.append((None, f"{key}: true"))
    for volume in spec.get("volumes") or []:
        if "hostPath" in volume:
            issues.append(
                (None, f"hostPath volume '{volume.get('name')}' ({volume['hostPath'].get('path')})")
            )
    for what, c in containers(spec):
        origin = c.get("_origin")
        if (c.get("securityContext") or {}).get("privileged"):
            issues.append((origin, f"{what} '{c.get('name')}' runs privileged"))
        for port in c.get("ports") or []:
            if port.get("hostPort"):
                issues.append((origin, f"{what} '{c.get('name')}' uses hostPort {port['hostPort']}"))
    return issues


def hardening_issues(
    spec: Mapping[str, Any], drop: Sequence[str], seccomp: Sequence[str]
) -> list[tuple[str | None, str]]:
    """(origin, problems) per container that misses a setting of the restricted profile."""
    pod = spec.get("securityContext") or {}
    out: list[tuple[str | None, str]] = []
    for what, c in containers(spec):
        sc = c.get("securityContext") or {}
        problems = []
        user = sc.get("runAsUser", pod.get("runAsUser"))
        if user == 0:
            problems.append("runs as root (runAsUser: 0)")
        elif sc.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
            problems.append("runAsNonRoot is not true")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append("allowPrivilegeEscalation is not false")
        caps = sc.get("capabilities") or {}
        if not set(drop) <= set(caps.get("drop") or []):
            problems.append(f"capabilities do not drop {', '.join(drop)}")
        added = sorted(set(caps.get("add") or []) - {"NET_BIND_SERVICE"})
        if added:
            problems.append(f"adds capabilities {', '.join(added)}")
        profile = (sc.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
        if profile not in seccomp:
            problems.append(f"seccompProfile is {profile or 'unset'} (expected {' or '.join(seccomp)})")
        if problems:
            out.append((c.get("_origin"), f"{what} '{c.get('name')}': {'; '.join(problems)}"))
    return out


def matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def selects_user_pods(pod_selector: Mapping[str, Any] | None, user_labels: Mapping[str, str]) -> bool:
    """May the policy select user pods? Only a label that contradicts theirs rules it out."""
    labels = (pod_selector or {}).get("matchLabels") or {}
    return all(user_labels.get(k, v) == v for k, v in labels.items())


def covers_user_pods(pod_selector: Mapping[str, Any] | None, user_labels: Mapping[str, str]) -> bool:
    """Does the selector select every user pod (empty, or a subset of their labels)?"""
    selector = pod_selector or {}
    if selector.get("matchExpressions"):
        return False
    return matches(selector.get("matchLabels") or {}, user_labels)


# --- NetworkPolicy ---------------------------------------------------------------------------


def policy_spec(policy: Resource) -> Mapping[str, Any]:
    """The `spec` of a NetworkPolicy whether the resource holds the manifest or the spec alone."""
    body = policy.spec
    return (body.get("spec") or {}) if "kind" in body or "spec" in body else body


def policy_types(spec: Mapping[str, Any]) -> list[str]:
    types = spec.get("policyTypes")
    if types:
        return list(types)
    return ["Ingress", *(["Egress"] if "egress" in spec else [])]


def is_default_deny(spec: Mapping[str, Any]) -> bool:
    """Both directions governed and nothing allowed by this policy itself."""
    types = set(policy_types(spec))
    return {"Ingress", "Egress"} <= types and not spec.get("ingress") and not spec.get("egress")


def _dns_only(ports: Sequence[Mapping[str, Any]] | None) -> bool:
    return bool(ports) and all(p.get("port") in (53, "53", "dns", "dns-tcp") for p in ports or [])


def egress_reaches(spec: Mapping[str, Any], cidrs: Sequence[str]) -> list[str]:
    """Which of `cidrs` the policy's egress rules allow (DNS-only rules, port 53, do not count)."""
    if "Egress" not in policy_types(spec):
        return []
    reached: set[str] = set()
    for rule in spec.get("egress") or []:
        if _dns_only(rule.get("ports")):
            continue
        peers = rule.get("to")
        for cidr in cidrs:
            if not peers or any(_ip_block_reaches(p.get("ipBlock"), cidr) for p in peers):
                reached.add(cidr)
    return [c for c in cidrs if c in reached]


def _ip_block_reaches(block: Mapping[str, Any] | None, cidr: str) -> bool:
    """Does the ipBlock leave any address of `cidr` allowed (its cidr minus its excepts)?"""
    if not block or "cidr" not in block:
        return False
    target = ipaddress.ip_network(cidr, strict=False)
    allowed = ipaddress.ip_network(block["cidr"], strict=False)
    if allowed.version != target.version or not allowed.overlaps(target):
        return False
    remaining = [target if target.subnet_of(allowed) else allowed]  # type: ignore[arg-type]
    for raw in block.get("except") or []:
        ex = ipaddress.ip_network(raw, strict=False)
        pieces = []
        for piece in remaining:
            if ex.version != piece.version or not ex.overlaps(piece):
                pieces.append(piece)
            elif not piece.subnet_of(ex):  # type: ignore[arg-type]
                pieces.extend(piece.address_exclude(ex))  # type: ignore[arg-type]
        remaining = pieces
    return bool(remaining)


# --- Locations -------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None


def yaml_line(text: str, path: Sequence[str | int]) -> int | None:
    """1-based line of the deepest part of `path` present in a YAML document."""
    node = _compose(text)
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def finding_at(inventory: Inventory, resource: Resource, message: str, *path: str | int) -> Finding:
    """A finding on `resource`, located at `path` in its values or manifest file when known."""
    line = resource.line
    if resource.file and path and resource.file in inventory.files:
        try:
            text = inventory.files[resource.file].decode()
        except UnicodeDecodeError:
            text = ""
        line = yaml_line(text, path) or line
    return Finding(resource=resource.ref, message=message, file=resource.file, line=line)
