"""AIC-DATA-01..04: encryption at rest, no public buckets, data labels and residency,
stateful resources protected from deletion."""

from __future__ import annotations

from collections.abc import Iterable

from aicommons.checks.controls._infra import (
    AUDIT,
    partial,
    stack_config,
    target_phrase,
    unreadable,
)
from aicommons.checks.controls._kube import finding_at
from aicommons.checks.model import (
    BUCKET,
    CLUSTER,
    LOG_GROUP,
    NODE_GROUP,
    CheckContext,
    Finding,
    Inventory,
    Resource,
    Skip,
)
from aicommons.checks.registry import check

STORAGE_CLASS = "StorageClass"
KMS_KEY = "aws:kms/key:Key"
# Provisioners whose volumes are encrypted only when the class says `encrypted: "true"`.
EBS_PROVISIONERS = ("ebs.csi.aws.com", "kubernetes.io/aws-ebs")
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _none_here(inventory: Inventory, what: str) -> Skip:
    return Skip(
        f"the {inventory.source} inventory has no {what}: {target_phrase(inventory)} creates none here "
        f"(an existing or on-premises cluster's storage is checked live)"
    )


# --- AIC-DATA-01 -------------------------------------------------------------------------------


@check("AIC-DATA-01", "plan", "live")
def encrypted_at_rest(ctx: CheckContext) -> Iterable[Finding]:
    """Buckets SSE-KMS, cluster secrets envelope-encrypted, EBS storage classes and node disks encrypted."""
    inventory = ctx.inventory
    buckets, clusters = inventory.of(BUCKET), inventory.of(CLUSTER)
    classes, groups = inventory.of(STORAGE_CLASS), inventory.of(NODE_GROUP)
    unverified = unreadable(inventory, BUCKET, CLUSTER, STORAGE_CLASS)
    if not (buckets or clusters or classes or groups):
        if unverified:
            raise Skip("; ".join(unverified))
        raise _none_here(inventory, "buckets, cluster, storage classes or node groups")
    findings: list[Finding] = []
    judged = (
        len(buckets) + len(clusters) + len([g for g in groups if g.spec.get("disk_encrypted") is not None])
    )
    for b in buckets:
        if not b.spec.get("kms_encrypted"):
            findings.append(
                Finding.on(
                    b,
                    f"bucket '{b.name}' has no SSE-KMS default encryption; expected "
                    f"sse_algorithm aws:kms with the city's key",
                )
            )
    for c in clusters:
        if not c.spec.get("secrets_encrypted"):
            findings.append(
                Finding.on(
                    c,
                    f"cluster '{c.name}' does not envelope-encrypt Kubernetes secrets; expected an "
                    f"encryption_config with a KMS key for the 'secrets' resource",
                )
            )
    for sc in classes:
        body = sc.spec
        provisioner = body.get("provisioner")
        if provisioner in EBS_PROVISIONERS:
            judged += 1
            value = (body.get("parameters") or {}).get("encrypted")
            if str(value).lower() != "true":
                findings.append(
                    Finding.on(
                        sc,
                        f"StorageClass '{sc.name}' ({provisioner}) has encrypted: {value!r}; its volumes "
                        f'would be stored unencrypted; expected parameters.encrypted: "true"',
                    )
                )
    for g in groups:
        if g.spec.get("disk_encrypted") is False:
            findings.append(
                Finding.on(
                    g,
                    f"node group '{g.name}' launches nodes with unencrypted disks; expected encrypted "
                    f"EBS volumes in its launch template",
                )
            )
    if not judged:
        unverified.append(
            f"nothing whose encryption the {inventory.source} inventory shows: storage classes of "
            f"{', '.join(sorted({str(sc.spec.get('provisioner')) for sc in classes})) or 'no provisioner'} "
            f"encrypt per backend, not by a class parameter"
        )
    return partial(findings, unverified)


# --- AIC-DATA-02 -------------------------------------------------------------------------------


@check("AIC-DATA-02", "plan", "live")
def no_public_buckets(ctx: CheckContext) -> Iterable[Finding]:
    """Every bucket blocks public access (all four settings) and denies requests without TLS."""
    inventory = ctx.inventory
    if BUCKET in inventory.unavailable:
        raise Skip(f"{BUCKET} could not be read: {inventory.unavailable[BUCKET]}")
    buckets = inventory.of(BUCKET)
    if not buckets:
        raise _none_here(inventory, "buckets")
    tls_required = ctx.params.get("require_tls_only_policy", True)
    for b in buckets:
        block = b.spec.get("public_access_block")
        if block is None and not b.spec.get("public_access_blocked"):
            yield Finding.on(
                b,
                f"bucket '{b.name}' has no public access block; expected all four of "
                f"{', '.join(PUBLIC_ACCESS_FLAGS)} true",
            )
        elif not b.spec.get("public_access_blocked"):
            off = [f for f in PUBLIC_ACCESS_FLAGS if not (block or {}).get(f)]
            yield Finding.on(
                b,
                f"bucket '{b.name}' public access block has {', '.join(off)} off; expected all four "
                f"settings true",
            )
        if tls_required and b.spec.get("tls_only") is not True:
            why = (
                "its bucket policy could not be read"
                if b.spec.get("tls_only") is None
                else "no bucket policy denies requests made without TLS"
            )
            yield Finding.on(
                b,
                f"bucket '{b.name}': {why}; expected a statement denying s3:* to everyone when "
                f"aws:SecureTransport is false",
            )


# --- AIC-DATA-03 -------------------------------------------------------------------------------


def _residency(ctx: CheckContext, fallback: list[str] | None = None) -> list[str]:
    profile = ctx.inventory.profile
    if profile is not None:
        return list(profile.governance.data_residency_regions)
    return list(fallback or [])


@check("AIC-DATA-03", "bundle")
def labelled_data_in_bundle(ctx: CheckContext) -> Iterable[Finding]:
    """The infra stack's buckets carry classification and personal_data; its region is allowed."""
    inventory = ctx.inventory
    infra = stack_config(inventory, "infra")
    if infra is None:
        raise Skip(
            f"the bundle has no infra stack: {target_phrase(inventory)} creates no buckets; "
            f"labels of datasets on an existing cluster are not in the bundle"
        )
    allowed = list(ctx.params.get("allowed_classifications") or [])
    findings: list[Finding] = []
    root = ("config", "aicommons:infra")
    for i, bucket in enumerate(infra.spec.get("buckets") or []):
        purpose = bucket.get("purpose", f"#{i}")
        classification = bucket.get("classification")
        if not classification:
            findings.append(
                finding_at(
                    inventory,
                    infra,
                    f"bucket '{purpose}' has no classification; expected one of {', '.join(allowed)}",
                    *root,
                    "buckets",
                    i,
                )
            )
        elif allowed and classification not in allowed:
            findings.append(
                finding_at(
                    inventory,
                    infra,
                    f"bucket '{purpose}' is classified '{classification}'; expected one of {', '.join(allowed)}",
                    *root,
                    "buckets",
                    i,
                    "classification",
                )
            )
        if not isinstance(bucket.get("personal_data"), bool):
            findings.append(
                finding_at(
                    inventory,
                    infra,
                    f"bucket '{purpose}' does not say whether it holds personal data; expected "
                    f"personal_data: true or false",
                    *root,
                    "buckets",
                    i,
                )
            )
    regions = _residency(ctx, infra.spec.get("data_residency_regions"))
    region = infra.spec.get("region")
    if regions and region not in regions:
        findings.append(
            finding_at(
                inventory,
                infra,
                f"the infra stack deploys to {region}, outside the residency regions {', '.join(regions)}",
                *root,
                "region",
            )
        )
    return findings


@check("AIC-DATA-03", "plan", "live")
def labelled_buckets(ctx: CheckContext) -> Iterable[Finding]:
    """Buckets tagged with classification, personal-data flag and region; all inside the residency list."""
    inventory = ctx.inventory
    if BUCKET in inventory.unavailable:
        raise Skip(f"{BUCKET} could not be read: {inventory.unavailable[BUCKET]}")
    buckets = inventory.of(BUCKET)
    if not buckets:
        raise _none_here(inventory, "buckets")
    allowed = list(ctx.params.get("allowed_classifications") or [])
    regions = _residency(ctx)
    for b in buckets:
        classification = b.spec.get("classification")
        missing = []
        if not classification:
            missing.append("classification")
        if b.spec.get("personal_data") is None:
            missing.append("personal-data")
        if not b.spec.get("region"):
            missing.append("region")
        if missing:
            yield Finding.on(
                b,
                f"bucket '{b.name}' is not tagged with {', '.join(missing)}; expected "
                f"aicommons.dev/classification, aicommons.dev/personal-data and aicommons.dev/region",
            )
        if classification and allowed and classification not in allowed:
            yield Finding.on(
                b, f"bucket '{b.name}' is classified '{classification}'; expected one of {', '.join(allowed)}"
            )
        tagged, location = b.spec.get("region"), b.spec.get("location")
        if tagged and location and tagged != location:
            yield Finding.on(b, f"bucket '{b.name}' is tagged region {tagged} but is created in {location}")
        where = location or tagged
        if regions and where and where not in regions:
            yield Finding.on(
                b,
                f"bucket '{b.name}' is in {where}, outside the residency regions {', '.join(regions)}",
            )
    for c in inventory.of(CLUSTER):
        location = c.spec.get("location")
        if regions and location and location not in regions:
            yield Finding.on(
                c,
                f"cluster '{c.name}' processes data in {location}, outside the residency regions "
                f"{', '.join(regions)}",
            )


# --- AIC-DATA-04 -------------------------------------------------------------------------------


@check("AIC-DATA-04", "plan")
def stateful_protected(ctx: CheckContext) -> Iterable[Finding]:
    """Buckets, the key, log groups and the cluster protected; buckets versioned, the audit one locked;
    storage classes retain their volumes."""
    inventory = ctx.inventory
    buckets, groups, clusters = inventory.of(BUCKET), inventory.of(LOG_GROUP), inventory.of(CLUSTER)
    keys, classes = inventory.of(KMS_KEY), inventory.of(STORAGE_CLASS)
    if not (buckets or groups or clusters or keys or classes):
        raise _none_here(inventory, "buckets, keys, log groups, cluster or storage classes")
    findings: list[Finding] = []

    def unprotected(r: Resource, what: str, protected: bool) -> None:
        if not protected:
            findings.append(
                Finding.on(
                    r,
                    f"{what} is not protected; a `pulumi destroy` or a renamed resource would delete it "
                    f"(expected protect=True)",
                )
            )

    for b in buckets:
        unprotected(b, f"bucket '{b.name}'", bool(b.spec.get("protected")))
        if not b.spec.get("versioned"):
            findings.append(Finding.on(b, f"bucket '{b.name}' is not versioned; expected versioning Enabled"))
        if b.spec.get("force_destroy"):
            findings.append(
                Finding.on(
                    b,
                    f"bucket '{b.name}' has force_destroy on; expected false, so its data survives a destroy",
                )
            )
        if b.spec.get("purpose") == AUDIT and not (
            b.spec.get("object_lock_enabled") and b.spec.get("object_lock_mode")
        ):
            findings.append(
                Finding.on(
                    b,
                    f"audit bucket '{b.name}' has no Object Lock default retention; expected Object Lock "
                    f"in COMPLIANCE mode",
                )
            )
    for k in keys:
        unprotected(k, f"KMS key '{k.name}'", bool(k.spec.get("protect")))
    for g in groups:
        unprotected(g, f"log group '{g.name}'", bool(g.spec.get("protected")))
    for c in clusters:
        unprotected(c, f"cluster '{c.name}'", bool(c.spec.get("protected")))
        if c.spec.get("deletion_protection") is False:
            findings.append(Finding.on(c, f"cluster '{c.name}' has deletion_protection off; expected true"))
    for sc in classes:
        policy = sc.spec.get("reclaimPolicy") or "Delete"
        if policy != "Retain":
            findings.append(
                Finding.on(
                    sc,
                    f"StorageClass '{sc.name}' has reclaimPolicy {policy}: a deleted claim deletes the "
                    f"user's volume; expected Retain",
                )
            )
    return findings


# AIC-DATA-05 (backups of every stateful store) lives in its own module.
from aicommons.checks.controls import backup as _backup  # noqa: E402,F401
