"""The infra stack's offline inventory for a riverton-like city: the controls' inputs hold."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from aicommons.checks.model import node_group_name
from aicommons.plan import PlannedResource, StackPlan
from tests.stacks import riverton

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
BUCKET = "aws:s3/bucket:Bucket"
CA = "k8s.io/cluster-autoscaler"
IDP_CONFIG = "aws:eks/identityProviderConfig:IdentityProviderConfig"


def of_type(plan: StackPlan, type_: str) -> list[PlannedResource]:
    return [r for r in plan.resources if r.type == type_]


def one(plan: StackPlan, type_: str, name: str | None = None) -> PlannedResource:
    found = [r for r in of_type(plan, type_) if name is None or r.name == name]
    assert len(found) == 1, (type_, name, [r.name for r in of_type(plan, type_)])
    return found[0]


def by_bucket(plan: StackPlan, type_: str) -> dict[str, PlannedResource]:
    """Bucket sub-resources keyed by the bucket name they configure."""
    return {r.inputs["bucket"]: r for r in of_type(plan, type_)}


def policy(resource: PlannedResource, key: str = "policy") -> dict[str, Any]:
    return json.loads(resource.inputs[key])


def group(plan: StackPlan, pool: str) -> PlannedResource:
    return one(plan, NODE_GROUP, f"pool-{pool}-group")


def test_gpu_node_group_is_tainted_scales_to_zero_and_labelled(infra: StackPlan) -> None:
    gpu = group(infra, "gpu-t4")
    assert {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"} in gpu.inputs["taints"]
    assert gpu.inputs["scalingConfig"] == {"minSize": 0, "desiredSize": 0, "maxSize": 3}
    assert gpu.inputs["labels"]["aicommons.dev/pool"] == "gpu-t4"
    assert gpu.inputs["amiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu.inputs["instanceTypes"] == ["g4dn.xlarge"]


def test_every_node_group_carries_its_pool_label(infra: StackPlan) -> None:
    groups = of_type(infra, NODE_GROUP)
    assert sorted(g.inputs["labels"]["aicommons.dev/pool"] for g in groups) == ["core", "gpu-t4", "user"]
    assert group(infra, "user").inputs["taints"] == [
        {"key": "hub.jupyter.org/dedicated", "value": "user", "effect": "NO_SCHEDULE"}
    ]


def test_cluster_autoscaler_tags_describe_the_node_template(infra: StackPlan) -> None:
    tags = group(infra, "gpu-t4").inputs["tags"]
    assert tags[f"{CA}/enabled"] == "true"
    assert tags[f"{CA}/aicommons-riverton"] == "owned"
    assert tags[f"{CA}/node-template/label/aicommons.dev/pool"] == "gpu-t4"
    assert tags[f"{CA}/node-template/taint/nvidia.com/gpu"] == "true:NoSchedule"
    assert tags[f"{CA}/node-template/resources/nvidia.com/gpu"] == "1"
    assert f"{CA}/node-template/resources/nvidia.com/gpu" not in group(infra, "core").inputs["tags"]
    # ...and on the auto-scaling group, where the autoscaler reads them for empty groups.
    asg_tags = {
        r.inputs["tag"]["key"]: r.inputs["tag"]["value"]
        for r in of_type(infra, "aws:autoscaling/tag:Tag")
        if r.name.startswith("pool-gpu-t4-")
    }
    assert asg_tags == {k: v for k, v in tags.items() if "/node-template/" in k}


def test_launch_templates_require_imdsv2_and_encrypt_root_volumes(infra: StackPlan) -> None:
    templates = of_type(infra, LAUNCH_TEMPLATE)
    assert len(templates) == 3
    for template in templates:
        assert template.inputs["metadataOptions"]["httpTokens"] == "required"
        assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
        (root,) = template.inputs["blockDeviceMappings"]
        assert root["ebs"]["encrypted"] == "true"
        assert root["ebs"]["volumeType"] == "gp3"
    gpu = one(infra, LAUNCH_TEMPLATE, "pool-gpu-t4-template")
    assert gpu.inputs["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 200
    assert group(infra, "gpu-t4").inputs["launchTemplate"]["version"] == "1"


def test_cluster_encrypts_secrets_and_logs_the_control_plane(infra: StackPlan) -> None:
    cluster = one(infra, "aws:eks/cluster:Cluster")
    key = one(infra, "aws:kms/key:Key")
    (encryption,) = [cluster.inputs["encryptionConfig"]]
    assert encryption["resources"] == ["secrets"]
    assert encryption["provider"]["keyArn"].startswith("arn:aws:kms:us-east-1:")
    assert key.inputs["enableKeyRotation"] is True
    assert cluster.inputs["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert cluster.inputs["version"] == "1.33"


def test_log_groups_keep_logs_as_long_as_asked_and_encrypted(infra: StackPlan) -> None:
    groups = {r.inputs["name"]: r.inputs for r in of_type(infra, "aws:cloudwatch/logGroup:LogGroup")}
    assert (
        groups["/aws/eks/aicommons-riverton/cluster"]["retentionInDays"]
        == riverton.INFRA["log_retention_days"]
    )
    assert groups["/aicommons/aicommons-riverton/audit"]["retentionInDays"] == 365
    assert all(g["kmsKeyId"].startswith("arn:aws:kms:") for g in groups.values())


def test_every_bucket_is_encrypted_private_versioned_and_tls_only(infra: StackPlan) -> None:
    buckets = {r.inputs["bucket"]: r for r in of_type(infra, BUCKET)}
    assert sorted(buckets) == [
        "aicommons-riverton-audit-123456789012",
        "aicommons-riverton-datasets-123456789012",
        "aicommons-riverton-projects-123456789012",
    ]
    encryption = by_bucket(
        infra, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    access = by_bucket(infra, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    versioning = by_bucket(infra, "aws:s3/bucketVersioning:BucketVersioning")
    policies = by_bucket(infra, "aws:s3/bucketPolicy:BucketPolicy")
    for name in buckets:
        (rule,) = encryption[name].inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith("arn:aws:kms:")
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        assert all(access[name].inputs[flag] is True for flag in flags)
        assert versioning[name].inputs["versioningConfiguration"]["status"] == "Enabled"
        deny = [s for s in policy(policies[name])["Statement"] if s["Effect"] == "Deny"]
        assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert f"arn:aws:s3:::{name}/*" in deny[0]["Resource"]


def test_buckets_are_labelled_with_their_data(infra: StackPlan) -> None:
    tags = {r.inputs["bucket"]: r.inputs["tags"] for r in of_type(infra, BUCKET)}
    projects = tags["aicommons-riverton-projects-123456789012"]
    assert projects["aicommons.dev/classification"] == "confidential"
    assert projects["aicommons.dev/personal-data"] == "true"
    assert projects["aicommons.dev/region"] == "us-east-1"
    assert tags["aicommons-riverton-datasets-123456789012"]["aicommons.dev/personal-data"] == "false"


def test_audit_bucket_is_locked_in_compliance_mode(infra: StackPlan) -> None:
    audit = "aicommons-riverton-audit-123456789012"
    bucket = {r.inputs["bucket"]: r for r in of_type(infra, BUCKET)}[audit]
    assert bucket.inputs["objectLockEnabled"] is True
    (lock,) = of_type(infra, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["bucket"] == audit
    assert lock.inputs["objectLockEnabled"] == "Enabled"
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 365}


def test_cloudtrail_delivers_into_the_audit_bucket(infra: StackPlan) -> None:
    trail = one(infra, "aws:cloudtrail/trail:Trail")
    audit = "aicommons-riverton-audit-123456789012"
    assert trail.inputs["s3BucketName"] == audit
    assert trail.inputs["isMultiRegionTrail"] is True
    assert trail.inputs["enableLogFileValidation"] is True
    statements = policy(by_bucket(infra, "aws:s3/bucketPolicy:BucketPolicy")[audit])["Statement"]
    write = next(s for s in statements if s.get("Sid") == "CloudTrailWrite")
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Resource"] == f"arn:aws:s3:::{audit}/cloudtrail/AWSLogs/123456789012/*"
    assert write["Condition"]["StringEquals"]["aws:SourceArn"].endswith(":trail/aicommons-riverton-trail")


def test_budget_matches_the_profile(infra: StackPlan) -> None:
    budget = one(infra, "aws:budgets/budget:Budget")
    assert float(budget.inputs["limitAmount"]) == riverton.INFRA["budget_usd_month"]
    assert budget.inputs["budgetType"] == "COST"
    assert budget.inputs["timeUnit"] == "MONTHLY"
    notes = budget.inputs["notifications"]
    assert [n["threshold"] for n in notes] == [80, 100]
    assert all(n["subscriberEmailAddresses"] == ["it-finance@riverton.example.gov"] for n in notes)


def test_stateful_resources_are_protected(infra: StackPlan) -> None:
    protected = {r.type for r in infra.resources if r.protect}
    assert protected == {
        "aws:kms/key:Key",
        "aws:eks/cluster:Cluster",
        "aws:cloudwatch/logGroup:LogGroup",
        BUCKET,
    }
    assert all(r.protect for r in of_type(infra, BUCKET))
    assert one(infra, "aws:eks/cluster:Cluster").inputs["deletionProtection"] is True


def test_unprotected_bucket_stays_unprotected_but_audit_is_always_protected(bundle: Path) -> None:
    config = riverton.infra_config()
    for bucket in config["aicommons:infra"]["buckets"]:
        bucket["protect"] = False
    plan = riverton.plan_infra(bundle, config)
    protect = {r.inputs["bucket"].split("-")[2]: r.protect for r in of_type(plan, BUCKET)}
    assert protect == {"audit": True, "datasets": False, "projects": False}


def test_irsa_roles_trust_exactly_one_service_account(infra: StackPlan) -> None:
    roles = {r.inputs["name"]: policy(r, "assumeRolePolicy") for r in of_type(infra, "aws:iam/role:Role")}
    expected = {
        "aicommons-riverton-ebs-csi": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
        "aicommons-riverton-cluster-autoscaler": "system:serviceaccount:kube-system:cluster-autoscaler",
        "aicommons-riverton-log-shipper": "system:serviceaccount:aicommons-system:audit-log-shipper",
        "aicommons-riverton-vpc-cni": "system:serviceaccount:kube-system:aws-node",
    }
    for name, subject in expected.items():
        (statement,) = roles[name]["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"]["Federated"].startswith(
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks."
        )
        conditions = statement["Condition"]["StringEquals"]
        assert [v for k, v in conditions.items() if k.endswith(":sub")] == [subject]
        assert [v for k, v in conditions.items() if k.endswith(":aud")] == ["sts.amazonaws.com"]


def test_inline_policies_are_scoped(infra: StackPlan) -> None:
    inline = {r.name: policy(r) for r in of_type(infra, "aws:iam/rolePolicy:RolePolicy")}
    scaler = inline["irsa-cluster-autoscaler-policy"]["Statement"]
    scale = next(s for s in scaler if s["Sid"] == "ScaleOwnedGroups")
    assert scale["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/aicommons-riverton": "owned"}
    }
    shipper = {s["Sid"]: s for s in inline["irsa-log-shipper-policy"]["Statement"]}
    assert shipper["WriteAuditObjects"]["Action"] == ["s3:PutObject"]
    assert shipper["WriteAuditObjects"]["Resource"] == (
        "arn:aws:s3:::aicommons-riverton-audit-123456789012/aicommons-audit/*"
    )
    assert shipper["AppendAuditLogs"]["Resource"][0].endswith(
        ":log-group:/aicommons/aicommons-riverton/audit"
    )
    resources = [
        r
        for s in shipper.values()
        for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    ]
    assert "*" not in resources  # every statement names its log group, prefix or key
    attached = {
        r.inputs["policyArn"] for r in of_type(infra, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" in attached


def test_provider_puts_cost_tags_on_everything(infra: StackPlan) -> None:
    (provider,) = of_type(infra, "pulumi:providers:aws")
    assert provider.inputs["region"] == "us-east-1"
    assert json.loads(provider.inputs["defaultTags"]) == {"tags": riverton.TAGS}
    aws_resources = [r for r in infra.resources if r.type.startswith("aws:")]
    assert aws_resources and all(r.provider == provider.urn for r in aws_resources)


def test_network_spans_the_zones_with_a_nat_each(infra: StackPlan) -> None:
    subnets = of_type(infra, "aws:ec2/subnet:Subnet")
    zones = sorted({s.inputs["availabilityZone"] for s in subnets})
    assert zones == ["us-east-1a", "us-east-1b"]
    assert len(of_type(infra, "aws:ec2/natGateway:NatGateway")) == 2
    private = [s for s in subnets if "kubernetes.io/role/internal-elb" in s.inputs["tags"]]
    cluster = one(infra, "aws:eks/cluster:Cluster")
    assert len(private) == 2 and len(cluster.inputs["vpcConfig"]["subnetIds"]) == 2


def test_city_identity_provider_is_registered_with_prefixes(bundle: Path, infra: StackPlan) -> None:
    assert not of_type(infra, IDP_CONFIG)  # without an identity provider: access entries only
    config = riverton.infra_config()
    config["aicommons:infra"]["oidc"] = {
        "issuer_url": "https://login.riverton.example.gov/realms/staff",
        "client_id": "aicommons-hub",
        "username_claim": "preferred_username",
        "groups_claim": "groups",
        "username_prefix": "oidc:",
        "groups_prefix": "oidc:",
    }
    idp = one(riverton.plan_infra(bundle, config), IDP_CONFIG)
    assert idp.inputs["clusterName"] == "aicommons-riverton"
    assert idp.inputs["oidc"] == {
        "identityProviderConfigName": "city-idp",
        "issuerUrl": "https://login.riverton.example.gov/realms/staff",
        "clientId": "aicommons-hub",
        "usernameClaim": "preferred_username",
        "usernamePrefix": "oidc:",
        "groupsClaim": "groups",
        "groupsPrefix": "oidc:",
    }


def test_existing_vpc_creates_no_network(bundle: Path) -> None:
    config = riverton.infra_config()
    config["aicommons:infra"] |= {
        "existing_vpc_id": "vpc-0abc",
        "private_subnet_ids": ["subnet-1", "subnet-2"],
    }
    plan = riverton.plan_infra(bundle, config)
    assert not [r for r in plan.resources if r.type.startswith("aws:ec2/") and r.type != LAUNCH_TEMPLATE]
    assert one(plan, "aws:eks/cluster:Cluster").inputs["vpcConfig"]["subnetIds"] == ["subnet-1", "subnet-2"]
    assert plan.outputs["vpcId"] == "vpc-0abc"


def test_vpc_cni_enforces_network_policies(infra: StackPlan) -> None:
    addons = {r.inputs["addonName"]: r.inputs for r in of_type(infra, "aws:eks/addon:Addon")}
    assert json.loads(addons["vpc-cni"]["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert addons["aws-ebs-csi-driver"]["serviceAccountRoleArn"].endswith(":role/aicommons-riverton-ebs-csi")


def test_outputs_hand_the_platform_what_it_needs(infra: StackPlan) -> None:
    assert infra.secret_outputs == ["kubeconfig"]
    assert infra.outputs["kubeconfig"] == "[secret]"
    assert infra.outputs["clusterName"] == "aicommons-riverton"
    assert infra.outputs["auditBucket"] == "aicommons-riverton-audit-123456789012"
    assert infra.outputs["auditLogGroup"] == "/aicommons/aicommons-riverton/audit"
    assert infra.outputs["oidcProviderArn"].startswith("arn:aws:iam::123456789012:oidc-provider/")
    for role in ("ebsCsi", "autoscaler", "logShipper", "vpcCni"):
        assert infra.outputs[f"{role}RoleArn"].startswith("arn:aws:iam::123456789012:role/")
    groups = infra.outputs["nodeGroups"]
    assert sorted(groups) == ["core", "gpu-t4", "user"]
    # EKS's names: the prefix and the provider's 26-character suffix, which the checks strip again.
    for name, eks_name in groups.items():
        assert eks_name.startswith(f"{name}-") and len(eks_name) == len(name) + 1 + 26
        assert node_group_name(eks_name, "aicommons-riverton") == name


def test_components_parent_their_resources(infra: StackPlan) -> None:
    components = {r.urn for r in infra.resources if not r.custom}
    assert {r.type for r in infra.resources if not r.custom} >= {
        "aicommons:infra:Network",
        "aicommons:infra:Cluster",
        "aicommons:infra:NodePool",
        "aicommons:infra:DataBucket",
        "aicommons:infra:ServiceAccountRole",
        "aicommons:infra:AuditTrail",
        "aicommons:infra:CostBudget",
    }
    orphans = [r.name for r in infra.resources if r.custom and r.parent is None]
    assert sorted(orphans) == ["aws"]  # only the provider sits directly under the stack
    assert all(r.parent in components for r in infra.resources if r.parent)


def test_the_plan_does_not_change_the_arguments(bundle: Path) -> None:
    config = riverton.infra_config()
    before = copy.deepcopy(config)
    riverton.plan_infra(bundle, config)
    assert config == before


def test_node_groups_and_templates_are_named_by_prefix_never_fixed(infra: StackPlan) -> None:
    """A changed instance type replaces the group: with prefixes the new one is created first."""
    for g in of_type(infra, NODE_GROUP):
        pool = g.inputs["labels"]["aicommons.dev/pool"]
        assert "nodeGroupName" not in g.inputs
        assert g.inputs["nodeGroupNamePrefix"] == f"{pool}-"
        assert g.inputs["tags"]["aicommons.dev/node-group"] == pool
    for t in of_type(infra, LAUNCH_TEMPLATE):
        assert "name" not in t.inputs
        assert t.inputs["namePrefix"].startswith("aicommons-riverton-") and t.inputs["namePrefix"].endswith(
            "-"
        )


def zonal_config() -> dict[str, Any]:
    """Riverton's user pool as the renderer writes it for two zones: one group per zone."""
    config = riverton.infra_config()
    pools = config["aicommons:infra"]["node_pools"]
    user = next(p for p in pools if p["name"] == "user")
    pools.remove(user)
    for zone, low in (("us-east-1a", 1), ("us-east-1b", 0)):
        pools.append(
            {
                **user,
                "name": f"user-{zone[-1]}",
                "group": "user",
                "zones": [zone],
                "min_size": low,
                "desired_size": low,
            }
        )
    return config


def test_zonal_groups_start_nodes_in_their_zone_only(bundle: Path) -> None:
    plan = riverton.plan_infra(bundle, zonal_config())
    subnets = {
        r.inputs["availabilityZone"]: r for r in of_type(plan, "aws:ec2/subnet:Subnet") if "private" in r.name
    }
    for letter in "ab":
        g = group(plan, f"user-{letter}")
        (subnet,) = g.inputs["subnetIds"]
        assert subnet.startswith(subnets[f"us-east-1{letter}"].name)
        assert g.inputs["nodeGroupNamePrefix"] == f"user-{letter}-"
        assert g.inputs["tags"]["aicommons.dev/node-group"] == "user"
    # The zone set is similar for --balance-similar-node-groups: the same labels, taints, type.
    a, b = group(plan, "user-a").inputs, group(plan, "user-b").inputs
    for key in ("labels", "taints", "instanceTypes", "amiType"):
        assert a[key] == b[key]
    assert len(group(plan, "core").inputs["subnetIds"]) == 2  # core spans the zones


def test_a_zone_outside_the_cluster_is_a_located_error(bundle: Path) -> None:
    config = zonal_config()
    config["aicommons:infra"]["node_pools"][-1]["zones"] = ["us-east-1c"]
    with pytest.raises(Exception, match=r"node_pools\[3\]\.zones: \['us-east-1c'\] are not among"):
        riverton.plan_infra(bundle, config)


def test_access_entries_give_the_profiles_principals_their_policy(bundle: Path) -> None:
    ci, auditor = "arn:aws:iam::111122223333:role/ci-deployer", "arn:aws:iam::111122223333:user/auditor"
    config = riverton.infra_config()
    config["aicommons:infra"]["access"] = [
        {"principal_arn": ci, "access": "admin"},
        {"principal_arn": auditor, "access": "view"},
    ]
    plan = riverton.plan_infra(bundle, config)
    cluster = one(plan, "aws:eks/cluster:Cluster").inputs
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    entries = {r.inputs["principalArn"]: r.inputs for r in of_type(plan, "aws:eks/accessEntry:AccessEntry")}
    assert set(entries) == {ci, auditor} and {e["type"] for e in entries.values()} == {"STANDARD"}
    policies = {
        r.inputs["principalArn"]: (r.inputs["policyArn"], r.inputs["accessScope"])
        for r in of_type(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    }
    assert policies == {
        ci: ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", {"type": "cluster"}),
        auditor: ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", {"type": "cluster"}),
    }
    # Reordering the list keeps every resource's name (nothing is replaced).
    config["aicommons:infra"]["access"].reverse()
    again = riverton.plan_infra(bundle, config)
    names = sorted(r.name for r in of_type(plan, "aws:eks/accessEntry:AccessEntry"))
    assert sorted(r.name for r in of_type(again, "aws:eks/accessEntry:AccessEntry")) == names


def test_unknown_access_level_is_a_located_error(bundle: Path) -> None:
    config = riverton.infra_config()
    config["aicommons:infra"]["access"] = [
        {"principal_arn": "arn:aws:iam::111122223333:role/x", "access": "owner"}
    ]
    with pytest.raises(Exception, match=r"access\[0\]\.access: unknown 'owner'"):
        riverton.plan_infra(bundle, config)


def test_zonal_groups_in_an_existing_vpc_look_their_subnets_up_by_zone(bundle: Path) -> None:
    config = zonal_config()
    config["aicommons:infra"] |= {
        "existing_vpc_id": "vpc-0abc",
        "private_subnet_ids": ["subnet-1", "subnet-2"],
    }
    plan = riverton.plan_infra(bundle, config)
    # Offline the subnets' zones are unknown: the mock's lookup returns every given subnet. In AWS
    # the filter keeps those of the group's zone, and none there is an error at deploy.
    assert group(plan, "user-a").inputs["subnetIds"] == ["subnet-1", "subnet-2"]
    assert group(plan, "core").inputs["subnetIds"] == ["subnet-1", "subnet-2"]
