"""The plan adapter: Pulumi resources joined into the uniform model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aicommons.checks.adapters.bundle import CHART_KINDS, INFRA_CONFIG, PLATFORM_CONFIG
from aicommons.checks.adapters.plan import denies_plain_http, plan_inventory, plan_inventory_for_bundle
from aicommons.checks.model import BUCKET, BUDGET, CLUSTER, HELM_RELEASE, LOG_GROUP, NODE_GROUP, TRAIL
from aicommons.plan import PlannedResource, StackPlan
from tests.checks.infra_support import planned, rendered

PROVIDER = "urn:pulumi:infra::city::pulumi:providers:aws::aws"


def res(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    stack: str = "infra",
    parent: str | None = None,
    protect: bool = False,
    custom: bool = True,
) -> PlannedResource:
    return PlannedResource(
        type=type_,
        name=name,
        stack=stack,
        inputs=inputs or {},
        urn=f"urn:pulumi:{stack}::city::{type_}::{name}",
        parent=parent,
        provider=PROVIDER if type_.startswith("aws:") else None,
        custom=custom,
        protect=protect,
    )


def inventory(*resources: PlannedResource, files: dict[str, bytes] | None = None):
    aws = res("pulumi:providers:aws", "aws", {"region": "eu-central-1"})
    stacks = {}
    for r in (aws, *resources):
        stacks.setdefault(r.stack, []).append(r)
    plans = [StackPlan(stack=s, resources=rs, outputs={}, secret_outputs=[]) for s, rs in stacks.items()]
    return plan_inventory(plans, files)


def one(inv, kind: str):
    (found,) = inv.of(kind)
    return found


TLS_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::city-audit", "arn:aws:s3:::city-audit/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)


def bucket_parts(bucket: str, parent: str | None = None) -> list[PlannedResource]:
    return [
        res(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{bucket}-encryption",
            {
                "bucket": bucket,
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {
                            "sseAlgorithm": "aws:kms",
                            "kmsMasterKeyId": "arn:key",
                        }
                    }
                ],
            },
            parent=parent,
        ),
        res(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            f"{bucket}-public-access",
            {
                "bucket": bucket,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            parent=parent,
        ),
        res(
            "aws:s3/bucketVersioning:BucketVersioning",
            f"{bucket}-versioning",
            {"bucket": bucket, "versioningConfiguration": {"status": "Enabled"}},
            parent=parent,
        ),
        res(
            "aws:s3/bucketPolicy:BucketPolicy",
            f"{bucket}-policy",
            {"bucket": bucket, "policy": TLS_POLICY},
            parent=parent,
        ),
        res(
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
            f"{bucket}-lock",
            {
                "bucket": bucket,
                "objectLockEnabled": "Enabled",
                "rule": {"defaultRetention": {"mode": "COMPLIANCE", "days": 400}},
            },
            parent=parent,
        ),
    ]


TAGS = {
    "aicommons.dev/purpose": "audit",
    "aicommons.dev/classification": "restricted",
    "aicommons.dev/personal-data": "true",
    "aicommons.dev/region": "eu-central-1",
}


# --- Buckets -----------------------------------------------------------------------------------


def test_bucket_joins_its_parts_by_bucket_name():
    bucket = res(
        "aws:s3/bucket:Bucket",
        "b",
        {"bucket": "city-audit", "objectLockEnabled": True, "tags": TAGS},
        protect=True,
    )
    other = res("aws:s3/bucket:Bucket", "o", {"bucket": "city-other"})
    b = next(
        r for r in inventory(bucket, other, *bucket_parts("city-audit")).of(BUCKET) if r.name == "city-audit"
    )
    assert b.file == INFRA_CONFIG and b.line is None
    assert b.labels == TAGS
    assert {k: b.spec[k] for k in ("purpose", "classification", "personal_data", "region", "location")} == {
        "purpose": "audit",
        "classification": "restricted",
        "personal_data": True,
        "region": "eu-central-1",
        "location": "eu-central-1",
    }
    assert b.spec["kms_encrypted"] and b.spec["kms_key"] == "arn:key"
    assert b.spec["public_access_blocked"] and b.spec["versioned"] and b.spec["tls_only"]
    assert (b.spec["object_lock_enabled"], b.spec["object_lock_mode"], b.spec["object_lock_days"]) == (
        True,
        "COMPLIANCE",
        400,
    )
    assert b.spec["protected"] is True


def test_the_other_bucket_gets_none_of_those_parts():
    bucket = res("aws:s3/bucket:Bucket", "b", {"bucket": "city-audit"})
    other = res("aws:s3/bucket:Bucket", "o", {"bucket": "city-other"})
    o = next(
        r for r in inventory(bucket, other, *bucket_parts("city-audit")).of(BUCKET) if r.name == "city-other"
    )
    assert o.spec["kms_encrypted"] is False
    assert o.spec["public_access_block"] is None and o.spec["public_access_blocked"] is False
    assert o.spec["versioned"] is False and o.spec["tls_only"] is False
    assert o.spec["object_lock_mode"] is None and o.spec["object_lock_days"] is None
    assert o.spec["purpose"] is None and o.spec["personal_data"] is None


def test_parts_join_through_their_component_when_the_bucket_id_is_unknown():
    """`pulumi preview` does not know ids yet: the DataBucket component holds one bucket."""
    component = "urn:pulumi:infra::city::aicommons:infra:DataBucket::bucket-datasets"
    bucket = res("aws:s3/bucket:Bucket", "bucket-datasets-bucket", {}, parent=component)
    parts = [
        r.model_copy(update={"inputs": {**r.inputs, "bucket": "[unknown]"}})
        for r in bucket_parts("x", component)
    ]
    b = one(inventory(bucket, *parts), BUCKET)
    assert b.name == "bucket-datasets-bucket"
    assert b.spec["purpose"] == "datasets"  # from the component's name
    assert b.spec["kms_encrypted"] and b.spec["public_access_blocked"] and b.spec["tls_only"]


def test_inline_bucket_settings():
    bucket = res(
        "aws:s3/bucket:Bucket",
        "legacy",
        {
            "bucket": "legacy",
            "serverSideEncryptionConfiguration": {
                "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}
            },
            "versioning": {"enabled": True},
            "objectLockConfiguration": {
                "objectLockEnabled": "Enabled",
                "rule": {"defaultRetention": {"mode": "GOVERNANCE", "years": 2}},
            },
            "policy": TLS_POLICY,
        },
    )
    b = one(inventory(bucket), BUCKET)
    assert b.spec["kms_encrypted"] and b.spec["versioned"] and b.spec["tls_only"]
    assert (b.spec["object_lock_mode"], b.spec["object_lock_days"]) == ("GOVERNANCE", 730)


def test_a_secret_policy_cannot_be_read():
    bucket = res("aws:s3/bucket:Bucket", "b", {"bucket": "b"})
    policy = res("aws:s3/bucketPolicy:BucketPolicy", "p", {"bucket": "b", "policy": "[secret]"})
    assert one(inventory(bucket, policy), BUCKET).spec["tls_only"] is None


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": ["s3:*"],
                "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
            },
            True,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Condition": {"Bool": {"aws:SecureTransport": False}},
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
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
                "Action": "s3:GetObject",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            False,
        ),
    ],
)
def test_tls_only_statements(statement, expected):
    assert denies_plain_http(statement) is expected


# --- Cluster and node groups -------------------------------------------------------------------


def test_cluster_encryption_logs_and_network_policy():
    cluster = res(
        "aws:eks/cluster:Cluster",
        "cluster-eks",
        {
            "name": "city",
            "enabledClusterLogTypes": ["api", "audit"],
            "encryptionConfig": {"provider": {"keyArn": "arn:key"}, "resources": ["secrets"]},
            "deletionProtection": True,
        },
        protect=True,
    )
    cni = res(
        "aws:eks/addon:Addon",
        "cni",
        {
            "addonName": "vpc-cni",
            "clusterName": "city",
            "configurationValues": '{"enableNetworkPolicy": "true"}',
        },
    )
    c = one(inventory(cluster, cni), CLUSTER)
    assert c.name == "city"
    assert c.spec["secrets_encrypted"] and c.spec["kms_key"] == "arn:key"
    assert c.spec["log_types"] == ["api", "audit"]
    assert c.spec["network_policy_enforced"] is True
    assert c.spec["protected"] is True and c.spec["deletion_protection"] is True
    bare = one(inventory(cluster.model_copy(update={"inputs": {"name": "city"}})), CLUSTER)
    assert bare.spec["secrets_encrypted"] is False and bare.spec["network_policy_enforced"] is False


def test_node_group_takes_imds_and_disks_from_its_template_and_zones_from_its_subnets():
    template = res(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "pool-gpu-template",
        {
            "name": "city-gpu",
            "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
        },
    )
    subnets = [
        res("aws:ec2/subnet:Subnet", f"net-private-{z}", {"availabilityZone": z})
        for z in ("eu-central-1a", "eu-central-1b")
    ]
    group = res(
        "aws:eks/nodeGroup:NodeGroup",
        "pool-gpu-group",
        {
            "nodeGroupName": "city-gpu",
            "labels": {"aicommons.dev/pool": "gpu", "aicommons.dev/role": "gpu"},
            "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}],
            "scalingConfig": {"minSize": 0, "desiredSize": 0, "maxSize": 4},
            "instanceTypes": ["g4dn.xlarge"],
            "subnetIds": ["net-private-eu-central-1a-0123abcd", "net-private-eu-central-1b-89ab4567"],
            "launchTemplate": {"id": "pool-gpu-template-deadbeef", "version": "1"},
            "tags": {"k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1"},
        },
    )
    g = one(inventory(template, group, *subnets), NODE_GROUP)
    assert g.name == "gpu" and g.labels["aicommons.dev/role"] == "gpu"
    assert g.spec["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert (g.spec["min_size"], g.spec["max_size"], g.spec["instance_type"]) == (0, 4, "g4dn.xlarge")
    assert g.spec["zones"] == ["eu-central-1a", "eu-central-1b"]
    assert g.spec["imds_tokens_required"] is True and g.spec["imds_hop_limit"] == 1
    assert g.spec["disk_encrypted"] is True and g.spec["launch_template"] == "city-gpu"
    assert g.spec["role"] == "gpu" and g.spec["gpu_count"] == 1


def test_node_group_in_an_existing_vpc_without_template():
    group = res(
        "aws:eks/nodeGroup:NodeGroup",
        "pool-core-group",
        {
            "nodeGroupName": "city-core",
            "amiType": "AL2023_x86_64_NVIDIA",
            "subnetIds": ["subnet-0abc", "subnet-0def"],
            "scalingConfig": {"minSize": 2, "maxSize": 2},
        },
    )
    g = one(inventory(group), NODE_GROUP)
    assert g.name == "city-core"
    assert g.spec["zones"] is None and g.spec["subnets"] == ["subnet-0abc", "subnet-0def"]
    assert "imds_tokens_required" not in g.spec and "imds_hop_limit" not in g.spec  # unknown, not false
    assert g.spec["disk_encrypted"] is False  # EKS' default template: the AMI's unencrypted volume
    assert g.spec["role"] == "gpu"  # from the NVIDIA AMI


# --- Logs, trail, budget -----------------------------------------------------------------------


def test_log_groups_trail_budget():
    inv = inventory(
        res("aws:s3/bucket:Bucket", "b", {"bucket": "city-audit", "tags": TAGS}),
        res(
            "aws:cloudwatch/logGroup:LogGroup",
            "cp",
            {"name": "/aws/eks/city/cluster", "retentionInDays": 365, "kmsKeyId": "arn:key"},
            protect=True,
        ),
        res(
            "aws:cloudwatch/logGroup:LogGroup", "ev", {"name": "/aicommons/city/audit", "retentionInDays": 0}
        ),
        res(
            "aws:cloudtrail/trail:Trail",
            "t",
            {
                "name": "city-trail",
                "s3BucketName": "city-audit",
                "isMultiRegionTrail": True,
                "enableLogFileValidation": True,
            },
        ),
        res(
            "aws:budgets/budget:Budget",
            "bud",
            {
                "name": "city-monthly",
                "limitAmount": "2500.00",
                "limitUnit": "USD",
                "notifications": [
                    {
                        "threshold": 80,
                        "thresholdType": "PERCENTAGE",
                        "subscriberEmailAddresses": ["a@city.example"],
                    },
                    {
                        "threshold": 100,
                        "thresholdType": "PERCENTAGE",
                        "subscriberEmailAddresses": ["a@city.example", "b@city.example"],
                    },
                ],
            },
        ),
    )
    groups = {g.name: g.spec for g in inv.of(LOG_GROUP)}
    assert groups["/aws/eks/city/cluster"]["purpose"] == "control-plane"
    assert groups["/aws/eks/city/cluster"]["retention_days"] == 365
    assert groups["/aws/eks/city/cluster"]["kms_encrypted"] and groups["/aws/eks/city/cluster"]["protected"]
    assert groups["/aicommons/city/audit"]["purpose"] == "audit"
    assert groups["/aicommons/city/audit"]["retention_days"] is None  # 0: kept forever
    trail = one(inv, TRAIL)
    assert (
        trail.spec["target_bucket_purpose"] == "audit"
        and trail.spec["multi_region"]
        and trail.spec["log_validation"]
    )
    assert trail.spec["logging"] is True
    budget = one(inv, BUDGET)
    assert budget.spec["limit_usd"] == 2500.0
    assert budget.spec["alert_thresholds"] == [80.0, 100.0]
    assert budget.spec["alert_emails"] == ["a@city.example", "b@city.example"]


# --- Kubernetes --------------------------------------------------------------------------------


def test_helm_release_and_kubernetes_objects():
    release = res(
        "kubernetes:helm.sh/v3:Release",
        "helm-audit",
        {
            "name": "audit",
            "namespace": "ops",
            "chart": "../helm/charts/aicommons-platform",
            "version": "0.1.0",
            "values": {"token": "[secret]", "a": [{"b": "[secret]"}]},
        },
        stack="platform",
    )
    remote = res(
        "kubernetes:helm.sh/v3:Release",
        "helm-hub",
        {
            "name": "jupyterhub",
            "namespace": "hub",
            "chart": "jupyterhub",
            "version": "4.3.3",
            "repositoryOpts": {"repo": "https://hub.jupyter.org/helm-chart/"},
            "values": {},
        },
        stack="platform",
    )
    namespace = res(
        "kubernetes:core/v1:Namespace",
        "ns",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "hub", "labels": {"team": "data"}}},
        stack="platform",
    )
    policy = res(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "deny",
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": "hub"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        stack="platform",
    )
    inv = inventory(release, remote, namespace, policy)
    audit = inv.release("audit")
    assert audit.namespace == "ops" and audit.file == PLATFORM_CONFIG
    assert audit.spec["chart"] == "helm/charts/aicommons-platform"  # as the bundle names the local chart
    assert audit.spec["repository"] is None
    assert audit.spec["secret_values"] == {"token": "[secret]", "a.0.b": "[secret]"}
    assert inv.release("jupyterhub").spec["repository"] == "https://hub.jupyter.org/helm-chart/"
    ns = one(inv, "Namespace")
    assert (ns.name, ns.namespace, ns.labels) == ("hub", None, {"team": "data"})
    np = one(inv, "NetworkPolicy")
    assert (np.name, np.namespace) == ("default-deny", "hub") and np.spec["spec"]["policyTypes"] == [
        "Ingress",
        "Egress",
    ]
    assert set(inv.unavailable) == set(CHART_KINDS)  # no bundle files: the chart is not rendered


def test_raw_resources_are_kept():
    key = res("aws:kms/key:Key", "kms-key", {"enableKeyRotation": True}, protect=True)
    (raw,) = inventory(key).of("aws:kms/key:Key")
    assert raw.name == "kms-key" and raw.file == INFRA_CONFIG
    assert raw.spec["protect"] is True and raw.spec["inputs"] == {"enableKeyRotation": True}


# --- A real plan -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def riverton():
    return planned("riverton")


def test_riverton_plan_inventory(riverton):
    inv = riverton.plan
    assert inv.source == "plan"
    platform = next(r for r in riverton.static.of("StackConfig") if r.name == "platform")
    counts = {
        kind: len(inv.of(kind))
        for kind in (BUCKET, CLUSTER, NODE_GROUP, LOG_GROUP, TRAIL, BUDGET, HELM_RELEASE)
    }
    releases = len(platform.spec["releases"])
    zones = ["us-east-1a", "us-east-1b"]
    # One EKS group per node group of the plan; per zone for user and GPU pools (`<group>-<zone>`).
    groups = [
        (g.name, p.role, [g.name] if p.role == "core" else [f"{g.name}-{z[-1]}" for z in zones])
        for p in riverton.static.plan.pools
        for g in p.node_groups
    ]
    expected = sorted(n for _, _, names in groups for n in names)
    assert sorted(g.name for g in inv.of(NODE_GROUP)) == expected
    assert {g.labels["aicommons.dev/pool"] for g in inv.of(NODE_GROUP)} == {"core", "user", "gpu-t4"}
    assert counts == {
        BUCKET: 3,
        CLUSTER: 1,
        NODE_GROUP: len(expected),
        LOG_GROUP: 2,
        TRAIL: 1,
        BUDGET: 1,
        HELM_RELEASE: releases,
    }
    assert {b.spec["purpose"] for b in inv.of(BUCKET)} == {"audit", "datasets", "projects"}
    for b in inv.of(BUCKET):
        assert (
            b.spec["kms_encrypted"]
            and b.spec["public_access_blocked"]
            and b.spec["tls_only"]
            and b.spec["versioned"]
        )
        assert b.spec["location"] == "us-east-1" and b.file == INFRA_CONFIG
    for g in inv.of(NODE_GROUP):
        core = g.spec["role"] == "core"
        assert g.spec["zones"] == (zones if core else [f"us-east-1{g.name[-1]}"])
        assert g.spec["imds_tokens_required"] and g.spec["imds_hop_limit"] == 1 and g.spec["disk_encrypted"]
    # Each maps back to the plan's node group (AIC-GPU-01 reads its allocatable that way).
    assert {g.spec["plan_group"] for g in inv.of(NODE_GROUP)} == {
        g.name for p in inv.plan.pools for g in p.node_groups
    }
    assert one(inv, CLUSTER).spec["network_policy_enforced"] is True
    assert one(inv, TRAIL).spec["target_bucket_purpose"] == "audit"
    assert inv.of("StorageClass") and all(sc.file == PLATFORM_CONFIG for sc in inv.of("StorageClass"))
    assert not inv.unavailable  # the bundle's files render the project's chart
    assert any(p.file.startswith("helm/charts/aicommons-platform/") for p in inv.of("NetworkPolicy"))


def test_helm_releases_are_shaped_as_the_bundle_shapes_them(riverton):
    """So the Helm-values controls run unchanged on the plan."""
    static = {r.name: r for r in riverton.static.of(HELM_RELEASE)}
    plan = {r.name: r for r in riverton.plan.of(HELM_RELEASE)}
    assert set(plan) == set(static)
    for name, release in plan.items():
        bundle = static[name]
        assert (release.namespace, release.file) == (bundle.namespace, bundle.file)
        for key in ("chart", "version", "repository", "secret_values"):
            assert release.spec[key] == bundle.spec[key], (name, key)
        assert set(release.spec["values"]) == set(bundle.spec["values"]), name
    assert (
        plan["jupyterhub"].spec["values"]["singleuser"] == static["jupyterhub"].spec["values"]["singleuser"]
    )


def test_namespaces_match_the_stack_config(riverton):
    platform = next(r for r in riverton.static.of("StackConfig") if r.name == "platform")
    expected = {ns["name"]: ns["labels"] for ns in platform.spec["namespaces"]}
    assert {
        ns.name: dict(ns.labels) for ns in riverton.plan.of("Namespace") if ns.file == PLATFORM_CONFIG
    } == expected


def test_plan_inventory_for_bundle_reads_the_lock():
    inv = plan_inventory_for_bundle(rendered("harbourview-onprem"))
    assert inv.source == "plan"
    assert inv.profile is not None and inv.profile.city.slug == "harbourview"
    assert inv.plan is not None and inv.plan.provider == "onprem"
    assert not inv.of(BUCKET, CLUSTER, NODE_GROUP)
    assert inv.of(HELM_RELEASE)
