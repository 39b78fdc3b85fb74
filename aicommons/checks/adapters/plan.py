"""Inventory from the Pulumi plan: the resources the stacks would create, normalised.

The offline plan (`aicommons.plan`) records each Pulumi resource with its inputs. Several of
them together make one thing a control talks about: an S3 bucket is a `Bucket` plus its
encryption, public-access-block, versioning, policy and object-lock resources; a node group
takes its IMDS and disk settings from its launch template and its zones from its subnets.
They are joined by the inputs that reference another resource's id or name (under the
offline mocks ids are deterministic: a bucket's id is its name, other ids are
`<logical name>-<8 hex>`), falling back to the component they share (URN parent).

Every Pulumi resource is also kept as it is, with its type token as the kind, so a check can
read what the normalised model leaves out (e.g. the `protect` flag of a KMS key).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aicommons.checks.adapters.bundle import (
    CHART_KINDS,
    INFRA_CONFIG,
    LOCK_FILE,
    PLATFORM_CONFIG,
    _config,
    _json,
    chart_resources,
    read_bundle_dir,
)
from aicommons.checks.model import (
    BUCKET,
    BUDGET,
    CLUSTER,
    HELM_RELEASE,
    LOG_GROUP,
    NODE_GROUP,
    TRAIL,
    Inventory,
    Resource,
    node_group_name,
    plan_group_name,
)
from aicommons.plan.model import SECRET, UNKNOWN, PlannedResource, StackPlan
from aicommons.profile.model import CityProfile
from aicommons.sizing.plan import SizingPlan

# Pulumi type tokens (pulumi-aws 6/7 and pulumi-kubernetes 4).
S3_BUCKET = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_PUBLIC_ACCESS = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
S3_VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
S3_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
S3_OBJECT_LOCK = (
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
)
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_ADDON = "aws:eks/addon:Addon"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
SUBNET = "aws:ec2/subnet:Subnet"
CLOUDWATCH_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
CLOUDTRAIL = "aws:cloudtrail/trail:Trail"
KMS_KEY = "aws:kms/key:Key"
AWS_BUDGET = "aws:budgets/budget:Budget"
AWS_PROVIDER = "pulumi:providers:aws"
HELM_RELEASE_TYPES = ("kubernetes:helm.sh/v3:Release",)

PROJECT_DIR = "pulumi"  # the Pulumi project's folder in a bundle: local charts are relative to it
STACK_FILES = {"infra": INFRA_CONFIG, "platform": PLATFORM_CONFIG}
PURPOSE_TAGS = ("aicommons.dev/purpose", "purpose")
CLASSIFICATION_TAGS = ("aicommons.dev/classification", "classification")
PERSONAL_DATA_TAGS = (
    "aicommons.dev/personal-data",
    "aicommons.dev/personal_data",
    "personal-data",
    "personal_data",
)
REGION_TAGS = ("aicommons.dev/region", "region")
ROLE_LABEL = "aicommons.dev/role"
POOL_LABEL = "aicommons.dev/pool"
ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator"
GPU_TEMPLATE_TAG = "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"
EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
_MOCK_ID = re.compile(r"^(?P<name>.+)-[0-9a-f]{8}$")
_CONTROL_PLANE_GROUP = re.compile(r"^/aws/eks/[^/]+/cluster$")
_KUBE_TYPE = re.compile(r"^kubernetes:(?P<group>[^:]+)/(?P<version>[^:/]+):(?P<kind>[A-Za-z0-9]+)$")


def plan_inventory(
    stacks: list[StackPlan],
    files: Mapping[str, bytes] | None = None,
    profile: CityProfile | None = None,
    plan: SizingPlan | None = None,
) -> Inventory:
    """The uniform inventory of the planned resources of `stacks` (source "plan").

    `files` (the bundle's files) give findings the values file of each Helm release and let
    the project's own chart be rendered, as the bundle adapter does; without them the
    chart's objects are reported unavailable.
    """
    files = dict(files or {})
    index = _Index([r for s in stacks for r in s.resources])
    platform = _platform_config(files)
    resources: list[Resource] = []
    resources += _buckets(index)
    bucket_purposes = {r.name: r.spec.get("purpose") for r in resources if r.kind == BUCKET}
    resources += _clusters(index)
    resources += _node_groups(index)
    resources += _log_groups(index)
    resources += _trails(index, bucket_purposes, {r.name: r for r in resources if r.kind == BUCKET})
    resources += _budgets(index)
    resources += _helm_releases(index, platform)
    resources += _kubernetes_objects(index)
    resources += [_raw(r) for r in index.all]
    unavailable: dict[str, str] = {}
    if platform is None:
        why = (
            "the plan holds the project's Helm release, not the objects its chart renders "
            "(give the bundle's files to render the chart)"
        )
        for kind in CHART_KINDS:
            unavailable[kind] = why
    else:
        chart_objects, chart_unavailable = chart_resources(files, platform)
        resources += chart_objects
        unavailable.update(chart_unavailable)
    return Inventory(
        source="plan",
        resources=tuple(resources),
        profile=profile,
        plan=plan,
        files=files,
        unavailable=unavailable,
    )


def plan_inventory_for_bundle(bundle_dir: Path) -> Inventory:
    """Run the offline plan of a rendered bundle and normalise it (profile and sizing from the lock)."""
    from aicommons.plan.bundle import plan_bundle

    files = read_bundle_dir(bundle_dir)
    lock = _json(files, LOCK_FILE)
    profile = CityProfile.model_validate(lock["profile"]) if "profile" in lock else None
    sizing = SizingPlan.model_validate(lock["sizing"]) if "sizing" in lock else None
    return plan_inventory(plan_bundle(bundle_dir), files, profile, sizing)


# --- Joining resources -------------------------------------------------------------------------


class _Index:
    def __init__(self, resources: list[PlannedResource]):
        self.all = resources
        self.by_urn = {r.urn: r for r in resources}

    def of(self, *types: str) -> list[PlannedResource]:
        return [r for r in self.all if r.type in types]

    def linked(
        self, target: PlannedResource, types: Iterable[str], key: str = "bucket"
    ) -> list[PlannedResource]:
        """Resources of `types` whose input `key` points at `target` (else: its only sibling)."""
        candidates = self.of(*types)
        found = [r for r in candidates if points_at(r.inputs.get(key), target)]
        if found:
            return found
        if target.parent is None:
            return []
        siblings = [r for r in self.all if r.parent == target.parent and r.type == target.type]
        if len(siblings) != 1:
            return []
        return [r for r in candidates if r.parent == target.parent and not _is_known(r.inputs.get(key))]

    def region_of(self, resource: PlannedResource) -> str | None:
        provider = self.by_urn.get(resource.provider or "")
        region = (provider.inputs if provider else {}).get("region")
        return region if _is_known(region) else None


def points_at(ref: Any, target: PlannedResource) -> bool:
    """Is `ref` (an input holding an id, name or URN) a reference to `target`?"""
    if not _is_known(ref):
        return False
    if ref == target.urn:
        return True
    for key in ("bucket", "name", "nodeGroupName"):
        given = target.inputs.get(key)
        if _is_known(given) and ref == given:
            return True
    match = _MOCK_ID.match(ref)
    return bool(match and match["name"] == target.name)


def _is_known(value: Any) -> bool:
    return isinstance(value, str) and value not in ("", UNKNOWN, SECRET)


def _file(resource: PlannedResource) -> str:
    stack = resource.stack
    for kind, path in STACK_FILES.items():
        if stack == kind or stack.endswith(f"-{kind}"):
            return path
    return f"pulumi/Pulumi.{stack}.yaml"


def _first(mapping: Mapping[str, Any], keys: Iterable[str]) -> Any:
    return next((mapping[k] for k in keys if mapping.get(k) not in (None, "")), None)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _raw(r: PlannedResource) -> Resource:
    return Resource(
        kind=r.type,
        name=r.name,
        file=_file(r),
        spec={
            "type": r.type,
            "stack": r.stack,
            "urn": r.urn,
            "parent": r.parent,
            "provider": r.provider,
            "custom": r.custom,
            "protect": r.protect,
            "inputs": r.inputs,
        },
    )


# --- Buckets -----------------------------------------------------------------------------------


def _buckets(index: _Index) -> list[Resource]:
    out = []
    for b in index.of(*S3_BUCKET):
        inputs = b.inputs
        name = inputs.get("bucket") if _is_known(inputs.get("bucket")) else b.name
        tags = {k: str(v) for k, v in (inputs.get("tags") or {}).items()}
        sse_rules = [rule for r in index.linked(b, S3_ENCRYPTION) for rule in _as_list(r.inputs.get("rules"))]
        inline_sse = (inputs.get("serverSideEncryptionConfiguration") or {}).get("rule")
        sse_rules += _as_list(inline_sse)
        defaults = [(rule or {}).get("applyServerSideEncryptionByDefault") or {} for rule in sse_rules]
        kms = [d for d in defaults if str(d.get("sseAlgorithm", "")).startswith("aws:kms")]
        blocks = [r.inputs for r in index.linked(b, S3_PUBLIC_ACCESS)]
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        block = {f: any(_truthy(x.get(f)) for x in blocks) for f in flags}
        versioning = [
            (r.inputs.get("versioningConfiguration") or {}).get("status")
            for r in index.linked(b, S3_VERSIONING)
        ]
        inline_versioning = inputs.get("versioning") or {}
        versioned = "Enabled" in versioning or _truthy(inline_versioning.get("enabled"))
        policies = [r.inputs.get("policy") for r in index.linked(b, S3_POLICY)]
        if inputs.get("policy") is not None:
            policies.append(inputs["policy"])
        locks = [r.inputs for r in index.linked(b, S3_OBJECT_LOCK)]
        inline_lock = inputs.get("objectLockConfiguration") or {}
        if inline_lock:
            locks.append(inline_lock)
        retention = next(
            (((x.get("rule") or {}).get("defaultRetention") or {}) for x in locks if x.get("rule")), {}
        )
        days = retention.get("days")
        if days is None and retention.get("years") is not None:
            days = int(retention["years"]) * 365
        lock_enabled = _truthy(inputs.get("objectLockEnabled")) or any(
            x.get("objectLockEnabled") == "Enabled" for x in locks
        )
        component = (b.parent or "").rsplit("::", 1)[-1]  # the DataBucket component: bucket-<purpose>
        purpose = _first(tags, PURPOSE_TAGS)
        if purpose is None and component.startswith("bucket-"):
            purpose = component.removeprefix("bucket-")
        personal = _first(tags, PERSONAL_DATA_TAGS)
        out.append(
            Resource(
                kind=BUCKET,
                name=name,
                labels=tags,
                file=_file(b),
                spec={
                    "purpose": purpose,
                    "kms_encrypted": bool(kms),
                    "kms_key": next((d.get("kmsMasterKeyId") for d in kms if d.get("kmsMasterKeyId")), None),
                    "bucket_key_enabled": any(
                        _truthy((rule or {}).get("bucketKeyEnabled")) for rule in sse_rules
                    ),
                    "arn": f"arn:aws:s3:::{name}",
                    "public_access_blocked": bool(blocks) and all(block.values()),
                    "public_access_block": block if blocks else None,
                    "versioned": versioned,
                    "tls_only": _tls_only(policies),
                    "object_lock_enabled": lock_enabled,
                    "object_lock_mode": retention.get("mode"),
                    "object_lock_days": days,
                    "protected": b.protect,
                    "force_destroy": _truthy(inputs.get("forceDestroy")),
                    "tags": tags,
                    "classification": _first(tags, CLASSIFICATION_TAGS),
                    "personal_data": None if personal is None else str(personal).lower() == "true",
                    "region": _first(tags, REGION_TAGS),
                    "location": index.region_of(b),
                    "logical_name": b.name,
                },
            )
        )
    return out


def _tls_only(policies: list[Any]) -> bool | None:
    """Does a policy deny every request made without TLS? None when a policy cannot be read."""
    unreadable = False
    for policy in policies:
        if isinstance(policy, str):
            if not _is_known(policy):
                unreadable = True
                continue
            try:
                policy = json.loads(policy)
            except json.JSONDecodeError:
                unreadable = True
                continue
        if not isinstance(policy, Mapping):
            continue
        for statement in _as_list(policy.get("Statement")):
            if isinstance(statement, Mapping) and denies_plain_http(statement):
                return True
    return None if unreadable else False


def denies_plain_http(statement: Mapping[str, Any]) -> bool:
    """A Deny of s3:* to everyone when aws:SecureTransport is false."""
    if statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        principal = principal.get("AWS")
    if "*" not in _as_list(principal):
        return False
    if not {"s3:*", "*"} & set(_as_list(statement.get("Action"))):
        return False
    condition = (statement.get("Condition") or {}).get("Bool") or {}
    return any(str(v).lower() == "false" for v in _as_list(condition.get("aws:SecureTransport")))


# --- Cluster, node groups ----------------------------------------------------------------------


def _clusters(index: _Index) -> list[Resource]:
    out = []
    addons = index.of(EKS_ADDON)
    for c in index.of(EKS_CLUSTER):
        inputs = c.inputs
        name = inputs.get("name") if _is_known(inputs.get("name")) else c.name
        configs = _as_list(inputs.get("encryptionConfig"))
        secrets = [
            e
            for e in configs
            if isinstance(e, Mapping)
            and "secrets" in _as_list(e.get("resources"))
            and _is_known((e.get("provider") or {}).get("keyArn"))
        ]
        cni = [
            a
            for a in addons
            if a.inputs.get("addonName") == "vpc-cni"
            and (a.inputs.get("clusterName") == name or a.parent == c.parent)
        ]
        enforced = any(_vpc_cni_enforces(a.inputs.get("configurationValues")) for a in cni)
        vpc = inputs.get("vpcConfig") or {}
        out.append(
            Resource(
                kind=CLUSTER,
                name=name,
                file=_file(c),
                spec={
                    "secrets_encrypted": bool(secrets),
                    "kms_key": (secrets[0].get("provider") or {}).get("keyArn") if secrets else None,
                    "log_types": list(inputs.get("enabledClusterLogTypes") or []),
                    "network_policy_enforced": enforced,
                    "network_policy_engine": "vpc-cni" if enforced else None,
                    "protected": c.protect,
                    "deletion_protection": inputs.get("deletionProtection"),
                    "version": inputs.get("version"),
                    "endpoint_public_access": vpc.get("endpointPublicAccess"),
                    "subnets": list(vpc.get("subnetIds") or []),
                    "location": index.region_of(c),
                    "logical_name": c.name,
                },
            )
        )
    return out


def _vpc_cni_enforces(configuration: Any) -> bool:
    if not _is_known(configuration):
        return False
    try:
        values = json.loads(configuration)
    except json.JSONDecodeError:
        return False
    return isinstance(values, Mapping) and _truthy(values.get("enableNetworkPolicy"))


def _node_groups(index: _Index) -> list[Resource]:
    out = []
    subnets = index.of(SUBNET)
    for g in index.of(EKS_NODE_GROUP):
        inputs = g.inputs
        labels = {k: str(v) for k, v in (inputs.get("labels") or {}).items()}
        scaling = inputs.get("scalingConfig") or {}
        template_ref = inputs.get("launchTemplate") or {}
        templates = [
            t
            for t in index.of(LAUNCH_TEMPLATE)
            if points_at(template_ref.get("id"), t) or points_at(template_ref.get("name"), t)
        ]
        if not templates and template_ref and g.parent:
            templates = [t for t in index.of(LAUNCH_TEMPLATE) if t.parent == g.parent]
        subnet_ids = [s for s in inputs.get("subnetIds") or [] if isinstance(s, str)]
        zones = []
        for sid in subnet_ids:
            subnet = next((s for s in subnets if points_at(sid, s)), None)
            zone = (subnet.inputs if subnet else {}).get("availabilityZone")
            if _is_known(zone):
                zones.append(zone)
        taints = [
            {
                "key": t.get("key"),
                "value": t.get("value"),
                "effect": EFFECTS.get(t.get("effect"), t.get("effect")),
            }
            for t in inputs.get("taints") or []
        ]
        tags = inputs.get("tags") or {}
        ami = str(inputs.get("amiType") or "")
        role = labels.get(ROLE_LABEL)
        if role is None and ("NVIDIA" in ami or "GPU" in ami or ACCELERATOR_LABEL in labels):
            role = "gpu"
        group_name = inputs.get("nodeGroupName")
        prefix = inputs.get("nodeGroupNamePrefix")
        if _is_known(group_name):
            name = node_group_name(group_name, inputs.get("clusterName")) or labels.get(POOL_LABEL)
        elif _is_known(prefix):  # the provider names it: the prefix is the stacks' name
            group_name = name = prefix.rstrip("-")
        else:
            group_name, name = g.name, labels.get(POOL_LABEL)
        name = name or str(group_name)
        spec: dict[str, Any] = {
            "role": role,
            "labels": labels,
            "taints": taints,
            "min_size": scaling.get("minSize"),
            "max_size": scaling.get("maxSize"),
            "desired_size": scaling.get("desiredSize"),
            "instance_type": next(iter(inputs.get("instanceTypes") or []), None),
            "instance_types": list(inputs.get("instanceTypes") or []),
            "ami_type": inputs.get("amiType"),
            "gpu_count": int(tags[GPU_TEMPLATE_TAG])
            if str(tags.get(GPU_TEMPLATE_TAG, "")).isdigit()
            else None,
            "subnets": subnet_ids,
            "zones": sorted(set(zones)) if len(zones) == len(subnet_ids) else None,
            "node_group_name": group_name,
            "plan_group": plan_group_name(tags, name),
            "launch_template": _template_name(templates[0].inputs) if templates else None,
            "disk_encrypted": False,
            "protected": g.protect,
            "logical_name": g.name,
        }
        if templates:
            t = templates[0].inputs
            metadata = t.get("metadataOptions") or {}
            spec["imds_tokens_required"] = metadata.get("httpTokens") == "required"
            spec["imds_hop_limit"] = metadata.get("httpPutResponseHopLimit")
            disks = [(m or {}).get("ebs") or {} for m in t.get("blockDeviceMappings") or []]
            spec["disk_encrypted"] = bool(disks) and all(_truthy(d.get("encrypted")) for d in disks)
        out.append(
            Resource(
                kind=NODE_GROUP,
                name=name,
                labels=labels,
                file=_file(g),
                spec=spec,
            )
        )
    return out


def _template_name(inputs: Mapping[str, Any]) -> Any:
    """A launch template's name, or its prefix less the separator when the provider names it."""
    prefix = inputs.get("namePrefix")
    return inputs.get("name") or (prefix.rstrip("-") if _is_known(prefix) else None)


# --- Logs, trail, budget -----------------------------------------------------------------------


def _log_groups(index: _Index) -> list[Resource]:
    out = []
    for lg in index.of(CLOUDWATCH_LOG_GROUP):
        inputs = lg.inputs
        name = inputs.get("name") if _is_known(inputs.get("name")) else lg.name
        tags = inputs.get("tags") or {}
        purpose = _first(tags, PURPOSE_TAGS)
        if purpose is None:
            if _CONTROL_PLANE_GROUP.match(name):
                purpose = "control-plane"
            elif "audit" in name.lower():
                purpose = "audit"
        days = inputs.get("retentionInDays")
        out.append(
            Resource(
                kind=LOG_GROUP,
                name=name,
                file=_file(lg),
                spec={
                    "purpose": purpose,
                    "retention_days": days or None,  # unset or 0: kept forever
                    "kms_encrypted": _is_known(inputs.get("kmsKeyId")),
                    "protected": lg.protect,
                    "logical_name": lg.name,
                },
            )
        )
    return out


def _trails(
    index: _Index, bucket_purposes: Mapping[str, Any], buckets: Mapping[str, Resource]
) -> list[Resource]:
    out = []
    for t in index.of(CLOUDTRAIL):
        inputs = t.inputs
        bucket = inputs.get("s3BucketName")
        logging_on = inputs.get("enableLogging")
        name = inputs.get("name") if _is_known(inputs.get("name")) else t.name
        key_arn = inputs.get("kmsKeyId")
        target = buckets.get(bucket) if isinstance(bucket, str) else None
        out.append(
            Resource(
                kind=TRAIL,
                name=name,
                file=_file(t),
                spec={
                    "arn": _trail_arn(index.region_of(t), key_arn, name),
                    "kms_key": key_arn if _is_known(key_arn) else None,
                    "kms_key_policy": _key_policy(index, key_arn),
                    "target_bucket_arn": target.spec.get("arn") if target else None,
                    "target_bucket_key": target.spec.get("bucket_key_enabled") if target else None,
                    "target_bucket": bucket,
                    "target_bucket_purpose": bucket_purposes.get(bucket) if isinstance(bucket, str) else None,
                    "multi_region": _truthy(inputs.get("isMultiRegionTrail")),
                    "log_validation": _truthy(inputs.get("enableLogFileValidation")),
                    "logging": True if logging_on is None else _truthy(logging_on),
                    "kms_encrypted": _is_known(inputs.get("kmsKeyId")),
                    "protected": t.protect,
                    "logical_name": t.name,
                },
            )
        )
    return out


def _trail_arn(region: str | None, key_arn: Any, name: str) -> str | None:
    """The trail's ARN: its home region, and the account of the key it encrypts with."""
    parts = key_arn.split(":") if _is_known(key_arn) else []
    if region is None or len(parts) < 6 or not parts[4]:
        return None
    return f"arn:aws:cloudtrail:{region}:{parts[4]}:trail/{name}"


def _key_policy(index: _Index, key_ref: Any) -> dict[str, Any] | None:
    """The policy of the planned KMS key a trail names (the only key, or the one its id names)."""
    keys = index.of(KMS_KEY)
    if not _is_known(key_ref) or not keys:
        return None
    named = [k for k in keys if points_at(key_ref, k)]
    key = named[0] if len(named) == 1 else keys[0] if len(keys) == 1 else None
    policy = key.inputs.get("policy") if key else None
    if not _is_known(policy):
        return None
    try:
        document = json.loads(policy)
    except json.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None


def _budgets(index: _Index) -> list[Resource]:
    out = []
    for b in index.of(AWS_BUDGET):
        inputs = b.inputs
        try:
            limit = float(inputs.get("limitAmount"))
        except (TypeError, ValueError):
            limit = None
        notes = [n for n in inputs.get("notifications") or [] if isinstance(n, Mapping)]
        percent = [n for n in notes if n.get("thresholdType", "PERCENTAGE") == "PERCENTAGE"]
        emails = sorted({e for n in notes for e in n.get("subscriberEmailAddresses") or []})
        topics = sorted({t for n in notes for t in n.get("subscriberSnsTopicArns") or []})
        out.append(
            Resource(
                kind=BUDGET,
                name=inputs.get("name") if _is_known(inputs.get("name")) else b.name,
                file=_file(b),
                spec={
                    "limit_usd": limit if inputs.get("limitUnit", "USD") == "USD" else None,
                    "limit_amount": limit,
                    "limit_unit": inputs.get("limitUnit"),
                    "time_unit": inputs.get("timeUnit"),
                    "budget_type": inputs.get("budgetType"),
                    "alert_thresholds": sorted({float(n["threshold"]) for n in percent if "threshold" in n}),
                    "alert_emails": emails,
                    "alert_topics": topics,
                    "logical_name": b.name,
                },
            )
        )
    return out


# --- Kubernetes: Helm releases and objects -----------------------------------------------------


def _platform_config(files: Mapping[str, bytes]) -> dict[str, Any] | None:
    if PLATFORM_CONFIG not in files:
        return None
    return _config(files, PLATFORM_CONFIG, "aicommons:platform")


def _helm_releases(index: _Index, platform: Mapping[str, Any] | None) -> list[Resource]:
    configured = {r.get("name"): r for r in (platform or {}).get("releases", []) if isinstance(r, Mapping)}
    out = []
    for h in index.of(*HELM_RELEASE_TYPES):
        inputs = h.inputs
        name = inputs.get("name") if _is_known(inputs.get("name")) else h.name
        repository = (inputs.get("repositoryOpts") or {}).get("repo")
        chart = inputs.get("chart")
        if repository is None and isinstance(chart, str) and "://" not in chart and "/" in chart:
            chart = posixpath.normpath(posixpath.join(PROJECT_DIR, chart))  # as the bundle names it
        values = inputs.get("values") or {}
        rel = configured.get(name) or {}
        secret_values = dict(rel.get("secret_values") or {}) or {p: SECRET for p in _secret_paths(values)}
        out.append(
            Resource(
                kind=HELM_RELEASE,
                name=name,
                namespace=inputs.get("namespace") or "default",
                file=rel.get("values_file") or _file(h),
                spec={
                    "chart": chart,
                    "version": inputs.get("version"),
                    "repository": repository,
                    "namespace": inputs.get("namespace") or "default",
                    "values": values,
                    "secret_values": secret_values,
                },
            )
        )
    return out


def _secret_paths(value: Any, path: str = "") -> list[str]:
    if value == SECRET:
        return [path]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _secret_paths(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _secret_paths(v, f"{path}.{i}")]
    return []


def _kubernetes_objects(index: _Index) -> list[Resource]:
    """Objects the platform stack creates directly, shaped like manifests (spec = the body)."""
    out = []
    for r in index.all:
        match = _KUBE_TYPE.match(r.type)
        if match is None or r.type in HELM_RELEASE_TYPES or match["group"] in ("helm.sh", "yaml"):
            continue
        body = dict(r.inputs)
        meta = body.get("metadata") or {}
        kind = body.get("kind") or match["kind"]
        out.append(
            Resource(
                kind=kind,
                name=meta.get("name") or r.name,
                namespace=meta.get("namespace") or (None if kind in _CLUSTER_SCOPED else "default"),
                labels={k: str(v) for k, v in (meta.get("labels") or {}).items()},
                spec=body,
                file=_file(r),
            )
        )
    return out


_CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "PriorityClass",
        "CustomResourceDefinition",
        "PersistentVolume",
        "IngressClass",
        "RuntimeClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    }
)
