"""The cluster check's entry point: render a bundle's platform stack with the real charts, then
run every model of the cluster (admission, references and order, scheduling) over it.

`check_cluster` is the pure core (objects and node groups in, report out); `check_files` renders
a bundle first; `check_bundle` composes the node groups and capabilities of a city's profile
and sizing plan. The CLI gives the chart source (the chart cache) and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aicommons.clustercheck.charts import ChartSource
from aicommons.clustercheck.model import ClusterFinding, ClusterInput, NodeGroup
from aicommons.clustercheck.render import RenderedBundle, render_platform
from aicommons.clustercheck.report import ClusterReport
from aicommons.yamlio import safe_load

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile
    from aicommons.render.bundle import Bundle
    from aicommons.sizing.plan import SizingPlan

# The models, each `aicommons.clustercheck.<name>.check(ClusterInput) -> list[ClusterFinding]`;
# a model may list in `NEEDS_EVERY_RELEASE` the rules whose findings hold only when every
# release was rendered (they are dropped while some release is skipped).
MODELS = ("admission", "order", "scheduling")
INFRA_CONFIG = "pulumi/Pulumi.infra.yaml"


def models() -> list[tuple[str, Any]]:
    """The model modules, in `MODELS` order."""
    from aicommons.clustercheck import admission, order, scheduling

    modules = {"admission": admission, "order": order, "scheduling": scheduling}
    return [(name, modules[name]) for name in MODELS]


def check_cluster(cluster: ClusterInput, rendered: RenderedBundle | None = None) -> ClusterReport:
    """Every model over one cluster input; the rendering's own findings and skips included."""
    findings: list[ClusterFinding] = list(rendered.findings if rendered else ())
    ran = []
    for name, module in models():
        found = module.check(cluster)
        if rendered is not None and rendered.skipped:
            # what a rule finds missing may be in a release not rendered: that one is reported
            dropped = getattr(module, "NEEDS_EVERY_RELEASE", frozenset())
            found = [f for f in found if f.rule not in dropped]
        findings += found
        ran.append(name)
    unique = {(f.control, f.release, f.object, f.rule, f.message): f for f in findings}
    return ClusterReport(
        findings=tuple(unique[k] for k in sorted(unique)),
        skipped=dict(rendered.skipped) if rendered else {},
        kubernetes_version=cluster.kubernetes_version,
        models=tuple(ran),
    )


def check_files(
    files: Mapping[str, bytes],
    chart_source: ChartSource,
    *,
    node_groups: Iterable[NodeGroup],
    capabilities: Iterable[str],
    kubernetes_version: str,
    causes: Mapping[str, str] | None = None,
) -> ClusterReport:
    """Render the bundle's platform stack (charts from `chart_source`) and check it."""
    rendered = render_platform(files, chart_source)
    cluster = ClusterInput(
        objects=rendered.objects,
        node_groups=tuple(node_groups),
        kubernetes_version=kubernetes_version,
        capabilities=frozenset(capabilities),
        causes=dict(causes or {}),
    )
    return check_cluster(cluster, rendered)


def check_bundle(
    profile: CityProfile,
    plan: SizingPlan,
    bundle: Bundle | Mapping[str, bytes],
    chart_source: ChartSource,
    kubernetes_version: str | None = None,
) -> ClusterReport:
    """The cluster check of a city's bundle: its sized node groups at their minimum counts and
    what its target's cluster provides."""
    files = bundle.files if hasattr(bundle, "files") else bundle
    return check_files(
        files,
        chart_source,
        node_groups=sized_node_groups(profile, plan),
        capabilities=cluster_capabilities(profile, plan),
        kubernetes_version=kubernetes_version or bundle_kubernetes_version(files),
    )


def sized_node_groups(profile: CityProfile, plan: SizingPlan) -> tuple[NodeGroup, ...]:
    """The node groups of the sizing plan, as the scheduler sees their nodes."""
    from aicommons.clustercheck.nodes import node_groups

    return tuple(node_groups(profile, plan))


def cluster_capabilities(profile: CityProfile, plan: SizingPlan) -> frozenset[str]:
    """What the target's cluster provides beyond the API server.

    - what the target declares (`PlatformDefaults.capabilities`): `load-balancer` (EKS's cloud
      controller; an existing or on-prem cluster only when its profile says so), `ingress`;
    - `cluster-autoscaler` when the bundle installs it (a pending pod may get a new node);
    - `default-storage-class` / `storage-class:<name>`: an existing cluster's own classes (the
      stack creates none there); `aicommons preflight` checks they are really there.
    """
    from aicommons.targets.base import target_for

    defaults = target_for(profile).platform_defaults(profile, plan)
    found: set[str] = set(defaults.capabilities)
    if defaults.autoscaler:
        found.add("cluster-autoscaler")
    created = {c["name"] for c in defaults.storage_classes}
    if not any(c.get("default") for c in defaults.storage_classes) and not defaults.has_infra_stack:
        found.add("default-storage-class")
    if defaults.home_storage_class and defaults.home_storage_class not in created:
        found.add(f"storage-class:{defaults.home_storage_class}")
    return frozenset(found)


def bundle_kubernetes_version(files: Mapping[str, bytes]) -> str:
    """The cluster version the infra stack builds; the project's default for existing clusters."""
    from aicommons.render.infra_aws import KUBERNETES_VERSION

    if INFRA_CONFIG in files:
        config = ((safe_load(files[INFRA_CONFIG], INFRA_CONFIG) or {}).get("config") or {}).get(
            "aicommons:infra"
        ) or {}
        if config.get("kubernetes_version"):
            return str(config["kubernetes_version"])
    return str(KUBERNETES_VERSION)
