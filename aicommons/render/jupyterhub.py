"""Zero-to-JupyterHub values, derived from the sizing plan (never hand-written).

One profile per workload with its guarantees and limits, the node selector and
tolerations of the pool that hosts it, and GPU limits; OIDC sign-in; HTTPS; idle culling
from the governance knobs (stricter for GPU servers); user-pod network policy with
private ranges and the metadata endpoint blocked; the event log on stdout for the audit
shipper.
"""

from __future__ import annotations

import copy
from typing import Any

from aicommons.backup.hub import hub_values
from aicommons.errors import InputError, Location
from aicommons.healthcheck.service import hub_values as health_check_service
from aicommons.profile.model import CityProfile, Tier, Workload
from aicommons.render.monitoring_metrics import WORKLOAD_LABEL
from aicommons.render.pools import POOL_LABEL, node_selector, tolerations
from aicommons.sizing.plan import PoolPlan, SizingPlan, WorkloadPlan
from aicommons.sizing.system_pods import SystemContainer, container
from aicommons.targets.platform import HubExposure
from aicommons.units import cpu_quantity, memory_quantity, spawner_memory

NAMESPACE = "jupyterhub"
OIDC_SECRET_KEY = "oidcClientSecret"
HUB_DB_SECRET = "hub-db-app"  # created by the CloudNativePG cluster (credentials never rendered)
HUB_TLS_SECRET = "hub-tls"  # Ingress with Let's Encrypt: cert-manager writes the certificate here
CERT_MANAGER_ISSUER = "cert-manager.io/cluster-issuer"

_PLACEHOLDERS = {"pilot": 0, "small": 2, "medium": 5, "large": 10}
# Containers too small to size by tier: the image puller's pause and image-pull init containers
# (they only `echo`) and KubeSpawner's network-tools init container; z2jh's secret-sync, a
# Python loop that copies the TLS certificate into a Secret.
_TINY = {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}

# jupyter_events writes each event (server start/stop, ...) as one JSON line carrying
# "__schema__". JupyterHub has no event for logins or admin actions: they are lines of the
# hub's own log at INFO ("User logged in: NAME", and a request line "201 POST /hub/api/...
# (WHO@IP)" for every change through the REST API, which the admin page uses). The audit
# shipper keeps those three kinds of line and drops the rest (charts/aicommons-platform,
# audit-configmap.yaml).
_EVENT_LOGGING = """\
import logging, sys
c.EventLogger.handlers = [logging.StreamHandler(sys.stdout)]
c.JupyterHub.log_level = "INFO"
"""

# Pod Security Standards "restricted" for every container z2jh runs.
RESTRICTED = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}

_POSTGRES_URL = """\
import os
c.JupyterHub.db_url = os.environ["HUB_DB_URI"].replace("postgresql://", "postgresql+psycopg2://", 1)
"""


def system_resources(spec: SystemContainer) -> dict[str, dict[str, str]]:
    """A platform container's requests and limits from the one table sizing packs
    (aicommons/sizing/system_pods.py): limits as the table gives them, else twice the request."""
    out = resources(spec.cpu, spec.memory_gib)
    if spec.cpu_limit is not None:
        out["limits"]["cpu"] = cpu_quantity(spec.cpu_limit)
    if spec.memory_limit_gib is not None:
        out["limits"]["memory"] = memory_quantity(spec.memory_limit_gib)
    return out


def resources(cpu: float, memory_gib: float, limit_factor: float = 2.0) -> dict[str, dict[str, str]]:
    """Explicit requests and limits: the namespace's LimitRange default is for user servers
    (sized by the default workload) and must never apply to the platform's own pods."""
    return {
        "requests": {"cpu": cpu_quantity(cpu), "memory": memory_quantity(memory_gib)},
        "limits": {
            "cpu": cpu_quantity(cpu * limit_factor),
            "memory": memory_quantity(memory_gib * limit_factor),
        },
    }


def proxy_public_ports(values: dict[str, Any]) -> int:
    """Ports of z2jh's proxy-public Service (templates/proxy/service.yaml): https when HTTPS is
    on (letsencrypt with hosts, manual, secret or offload), http unless disabled, extra ports."""
    proxy = values.get("proxy") or {}
    https = proxy.get("https") or {}
    service = proxy.get("service") or {}
    kind = https.get("type", "letsencrypt")
    https_on = bool(https.get("enabled")) and (
        kind in ("manual", "secret", "offload") or (kind == "letsencrypt" and bool(https.get("hosts")))
    )
    http_on = service.get("disableHttpPort") is not True
    return int(https_on) + int(http_on) + len(service.get("extraPorts") or [])


def require_render_fields(profile: CityProfile) -> None:
    missing = [name for name in ("identity", "hub") if getattr(profile, name) is None]
    if missing:
        raise InputError(
            f"rendering needs the {' and '.join(missing)} section(s): sign-in and HTTPS are not optional",
            Location(field=missing[0]),
            "see examples/cities/riverton.yaml for identity: and hub:",
        )


def jupyterhub_values(
    profile: CityProfile, plan: SizingPlan, exposure: HubExposure | None = None
) -> dict[str, Any]:
    """The chart's values; `exposure` is the target's resolved choice (LoadBalancer when None)."""
    require_render_fields(profile)
    assert profile.identity is not None and profile.hub is not None
    tier = profile.effective_tier
    pools = {p.name: p for p in plan.pools}
    by_name = {w.name: w for w in profile.workloads}
    profiles = [workload_profile(by_name[w.name], w, pools[w.pool], profile) for w in plan.workloads]
    default_name = next((w.name for w in profile.workloads if w.default), profile.workloads[0].name)
    default_plan = next(w for w in plan.workloads if w.name == default_name)
    authorize, token, userinfo = profile.identity.endpoints()
    gov = profile.governance
    values: dict[str, Any] = {
        "hub": {
            "config": {
                "JupyterHub": {"authenticator_class": "generic-oauth", "admin_access": False},
                "KubeSpawner": {"container_security_context": RESTRICTED},
                "GenericOAuthenticator": {
                    "client_id": profile.identity.client_id,
                    "oauth_callback_url": f"https://{profile.hub.host}/hub/oauth_callback",
                    "authorize_url": authorize,
                    "token_url": token,
                    "userdata_url": userinfo,
                    "scope": ["openid", "profile", "email", profile.identity.groups_claim],
                    "username_claim": profile.identity.username_claim,
                    "claim_groups_key": profile.identity.groups_claim,
                    "allowed_groups": list(profile.identity.allowed_groups),
                    "admin_groups": list(profile.identity.admin_groups),
                    "manage_groups": True,
                },
            },
            "resources": system_resources(container(tier, "hub", "hub")),
            "nodeSelector": {"hub.jupyter.org/node-purpose": "core"},
            "networkPolicy": {"enabled": True},
            "containerSecurityContext": RESTRICTED,
            "extraConfig": {"10-aicommons-event-log": _EVENT_LOGGING},
            "db": {"type": "sqlite-pvc", "pvc": {"storage": "1Gi"}},
        },
        "proxy": _proxy(profile, tier, exposure or HubExposure()),
        "singleuser": {
            "profileList": profiles,
            "networkPolicy": {
                "enabled": True,
                "egressAllowRules": {
                    "cloudMetadataServer": False,
                    "dnsPortsCloudMetadataServer": False,
                    "dnsPortsKubeSystemNamespace": True,
                    "dnsPortsPrivateIPs": False,
                    "nonPrivateIPs": True,
                    "privateIPs": False,
                },
            },
            # The metadata endpoint is blocked by the user-pod policy above, the project chart's egress
            # policy and IMDSv2 with hop limit 1; z2jh's iptables init container would be privileged.
            "cloudMetadata": {"blockWithIptables": False},
            "networkTools": {"resources": copy.deepcopy(_TINY)},
            "allowPrivilegeEscalation": False,
            "extraPodConfig": {"automountServiceAccountToken": False},
            "storage": {"type": "dynamic", "capacity": memory_quantity(profile.storage.home_gib_per_user)},
        },
        "scheduling": {
            "userScheduler": {
                "enabled": tier != "pilot",
                "containerSecurityContext": RESTRICTED,
                "resources": system_resources(container(tier, "user-scheduler", "kube-scheduler")),
            },
            "podPriority": {"enabled": tier != "pilot"},
            "userPlaceholder": {
                "enabled": tier != "pilot",
                "replicas": _placeholders(tier, pools[default_plan.pool]),
                "containerSecurityContext": RESTRICTED,
                # a placeholder holds the room of one default user server
                "resources": resources(default_plan.cpu, default_plan.memory_gib, limit_factor=1),
            },
            "corePods": {"nodeAffinity": {"matchNodePurpose": "require"}},
            "userPods": {"nodeAffinity": {"matchNodePurpose": "require"}},
        },
        "cull": {
            "enabled": True,
            "timeout": gov.idle_cull_minutes * 60,
            "every": 300,
            "users": False,
            "removeNamedServers": False,
        },
        "prePuller": {
            "hook": {"enabled": False, "resources": copy.deepcopy(_TINY)},
            "continuous": {"enabled": tier != "pilot"},
            "containerSecurityContext": RESTRICTED,
            "resources": copy.deepcopy(_TINY),  # the pause container and every image-pull init container
        },
    }
    if plan.hub is not None:  # sizing chose it to cover the slowest node boot plus image pull
        values["singleuser"]["startTimeout"] = plan.hub.start_timeout_seconds
    if profile.identity.admin_users:
        values["hub"]["config"]["GenericOAuthenticator"]["admin_users"] = list(profile.identity.admin_users)
    if profile.registries:  # z2jh gives the chart-wide list to every pod: hub, proxy, user servers
        values["imagePullSecrets"] = [r.secret_name for r in profile.registries]
    values["hub"].update(health_check_service())  # `aicommons check --live`; its token is the chart's
    restores = hub_values()  # `aicommons backup restore` mounts a user's restored home through it
    values["hub"]["extraConfig"].update(restores.pop("extraConfig"))
    values["hub"].update(restores)
    if (exposure or HubExposure()).type == "Ingress":
        values["ingress"] = _ingress(profile, exposure or HubExposure())
    if tier != "pilot":  # PostgreSQL from the CloudNativePG cluster; its credentials stay in-cluster
        values["hub"]["db"] = {"type": "other"}
        values["hub"]["extraEnv"] = {
            "HUB_DB_URI": {"valueFrom": {"secretKeyRef": {"name": HUB_DB_SECRET, "key": "uri"}}}
        }
        values["hub"]["extraConfig"]["20-aicommons-postgres"] = _POSTGRES_URL
    return values


def _placeholders(tier: Tier, pool: PoolPlan) -> int:
    """z2jh runs one set of placeholders, sized as a default server: the default pool's count from
    the plan (sizing/knobs.py), else the tier's."""
    if tier == "pilot":
        return 0
    return pool.placeholders if pool.placeholders is not None else _PLACEHOLDERS[tier]


def _proxy(profile: CityProfile, tier: Tier, exposure: HubExposure) -> dict[str, Any]:
    """proxy-public as the target exposes it.

    LoadBalancer and NodePort: the proxy terminates TLS itself (autohttps with Let's Encrypt) or
    behind the load balancer (offload). Ingress: proxy-public stays ClusterIP and TLS is the
    ingress's, so autohttps is off (two ACME clients for one host would fight over the challenge).
    """
    hub = profile.hub
    assert hub is not None
    service_type = "ClusterIP" if exposure.type == "Ingress" else exposure.type
    proxy: dict[str, Any] = {
        "service": {"type": service_type},
        "chp": {
            "networkPolicy": {"enabled": True},
            "nodeSelector": {"hub.jupyter.org/node-purpose": "core"},
            "containerSecurityContext": RESTRICTED,
            "resources": system_resources(container(tier, "proxy", "chp")),
        },
        # autohttps: traefik terminates TLS; its load-acme init container has no resources key
        # in z2jh (templates/proxy/autohttps/deployment.yaml) and takes the LimitRange default.
        "traefik": {
            "containerSecurityContext": RESTRICTED,
            "resources": system_resources(container(tier, "autohttps", "traefik")),
        },
        "secretSync": {
            "containerSecurityContext": RESTRICTED,
            "resources": system_resources(container(tier, "autohttps", "secret-sync")),
        },
    }
    if exposure.node_ports is not None:
        http, https = exposure.node_ports
        proxy["service"]["nodePorts"] = {"http": http, "https": https}
    if exposure.type == "Ingress":
        proxy["https"] = {"enabled": False}
    elif hub.https == "letsencrypt":
        proxy["https"] = {
            "enabled": True,
            "type": "letsencrypt",
            "hosts": [hub.host],
            "letsencrypt": {"contactEmail": hub.contact_email},
        }
    else:
        proxy["https"] = {"enabled": True, "type": "offload"}
        if hub.certificate_arn and exposure.type == "LoadBalancer":
            proxy["service"]["annotations"] = {
                "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": hub.certificate_arn,
                "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
                "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
            }
    return proxy


def _ingress(profile: CityProfile, exposure: HubExposure) -> dict[str, Any]:
    """z2jh's Ingress to proxy-public, always with TLS: with Let's Encrypt cert-manager issues the
    certificate into hub-tls; with offload the controller's default certificate serves the host."""
    hub = profile.hub
    assert hub is not None
    ingress: dict[str, Any] = {
        "enabled": True,
        "ingressClassName": exposure.ingress_class,
        "hosts": [hub.host],
        "pathType": "Prefix",
    }
    if hub.https == "letsencrypt":
        ingress["annotations"] = {CERT_MANAGER_ISSUER: exposure.cluster_issuer or ""}
        ingress["tls"] = [{"hosts": [hub.host], "secretName": HUB_TLS_SECRET}]
    else:  # offload: the ingress controller's own (default) certificate serves the host
        ingress["tls"] = [{"hosts": [hub.host]}]
    return ingress


def workload_profile(
    workload: Workload, sized: WorkloadPlan, pool: PoolPlan, profile: CityProfile
) -> dict[str, Any]:
    """The profile-list entry of one sized workload: its resources, pool placement and culling."""
    gov = profile.governance
    override: dict[str, Any] = {
        "image": workload.image,
        "cpu_guarantee": sized.cpu,
        "cpu_limit": sized.cpu_limit,
        "mem_guarantee": spawner_memory(sized.memory_gib),
        "mem_limit": spawner_memory(sized.memory_limit_gib),
        "node_selector": node_selector(pool),
        "tolerations": tolerations(pool),
        # accounting labels: kube-state-metrics copies them into kube_pod_labels (monitoring_metrics.py)
        "extra_labels": {WORKLOAD_LABEL: workload.name, POOL_LABEL: pool.name},
    }
    if sized.gpu:
        override["extra_resource_limits"] = {"nvidia.com/gpu": str(sized.gpu)}
        override["extra_resource_guarantees"] = {"nvidia.com/gpu": str(sized.gpu)}
        idle = gov.gpu_idle_cull_minutes * 60
        # GPU servers stop sooner when idle (jupyter-server's own culling) and never outlive max age.
        override["args"] = [
            f"--ServerApp.shutdown_no_activity_timeout={idle}",
            f"--MappingKernelManager.cull_idle_timeout={idle}",
            "--MappingKernelManager.cull_interval=60",
        ]
        override["extra_pod_config"] = {"activeDeadlineSeconds": gov.gpu_max_age_hours * 3600}
    entry: dict[str, Any] = {
        "display_name": workload.display_name or workload.name,
        "slug": workload.name,
        "description": workload.description or _describe(sized),
        "kubespawner_override": override,
    }
    if workload.default:
        entry["default"] = True
    return entry


def _describe(sized: WorkloadPlan) -> str:
    text = f"{cpu_quantity(sized.cpu)} CPU, {memory_quantity(sized.memory_gib)} memory"
    if sized.gpu:
        text += f", {sized.gpu} GPU" + ("" if sized.gpu_sharing == "exclusive" else f" ({sized.gpu_sharing})")
    return text
