"""What Zero-to-JupyterHub (4.x, KubeSpawner 7) makes of its Helm values.

The controls check the user pods and network policy the hub *will* create, so unset keys take
the chart's defaults (several are insecure: `authenticator_class: dummy`, `admin_access:
true`, a privileged iptables init container), and each profile's `kubespawner_override` is
applied the way KubeSpawner applies it (dicts merged, everything else replaced).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aicommons.checks.controls._kube import PRIVATE_CIDRS

# The chart's defaults for the keys the controls read (jupyterhub/values.yaml, 4.x).
DEFAULTS: dict[str, Any] = {
    "hub.config.JupyterHub.authenticator_class": "dummy",
    "hub.config.JupyterHub.admin_access": True,
    "proxy.https.enabled": False,
    "proxy.https.type": "letsencrypt",
    "singleuser.uid": 1000,
    "singleuser.fsGid": 100,
    "singleuser.allowPrivilegeEscalation": False,
    "singleuser.cloudMetadata.blockWithIptables": True,
    "singleuser.cloudMetadata.ip": "169.254.169.254",
    "singleuser.networkTools.image.name": "quay.io/jupyterhub/k8s-network-tools",
    "singleuser.networkPolicy.enabled": True,
    "singleuser.networkPolicy.egressAllowRules.cloudMetadataServer": False,
    "singleuser.networkPolicy.egressAllowRules.dnsPortsCloudMetadataServer": True,
    "singleuser.networkPolicy.egressAllowRules.dnsPortsKubeSystemNamespace": True,
    "singleuser.networkPolicy.egressAllowRules.dnsPortsPrivateIPs": True,
    "singleuser.networkPolicy.egressAllowRules.nonPrivateIPs": True,
    "singleuser.networkPolicy.egressAllowRules.privateIPs": False,
    "singleuser.image.name": "quay.io/jupyterhub/k8s-singleuser-sample",
    "singleuser.memory.guarantee": "1G",
    "singleuser.storage.type": "dynamic",
    "cull.enabled": True,
    "cull.timeout": 3600,
    "cull.maxAge": 0,
}

_UNSET = object()


def get(values: Mapping[str, Any], dotted: str, default: Any = _UNSET) -> Any:
    """The value at a dotted path, else the chart default (or `default`)."""
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or node.get(part) is None:
            return DEFAULTS.get(dotted) if default is _UNSET else default
        node = node[part]
    return node


def is_set(values: Mapping[str, Any], dotted: str) -> bool:
    return get(values, dotted, None) is not None


# --- KubeSpawner traits ----------------------------------------------------------------------

# singleuser.<key> -> KubeSpawner trait (z2jh's jupyterhub_config.py mapping)
_TRAITS = {
    "uid": "uid",
    "fsGid": "fs_gid",
    "allowPrivilegeEscalation": "allow_privilege_escalation",
    "serviceAccountName": "service_account",
    "extraPodConfig": "extra_pod_config",
    "extraContainerConfig": "extra_container_config",
    "initContainers": "init_containers",
    "extraContainers": "extra_containers",
    "cpu.guarantee": "cpu_guarantee",
    "cpu.limit": "cpu_limit",
    "memory.guarantee": "mem_guarantee",
    "memory.limit": "mem_limit",
    "extraResource.limits": "extra_resource_limits",
    "extraResource.guarantees": "extra_resource_guarantees",
    "cmd": "cmd",
}


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


@dataclass
class Profile:
    """One entry of the hub's profile list (or the single implicit one) as KubeSpawner sees it."""

    slug: str
    index: int | None  # position in singleuser.profileList; None without a list
    traits: dict[str, Any] = field(default_factory=dict)
    override: dict[str, Any] = field(default_factory=dict)


def profiles(values: Mapping[str, Any]) -> list[Profile]:
    base: dict[str, Any] = {}
    for key, trait in _TRAITS.items():
        value = get(values, f"singleuser.{key}")
        if value is not None:
            base[trait] = copy.deepcopy(value)
    name, tag = get(values, "singleuser.image.name"), get(values, "singleuser.image.tag")
    base["image"] = f"{name}:{tag}" if tag else name
    _merge(base, get(values, "hub.config.KubeSpawner", {}) or {})
    entries = get(values, "singleuser.profileList", []) or []
    if not entries:
        return [Profile(slug="(default)", index=None, traits=base)]
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        override = dict(entry.get("kubespawner_override") or {})
        traits = copy.deepcopy(base)
        _merge(traits, override)
        slug = entry.get("slug") or entry.get("display_name") or f"#{i}"
        out.append(Profile(slug=str(slug), index=i, traits=traits, override=override))
    return out


def user_pod(values: Mapping[str, Any], profile: Profile) -> dict[str, Any]:
    """The pod spec KubeSpawner builds for a profile (camelCase, as the API would show it).

    Containers carry `_origin`: the values key that put them there, for findings.
    """
    t = profile.traits
    csc: dict[str, Any] = {}
    if t.get("uid") is not None:
        csc["runAsUser"] = t["uid"]
    if t.get("gid") is not None:
        csc["runAsGroup"] = t["gid"]
    if t.get("privileged"):
        csc["privileged"] = True
    if t.get("allow_privilege_escalation") is not None:
        csc["allowPrivilegeEscalation"] = t["allow_privilege_escalation"]
    csc.update(t.get("container_security_context") or {})
    notebook: dict[str, Any] = {"name": "notebook", "image": t.get("image"), "_origin": "singleuser"}
    if csc:
        notebook["securityContext"] = csc
    notebook.update(copy.deepcopy(t.get("extra_container_config") or {}))  # replaces whole keys
    psc: dict[str, Any] = {}
    if t.get("fs_gid") is not None:
        psc["fsGroup"] = t["fs_gid"]
    psc.update(t.get("pod_security_context") or {})
    spec: dict[str, Any] = {"containers": [notebook], "initContainers": [], "volumes": []}
    if psc:
        spec["securityContext"] = psc
    if get(values, "singleuser.cloudMetadata.blockWithIptables"):
        tools = get(values, "singleuser.networkTools.image.name")
        tag = get(values, "singleuser.networkTools.image.tag")
        spec["initContainers"].append(
            {
                "name": "block-cloud-metadata",
                "image": f"{tools}:{tag}" if tag else tools,
                "securityContext": {
                    "privileged": True,
                    "runAsUser": 0,
                    "capabilities": {"add": ["NET_ADMIN"]},
                },
                "_origin": "singleuser.cloudMetadata.blockWithIptables",
            }
        )
    for trait, key, origin in (
        ("init_containers", "initContainers", "singleuser.initContainers"),
        ("extra_containers", "containers", "singleuser.extraContainers"),
    ):
        for c in t.get(trait) or []:
            spec[key].append({**c, "_origin": origin})
    if "volumes" in profile.override:  # a profile's list replaces z2jh's (home claim, extraVolumes)
        spec["volumes"] = list(profile.override["volumes"] or [])
    else:
        if get(values, "singleuser.storage.type") in ("dynamic", "static"):
            spec["volumes"].append(
                {"name": "home", "persistentVolumeClaim": {"claimName": "claim-{username}"}}
            )
        spec["volumes"] += list(get(values, "singleuser.storage.extraVolumes", []) or [])
        spec["volumes"] += list(t.get("volumes") or [])
    if t.get("service_account"):
        spec["serviceAccountName"] = t["service_account"]
    automount = t.get("automount_service_account_token")
    if automount is None and not t.get("service_account"):
        automount = False  # KubeSpawner mounts no token when no service account is named
    if automount is not None:
        spec["automountServiceAccountToken"] = automount
    for key, value in (t.get("extra_pod_config") or {}).items():  # replaces whole keys
        spec[key] = copy.deepcopy(value)
    return spec


def grouped_issues(
    values: Mapping[str, Any], issues_of: Callable[[dict[str, Any]], list[tuple[str | None, str]]]
) -> list[tuple[str | None, str, str]]:
    """Issues of the user pods of every profile, each once with the profiles it affects."""
    found: dict[tuple[str | None, str], list[str]] = {}
    entries = profiles(values)
    for profile in entries:
        for origin, problem in issues_of(user_pod(values, profile)):
            found.setdefault((origin, problem), []).append(profile.slug)
    out = []
    for (origin, problem), slugs in found.items():
        who = "all profiles" if len(slugs) == len(entries) and len(slugs) > 1 else "profile"
        out.append((origin, problem, f"{who}: {', '.join(slugs)}" if entries[0].index is not None else "all"))
    return out


# --- The singleuser NetworkPolicy ------------------------------------------------------------


def singleuser_policy(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """The egress rules of the chart's `singleuser` NetworkPolicy, or None when it is disabled."""
    if not get(values, "singleuser.networkPolicy.enabled"):
        return None

    def rule(name: str) -> bool:
        return bool(get(values, f"singleuser.networkPolicy.egressAllowRules.{name}"))

    metadata = f"{get(values, 'singleuser.cloudMetadata.ip')}/32"
    private, non_private, cloud = rule("privateIPs"), rule("nonPrivateIPs"), rule("cloudMetadataServer")
    dns = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    egress: list[dict[str, Any]] = []
    if rule("dnsPortsCloudMetadataServer"):
        egress.append({"ports": dns, "to": [{"ipBlock": {"cidr": metadata}}]})
    if rule("dnsPortsPrivateIPs") and not private:
        egress.append({"ports": dns, "to": [{"ipBlock": {"cidr": c}} for c in PRIVATE_CIDRS]})
    if non_private:
        except_ = ([] if private else list(PRIVATE_CIDRS)) + ([] if cloud else [metadata])
        block: dict[str, Any] = {"cidr": "0.0.0.0/0"}
        if except_:
            block["except"] = except_
        egress.append({"to": [{"ipBlock": block}]})
    if private and not non_private:
        egress.append({"to": [{"ipBlock": {"cidr": c}} for c in PRIVATE_CIDRS]})
    if cloud and not non_private:
        egress.append({"to": [{"ipBlock": {"cidr": metadata}}]})
    egress += list(get(values, "singleuser.networkPolicy.egress", []) or [])
    return {
        "podSelector": {"matchLabels": {"component": "singleuser-server"}},
        "policyTypes": ["Ingress", "Egress"],
        "egress": egress,
    }
