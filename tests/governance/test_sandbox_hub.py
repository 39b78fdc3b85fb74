"""Project members' servers start in their sandbox: the hub profile, its group filter, the hub's
RBAC in the sandbox and the network paths between hub, proxy and server."""

from __future__ import annotations

import sys
import types
from functools import cache
from typing import Any

import pytest
import yaml

from aicommons.checks.adapters.bundle import bundle_inventory
from aicommons.checks.model import Inventory, Resource
from aicommons.render.sandbox_hub import FILTER_KEY, PROFILE_FILTER

from .bundles import bundle, edited, with_project


@cache
def hub_values() -> dict[str, Any]:
    return yaml.safe_load(bundle().files["helm/jupyterhub.values.yaml"])


def profiles() -> dict[str, dict[str, Any]]:
    return {p["slug"]: p for p in hub_values()["singleuser"]["profileList"]}


@cache
def inventory() -> Inventory:
    inv = bundle_inventory(bundle().files)
    if "ResourceQuota" in inv.unavailable:
        pytest.skip(inv.unavailable["ResourceQuota"])
    return inv


def in_namespace(kind: str, namespace: str) -> dict[str, Resource]:
    return {r.name: r for r in inventory().of(kind) if r.namespace == namespace}


def test_each_project_gets_a_profile_that_spawns_in_its_namespace() -> None:
    bike = profiles()["project-bike-demand"]
    override = bike["kubespawner_override"]
    assert override["namespace"] == "project-bike-demand"
    assert override["extra_labels"] == {  # the project, and the accounting labels of its workload
        "aicommons.dev/project": "bike-demand",
        "aicommons.dev/pool": "gpu-t4",
        "aicommons.dev/workload": "gpu-small",
    }
    # The project's data volume replaces the home claim (the storage quota is the volume's size).
    assert override["storage_pvc_ensure"] is False
    assert override["volumes"] == [
        {"name": "project-data", "persistentVolumeClaim": {"claimName": "project-data"}}
    ]
    assert override["volume_mounts"] == [{"name": "project-data", "mountPath": "/home/jovyan/project"}]
    assert "default" not in bike
    triage = profiles()["project-benefit-triage"]["kubespawner_override"]
    assert triage["namespace"] == "project-benefit-triage"


def test_a_project_profile_builds_on_a_workload_that_fits_its_quota() -> None:
    city = {p["slug"]: p["kubespawner_override"] for p in hub_values()["singleuser"]["profileList"]}
    # bike-demand was granted one GPU: the GPU workload's placement, resources and culling.
    bike = city["project-bike-demand"]
    for key in ("node_selector", "tolerations", "extra_resource_limits", "args", "image", "cpu_guarantee"):
        assert bike[key] == city["gpu-small"][key], key
    assert bike["extra_pod_config"] == city["gpu-small"]["extra_pod_config"]
    # benefit-triage has no GPUs: the city's default (CPU) workload.
    triage = city["project-benefit-triage"]
    for key in ("node_selector", "tolerations", "image", "cpu_guarantee", "cpu_limit"):
        assert triage[key] == city["notebook"][key], key
    assert "extra_resource_limits" not in triage
    # JupyterHub's ByteSpecification takes K/M/G/T in powers of 1024 and refuses "2Gi".
    assert (triage["mem_guarantee"], triage["mem_limit"]) == ("2G", "4G")
    assert (bike["mem_guarantee"], bike["mem_limit"]) == ("12G", "15G")
    unapproved = edited("bike-demand", "  approved: true", "  approved: false")
    values = yaml.safe_load(bundle(with_project(unapproved)).files["helm/jupyterhub.values.yaml"])
    again = {p["slug"] for p in values["singleuser"]["profileList"]}
    assert (
        "project-bike-demand" not in again and "project-benefit-triage" in again
    )  # no profile until approved


def test_city_profiles_are_unchanged_and_open_to_all() -> None:
    values = hub_values()
    groups = values["custom"]["aicommons"]["profileGroups"]
    assert groups == {
        "project-benefit-triage": ["ai-commons-benefit-triage"],
        "project-bike-demand": ["ai-commons-bike-demand"],
    }
    for slug in ("notebook", "gpu-small"):
        assert slug not in groups
        assert "namespace" not in profiles()[slug]["kubespawner_override"]


def test_the_hub_reaches_and_is_reached_from_the_sandboxes() -> None:
    hub = hub_values()["hub"]
    assert hub["config"]["JupyterHub"]["hub_connect_url"] == "http://hub.jupyterhub.svc:8081"
    # the sandboxes' servers, and Prometheus from the monitoring namespace (tests/render/test_monitoring.py)
    rule, scrape = hub["networkPolicy"]["ingress"]
    assert scrape["from"][0]["namespaceSelector"] == {
        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
    }
    assert rule["ports"] == [{"protocol": "TCP", "port": 8081}]
    (peer,) = rule["from"]
    assert peer["podSelector"] == {"matchLabels": {"component": "singleuser-server"}}
    assert peer["namespaceSelector"]["matchExpressions"] == [
        {
            "key": "kubernetes.io/metadata.name",
            "operator": "In",
            "values": ["project-benefit-triage", "project-bike-demand"],
        }
    ]
    assert hub["extraConfig"][FILTER_KEY] == PROFILE_FILTER


def test_the_hub_may_manage_pods_and_read_events_in_each_sandbox_and_nothing_else() -> None:
    for namespace in ("project-bike-demand", "project-benefit-triage"):
        role = in_namespace("Role", namespace)["aicommons-hub-spawner"]
        assert role.spec["rules"] == [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "watch", "list", "create", "delete"]},
            {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "watch", "list"]},
        ]
        binding = in_namespace("RoleBinding", namespace)["aicommons-hub-spawner"]
        assert binding.spec["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": "aicommons-hub-spawner",
        }
        assert binding.spec["subjects"] == [
            {"kind": "ServiceAccount", "name": "hub", "namespace": "jupyterhub"}
        ]
        assert role.labels["app.kubernetes.io/component"] == "hub-access"


def _peers(policy: Resource, direction: str) -> list[dict[str, Any]]:
    key = "from" if direction == "ingress" else "to"
    return [peer for rule in policy.spec["spec"].get(direction, []) for peer in rule.get(key, [])]


def _ports(policy: Resource, direction: str) -> list[int]:
    return [p["port"] for rule in policy.spec["spec"].get(direction, []) for p in rule.get("ports", [])]


def test_sandbox_policies_let_only_the_hub_and_proxy_in_and_the_server_out_to_the_hub_api() -> None:
    hub_ns = {"matchLabels": {"kubernetes.io/metadata.name": "jupyterhub"}}
    for namespace in ("project-bike-demand", "project-benefit-triage"):
        policies = in_namespace("NetworkPolicy", namespace)
        deny = next(p for n, p in policies.items() if n.endswith("default-deny"))
        assert deny.spec["spec"]["podSelector"] == {}
        assert deny.spec["spec"]["policyTypes"] == ["Ingress", "Egress"]
        ingress = [p for p in policies.values() if p.spec["spec"].get("ingress")]
        assert len(ingress) == 1  # everything else stays denied
        (allow_in,) = ingress
        assert allow_in.spec["spec"]["podSelector"] == {}  # every pod of the sandbox: its servers
        assert _ports(allow_in, "ingress") == [8888]
        assert [
            (p["namespaceSelector"], p["podSelector"]["matchLabels"]) for p in _peers(allow_in, "ingress")
        ] == [
            (hub_ns, {"component": "proxy"}),
            (hub_ns, {"component": "hub"}),
        ]
        to_hub = next(p for n, p in policies.items() if n.endswith("allow-to-jupyterhub-api"))
        assert _ports(to_hub, "egress") == [8081]
        assert [
            (p["namespaceSelector"], p["podSelector"]["matchLabels"]) for p in _peers(to_hub, "egress")
        ] == [(hub_ns, {"component": "hub"})]


# ----------------------------------------------------------------- the profile filter itself


def _load_filter(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """Execute the hub.extraConfig snippet as z2jh does (exec with the config object `c` in
    scope), with z2jh.get_config answering from the rendered values; returns `c.KubeSpawner`."""
    values = hub_values()

    def get_config(key: str, default: Any = None) -> Any:
        node: Any = values
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    z2jh = types.ModuleType("z2jh")
    z2jh.get_config = get_config  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "z2jh", z2jh)
    monkeypatch.setenv("POD_NAMESPACE", "jupyterhub")
    c = types.SimpleNamespace(KubeSpawner=types.SimpleNamespace())
    exec(PROFILE_FILTER, {"c": c})
    return c.KubeSpawner


def _spawner(*groups: str) -> types.SimpleNamespace:
    user = types.SimpleNamespace(groups=[types.SimpleNamespace(name=g) for g in groups])
    return types.SimpleNamespace(user=user, namespace="project-bike-demand")


def test_the_filter_offers_project_profiles_only_to_members(monkeypatch: pytest.MonkeyPatch) -> None:
    kubespawner = _load_filter(monkeypatch)
    offered = [p["slug"] for p in kubespawner.profile_list(_spawner("aicommons-users"))]
    assert offered == ["notebook", "gpu-small"]
    member = _spawner("aicommons-users", "ai-commons-bike-demand")
    assert [p["slug"] for p in kubespawner.profile_list(member)] == [
        "notebook",
        "gpu-small",
        "project-bike-demand",
    ]


def test_the_filter_puts_servers_back_in_the_hub_namespace_before_start_and_after_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kubespawner = _load_filter(monkeypatch)
    assert kubespawner.pre_spawn_hook is kubespawner.post_stop_hook
    spawner = _spawner("ai-commons-bike-demand")  # its last server ran in the sandbox
    kubespawner.pre_spawn_hook(spawner)
    assert spawner.namespace == "jupyterhub"
