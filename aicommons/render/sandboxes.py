"""One sandbox per active AI project: a tenant namespace, its quota, oversight access and hub group.

Only projects that are live on the render date get a sandbox: their status allows one
(development, pilot, evaluation, operational: ``governance/status.py``) and their end date has not
passed, their request is approved, their impact assessment complete, and, once their output
reaches residents' cases (pilot, evaluation, operational), their approval to go live recorded
(``governance/readiness.py``); the date comes from the caller, never from the clock. A
profile without projects renders exactly as before: every function here returns nothing
for an empty register.

How a project's sandbox is built:

* the platform stack creates the namespace ``project-<slug>`` with restricted Pod Security
  and the ``aicommons.dev/*`` register labels (the project chart reserves that prefix, so
  the labels cannot go through its ``tenants[].labels``);
* the project chart's ``tenants`` entry (``createNamespace: false``) adds the ResourceQuota
  (GPUs only once the request is approved, never more than the cluster has), the LimitRange
  and the default-deny network policies; confidential and restricted data get no internet
  egress;
* the local ``aicommons-sandboxes`` chart (in the bundle only when there are projects) gives
  each sandbox a Role and RoleBinding that let the city's oversight group (the identity
  provider's admin groups) stop the project's workloads: delete pods and jobs, scale
  deployments, and set the quota's pod count to zero; and a ``project-data`` volume of the
  requested size, labelled with the data's classification, that Helm deletes once the
  project is no longer active;
* the same chart lets the hub's service account start and stop notebook servers in each
  sandbox (a Role limited to pods and their events, the verbs of Zero-to-JupyterHub's own hub
  Role);
* group membership comes from the identity provider (GenericOAuthenticator's
  ``manage_groups`` syncs it at each login); the hub's values record which groups reach which
  projects under ``custom.aicommons.projectGroups`` (not ``JupyterHub.load_groups``: JupyterHub
  5 refuses to start when ``load_groups`` is set and the authenticator manages groups), and
  each project's members are offered a profile whose servers start in the sandbox
  (``render/sandbox_hub.py``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from aicommons.governance.export import impact, registration_record
from aicommons.governance.model import AIProject
from aicommons.governance.readiness import is_live, sandbox_blockers
from aicommons.governance.status import allows_public_endpoint
from aicommons.profile.model import CityProfile
from aicommons.render.jupyterhub import NAMESPACE as HUB_NAMESPACE
from aicommons.render.releases import ChartPin, Release
from aicommons.resources import data_dir
from aicommons.sizing.plan import SizingPlan
from aicommons.units import cpu_quantity, memory_quantity

NAMESPACE_PREFIX = "project-"
REGISTER_FILE = "governance/register.json"
OVERSIGHT_ROLE = "aicommons-oversight"
HUB_ROLE = "aicommons-hub-spawner"  # lets the hub start and stop servers in the sandbox
HUB_SERVICE_ACCOUNT = "hub"  # Zero-to-JupyterHub's hub ServiceAccount (fullnameOverride "")
DATA_CLAIM = "project-data"  # the sandbox's data volume claim (charts/aicommons-sandboxes)
SANDBOXES_CHART = "aicommons-sandboxes"
NO_EGRESS = ("confidential", "restricted")
LABEL_PROJECT = "aicommons.dev/project"
LABEL_REGISTER_ID = "aicommons.dev/register-id"
LABEL_IMPACT = "aicommons.dev/impact-level"
LABEL_CLASSIFICATION = "aicommons.dev/data-classification"
LABEL_PERSONAL_DATA = "aicommons.dev/personal-data"


def namespace_for(project: AIProject) -> str:
    return NAMESPACE_PREFIX + project.slug


def active_projects(projects: tuple[AIProject, ...], today: date) -> list[AIProject]:
    """The projects whose sandbox is live on ``today`` (approved and assessed), sorted by slug."""
    return sorted((p for p in projects if is_live(p, today)), key=lambda p: p.slug)


def impact_level(project: AIProject) -> str:
    """The level label: I..IV, or 'unassessed' while the assessment is missing or incomplete."""
    result = impact(project)
    return result.level if result is not None and result.complete else "unassessed"


def project_labels(project: AIProject) -> dict[str, str]:
    return {
        LABEL_PROJECT: project.slug,
        LABEL_REGISTER_ID: project.register_id,
        LABEL_IMPACT: impact_level(project),
        LABEL_CLASSIFICATION: project.classification,
        LABEL_PERSONAL_DATA: str(project.personal_data).lower(),
    }


def namespaces(projects: list[AIProject]) -> list[dict[str, Any]]:
    """Namespaces for the platform stack (same shape as ``platform_args.namespaces``)."""
    return [
        {
            "name": namespace_for(p),
            "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
                "aicommons.dev/managed-by": "aicommons",
                **project_labels(p),
            },
            "default_deny": True,
        }
        for p in projects
    ]


def public_allowed(project: AIProject) -> bool:
    """A public endpoint needs status operational (governance/status.py) and a recorded approval."""
    return (
        project.sandbox.public_endpoint
        and allows_public_endpoint(project.register.status)
        and project.sandbox.safeguards.approval is not None
    )


def gpu_slots(plan: SizingPlan) -> int:
    return int(sum(p.capacity_at_max().gpu for p in plan.pools if p.role == "gpu"))


def granted_gpus(project: AIProject, plan: SizingPlan) -> int:
    """GPUs the sandbox's quota grants: the request, never more than the cluster has (and none
    until approved, though an unapproved project has no sandbox at all)."""
    quota = project.sandbox.quota
    return min(quota.gpus, gpu_slots(plan)) if quota.approved else 0


def tenants(projects: list[AIProject], plan: SizingPlan, limit_range: dict[str, str]) -> list[dict[str, Any]]:
    """Entries of the project chart's ``tenants`` list."""
    out = []
    for p in projects:
        gpus = granted_gpus(p, plan)
        out.append(
            {
                "name": namespace_for(p),
                "createNamespace": False,  # the platform stack creates it with the register labels
                "internetEgress": p.classification not in NO_EGRESS,
                "jupyterhubAccess": True,
                "limitRange": limit_range,
                "quota": {
                    "cpu": cpu_quantity(p.sandbox.quota.cpu),
                    "memory": memory_quantity(p.sandbox.quota.memory_gib),
                    "gpu": gpus,
                    "pods": 50,
                    "persistentVolumeClaims": 20,
                    "storage": memory_quantity(p.sandbox.quota.storage_gib),
                    "loadBalancers": 1 if public_allowed(p) else 0,
                    # the API server charges a LoadBalancer Service one node port per port
                    # (pkg/quota/v1/evaluator/core/services.go): room for http and https
                    "nodePorts": PUBLIC_SERVICE_PORTS if public_allowed(p) else 0,
                },
            }
        )
    return out


PUBLIC_SERVICE_PORTS = 2  # a project's public LoadBalancer Service: http and https


def sandboxes_release(
    projects: list[AIProject],
    profile: CityProfile,
    namespace: str,
    storage_class: str | None = None,
    groups_prefix: str = "",
) -> Release:
    """The local ``aicommons-sandboxes`` chart: oversight Role and RoleBinding, the hub's Role and
    RoleBinding, and a data volume (``project-data``, labelled with its classification) per sandbox.

    Pinned here rather than in charts/releases.yaml so that cities without projects keep their
    lock (and its inputs digest) unchanged.
    """
    chart = data_dir("charts") / SANDBOXES_CHART
    version = yaml.safe_load((chart / "Chart.yaml").read_text(encoding="utf-8"))["version"]
    pin = ChartPin(
        name=SANDBOXES_CHART,
        repository=None,
        chart=SANDBOXES_CHART,
        version=str(version),
        source="local chart shipped with aicommons (charts/aicommons-sandboxes)",
    )
    # The cluster's names for the oversight groups: the identity provider's, with the prefix its
    # OIDC configuration adds (oidc: on AWS, where the infra stack registers the provider).
    groups = sorted(groups_prefix + g for g in profile.identity.admin_groups) if profile.identity else []
    values = {
        "city": profile.city.slug,
        "oversight": {"roleName": OVERSIGHT_ROLE, "groups": groups},
        "hub": {"namespace": HUB_NAMESPACE, "serviceAccount": HUB_SERVICE_ACCOUNT, "roleName": HUB_ROLE},
        "storageClass": storage_class or "",
        "projects": [
            {
                "slug": p.slug,
                "namespace": namespace_for(p),
                "storage": memory_quantity(p.sandbox.quota.storage_gib),
                "classification": p.classification,
                "personalData": p.personal_data,
            }
            for p in projects
        ],
    }
    # Each project-data claim binds when a member's server first mounts it (WaitForFirstConsumer,
    # so the volume lands in that server's zone); Helm's wait for Bound would never end.
    return Release(
        name=SANDBOXES_CHART,
        namespace=namespace,
        pin=pin,
        values=values,
        depends_on=("aicommons-platform",),
        wait=False,
    )


def hub_groups(projects: list[AIProject]) -> dict[str, Any]:
    """Each member group with the projects and namespaces it reaches (``custom.aicommons.projectGroups``)."""
    groups: dict[str, dict[str, list[str]]] = {}
    for p in projects:
        for group in p.sandbox.members:
            entry = groups.setdefault(group, {"projects": [], "namespaces": []})
            entry["projects"].append(p.slug)
            entry["namespaces"].append(namespace_for(p))
    return {g: {k: sorted(v) for k, v in e.items()} for g, e in sorted(groups.items())}


def register_document(projects: tuple[AIProject, ...], today: date) -> dict[str, Any]:
    """``governance/register.json``: every project (active or not) for the checks and the city."""
    active = {p.slug for p in active_projects(projects, today)}
    return {
        "rendered_on": today.isoformat(),
        "projects": [
            {
                "project": p.model_dump(mode="json"),
                "record": registration_record(p),
                "namespace": namespace_for(p) if p.slug in active else None,
                # where the fields are in projects/<slug>.yaml, for the checks' findings
                **({"lines": p.lines} if p.lines else {}),
                "sandbox_pending": sandbox_blockers(p, today),
            }
            for p in sorted(projects, key=lambda p: p.slug)
        ],
    }
