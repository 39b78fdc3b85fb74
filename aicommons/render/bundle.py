"""The deploy bundle: every file `aicommons render` writes, as a pure function of profile and plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aicommons import __version__
from aicommons.governance.model import AIProject
from aicommons.profile.model import CityProfile
from aicommons.render import monitoring, sandbox_hub, sandboxes
from aicommons.render import platform_releases as pr
from aicommons.render.files import FileMap, bytes_digest, canonical_digest, json_bytes, yaml_bytes
from aicommons.render.infra_aws import KUBERNETES_VERSION, cluster_name, cost_tags, infra_args
from aicommons.render.jupyterhub import OIDC_SECRET_KEY, jupyterhub_values, require_render_fields
from aicommons.render.node_setup import node_patches, pool_nodes
from aicommons.render.overrides import apply_extra_values
from aicommons.render.platform_args import platform_args
from aicommons.render.readme import city_readme
from aicommons.render.releases import ChartPin, Release, chart_pins
from aicommons.render.staging_hub import staging_release, staging_tenant
from aicommons.render.week_figure import WeekFigure, matplotlib_version, week_figures
from aicommons.resources import data_dir
from aicommons.sizing.plan import SizingPlan
from aicommons.targets.base import target_for
from aicommons.targets.platform import PlatformDefaults

LOCK_FILE = "aicommons.lock.json"
PLATFORM_CHART = "aicommons-platform"
GPU_SHARING_FILE = "helm/gpu-sharing.yaml"  # for a GPU operator the city runs itself
# The platform chart's files the audit ConfigMap is rendered from (their digest rolls fluent-bit).
AUDIT_CHART_SOURCES = ("templates/audit-configmap.yaml", "templates/_helpers.tpl", "values.yaml")
# The stack program's own dependencies (kept in step with pyproject.toml).
STACK_REQUIREMENTS = "pulumi>=3.200,<4\npulumi-aws>=7,<8\npulumi-kubernetes>=4.20,<5\nPyYAML>=6\n"
# The verified bytes of a pinned chart archive (the shell reads them from the chart cache).
ChartSource = Callable[[ChartPin], bytes]


@dataclass(frozen=True)
class Bundle:
    files: FileMap
    releases: list[Release]
    infra: dict[str, Any] | None
    platform: dict[str, Any]
    lock: dict[str, Any]
    project: str


def blueprint_ref() -> dict[str, str]:
    from aicommons.blueprint.load import default_blueprint

    blueprint = default_blueprint()
    return {"name": blueprint.name, "version": blueprint.version}


def project_name(profile: CityProfile) -> str:
    return f"aicommons-{profile.city.slug}"


# Fields added after bundles were committed: left out of the lock while unset, so a city that does
# not use them keeps its profile digest (and drift does not report a profile change it did not make).
_UNSET_WHEN_EMPTY = (("extra_values",), ("registries",), ("identity", "admin_users"), ("staging",))


def profile_document(profile: CityProfile) -> dict[str, Any]:
    """The profile as the lock records it (and its digest hashes)."""
    doc = profile.model_dump(mode="json")
    for path in _UNSET_WHEN_EMPTY:
        parent = doc
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and path[-1] in parent and parent[path[-1]] in ({}, [], None):
            del parent[path[-1]]
    return doc


def profile_digest(profile: CityProfile) -> str:
    return canonical_digest(profile_document(profile))


def render_bundle(
    profile: CityProfile,
    plan: SizingPlan,
    projects: tuple[AIProject, ...] = (),
    today: date | None = None,
    chart_source: ChartSource | None = None,
) -> Bundle:
    """The bundle; with a register, one sandbox per project active on ``today`` (required then).

    With ``chart_source``, each repository chart's archive goes into the bundle (helm/vendor/) and
    the platform stack installs from it: the bundle then deploys without reaching a Helm repository.
    """
    require_render_fields(profile)
    if projects and today is None:
        raise ValueError("rendering projects needs the render date (today)")
    active = sandboxes.active_projects(projects, today) if today is not None else []
    defaults = target_for(profile).platform_defaults(profile, plan)
    project = project_name(profile)
    releases = apply_extra_values(_releases(profile, plan, defaults, active), profile.extra_values)
    nodes = pool_nodes(plan, defaults.node_pools) if defaults.node_setup else []
    manifests = pr.database_manifests(profile)
    infra = infra_args(profile, plan) if defaults.has_infra_stack else None
    tags = cost_tags(profile)
    vendored = chart_source is not None
    platform = platform_args(
        profile,
        defaults,
        releases,
        project,
        manifests,
        tags,
        sandboxes.namespaces(active),
        node_patches(nodes),
        vendored,
    )

    files: FileMap = {}
    for rel in releases:
        files[rel.values_file] = yaml_bytes(rel.values)
        if chart_source is not None and rel.pin.repository is not None:
            files[rel.pin.vendored_path] = chart_source(rel.pin)
    files.update(_pulumi_project(profile, project, infra, platform))
    files.update(_copy_tree(data_dir("stacks") / "aicommons_stacks", "pulumi/aicommons_stacks"))
    files.update(_copy_tree(data_dir("charts") / PLATFORM_CHART, f"helm/charts/{PLATFORM_CHART}"))
    if active:
        chart = sandboxes.SANDBOXES_CHART
        files.update(_copy_tree(data_dir("charts") / chart, f"helm/charts/{chart}"))
    if defaults.gpu_setup == "existing-operator":
        files[GPU_SHARING_FILE] = yaml_bytes(pr.gpu_sharing_config_map(plan, defaults.gpu_operator_namespace))
    figures = week_figures(profile, plan)
    files.update({f.path: f.svg for f in figures})
    files["README.md"] = city_readme(
        profile, plan, releases, defaults, project, nodes, vendored, figures
    ).encode("utf-8")
    if projects and today is not None:
        files[sandboxes.REGISTER_FILE] = json_bytes(sandboxes.register_document(projects, today))
    lock = _lock(profile, plan, releases, files, projects, vendored, figures)
    files[LOCK_FILE] = json_bytes(lock)
    return Bundle(
        files=dict(sorted(files.items())),
        releases=releases,
        infra=infra,
        platform=platform,
        lock=lock,
        project=project,
    )


def _releases(
    profile: CityProfile, plan: SizingPlan, defaults: PlatformDefaults, active: list[AIProject]
) -> list[Release]:
    provenance = {
        "blueprintName": blueprint_ref()["name"],
        "blueprintVersion": blueprint_ref()["version"],
        "profileDigest": profile_digest(profile),
        "toolVersion": __version__,
    }
    hub_values = jupyterhub_values(profile, plan, defaults.hub_exposure)
    if defaults.home_storage_class:
        hub_values["singleuser"]["storage"]["dynamic"] = {"storageClass": defaults.home_storage_class}
    sandbox_hub.add_sandboxes(hub_values, active, profile, plan)
    depends = ["aicommons-platform"]
    after_manifests: tuple[str, ...] = ()
    project_tenants = sandboxes.tenants(active, plan, pr.limit_range(profile))
    project_tenants += staging_tenant(profile, plan, hub_values)
    platform = pr.platform_chart(
        profile,
        plan,
        provenance,
        defaults.audit_sink,
        defaults.audit_sink_outputs,
        project_tenants,
        kubernetes_audit_path=defaults.kubernetes_audit_path,
        hub_values=hub_values,
    )
    chart_dir = data_dir("charts") / PLATFORM_CHART
    sources = b"".join((chart_dir / name).read_bytes() for name in AUDIT_CHART_SOURCES)
    releases = [
        platform,
        pr.log_shipper(
            f"{PLATFORM_CHART}-audit-fluent-bit",
            defaults.log_shipper_role_output,
            pr.audit_config_digest(platform.values, sources),
        ),
    ]
    if defaults.calico:
        releases.insert(0, pr.calico(defaults.calico_cni))
        depends.append("tigera-operator")
    if profile.effective_tier != "pilot":
        releases.append(pr.database_operator())
        depends.append("cloudnative-pg")
        after_manifests = (pr.HUB_DATABASE,)  # the hub reads hub-db-app, made from this Cluster
    if defaults.autoscaler:
        releases.append(
            pr.cluster_autoscaler(profile, cluster_name(profile), _region(profile), KUBERNETES_VERSION)
        )
    gpu = {
        "device-plugin": lambda: pr.device_plugin(plan),
        "operator-without-driver": lambda: pr.gpu_operator(plan, install_driver=False),
        "operator-with-driver": lambda: pr.gpu_operator(plan, install_driver=True),
    }.get(defaults.gpu_setup)
    if gpu is not None:
        releases.append(gpu())
    if profile.monitoring.enabled:
        monitoring.hub_scraping(hub_values)
        releases.append(
            monitoring.prometheus_stack(
                profile,
                plan,
                gpu_setup=defaults.gpu_setup,
                gpu_operator_namespace=defaults.gpu_operator_namespace,
                autoscaler=defaults.autoscaler,
                storage_class=defaults.home_storage_class,
            )
        )
        if defaults.gpu_setup == "device-plugin":
            releases.append(monitoring.dcgm_exporter(profile))
    if active:
        releases.append(
            sandboxes.sandboxes_release(
                active,
                profile,
                pr.SYSTEM_NAMESPACE,
                defaults.home_storage_class,
                defaults.kubernetes_groups_prefix,
            )
        )
    from aicommons.render.releases import release

    releases.append(
        release(
            "jupyterhub",
            "jupyterhub",
            hub_values,
            depends_on=tuple(depends),
            after_manifests=after_manifests,
            secret_values={"hub.config.GenericOAuthenticator.client_secret": OIDC_SECRET_KEY},
        )
    )
    staging = staging_release(profile, hub_values)
    if staging is not None:
        releases.append(staging)
    return sorted(releases, key=lambda r: r.name)


def _region(profile: CityProfile) -> str:
    return getattr(profile.target, "region", "")


def _pulumi_project(
    profile: CityProfile, project: str, infra: dict[str, Any] | None, platform: dict[str, Any]
) -> FileMap:
    files: FileMap = {
        "pulumi/Pulumi.yaml": yaml_bytes(
            {
                "name": project,
                "description": f"AI Commons for {profile.city.name} (generated by aicommons {__version__})",
                "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}},
            }
        ),
        "pulumi/__main__.py": (
            b'"""Pulumi entry point: the stack name (infra or platform) picks the program."""\n\n'
            b"from aicommons_stacks.main import main\n\nmain()\n"
        ),
        "pulumi/requirements.txt": STACK_REQUIREMENTS.encode("utf-8"),
        "pulumi/Pulumi.platform.yaml": yaml_bytes({"config": {"aicommons:platform": platform}}),
    }
    if infra is not None:
        files["pulumi/Pulumi.infra.yaml"] = yaml_bytes(
            {"config": {"aws:region": infra["region"], "aicommons:infra": infra}}
        )
    return files


def _copy_tree(source: Path, prefix: str) -> FileMap:
    out: FileMap = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            out[f"{prefix}/{path.relative_to(source).as_posix()}"] = path.read_bytes()
    return out


def _lock(
    profile: CityProfile,
    plan: SizingPlan,
    releases: list[Release],
    files: FileMap,
    projects: tuple[AIProject, ...] = (),
    vendored: bool = False,
    figures: list[WeekFigure] | None = None,
) -> dict[str, Any]:
    catalogs = _copy_tree(data_dir("hardware_profiles"), "hardware_profiles")
    inputs = {
        "profile": profile_digest(profile),
        "catalogs": {k: bytes_digest(v) for k, v in sorted(catalogs.items())},
        "charts": {
            p.name: {"version": p.version, "sha256": p.sha256}
            for p in sorted(chart_pins().values(), key=lambda p: p.name)
        },
        "tool_version": __version__,
        "blueprint": blueprint_ref(),
    }
    if projects:  # only with a register, so bundles without one keep their digest
        inputs["projects"] = canonical_digest(
            [p.model_dump(mode="json") for p in sorted(projects, key=lambda p: p.slug)]
        )
    return {
        "aicommons_version": __version__,
        "blueprint": blueprint_ref(),
        "profile": profile_document(profile),
        "profile_digest": profile_digest(profile),
        "sizing": plan.model_dump(mode="json"),
        "charts": [
            {
                "release": r.name,
                "namespace": r.namespace,
                "chart": r.pin.chart,
                "repository": r.pin.repository,
                "version": r.pin.version,
                "sha256": r.pin.sha256,
                **({"archive": r.pin.vendored_path} if vendored and r.pin.repository else {}),
            }
            for r in releases
        ],
        "vendored_charts": vendored,
        # The figures' SVG bytes depend on the matplotlib version: a new one shows here and in "files".
        **(
            {"figures": {"matplotlib": matplotlib_version(), "files": [f.path for f in figures]}}
            if figures
            else {}
        ),
        "inputs_digest": canonical_digest(inputs),
        "files": {path: bytes_digest(blob) for path, blob in sorted(files.items())},
    }
