"""Create in moto, with boto3, what the infra stack creates for a city (see stacks/aicommons_stacks/infra).

The arguments are the stack's own (`aicommons.render.infra_aws.infra_args` for a profile), and
names, tags and settings follow the stack's modules: buckets `<cluster>-<purpose>-<account>` with
data tags, SSE-KMS, all four public-access-block settings, versioning, a TLS-only policy and
(audit) Object Lock in compliance mode; the two log groups; the multi-region trail into the audit
bucket; the EKS cluster with secrets encryption and control-plane logs; one launch template and
managed node group per pool; the monthly budget. Every taggable resource carries the city's
default tags, as the stack's provider adds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
CA = "k8s.io/cluster-autoscaler"


@dataclass
class World:
    cluster: str
    buckets: dict[str, str] = field(default_factory=dict)  # purpose -> name
    key_arn: str = ""
    subnets: list[str] = field(default_factory=list)


def _tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def tls_only_policy(bucket: str, extra: list[dict[str, Any]] | None = None) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                *(extra or []),
            ],
        }
    )


# terraform-plugin-sdk's id.PrefixedUniqueId: a UTC timestamp to 1/10000 s and an 8-hex counter.
UNIQUE_SUFFIX = "20261206171639123400000001"


def key_policy(region: str, trail_arn: str) -> dict[str, Any]:
    """The statements the stack's key policy holds (stacks/aicommons_stacks/infra/encryption.py)."""
    cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
    source = {"StringEquals": {"aws:SourceArn": trail_arn}}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Principal": cloudtrail,
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    **source,
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
                    },
                },
            },
            {
                "Effect": "Allow",
                "Principal": cloudtrail,
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": source,
            },
            {
                "Effect": "Allow",
                "Principal": cloudtrail,
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": source,
            },
        ],
    }


def build(args: dict[str, Any], region: str) -> World:
    """The infra stack's resources for `args` (InfraArgs as a dict), in moto."""
    cluster = args["cluster_name"]
    tags = dict(args["tags"])
    world = World(cluster=cluster)

    kms = boto3.client("kms", region_name=region)
    world.key_arn = kms.create_key(
        Description=f"{cluster} data key",
        Policy=json.dumps(key_policy(region, f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{cluster}-trail")),
        Tags=[{"TagKey": k, "TagValue": v} for k, v in sorted(tags.items())],
    )["KeyMetadata"]["Arn"]

    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock=args["vpc_cidr"])["Vpc"]["VpcId"]
    for i, zone in enumerate(args["zones"]):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=zone)["Subnet"]
        world.subnets.append(subnet["SubnetId"])

    s3 = boto3.client("s3", region_name=region)
    trail_name = f"{cluster}-trail"
    for bucket in args["buckets"]:
        purpose = bucket["purpose"]
        name = f"{cluster}-{purpose}-{ACCOUNT}"
        world.buckets[purpose] = name
        locked = bucket.get("object_lock_days") is not None
        s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=locked)
        data_tags = {
            "aicommons.dev/purpose": purpose,
            "aicommons.dev/classification": bucket["classification"],
            "aicommons.dev/personal-data": "true" if bucket["personal_data"] else "false",
            "aicommons.dev/region": region,
        }
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tag_set({**tags, **data_tags})})
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": world.key_arn,
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        extra = []
        if locked:
            s3.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": bucket["object_lock_days"]}},
                },
            )
            trail_arn = f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{trail_name}"
            extra = [
                {
                    "Sid": "CloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": f"arn:aws:s3:::{name}",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                }
            ]
        s3.put_bucket_policy(Bucket=name, Policy=tls_only_policy(name, extra))

    logs = boto3.client("logs", region_name=region)
    for group, days in (
        (f"/aws/eks/{cluster}/cluster", args["log_retention_days"]),
        (f"/aicommons/{cluster}/audit", args["log_retention_days"]),
    ):
        logs.create_log_group(logGroupName=group, kmsKeyId=world.key_arn, tags=tags)
        logs.put_retention_policy(logGroupName=group, retentionInDays=days)

    cloudtrail = boto3.client("cloudtrail", region_name=region)
    cloudtrail.create_trail(
        Name=trail_name,
        S3BucketName=world.buckets["audit"],
        S3KeyPrefix="cloudtrail",
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=world.key_arn,
        TagsList=_tag_set(tags),
    )
    cloudtrail.start_logging(Name=trail_name)

    eks = boto3.client("eks", region_name=region)
    eks.create_cluster(
        name=cluster,
        version=args["kubernetes_version"],
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/{cluster}-cluster",
        resourcesVpcConfig={
            "subnetIds": world.subnets,
            "endpointPrivateAccess": True,
            "endpointPublicAccess": True,
        },
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": world.key_arn}}],
        logging={"clusterLogging": [{"types": list(args["control_plane_log_types"]), "enabled": True}]},
        tags=tags,
    )
    by_zone = dict(zip(args["zones"], world.subnets, strict=True))
    for pool in args["node_pools"]:
        # Named as the provider names a prefix: the prefix and a 26-character unique suffix.
        group = f"{pool['name']}-{UNIQUE_SUFFIX}"
        template = ec2.create_launch_template(
            LaunchTemplateName=f"{cluster}-{pool['name']}-{UNIQUE_SUFFIX}",
            LaunchTemplateData={
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "VolumeSize": pool["disk_gib"],
                            "VolumeType": "gp3",
                            "Encrypted": True,
                            "DeleteOnTermination": True,
                        },
                    }
                ],
                "MetadataOptions": {
                    "HttpEndpoint": "enabled",
                    "HttpTokens": "required",
                    "HttpPutResponseHopLimit": 1,
                    "InstanceMetadataTags": "disabled",
                },
            },
        )["LaunchTemplate"]
        ca_tags = {f"{CA}/enabled": "true", f"{CA}/{cluster}": "owned"}
        if pool.get("gpu_count"):
            ca_tags[f"{CA}/node-template/resources/nvidia.com/gpu"] = str(pool["gpu_count"])
        eks.create_nodegroup(
            clusterName=cluster,
            nodegroupName=group,
            nodeRole=f"arn:aws:iam::{ACCOUNT}:role/{cluster}-node",
            subnets=[by_zone[z] for z in pool.get("zones") or []] or world.subnets,
            instanceTypes=[pool["instance_type"]],
            amiType=pool["ami_type"],
            capacityType="ON_DEMAND",
            scalingConfig={
                "minSize": pool["min_size"],
                "desiredSize": pool["desired_size"],
                "maxSize": pool["max_size"],
            },
            labels=pool["labels"],
            taints=list(pool["taints"]),
            launchTemplate={
                "id": template["LaunchTemplateId"],
                "version": str(template["LatestVersionNumber"]),
            },
            tags={
                **tags,
                **ca_tags,
                "aicommons.dev/pool": pool.get("pool") or pool["name"],
                "aicommons.dev/node-group": pool.get("group") or pool["name"],
            },
        )

    budgets = boto3.client("budgets", region_name="us-east-1")
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": f"{cluster}-monthly",
            "BudgetLimit": {"Amount": f"{args['budget_usd_month']:.2f}", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[
            {
                "Notification": {
                    "NotificationType": "ACTUAL",
                    "ComparisonOperator": "GREATER_THAN",
                    "Threshold": threshold,
                    "ThresholdType": "PERCENTAGE",
                },
                "Subscribers": [
                    {"SubscriptionType": "EMAIL", "Address": a} for a in sorted(args["budget_alert_emails"])
                ],
            }
            for threshold in sorted(set(args["budget_alert_thresholds"]))
        ],
    )
    return world


def add_strays(world: World, region: str, city: str) -> dict[str, str]:
    """What the stack did not create: a bucket someone made by hand for the city (tagged, but
    public and unencrypted), and another city's bucket that must not be read."""
    s3 = boto3.client("s3", region_name=region)
    scratch = f"{world.cluster}-scratch-{ACCOUNT}"
    s3.create_bucket(Bucket=scratch)
    s3.put_bucket_tagging(Bucket=scratch, Tagging={"TagSet": _tag_set({"aicommons:city": city})})
    other = f"aicommons-lakeside-datasets-{ACCOUNT}"
    s3.create_bucket(Bucket=other)
    s3.put_bucket_tagging(Bucket=other, Tagging={"TagSet": _tag_set({"aicommons:city": "lakeside"})})
    return {"scratch": scratch, "other": other}
