"""How JupyterHub starts a project member's notebook server inside the project's sandbox.

Each active project gets one profile (slug ``project-<slug>``, like its namespace) built from
one of the city's sized workloads: the profile-list entry ``render/jupyterhub.py`` renders
for that workload (resources, pool node selector and tolerations, GPU culling), plus

* ``kubespawner_override.namespace: project-<slug>``: KubeSpawner 7 applies a profile's
  ``kubespawner_override`` with ``setattr`` before it starts watching pods, and keeps one pod
  and event reflector per namespace, so no ClusterRole is needed (kubespawner/spawner.py,
  ``_start``: "namespace can be changed via kubespawner_override, start watching pods only
  after load_user_options() is called"; ``_start_reflector``: "Create a dedicated reflector
  for each namespace");
* the project's data volume instead of a home claim (``storage_pvc_ensure: false``; a
  profile's ``volumes`` list replaces z2jh's home volume), as the sandbox's storage quota is
  the data volume's size;
* the ``aicommons.dev/project`` label on the server's pod;
* memory as JupyterHub's ``ByteSpecification`` takes it ("12G" is 12 GiB; it refuses "12Gi").

Checked against KubeSpawner 7.0.0 and JupyterHub 5.4 (mock spawner): the callable list hides
and refuses the profile for non-members; for members the server gets the sandbox's namespace,
only the ``project-data`` volume, the label, and pod watchers keyed by that namespace.

KubeSpawner's ``profile_list`` has no group restriction (jupyterhub/kubespawner#889, open),
and JupyterHub 5's ``Spawner.group_overrides`` is applied only at spawn, after the form was
shown. The supported way is a callable ``profile_list`` (KubeSpawner calls it both to render
the form and in ``load_user_options``, which rejects a slug the callable did not return), so
``hub.extraConfig`` installs a filter that reads ``custom.aicommons.profileGroups`` (z2jh's
``custom`` values are meant for such config). KubeSpawner also persists the namespace in the
server's state (``get_state``/``load_state``) and ``clear_state`` keeps it, so the filter's
hooks put every server back in the hub's namespace before a start and after a stop: a
city-wide profile never inherits a sandbox's namespace.

Across namespaces the hub's short service name ``hub`` does not resolve, so
``JupyterHub.hub_connect_url`` names ``hub.<namespace>.svc``, and the hub's NetworkPolicy
admits the sandboxes' servers on 8081 (``hub.networkPolicy.ingress``). The sandboxes' own
policies (project chart, ``jupyterhubAccess``) let the hub and proxy reach the servers on 8888
and the servers reach the hub API, as z2jh's singleuser policy does in the hub's namespace.
"""

from __future__ import annotations

from typing import Any

from aicommons.governance.model import AIProject
from aicommons.profile.model import CityProfile
from aicommons.render.jupyterhub import NAMESPACE as HUB_NAMESPACE
from aicommons.render.jupyterhub import workload_profile
from aicommons.render.sandboxes import DATA_CLAIM, LABEL_PROJECT, granted_gpus, hub_groups, namespace_for
from aicommons.sizing.plan import SizingPlan, WorkloadPlan
from aicommons.sizing.projects import base_workload_name
from aicommons.units import spawner_memory

PROFILE_PREFIX = "project-"
PROFILE_GROUPS_KEY = "profileGroups"  # custom.aicommons.profileGroups: profile slug -> hub groups
FILTER_KEY = "30-aicommons-project-sandboxes"  # hub.extraConfig entry
DATA_MOUNT = "/home/jovyan/project"  # under the image's working directory: the file browser shows it
HUB_PORT = 8081  # z2jh's hub container and Service port
SERVER_LABELS = {"component": "singleuser-server"}  # KubeSpawner's component label on user pods

PROFILE_FILTER = f"""\
# aicommons project sandboxes. A profile listed in custom.aicommons.{PROFILE_GROUPS_KEY} is
# offered (and accepted) only for members of its hub groups; a server starts in the hub's
# namespace unless its profile's kubespawner_override names another. KubeSpawner keeps the
# last namespace in its state, so it is reset before each start and after each stop.
import os

from z2jh import get_config

_aicommons_profiles = get_config("singleuser.profileList", [])
_aicommons_profile_groups = get_config("custom.aicommons.{PROFILE_GROUPS_KEY}", {{}})
_aicommons_hub_namespace = os.environ.get("POD_NAMESPACE", "default")


def _aicommons_profile_list(spawner):
    groups = {{g.name for g in spawner.user.groups}}
    return [
        p
        for p in _aicommons_profiles
        if p.get("slug") not in _aicommons_profile_groups
        or groups & set(_aicommons_profile_groups[p["slug"]])
    ]


def _aicommons_hub_namespace_again(spawner):
    spawner.namespace = _aicommons_hub_namespace


c.KubeSpawner.profile_list = _aicommons_profile_list
c.KubeSpawner.pre_spawn_hook = _aicommons_hub_namespace_again
c.KubeSpawner.post_stop_hook = _aicommons_hub_namespace_again
"""


def profile_slug(project: AIProject) -> str:
    return PROFILE_PREFIX + project.slug


def base_workload(project: AIProject, profile: CityProfile, plan: SizingPlan) -> WorkloadPlan:
    """The sized workload a project's profile is built on (the rule: ``sizing.projects.base_workload_name``,
    which sizing also uses to add the project's servers to that workload's pool)."""
    name = base_workload_name(project, profile, granted_gpus(project, plan))
    return next(w for w in plan.workloads if w.name == name)


def project_profile(project: AIProject, profile: CityProfile, plan: SizingPlan) -> dict[str, Any]:
    """The profile-list entry whose servers start in the project's sandbox."""
    sized = base_workload(project, profile, plan)
    workload = next(w for w in profile.workloads if w.name == sized.name)
    pool = next(p for p in plan.pools if p.name == sized.pool)
    entry = workload_profile(workload, sized, pool, profile)
    namespace = namespace_for(project)
    override = entry["kubespawner_override"]
    override.update(
        {
            # JupyterHub refuses Kubernetes quantities here ("12Gi"); it takes "12G" as 12 GiB.
            "mem_guarantee": spawner_memory(sized.memory_gib),
            "mem_limit": spawner_memory(sized.memory_limit_gib),
            "namespace": namespace,
            "extra_labels": {**override.get("extra_labels", {}), LABEL_PROJECT: project.slug},
            "storage_pvc_ensure": False,
            "volumes": [{"name": DATA_CLAIM, "persistentVolumeClaim": {"claimName": DATA_CLAIM}}],
            "volume_mounts": [{"name": DATA_CLAIM, "mountPath": DATA_MOUNT}],
        }
    )
    return {
        "display_name": f"{project.register.name} (project sandbox)",
        "slug": profile_slug(project),
        "description": (
            f"{workload.display_name or workload.name} in the {namespace} sandbox, with the project's "
            f"data at {DATA_MOUNT}. {entry['description']}"
        ),
        "kubespawner_override": override,
    }


def hub_connect_url() -> str:
    return f"http://hub.{HUB_NAMESPACE}.svc:{HUB_PORT}"


def hub_ingress(projects: list[AIProject]) -> dict[str, Any]:
    """``hub.networkPolicy.ingress`` rule: the sandboxes' servers reach the hub API."""
    return {
        "from": [
            {
                "namespaceSelector": {
                    "matchExpressions": [
                        {
                            "key": "kubernetes.io/metadata.name",
                            "operator": "In",
                            "values": [namespace_for(p) for p in projects],
                        }
                    ]
                },
                "podSelector": {"matchLabels": dict(SERVER_LABELS)},
            }
        ],
        "ports": [{"protocol": "TCP", "port": HUB_PORT}],
    }


def add_sandboxes(
    values: dict[str, Any], projects: list[AIProject], profile: CityProfile, plan: SizingPlan
) -> None:
    """Give the z2jh values the projects' groups, profiles, profile filter and cross-namespace access.

    Changes nothing without projects, so cities without a register render as before.
    """
    if not projects:
        return
    hub = values["hub"]
    jupyterhub = hub["config"].setdefault("JupyterHub", {})
    jupyterhub["hub_connect_url"] = hub_connect_url()
    hub["extraConfig"][FILTER_KEY] = PROFILE_FILTER
    hub.setdefault("networkPolicy", {}).setdefault("ingress", []).append(hub_ingress(projects))
    values["singleuser"]["profileList"] += [project_profile(p, profile, plan) for p in projects]
    custom = values.setdefault("custom", {}).setdefault("aicommons", {})
    custom[PROFILE_GROUPS_KEY] = {profile_slug(p): sorted(p.sandbox.members) for p in projects}
    # For people reading the values (nothing in the hub reads it): JupyterHub.load_groups would
    # say the same, but JupyterHub 5 refuses to start with it while the authenticator manages
    # groups (app.py init_groups: "Group management has been offloaded to the authenticator").
    custom["projectGroups"] = hub_groups(projects)
