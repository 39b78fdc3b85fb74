"""Inventory from AWS: boto3 reading what the infra stack created for a city.

The stack tags everything it creates with `aicommons:city=<slug>` (the provider's default tags)
and names things after the cluster (`aicommons-<slug>`), so resources are found by tag and, where
a service has no tag search, by the stack's names:

- buckets and log groups: the Resource Groups Tagging API (`tag:GetResources`), plus the log
  groups the stack names (`/aws/eks/<cluster>/cluster`, `/aicommons/<cluster>/audit`);
- the EKS cluster: tagged with the city or named `aicommons-<slug>`, and all its node groups;
- CloudTrail trails: tagged with the city, named `<cluster>-trail`, or delivering to one of the
  city's buckets (an organisation trail counts);
- the budget: named `<cluster>-monthly` (Budgets has no tag search).

Each becomes a normalised `Resource` (kinds and spec keys in `aicommons.checks.model`). A setting
that could not be read is None and named in the spec's `unreadable` map; a kind that could not be
listed at all goes to `unavailable`. Missing or refused credentials, and endpoints that cannot be
reached, raise `MissingComponentError` (exit 3). `AWS_ENDPOINT_URL`, `AWS_PROFILE` and the other
standard variables work as they do for the AWS CLI.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aicommons.checks.model import (
    BUCKET,
    BUDGET,
    CLUSTER,
    LOG_GROUP,
    NODE_GROUP,
    TRAIL,
    Resource,
    node_group_name,
    plan_group_name,
)
from aicommons.errors import MissingComponentError

CITY_TAG = "aicommons:city"
PURPOSE_TAG = "aicommons.dev/purpose"
POOL_LABEL = "aicommons.dev/pool"
ROLE_LABEL = "aicommons.dev/role"
AWS_KINDS = (BUCKET, LOG_GROUP, CLUSTER, NODE_GROUP, TRAIL, BUDGET)

GPU_TEMPLATE_TAG = "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"
_PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
_CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "RequestExpired",
    "InvalidToken",
}
_FORBIDDEN_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden", "403"}


def cluster_name(city: str) -> str:
    """The stack's cluster name (aicommons.render.infra_aws.cluster_name, from the slug alone)."""
    return f"aicommons-{city}"


@dataclass
class AwsRead:
    resources: list[Resource] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    account: str | None = None
    region: str | None = None


class _Unreadable(Exception):
    """Internal: an AWS call failed in a way that makes one thing unreadable (not the whole run)."""

    def __init__(self, why: str, code: str):
        self.why = why
        self.code = code
        super().__init__(why)


# --- Entry point ------------------------------------------------------------------------------


def aws_inventory(city: str, *, region: str | None = None, aws_profile: str | None = None) -> AwsRead:
    """Read the AWS resources of the city `city` (its slug) in `region`."""
    import boto3
    import botocore.exceptions
    from botocore.config import Config

    try:
        session = boto3.session.Session(profile_name=aws_profile, region_name=region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise MissingComponentError(
            f"the AWS profile is not configured: {exc}; run `aws configure --profile {aws_profile}` or "
            f"pass an existing profile"
        ) from None
    region = session.region_name
    if not region:
        raise MissingComponentError(
            "no AWS region: the profile's target.region, --region, AWS_REGION or the AWS config must name one"
        )
    # Standard retries (3 attempts unless AWS_MAX_ATTEMPTS or the AWS config says otherwise).
    config = Config(connect_timeout=5, read_timeout=30, retries={"mode": "standard"})

    def client(service: str, in_region: str | None = None) -> Any:
        # endpoint_url is left to botocore, so AWS_ENDPOINT_URL(_<SERVICE>) and config files apply.
        return session.client(service, region_name=in_region or region, config=config)

    reader = _AwsReader(client, city, region)
    try:  # needs no permission: it fails only when the credentials or the endpoint do
        reader.account = reader.call("sts", "GetCallerIdentity", client("sts").get_caller_identity)["Account"]
    except _Unreadable as exc:
        raise MissingComponentError(
            f"cannot identify the AWS account ({exc.why}); check the credentials and AWS_ENDPOINT_URL"
        ) from None
    reader.buckets()
    reader.log_groups()
    reader.cluster()
    reader.trails()
    reader.budget()
    from aicommons.checks.adapters.live_backup import read_backup_plans

    read_backup_plans(reader)
    return AwsRead(
        resources=reader.out, unavailable=reader.unavailable, account=reader.account, region=region
    )


# --- Reading ----------------------------------------------------------------------------------


class _AwsReader:
    def __init__(self, client: Callable[..., Any], city: str, region: str):
        self.client = client
        self.city = city
        self.region = region
        self.cluster_name = cluster_name(city)
        self.account: str | None = None
        self.out: list[Resource] = []
        self.unavailable: dict[str, str] = {}
        self._tagged: dict[str, dict[str, str]] | None = None

    def call(self, service: str, operation: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """One AWS call. Credential and connection failures end the run (MissingComponentError);
        other client errors raise _Unreadable for the caller to record."""
        import botocore.exceptions as bx

        try:
            return fn(**kwargs)
        except (bx.NoCredentialsError, bx.PartialCredentialsError) as exc:
            raise MissingComponentError(
                f"no AWS credentials ({exc}): configure them (AWS_PROFILE, `aws sso login`, "
                f"environment variables or an instance role) for the account of the city's stack"
            ) from None
        except (bx.CredentialRetrievalError, bx.TokenRetrievalError, bx.SSOError) as exc:
            raise MissingComponentError(
                f"the AWS credentials could not be obtained ({exc}); refresh them (e.g. `aws sso login`)"
            ) from None
        except (bx.ConnectionError, bx.HTTPClientError) as exc:  # refused, timed out, DNS, TLS
            raise MissingComponentError(
                f"cannot reach the AWS {service} endpoint in {self.region} ({exc}); check the network, "
                f"proxy settings and AWS_ENDPOINT_URL"
            ) from None
        except bx.ClientError as exc:
            error = exc.response.get("Error") or {}
            code = str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
            message = str(error.get("Message") or "").strip().splitlines()
            text = message[0][:200] if message else code
            if code in _CREDENTIAL_CODES:
                raise MissingComponentError(
                    f"AWS refused the credentials when calling {service}:{operation} ({code}: {text}); "
                    f"they have expired or belong to no account; refresh them and retry"
                ) from None
            if code in _FORBIDDEN_CODES:
                raise _Unreadable(f"forbidden: {service}:{operation} was denied ({text})", code) from None
            raise _Unreadable(f"{service}:{operation} failed ({code}: {text})", code) from None
        except bx.BotoCoreError as exc:
            raise _Unreadable(f"{service}:{operation} failed ({exc})", type(exc).__name__) from None

    def setting(
        self,
        unreadable: dict[str, str],
        key: str,
        service: str,
        operation: str,
        fn: Callable[..., Any],
        absent: Iterable[str] = (),
        **kwargs: Any,
    ) -> Any:
        """A per-resource getter: the response, None when the setting is absent (one of the
        `absent` error codes), or None recorded in `unreadable[key]` when it cannot be read."""
        try:
            return self.call(service, operation, fn, **kwargs)
        except _Unreadable as exc:
            if exc.code not in absent:
                unreadable[key] = exc.why
            return None

    def paginate(
        self, service: str, operation: str, client: Any, method: str, key: str, **kwargs: Any
    ) -> list[Any]:
        out: list[Any] = []
        paginator = client.get_paginator(method)
        pages = iter(paginator.paginate(**kwargs))
        while True:
            page = self.call(service, operation, lambda p=pages: next(p, None))
            if page is None:
                return out
            out += page.get(key) or []

    def tagged(self) -> dict[str, dict[str, str]]:
        """ARN -> tags of every resource tagged with the city (Resource Groups Tagging API)."""
        if self._tagged is None:
            api = self.client("resourcegroupstaggingapi")
            found = self.paginate(
                "tag",
                "GetResources",
                api,
                "get_resources",
                "ResourceTagMappingList",
                TagFilters=[{"Key": CITY_TAG, "Values": [self.city]}],
                ResourceTypeFilters=["s3", "logs:log-group"],
            )
            self._tagged = {
                item["ResourceARN"]: {t["Key"]: t["Value"] for t in item.get("Tags") or []} for item in found
            }
        return self._tagged

    def add(self, resource: Resource) -> None:
        self.out.append(resource)

    # -- S3 --

    def buckets(self) -> None:
        try:
            arns = [arn for arn in self.tagged() if arn.startswith("arn:aws:s3:::")]
        except _Unreadable as exc:
            self.unavailable[BUCKET] = exc.why
            return
        s3 = self.client("s3")
        for arn in sorted(arns):
            self.add(self._bucket(s3, arn.removeprefix("arn:aws:s3:::"), self.tagged()[arn]))

    def _bucket(self, s3: Any, name: str, tags: dict[str, str]) -> Resource:
        unreadable: dict[str, str] = {}

        def get(key: str, operation: str, method: str, absent: Iterable[str] = ()) -> Any:
            return self.setting(unreadable, key, "s3", operation, getattr(s3, method), absent, Bucket=name)

        spec: dict[str, Any] = {"arn": f"arn:aws:s3:::{name}"}
        tagging = get("tags", "GetBucketTagging", "get_bucket_tagging", {"NoSuchTagSet"})
        if tagging is not None:
            tags = {t["Key"]: t["Value"] for t in tagging.get("TagSet") or []}
        location = get("location", "GetBucketLocation", "get_bucket_location")
        spec["location"] = (
            (location.get("LocationConstraint") or "us-east-1") if location is not None else None
        )
        spec.update(_data_labels(tags))

        encryption = get(
            "kms_encrypted",
            "GetBucketEncryption",
            "get_bucket_encryption",
            {"ServerSideEncryptionConfigurationNotFoundError"},
        )
        rules = ((encryption or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
        defaults = [r.get("ApplyServerSideEncryptionByDefault") or {} for r in rules]
        algorithms = [d.get("SSEAlgorithm") for d in defaults if d.get("SSEAlgorithm")]
        spec["sse_algorithm"] = algorithms[0] if algorithms else None
        spec["kms_key"] = next((d.get("KMSMasterKeyID") for d in defaults if d.get("KMSMasterKeyID")), None)
        spec["kms_encrypted"] = (
            None if "kms_encrypted" in unreadable else any(a.startswith("aws:kms") for a in algorithms)
        )
        spec["bucket_key_enabled"] = any(r.get("BucketKeyEnabled") is True for r in rules)

        block = get(
            "public_access_blocked",
            "GetPublicAccessBlock",
            "get_public_access_block",
            {"NoSuchPublicAccessBlockConfiguration"},
        )
        flags = (block or {}).get("PublicAccessBlockConfiguration") or {}
        # camelCase flag names, as the plan adapter spells them (Pulumi's inputs); None: no block at all
        spec["public_access_block"] = (
            {k[0].lower() + k[1:]: flags.get(k) is True for k in _PUBLIC_ACCESS_FLAGS} if flags else None
        )
        spec["public_access_blocked"] = (
            None
            if "public_access_blocked" in unreadable
            else all(flags.get(k) is True for k in _PUBLIC_ACCESS_FLAGS)
        )

        versioning = get("versioned", "GetBucketVersioning", "get_bucket_versioning")
        spec["versioning"] = (versioning or {}).get("Status")
        spec["versioned"] = None if versioning is None else versioning.get("Status") == "Enabled"

        policy = get("tls_only", "GetBucketPolicy", "get_bucket_policy", {"NoSuchBucketPolicy"})
        spec["tls_only"] = (
            None if "tls_only" in unreadable else denies_insecure_transport((policy or {}).get("Policy"))
        )

        lock = get(
            "object_lock_mode",
            "GetObjectLockConfiguration",
            "get_object_lock_configuration",
            {"ObjectLockConfigurationNotFoundError"},
        )
        lock_config = (lock or {}).get("ObjectLockConfiguration") or {}
        retention = (lock_config.get("Rule") or {}).get("DefaultRetention") or {}
        spec["object_lock_enabled"] = lock_config.get("ObjectLockEnabled") == "Enabled"
        spec["object_lock_mode"] = retention.get("Mode")
        days = retention.get("Days") or (retention.get("Years") or 0) * 365 or None
        spec["object_lock_days"] = days
        spec["protected"] = None  # a Pulumi option: not visible in AWS
        spec["tags"] = dict(sorted(tags.items()))
        spec["unreadable"] = unreadable
        return Resource(kind=BUCKET, name=name, labels=_labels(tags), spec=spec)

    # -- CloudWatch Logs --

    def log_groups(self) -> None:
        logs = self.client("logs")
        names: dict[str, dict[str, str]] = {}
        try:
            for arn, tags in self.tagged().items():
                if ":log-group:" in arn:
                    names[arn.split(":log-group:", 1)[1].removesuffix(":*")] = tags
        except _Unreadable as exc:
            unreadable_tags = exc.why
        else:
            unreadable_tags = None
        groups: dict[str, dict[str, Any]] = {}
        try:
            for prefix in {
                *names,
                control_plane_log_group(self.cluster_name),
                audit_log_group(self.cluster_name),
            }:
                for group in self.paginate(
                    "logs",
                    "DescribeLogGroups",
                    logs,
                    "describe_log_groups",
                    "logGroups",
                    logGroupNamePrefix=prefix,
                ):
                    if group["logGroupName"] == prefix:
                        groups[prefix] = group
        except _Unreadable as exc:
            self.unavailable[LOG_GROUP] = exc.why
            return
        if unreadable_tags and not groups:
            self.unavailable[LOG_GROUP] = unreadable_tags
            return
        for name, group in sorted(groups.items()):
            tags = names.get(name, {})
            self.add(
                Resource(
                    kind=LOG_GROUP,
                    name=name,
                    labels=_labels(tags),
                    spec={
                        "arn": group.get("logGroupArn") or group.get("arn"),
                        "purpose": tags.get(PURPOSE_TAG) or self._log_purpose(name),
                        "retention_days": group.get("retentionInDays"),  # None: kept forever
                        "kms_encrypted": bool(group.get("kmsKeyId")),
                        "kms_key_id": group.get("kmsKeyId"),
                        "protected": None,  # a Pulumi option: not visible in AWS
                        "tags": dict(sorted(tags.items())),
                    },
                )
            )

    def _log_purpose(self, name: str) -> str | None:
        if name == control_plane_log_group(self.cluster_name):
            return "control-plane"
        if name == audit_log_group(self.cluster_name):
            return "audit"
        return None

    # -- EKS --

    def cluster(self) -> None:
        eks = self.client("eks")
        try:
            names = self.paginate("eks", "ListClusters", eks, "list_clusters", "clusters")
        except _Unreadable as exc:
            self.unavailable[CLUSTER] = exc.why
            self.unavailable[NODE_GROUP] = exc.why
            return
        for name in names:
            try:
                cluster = self.call("eks", "DescribeCluster", eks.describe_cluster, name=name)["cluster"]
            except _Unreadable as exc:
                if name == self.cluster_name:
                    self.unavailable[CLUSTER] = exc.why
                continue
            if name != self.cluster_name and (cluster.get("tags") or {}).get(CITY_TAG) != self.city:
                continue
            self.add(self._cluster(eks, cluster))
            self.node_groups(eks, name)

    def _cluster(self, eks: Any, cluster: Mapping[str, Any]) -> Resource:
        unreadable: dict[str, str] = {}
        encryption = cluster.get("encryptionConfig") or []
        secrets = [e for e in encryption if "secrets" in (e.get("resources") or [])]
        key_arn = next(((e.get("provider") or {}).get("keyArn") for e in secrets), None)
        log_types = sorted(
            t
            for entry in (cluster.get("logging") or {}).get("clusterLogging") or []
            if entry.get("enabled")
            for t in entry.get("types") or []
        )
        addon = self.setting(
            unreadable,
            "network_policy_enforced",
            "eks",
            "DescribeAddon",
            eks.describe_addon,
            {"ResourceNotFoundException"},
            clusterName=cluster["name"],
            addonName="vpc-cni",
        )
        enforced: bool | None = None
        evidence = "the vpc-cni add-on could not be read"
        if addon is not None:
            raw = (addon.get("addon") or {}).get("configurationValues") or "{}"
            try:
                values = json.loads(raw)
            except json.JSONDecodeError:
                values = {}
            enforced = str(values.get("enableNetworkPolicy", "false")).lower() == "true"
            evidence = f"EKS add-on vpc-cni: enableNetworkPolicy={values.get('enableNetworkPolicy', 'unset')}"
        elif "network_policy_enforced" not in unreadable:
            evidence = "vpc-cni is not an EKS-managed add-on; the cluster's DaemonSets decide"
        vpc = cluster.get("resourcesVpcConfig") or {}
        return Resource(
            kind=CLUSTER,
            name=cluster["name"],
            labels=_labels(cluster.get("tags") or {}),
            spec={
                "arn": cluster.get("arn"),
                "version": cluster.get("version"),
                "location": self.region,
                "status": cluster.get("status"),
                "secrets_encrypted": bool(key_arn),
                "kms_key": key_arn,
                "log_types": log_types,
                "network_policy_enforced": enforced,
                "network_policy_evidence": [evidence],
                "protected": None,  # a Pulumi option: not visible in AWS
                "deletion_protection": cluster.get("deletionProtection"),
                "subnets": list(vpc.get("subnetIds") or []),
                "endpoint": cluster.get("endpoint"),
                "endpoint_public_access": vpc.get("endpointPublicAccess"),
                "endpoint_private_access": vpc.get("endpointPrivateAccess"),
                "public_access_cidrs": vpc.get("publicAccessCidrs"),
                "tags": dict(sorted((cluster.get("tags") or {}).items())),
                "unreadable": unreadable,
            },
        )

    def node_groups(self, eks: Any, cluster: str) -> None:
        ec2 = self.client("ec2")
        try:
            names = self.paginate(
                "eks", "ListNodegroups", eks, "list_nodegroups", "nodegroups", clusterName=cluster
            )
        except _Unreadable as exc:
            self.unavailable[NODE_GROUP] = exc.why
            return
        for name in names:
            try:
                group = self.call(
                    "eks",
                    "DescribeNodegroup",
                    eks.describe_nodegroup,
                    clusterName=cluster,
                    nodegroupName=name,
                )["nodegroup"]
            except _Unreadable as exc:
                self.unavailable[NODE_GROUP] = exc.why
                continue
            self.add(self._node_group(ec2, group))

    def _node_group(self, ec2: Any, group: Mapping[str, Any]) -> Resource:
        unreadable: dict[str, str] = {}
        labels = dict(group.get("labels") or {})
        tags = dict(group.get("tags") or {})
        scaling = group.get("scalingConfig") or {}
        spec: dict[str, Any] = {
            "node_group_name": group.get("nodegroupName"),
            "cluster": group.get("clusterName"),
            "role": labels.get(ROLE_LABEL),
            "labels": labels,
            "instance_type": (group.get("instanceTypes") or [None])[0],
            "instance_types": list(group.get("instanceTypes") or []),
            "min_size": scaling.get("minSize"),
            "max_size": scaling.get("maxSize"),
            "desired_size": scaling.get("desiredSize"),
            "taints": [
                {
                    "key": t.get("key"),
                    "value": t.get("value"),
                    "effect": _EFFECTS.get(t.get("effect"), t.get("effect")),
                }
                for t in group.get("taints") or []
            ],
            "subnets": list(group.get("subnets") or []),
            "zones": self._zones(ec2, list(group.get("subnets") or []), unreadable),
            "gpu_count": int(tags[GPU_TEMPLATE_TAG])
            if str(tags.get(GPU_TEMPLATE_TAG, "")).isdigit()
            else None,
            "ami_type": group.get("amiType"),
            "capacity_type": group.get("capacityType"),
            "imds_http_tokens": None,
            "imds_tokens_required": None,
            "imds_hop_limit": None,
            "disk_encrypted": None,
        }
        template = group.get("launchTemplate") or {}
        if template.get("id") or template.get("name"):
            ident = (
                {"LaunchTemplateId": template["id"]}
                if template.get("id")
                else {"LaunchTemplateName": template["name"]}
            )
            found = self.setting(
                unreadable,
                "launch_template",
                "ec2",
                "DescribeLaunchTemplateVersions",
                ec2.describe_launch_template_versions,
                Versions=[str(template.get("version") or "$Default")],
                **ident,
            )
            versions = (found or {}).get("LaunchTemplateVersions") or []
            if versions:
                data = versions[0].get("LaunchTemplateData") or {}
                metadata = data.get("MetadataOptions") or {}
                tokens = metadata.get("HttpTokens")
                spec["imds_http_tokens"] = tokens
                spec["imds_tokens_required"] = tokens == "required" if tokens else None
                spec["imds_hop_limit"] = metadata.get("HttpPutResponseHopLimit")
                disks = [m.get("Ebs") for m in data.get("BlockDeviceMappings") or [] if m.get("Ebs")]
                spec["disk_encrypted"] = all(d.get("Encrypted") is True for d in disks) if disks else None
        else:
            # Without a launch template EKS uses its own: IMDSv2 optional, hop limit 2, disks per the
            # account's EBS-encryption-by-default setting.
            spec["imds_http_tokens"] = "optional"
            spec["imds_tokens_required"] = False
            spec["imds_hop_limit"] = 2
        spec["launch_template"] = template.get("name") or template.get("id")
        spec["protected"] = None  # a Pulumi option: not visible in AWS
        spec["tags"] = dict(sorted(tags.items()))
        spec["unreadable"] = unreadable
        name = (
            node_group_name(group.get("nodegroupName"), group.get("clusterName"))
            or labels.get(POOL_LABEL)
            or tags.get(POOL_LABEL)
            or group.get("nodegroupName")
            or "?"
        )
        spec["plan_group"] = plan_group_name(tags, name)
        return Resource(kind=NODE_GROUP, name=name, labels=labels, spec=spec)

    def _zones(self, ec2: Any, subnets: list[str], unreadable: dict[str, str]) -> list[str] | None:
        if not subnets:
            return None
        found = self.setting(
            unreadable, "zones", "ec2", "DescribeSubnets", ec2.describe_subnets, SubnetIds=subnets
        )
        zones = [s.get("AvailabilityZone") for s in (found or {}).get("Subnets") or []]
        return sorted(set(zones)) if zones and all(zones) else None

    # -- CloudTrail --

    def trails(self) -> None:
        cloudtrail = self.client("cloudtrail")
        try:
            trails = (
                self.call(
                    "cloudtrail", "DescribeTrails", cloudtrail.describe_trails, includeShadowTrails=True
                ).get("trailList")
                or []
            )
        except _Unreadable as exc:
            self.unavailable[TRAIL] = exc.why
            return
        buckets = {r.name: r.spec.get("purpose") for r in self.out if r.kind == BUCKET}
        home = [t["TrailARN"] for t in trails if t.get("HomeRegion") == self.region]
        tags: dict[str, dict[str, str]] = {}
        if home:
            try:
                listed = self.call("cloudtrail", "ListTags", cloudtrail.list_tags, ResourceIdList=home)
                tags = {
                    r["ResourceId"]: {t["Key"]: t["Value"] for t in r.get("TagsList") or []}
                    for r in listed.get("ResourceTagList") or []
                }
            except _Unreadable:
                tags = {}
        for trail in trails:
            arn = trail["TrailARN"]
            mine = (
                tags.get(arn, {}).get(CITY_TAG) == self.city
                or trail.get("Name") == f"{self.cluster_name}-trail"
                or trail.get("S3BucketName") in buckets
            )
            if not mine:
                continue
            unreadable: dict[str, str] = {}
            client = (
                cloudtrail
                if trail.get("HomeRegion") in (None, self.region)
                else self.client("cloudtrail", trail["HomeRegion"])
            )
            status = self.setting(
                unreadable, "logging", "cloudtrail", "GetTrailStatus", client.get_trail_status, Name=arn
            )
            target = next(
                (r for r in self.out if r.kind == BUCKET and r.name == trail.get("S3BucketName")), None
            )
            self.add(
                Resource(
                    kind=TRAIL,
                    name=trail.get("Name") or arn,
                    labels=_labels(tags.get(arn, {})),
                    spec={
                        "arn": arn,
                        "home_region": trail.get("HomeRegion"),
                        "target_bucket": trail.get("S3BucketName"),
                        "target_bucket_purpose": buckets.get(trail.get("S3BucketName")),
                        "target_prefix": trail.get("S3KeyPrefix"),
                        "multi_region": bool(trail.get("IsMultiRegionTrail")),
                        "log_validation": bool(trail.get("LogFileValidationEnabled")),
                        "organization_trail": bool(trail.get("IsOrganizationTrail")),
                        "kms_encrypted": bool(trail.get("KmsKeyId")),
                        "kms_key": trail.get("KmsKeyId"),
                        "kms_key_policy": self._key_policy(trail.get("KmsKeyId"), unreadable),
                        "target_bucket_arn": f"arn:aws:s3:::{trail['S3BucketName']}"
                        if trail.get("S3BucketName")
                        else None,
                        "target_bucket_key": target.spec.get("bucket_key_enabled") if target else None,
                        "logging": None if status is None else bool(status.get("IsLogging")),
                        "tags": dict(sorted(tags.get(arn, {}).items())),
                        "unreadable": unreadable,
                    },
                )
            )

    def _key_policy(self, key_arn: Any, unreadable: dict[str, str]) -> dict[str, Any] | None:
        """The key policy of a trail's KMS key (its region from the ARN), or None."""
        if not isinstance(key_arn, str) or not key_arn:
            return None
        parts = key_arn.split(":")
        region = parts[3] if len(parts) > 5 and parts[3] else self.region
        kms = self.client("kms", region)
        found = self.setting(
            unreadable,
            "kms_key_policy",
            "kms",
            "GetKeyPolicy",
            kms.get_key_policy,
            KeyId=key_arn,
            PolicyName="default",
        )
        try:
            policy = json.loads((found or {}).get("Policy") or "null")
        except json.JSONDecodeError:
            unreadable["kms_key_policy"] = "the key policy is not JSON"
            return None
        return policy if isinstance(policy, dict) else None

    # -- Budgets --

    def budget(self) -> None:
        budgets = self.client("budgets", "us-east-1")  # the Budgets API lives in us-east-1 only
        wanted = f"{self.cluster_name}-monthly"
        try:
            found = self.paginate(
                "budgets", "DescribeBudgets", budgets, "describe_budgets", "Budgets", AccountId=self.account
            )
        except _Unreadable as exc:
            if exc.code != "NotFoundException":  # what Budgets answers for an account with none
                self.unavailable[BUDGET] = exc.why
            return
        for budget in found:
            if budget.get("BudgetName") != wanted:
                continue
            unreadable: dict[str, str] = {}
            notifications = self.setting(
                unreadable,
                "alert_thresholds",
                "budgets",
                "DescribeNotificationsForBudget",
                budgets.describe_notifications_for_budget,
                AccountId=self.account,
                BudgetName=wanted,
            )
            alerts = (notifications or {}).get("Notifications") or []
            emails: set[str] = set()
            topics: set[str] = set()
            for notification in alerts:
                subscribers = self.setting(
                    unreadable,
                    "alert_emails",
                    "budgets",
                    "DescribeSubscribersForNotification",
                    budgets.describe_subscribers_for_notification,
                    AccountId=self.account,
                    BudgetName=wanted,
                    Notification=notification,
                )
                for subscriber in (subscribers or {}).get("Subscribers") or []:
                    if subscriber.get("SubscriptionType") == "EMAIL":
                        emails.add(subscriber["Address"])
                    elif subscriber.get("SubscriptionType") == "SNS":
                        topics.add(subscriber["Address"])
            limit = budget.get("BudgetLimit") or {}
            self.add(
                Resource(
                    kind=BUDGET,
                    name=wanted,
                    spec={
                        "limit_usd": float(limit["Amount"])
                        if limit.get("Unit") == "USD" and limit.get("Amount")
                        else None,
                        "limit_amount": float(limit["Amount"]) if limit.get("Amount") else None,
                        "limit_unit": limit.get("Unit"),
                        "time_unit": budget.get("TimeUnit"),
                        "budget_type": budget.get("BudgetType"),
                        "alert_thresholds": None
                        if notifications is None
                        else sorted(
                            float(n["Threshold"])
                            for n in alerts
                            if n.get("ThresholdType", "PERCENTAGE") == "PERCENTAGE"
                        ),
                        "alert_emails": None if "alert_emails" in unreadable else sorted(emails),
                        "alert_topics": None if "alert_emails" in unreadable else sorted(topics),
                        "unreadable": unreadable,
                    },
                )
            )


# --- Helpers ----------------------------------------------------------------------------------


def control_plane_log_group(cluster: str) -> str:
    return f"/aws/eks/{cluster}/cluster"


def audit_log_group(cluster: str) -> str:
    return f"/aicommons/{cluster}/audit"


def _labels(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags as labels, for selection and reports (they are AWS tags, not Kubernetes labels)."""
    return dict(sorted(tags.items()))


def _data_labels(tags: Mapping[str, str]) -> dict[str, Any]:
    personal = tags.get("aicommons.dev/personal-data")
    return {
        "purpose": tags.get(PURPOSE_TAG),
        "classification": tags.get("aicommons.dev/classification"),
        "personal_data": None if personal is None else personal.lower() == "true",
        "region": tags.get("aicommons.dev/region"),
    }


def denies_insecure_transport(policy: str | Mapping[str, Any] | None) -> bool:
    """Does the bucket policy deny every request made without TLS (aws:SecureTransport false)?"""
    if not policy:
        return False
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
    except json.JSONDecodeError:
        return False
    statements = document.get("Statement") or []
    if isinstance(statements, Mapping):
        statements = [statements]
    for statement in statements:
        if statement.get("Effect") != "Deny":
            continue
        principal = statement.get("Principal")
        if principal not in ("*", {"AWS": "*"}, {"AWS": ["*"]}):
            continue
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("s3:*", "*") for a in actions):
            continue
        condition = statement.get("Condition") or {}
        for operator in ("Bool", "BoolIfExists"):
            value = (condition.get(operator) or {}).get("aws:SecureTransport")
            values = value if isinstance(value, list) else [value]
            if any(str(v).lower() == "false" for v in values if v is not None):
                return True
    return False
