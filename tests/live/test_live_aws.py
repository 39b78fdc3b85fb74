"""The live adapter's AWS half against moto's server (ThreadedMotoServer on 127.0.0.1).

moto 5 serves everything the adapter reads except two calls, which the tests pin down so a moto
upgrade that adds them shows up: EKS DescribeAddon (so the vpc-cni add-on's network-policy
setting is unreadable and the cluster's DaemonSets decide) and Budgets
DescribeSubscribersForNotification (so a budget's e-mail subscribers are unreadable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aicommons.checks.adapters.live import live_inventory
from aicommons.checks.adapters.live_aws import denies_insecure_transport
from aicommons.checks.model import BUCKET, BUDGET, CLUSTER, LOG_GROUP, NODE_GROUP, TRAIL, Inventory, Resource
from aicommons.errors import InputError, MissingComponentError
from aicommons.profile import load_profile
from aicommons.profile.model import CityProfile
from aicommons.render.infra_aws import infra_args
from aicommons.sizing.plan import size
from tests.conftest import ROOT
from tests.live import aws_world
from tests.live.aws_world import ACCOUNT, REGION, UNIQUE_SUFFIX, World
from tests.live.conftest import isolate_aws

CITY = "riverton"


@pytest.fixture(scope="module")
def riverton() -> CityProfile:
    return load_profile(ROOT / "examples" / "cities" / "riverton.yaml")


@pytest.fixture(scope="module")
def args(riverton: CityProfile) -> dict[str, Any]:
    return infra_args(riverton, size(riverton))


@pytest.fixture(scope="module")
def world(aws_module_env: str, args: dict[str, Any]) -> World:
    """Built once for the module; the tests below only read it."""
    built = aws_world.build(args, REGION)
    aws_world.add_strays(built, REGION, CITY)
    return built


@pytest.fixture(scope="module")
def inventory(world: World) -> Inventory:
    return live_inventory(None, kubernetes=False, aws=True, city=CITY, region=REGION)


def by_name(inventory: Inventory, kind: str) -> dict[str, Resource]:
    return {r.name: r for r in inventory.of(kind)}


def test_reads_the_stack_resources_of_the_city(
    inventory: Inventory, world: World, args: dict[str, Any]
) -> None:
    assert inventory.source == "live"
    assert inventory.unavailable == {}
    assert set(by_name(inventory, BUCKET)) == {*world.buckets.values(), f"{world.cluster}-scratch-{ACCOUNT}"}
    assert set(by_name(inventory, LOG_GROUP)) == {
        f"/aws/eks/{world.cluster}/cluster",
        f"/aicommons/{world.cluster}/audit",
    }
    assert set(by_name(inventory, TRAIL)) == {f"{world.cluster}-trail"}
    assert set(by_name(inventory, CLUSTER)) == {world.cluster}
    assert set(by_name(inventory, NODE_GROUP)) == {p["name"] for p in args["node_pools"]}
    assert {p["pool"] for p in args["node_pools"]} == {"core", "user", "gpu-t4"}
    assert set(by_name(inventory, BUDGET)) == {f"{world.cluster}-monthly"}


def test_stack_buckets_are_normalised(inventory: Inventory, world: World) -> None:
    buckets = by_name(inventory, BUCKET)
    for purpose, name in world.buckets.items():
        spec = buckets[name].spec
        assert spec["purpose"] == purpose
        assert spec["kms_encrypted"] is True and spec["sse_algorithm"] == "aws:kms"
        assert spec["kms_key"] == world.key_arn
        assert spec["public_access_blocked"] is True
        assert spec["public_access_block"] == {
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        }
        assert spec["versioned"] is True
        assert spec["tls_only"] is True
        assert spec["location"] == REGION and spec["region"] == REGION
        assert spec["unreadable"] == {}
        assert buckets[name].labels["aicommons:city"] == CITY
    audit = buckets[world.buckets["audit"]].spec
    assert (audit["object_lock_enabled"], audit["object_lock_mode"], audit["object_lock_days"]) == (
        True,
        "COMPLIANCE",
        365,
    )
    assert (audit["classification"], audit["personal_data"]) == ("restricted", True)
    datasets = buckets[world.buckets["datasets"]].spec
    assert (datasets["object_lock_enabled"], datasets["object_lock_mode"], datasets["object_lock_days"]) == (
        False,
        None,
        None,
    )
    assert (datasets["classification"], datasets["personal_data"]) == ("internal", False)


def test_a_hand_made_public_bucket_fails_every_setting(inventory: Inventory, world: World) -> None:
    spec = by_name(inventory, BUCKET)[f"{world.cluster}-scratch-{ACCOUNT}"].spec
    assert spec["public_access_blocked"] is False
    assert spec["public_access_block"] is None  # no block configured at all
    assert spec["kms_encrypted"] is False
    assert spec["tls_only"] is False
    assert spec["versioned"] is False
    assert (spec["purpose"], spec["classification"], spec["personal_data"]) == (None, None, None)
    assert spec["unreadable"] == {}  # absent settings are facts, not read failures


def test_log_groups_and_trail(inventory: Inventory, world: World) -> None:
    groups = by_name(inventory, LOG_GROUP)
    audit = groups[f"/aicommons/{world.cluster}/audit"].spec
    control = groups[f"/aws/eks/{world.cluster}/cluster"].spec
    assert (audit["purpose"], control["purpose"]) == ("audit", "control-plane")
    assert audit["retention_days"] == control["retention_days"] == 365
    assert audit["kms_encrypted"] is True and audit["kms_key_id"] == world.key_arn
    trail = by_name(inventory, TRAIL)[f"{world.cluster}-trail"].spec
    assert trail["target_bucket"] == world.buckets["audit"]
    assert trail["target_bucket_purpose"] == "audit"
    assert (trail["multi_region"], trail["log_validation"], trail["logging"]) == (True, True, True)
    assert trail["kms_encrypted"] is True
    assert trail["home_region"] == REGION
    # The key policy is read (GetKeyPolicy) so AIC-LOG-04 can tell whether CloudTrail may use it.
    assert trail["kms_key"] == world.key_arn and trail["target_bucket_key"] is True
    actions = {s["Action"] for s in trail["kms_key_policy"]["Statement"]}
    assert {"kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"} <= actions


def test_cluster_and_node_groups(inventory: Inventory, world: World, args: dict[str, Any]) -> None:
    cluster = by_name(inventory, CLUSTER)[world.cluster].spec
    assert cluster["secrets_encrypted"] is True and cluster["kms_key"] == world.key_arn
    assert cluster["log_types"] == sorted(args["control_plane_log_types"])
    assert cluster["version"] == args["kubernetes_version"]
    # moto does not implement DescribeAddon: the add-on's setting is unknown, not false.
    assert cluster["network_policy_enforced"] is None
    assert "DescribeAddon" in cluster["unreadable"]["network_policy_enforced"]
    groups = by_name(inventory, NODE_GROUP)
    for pool in args["node_pools"]:
        spec = groups[pool["name"]].spec  # EKS's name less its prefix's unique suffix
        assert spec["node_group_name"] == f"{pool['name']}-{UNIQUE_SUFFIX}"
        assert spec["plan_group"] == pool["group"]
        assert spec["role"] == pool["role"]
        assert spec["labels"] == pool["labels"] == dict(groups[pool["name"]].labels)
        assert (spec["min_size"], spec["max_size"]) == (pool["min_size"], pool["max_size"])
        assert spec["instance_type"] == pool["instance_type"]
        assert spec["imds_tokens_required"] is True and spec["imds_hop_limit"] == 1
        assert spec["disk_encrypted"] is True
        # user and GPU groups: one per zone; core: every zone
        assert spec["zones"] == (pool["zones"] or ["us-east-1a", "us-east-1b"])
        assert len(spec["subnets"]) == len(spec["zones"])
    assert sorted(groups) == sorted(p["name"] for p in args["node_pools"])
    assert {g for g in groups if g.startswith("gpu-t4")} == {"gpu-t4-a", "gpu-t4-b"}
    gpu = groups["gpu-t4-b"].spec
    assert gpu["taints"] == [
        {"key": "hub.jupyter.org/dedicated", "value": "user", "effect": "NoSchedule"},
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
    ]
    assert gpu["gpu_count"] == 1
    assert groups["core"].spec["taints"] == [] and groups["core"].spec["gpu_count"] is None


def test_budget(inventory: Inventory, world: World, args: dict[str, Any]) -> None:
    spec = by_name(inventory, BUDGET)[f"{world.cluster}-monthly"].spec
    assert spec["limit_usd"] == args["budget_usd_month"] == 2500.0
    assert (spec["time_unit"], spec["budget_type"]) == ("MONTHLY", "COST")
    assert spec["alert_thresholds"] == [80.0, 100.0]
    if "alert_emails" in spec["unreadable"]:  # moto 5.x lacks DescribeSubscribersForNotification
        assert "DescribeSubscribersForNotification" in spec["unreadable"]["alert_emails"]
        assert spec["alert_emails"] is None
    else:
        assert spec["alert_emails"] == args["budget_alert_emails"]


def test_region_and_city_come_from_the_profile(world: World, riverton: CityProfile) -> None:
    inventory = live_inventory(None, kubernetes=False, profile=riverton)  # aws: the target is AWS
    assert inventory.profile is riverton
    assert set(by_name(inventory, CLUSTER)) == {world.cluster}


def test_from_another_region(world: World) -> None:
    inventory = live_inventory(None, kubernetes=False, aws=True, city=CITY, region="eu-central-1")
    assert not inventory.of(CLUSTER, NODE_GROUP, LOG_GROUP)  # regional, and in us-east-1
    assert inventory.of(BUDGET)  # Budgets are global
    # The multi-region trail shows in every region as a shadow of its home region's trail.
    (trail,) = inventory.of(TRAIL)
    assert trail.spec["home_region"] == REGION and trail.spec["multi_region"] is True


def test_cluster_views_are_merged(world: World, kubeconfig: Path, riverton: CityProfile) -> None:
    inventory = live_inventory("riverton", kubeconfig=str(kubeconfig), profile=riverton)
    (cluster,) = inventory.of(CLUSTER)
    assert cluster.name == world.cluster
    assert cluster.spec["secrets_encrypted"] is True  # from EKS
    assert cluster.spec["context"] == "riverton"  # from the kubeconfig
    assert cluster.spec["version"] == "v1.34.1-eks-8f1a2b3"  # what the API server reports
    assert cluster.spec["network_policy_enforced"] is True  # calico-node runs in the cluster
    assert "DaemonSet kube-system/calico-node: calico" in cluster.spec["network_policy_evidence"]
    assert inventory.of(BUCKET) and inventory.of("Pod")


# --- Failures ---------------------------------------------------------------------------------


def test_no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never reached: no credentials first
    with pytest.raises(MissingComponentError) as caught:
        live_inventory(None, kubernetes=False, aws=True, city=CITY, region=REGION)
    assert caught.value.exit_code == 3
    assert "no AWS credentials" in caught.value.message


def test_unreachable_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(MissingComponentError) as caught:
        live_inventory(None, kubernetes=False, aws=True, city=CITY, region=REGION)
    assert caught.value.exit_code == 3
    assert "cannot reach the AWS sts endpoint" in caught.value.message


def test_no_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with pytest.raises(MissingComponentError, match="no AWS region"):
        live_inventory(None, kubernetes=False, aws=True, city=CITY)


def test_aws_without_a_city_is_bad_input() -> None:
    with pytest.raises(InputError) as caught:
        live_inventory(None, kubernetes=False, aws=True)
    assert caught.value.exit_code == 2


# --- The TLS-only policy test -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            True,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": ["s3:*"],
                "Condition": {"Bool": {"aws:SecureTransport": False}},
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            False,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            False,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": {"AWS": "arn:aws:iam::1:root"},
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            False,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            False,
        ),
    ],
)
def test_denies_insecure_transport(statement: dict[str, Any], expected: bool) -> None:
    assert denies_insecure_transport({"Statement": [statement]}) is expected
    assert denies_insecure_transport(None) is False
