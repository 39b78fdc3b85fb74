"""The city's README in the bundle: what will be created, a diagram, the cost, how to deploy."""

from __future__ import annotations

import json
import shlex
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from aicommons import __version__
from aicommons.profile.model import CityProfile
from aicommons.render.infra_aws import cluster_name
from aicommons.render.jupyterhub import NAMESPACE as HUB_NAMESPACE
from aicommons.render.node_setup import PoolNodes, kubectl_commands
from aicommons.render.overrides import overrides_of
from aicommons.render.platform_releases import cluster_policy_patch
from aicommons.render.releases import Release
from aicommons.render.staging_hub import staging_cost
from aicommons.render.week_figure import WeekFigure
from aicommons.sizing.plan import SizingPlan
from aicommons.targets.platform import PlatformDefaults


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("aicommons.render", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML
    )
    env.filters["usd"] = lambda v: f"{v:,.2f}"
    return env


def _kubectl(context: str | None) -> str:
    return f"kubectl --context {shlex.quote(context)}" if context else "kubectl"


def node_steps(nodes: list[PoolNodes], context: str | None) -> list[dict[str, Any]]:
    """Per pool: who labels its nodes (the stack, or the city with these commands)."""
    return [
        {
            "pool": p.pool,
            "role": p.role,
            "needed": p.nodes_needed,
            "instance_type": p.instance_type,
            "by_stack": p.patched_by_stack,
            "nodes": list(p.nodes.nodes or []) if p.nodes else [],
            "commands": kubectl_commands(p, context),
        }
        for p in nodes
    ]


def gpu_sharing_commands(plan: SizingPlan, defaults: PlatformDefaults) -> list[str]:
    """Apply the sharing configs and point the city's ClusterPolicy at them."""
    kubectl = _kubectl(defaults.kube_context)
    patch = json.dumps(cluster_policy_patch(plan), sort_keys=True, separators=(",", ":"))
    return [
        f"{kubectl} apply -f helm/gpu-sharing.yaml",
        f"{kubectl} patch clusterpolicies.nvidia.com/cluster-policy --type merge -p {shlex.quote(patch)}",
    ]


def dns_steps(defaults: PlatformDefaults) -> dict[str, str]:
    """How to find the address the hub's name must point at, for the exposure in use."""
    kubectl = _kubectl(defaults.kube_context)
    exposure = defaults.hub_exposure.type
    if exposure == "LoadBalancer":
        command = (
            f"{kubectl} -n {HUB_NAMESPACE} get service proxy-public "
            "-o jsonpath='{.status.loadBalancer.ingress[0]}'"
        )
        record = "a CNAME to the load balancer's hostname (or an A record to its IP)"
    elif exposure == "Ingress":
        command = (
            f"{kubectl} -n {HUB_NAMESPACE} get ingress jupyterhub "
            "-o jsonpath='{.status.loadBalancer.ingress[0]}'"
        )
        record = "a CNAME or A record to the ingress controller's address"
    else:
        command = (
            f"{kubectl} -n {HUB_NAMESPACE} get service proxy-public "
            "-o jsonpath='{range .spec.ports[*]}{.name}={.nodePort} {end}'"
        )
        record = (
            "A records to the nodes' addresses (`kubectl get nodes -o wide`), with ports 80 and 443 "
            "forwarded to these node ports by the city's firewall or front load balancer"
        )
    how = {
        "LoadBalancer": "by a load balancer (Service proxy-public of type LoadBalancer)",
        "NodePort": "on the nodes' ports (Service proxy-public of type NodePort)",
        "Ingress": f"through the cluster's ingress controller (class {defaults.hub_exposure.ingress_class})",
    }[exposure]
    return {"command": command, "record": record, "exposure": exposure, "how": how, "kubectl": kubectl}


def city_readme(
    profile: CityProfile,
    plan: SizingPlan,
    releases: list[Release],
    defaults: PlatformDefaults,
    project: str,
    nodes: list[PoolNodes] | None = None,
    vendored: bool = False,
    figures: list[WeekFigure] | None = None,
) -> str:
    return (
        _env()
        .get_template("city_readme.md.j2")
        .render(
            profile=profile,
            plan=plan,
            releases=releases,
            defaults=defaults,
            project=project,
            vendored=vendored,
            figures=figures or [],
            version=__version__,
            overrides=overrides_of(profile.extra_values),
            staging=staging_cost(profile, plan),
            secret_env=profile.identity.client_secret_env if profile.identity else "",
            smtp_env=_smtp_env(profile),
            node_steps=node_steps(nodes or [], defaults.kube_context),
            gpu_sharing=(
                gpu_sharing_commands(plan, defaults) if defaults.gpu_setup == "existing-operator" else []
            ),
            dns=dns_steps(defaults),
            kubeconfig_step=(
                f"aws eks update-kubeconfig --name {cluster_name(profile)} --region {plan.region}"
                if defaults.has_infra_stack
                else ""
            ),
        )
    )


def _smtp_env(profile: CityProfile) -> str:
    """The variable deploy reads the alert relay's password from, when the relay needs one."""
    smtp = profile.monitoring.smtp if profile.monitoring.enabled else None
    return smtp.password_env if smtp is not None and smtp.username else ""
