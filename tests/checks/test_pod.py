"""AIC-POD-01..05: Pod Security levels, privileges, hardening, resources, culling."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aicommons.checks.adapters.bundle import bundle_inventory
from aicommons.checks.controls import _z2jh as z2jh
from tests.checks.security_support import (
    check_fixture,
    fixture_inventory,
    fixture_paths,
    riverton_files,
    run_one,
)

POD = ["AIC-POD-01", "AIC-POD-02", "AIC-POD-03", "AIC-POD-04", "AIC-POD-05"]
CASES = [(cid, path) for cid in POD for path in fixture_paths(cid)]


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


@pytest.fixture
def riverton_inventory():
    return bundle_inventory(riverton_files())


def test_every_control_has_passing_and_failing_fixtures():
    for cid in POD:
        names = [p.name for p in fixture_paths(cid)]
        assert any(n.startswith("pass-") for n in names) and any(n.startswith("fail-") for n in names), cid


def test_profile_overrides_merge_dicts_and_replace_the_rest():
    """KubeSpawner merges dict-valued overrides into the config and replaces everything else."""
    values = {
        "singleuser": {
            "extraPodConfig": {"automountServiceAccountToken": False},
            "extraContainers": [{"name": "sidecar"}],
            "profileList": [
                {
                    "slug": "gpu",
                    "kubespawner_override": {
                        "extra_pod_config": {"activeDeadlineSeconds": 60},
                        "extra_containers": [],
                    },
                }
            ],
        }
    }
    (profile,) = z2jh.profiles(values)
    spec = z2jh.user_pod(values, profile)
    assert spec["automountServiceAccountToken"] is False and spec["activeDeadlineSeconds"] == 60
    assert [c["name"] for c in spec["containers"]] == ["notebook"]


def test_iptables_block_is_the_charts_default():
    (profile,) = z2jh.profiles({})
    (init,) = z2jh.user_pod({}, profile)["initContainers"]
    assert init["name"] == "block-cloud-metadata" and init["securityContext"]["privileged"] is True


def test_city_governance_is_the_binding_bound_when_stricter(riverton_inventory):
    """Riverton sets idle_cull_minutes 60: a timeout of 5400 s passes the blueprint but not the city."""
    hub = riverton_inventory.release("jupyterhub")
    values = {**hub.spec["values"], "cull": {**hub.spec["values"]["cull"], "timeout": 5400}}
    patched = replace(hub, spec={**hub.spec, "values": values})
    resources = tuple(patched if r is hub else r for r in riverton_inventory.resources)
    result = run_one("AIC-POD-05", replace(riverton_inventory, resources=resources))
    assert [f.message for f in result.findings] == [
        "cull.timeout is 5400 s; the blueprint allows at most 3600 s (governance.idle_cull_minutes: 60)"
    ]
    assert result.findings[0].file == "helm/jupyterhub.values.yaml" and result.findings[0].line


def test_gpu_profile_known_from_the_sizing_plan_alone(riverton_inventory):
    """Even with no toleration or selector left, the plan says the workload needs a GPU."""
    values = {"singleuser": {"profileList": [{"slug": "gpu-small", "kubespawner_override": {}}]}}
    inventory = fixture_inventory({"hub_values": values})
    result = run_one("AIC-POD-04", replace(inventory, plan=riverton_inventory.plan))
    assert any(
        "GPU profile 'gpu-small' (the sizing plan gives it 1 GPU)" in f.message for f in result.findings
    )
