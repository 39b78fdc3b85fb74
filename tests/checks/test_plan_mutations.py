"""Mutation tests on the offline plan: break one thing, exactly the expected control fails.

The examples are rendered and planned once per session; a mutation either edits the bundle's
files and plans again (what a city or a reviewer would change), or rewrites the planned
resources in memory (what a hand-edited stack program would produce) without re-planning.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aicommons.checks.run import exit_code
from aicommons.plan import PlannedResource
from tests.checks.infra_support import (
    INFRA_CONTROLS,
    edit_yaml,
    failing,
    infra_config,
    mutated,
    own_report,
    plan_of,
    planned,
    platform_config,
    replanned,
    report,
    run_one,
    where,
)

EXAMPLES = ["metro", "riverton", "lakeside", "harbourview-onprem"]
PLAN_CONTROLS = [
    "AIC-DATA-01",
    "AIC-DATA-02",
    "AIC-DATA-03",
    "AIC-DATA-04",
    "AIC-LOG-01",
    "AIC-LOG-03",
    "AIC-LOG-04",
    "AIC-GPU-01",
    "AIC-GPU-02",
    "AIC-COST-01",
    "AIC-HA-01",
]
BUNDLE_CONTROLS = ["AIC-DATA-03", "AIC-LOG-02", "AIC-GPU-01", "AIC-COST-01"]


@pytest.fixture(scope="module")
def metro():
    return planned("metro")


@pytest.fixture(scope="module")
def riverton():
    return planned("riverton")


# --- The untouched examples --------------------------------------------------------------------


@pytest.mark.parametrize("example", ["metro", "lakeside"])
def test_untouched_aws_plan_passes_every_plan_control(example):
    results = report(planned(example).plan)
    assert {cid: results[cid].status for cid in PLAN_CONTROLS} == dict.fromkeys(PLAN_CONTROLS, "passed")
    assert exit_code(own_report(planned(example).plan), "low") == 0


def test_untouched_pilot_plan_skips_availability_with_the_reason(riverton):
    results = report(riverton.plan)
    assert results["AIC-HA-01"].status == "skipped"
    assert "the pilot tier: AIC-HA-01 applies above pilot" in results["AIC-HA-01"].reason
    others = [c for c in PLAN_CONTROLS if c != "AIC-HA-01"]
    assert {c: results[c].status for c in others} == dict.fromkeys(others, "passed")


def test_untouched_onprem_plan_skips_what_it_cannot_see():
    results = report(planned("harbourview-onprem").plan)
    assert results["AIC-GPU-01"].status == "passed"  # against the sizing plan's pools
    assert results["AIC-COST-01"].status == "passed"  # the estimate; no cloud budget to alert
    reasons = {
        "AIC-DATA-01": "the onprem target creates none here",
        "AIC-DATA-02": "has no buckets",
        "AIC-DATA-03": "has no buckets",
        "AIC-DATA-04": "the onprem target creates none here",
        "AIC-LOG-01": "uses an existing control plane",
        "AIC-LOG-03": "keeps audit records outside it",
        "AIC-LOG-04": "has no cloud API to audit",
        "AIC-GPU-02": "has no node groups",
        "AIC-HA-01": "separate racks or rooms cannot be checked here",
    }
    for cid, reason in reasons.items():
        assert results[cid].status == "skipped", (cid, results[cid])
        assert reason in results[cid].reason, (cid, results[cid].reason)


@pytest.mark.parametrize("example", ["metro", "riverton", "lakeside"])
def test_untouched_aws_bundle_passes(example):
    results = report(planned(example).static)
    assert {c: results[c].status for c in BUNDLE_CONTROLS} == dict.fromkeys(BUNDLE_CONTROLS, "passed")


def test_untouched_onprem_bundle_passes():
    results = report(planned("harbourview-onprem").static)
    assert {c: results[c].status for c in ("AIC-LOG-02", "AIC-GPU-01", "AIC-COST-01")} == dict.fromkeys(
        ("AIC-LOG-02", "AIC-GPU-01", "AIC-COST-01"), "passed"
    )
    assert results["AIC-DATA-03"].status == "skipped"
    assert "the bundle has no infra stack" in results["AIC-DATA-03"].reason


def test_stdout_audit_sink_fails_on_the_onprem_bundle():
    """Without an audit store the events stop at the shipper's stdout: a failure, not a pass."""

    def stdout_sink(bundle: Path) -> None:
        edit_yaml(
            bundle / "helm" / "aicommons-platform.values.yaml",
            lambda v: v["audit"].update(sink={"type": "stdout"}),
        )

    static = plan_of(mutated("harbourview-onprem", "stdout-sink", stdout_sink)).static
    assert failing(static) == {"AIC-LOG-02"}
    messages = [f.message for f in report(static)["AIC-LOG-02"].findings]
    assert any(
        "audit.sink.type is stdout" in m and "the onprem target needs an audit sink" in m for m in messages
    )


def test_audit_wiring_holds_on_the_plan(metro):
    """LOG-02 is listed for bundle and live; its plan check sees the real audit bucket name."""
    assert run_one("AIC-LOG-02", metro.plan).status == "passed"


# --- Mutations of the bundle's files, planned again ---------------------------------------------


def _pool(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The node group of that name, or the first zone's group of the plan's node group."""
    return lambda config: next(p for p in config["node_pools"] if name in (p["name"], p.get("group")))


def _audit_bucket(config: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in config["buckets"] if b["purpose"] == "audit")


def _object_lock_364(bundle: Path) -> None:
    infra_config(bundle, lambda c: _audit_bucket(c).update(object_lock_days=364))


def _no_audit_log_type(bundle: Path) -> None:
    infra_config(bundle, lambda c: c["control_plane_log_types"].remove("audit"))


def _short_log_retention(bundle: Path) -> None:
    infra_config(bundle, lambda c: c.update(log_retention_days=90))


def _gpu_pool_always_on(bundle: Path) -> None:
    infra_config(bundle, lambda c: _pool("gpu-l4-shared")(c).update(min_size=1, desired_size=1))


def _gpu_taint_dropped(bundle: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        pool = _pool("gpu-l4-shared")(config)
        pool["taints"] = [t for t in pool["taints"] if t["key"] != "nvidia.com/gpu"]

    infra_config(bundle, change)


def _budget_one_usd(bundle: Path) -> None:
    infra_config(bundle, lambda c: c.update(budget_usd_month=1.0))


def _core_one_node(bundle: Path) -> None:
    infra_config(bundle, lambda c: _pool("core")(c).update(min_size=1))


def _one_zone(bundle: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["zones"] = config["zones"][:1]
        config["node_pools"] = [
            p for p in config["node_pools"] if set(p.get("zones") or []) <= set(config["zones"])
        ]

    infra_config(bundle, change)


def _secret_classification(bundle: Path) -> None:
    infra_config(
        bundle,
        lambda c: next(b for b in c["buckets"] if b["purpose"] == "datasets").update(classification="secret"),
    )


def _storage_class(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return lambda bundle: platform_config(bundle, lambda c: change(c["storage_classes"][0]))


def _profile_selects_missing_pool(bundle: Path) -> None:
    def change(values: dict[str, Any]) -> None:
        entry = next(p for p in values["singleuser"]["profileList"] if p["slug"] == "inference-mig")
        entry["kubespawner_override"]["node_selector"] = {"aicommons.dev/pool": "gpu-a100-mig-v2"}

    edit_yaml(bundle / "helm" / "jupyterhub.values.yaml", change)


FILE_MUTATIONS = [
    ("object-lock-364-days", _object_lock_364, {"plan": "AIC-LOG-03"}),
    ("no-audit-log-type", _no_audit_log_type, {"plan": "AIC-LOG-01"}),
    ("control-plane-logs-90-days", _short_log_retention, {"plan": "AIC-LOG-03"}),
    ("gpu-pool-min-size-1", _gpu_pool_always_on, {"plan": "AIC-GPU-02"}),
    ("gpu-taint-dropped", _gpu_taint_dropped, {"plan": "AIC-GPU-02"}),
    ("budget-1-usd", _budget_one_usd, {"plan": "AIC-COST-01", "bundle": "AIC-COST-01"}),
    ("core-pool-one-node", _core_one_node, {"plan": "AIC-HA-01"}),
    ("one-zone", _one_zone, {"plan": "AIC-HA-01"}),
    ("unknown-classification", _secret_classification, {"plan": "AIC-DATA-03", "bundle": "AIC-DATA-03"}),
    (
        "storage-class-deletes",
        _storage_class(lambda sc: sc.update(reclaim_policy="Delete")),
        {"plan": "AIC-DATA-04"},
    ),
    (
        "storage-class-unencrypted",
        _storage_class(lambda sc: sc["parameters"].update(encrypted="false")),
        {"plan": "AIC-DATA-01"},
    ),
    (
        "profile-selects-missing-pool",
        _profile_selects_missing_pool,
        {"plan": "AIC-GPU-01", "bundle": "AIC-GPU-01"},
    ),
]


@pytest.mark.parametrize(("name", "edit", "expected"), FILE_MUTATIONS, ids=[m[0] for m in FILE_MUTATIONS])
def test_bundle_mutation_fails_exactly_one_control(name, edit, expected):
    broken = plan_of(mutated("metro", name, edit))
    assert failing(broken.plan) == {expected["plan"]}
    assert failing(broken.static) == ({expected["bundle"]} if "bundle" in expected else set())
    assert exit_code(own_report(broken.plan), "medium") == 1


# --- Mutations of the planned resources --------------------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"


def _inputs(**changes: Any) -> Callable[[PlannedResource], PlannedResource]:
    return lambda r: r.model_copy(update={"inputs": {**r.inputs, **changes}})


def _unprotect(r: PlannedResource) -> PlannedResource:
    return r.model_copy(update={"protect": False})


def _drop(r: PlannedResource) -> None:
    return None


def _lock_mode(mode: str) -> Callable[[PlannedResource], PlannedResource]:
    return lambda r: r.model_copy(
        update={"inputs": {**r.inputs, "rule": {"defaultRetention": {"mode": mode, "days": 730}}}}
    )


def _untagged(r: PlannedResource) -> PlannedResource:
    tags = {k: v for k, v in r.inputs["tags"].items() if k != "aicommons.dev/classification"}
    return r.model_copy(update={"inputs": {**r.inputs, "tags": tags}})


def _unencrypted_disks(r: PlannedResource) -> PlannedResource:
    mappings = [{**m, "ebs": {**m["ebs"], "encrypted": "false"}} for m in r.inputs["blockDeviceMappings"]]
    return r.model_copy(update={"inputs": {**r.inputs, "blockDeviceMappings": mappings}})


PUBLIC_POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


def _key_policy(edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]):
    def change(r: PlannedResource) -> PlannedResource:
        doc = json.loads(r.inputs["policy"])
        doc["Statement"] = edit(doc["Statement"])
        return r.model_copy(update={"inputs": {**r.inputs, "policy": json.dumps(doc)}})

    return change


def _describe_key_under_context(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Defect 4 of issue 10: DescribeKey asked to carry the trail's encryption context."""
    context = {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*"}
    return [
        {**s, "Condition": {"StringLike": context}} if s.get("Action") == "kms:DescribeKey" else s
        for s in statements
    ]


def _no_cloudtrail_decrypt(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Defect 4 of issue 10: CloudTrail may not Decrypt although the bucket uses an S3 Bucket Key."""
    return [s for s in statements if s.get("Action") != "kms:Decrypt"]


RESOURCE_MUTATIONS = [
    (
        "public-access-flag-off",
        where(PUBLIC_ACCESS, "bucket-datasets-public-access", _inputs(blockPublicPolicy=False)),
        {"AIC-DATA-02"},
    ),
    (
        "no-tls-only-policy",
        where(POLICY, "bucket-projects-policy", _inputs(policy=PUBLIC_POLICY)),
        {"AIC-DATA-02"},
    ),
    ("no-sse-config", where(SSE, "bucket-projects-encryption", _drop), {"AIC-DATA-01"}),
    (
        "sse-s3-not-kms",
        where(
            SSE,
            "bucket-datasets-encryption",
            _inputs(rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]),
        ),
        {"AIC-DATA-01"},
    ),
    (
        "secrets-not-encrypted",
        where("aws:eks/cluster:Cluster", "cluster-eks", _inputs(encryptionConfig=None)),
        {"AIC-DATA-01"},
    ),
    (
        "node-disks-unencrypted",
        where("aws:ec2/launchTemplate:LaunchTemplate", "pool-core-template", _unencrypted_disks),
        {"AIC-DATA-01"},
    ),
    ("bucket-untagged", where(BUCKET, "bucket-datasets-bucket", _untagged), {"AIC-DATA-03"}),
    ("audit-bucket-unprotected", where(BUCKET, "bucket-audit-bucket", _unprotect), {"AIC-DATA-04"}),
    ("kms-key-unprotected", where("aws:kms/key:Key", "kms-key", _unprotect), {"AIC-DATA-04"}),
    (
        "log-group-unprotected",
        where("aws:cloudwatch/logGroup:LogGroup", "cluster-logs", _unprotect),
        {"AIC-DATA-04"},
    ),
    (
        "versioning-suspended",
        where(
            VERSIONING, "bucket-datasets-versioning", _inputs(versioningConfiguration={"status": "Suspended"})
        ),
        {"AIC-DATA-04"},
    ),
    (
        "object-lock-governance",
        where(OBJECT_LOCK, "bucket-audit-object-lock", _lock_mode("GOVERNANCE")),
        {"AIC-LOG-03"},
    ),
    (
        "object-lock-removed",
        where(OBJECT_LOCK, "bucket-audit-object-lock", _drop),
        {"AIC-LOG-03", "AIC-DATA-04"},
    ),
    (
        "audit-logs-30-days",
        where("aws:cloudwatch/logGroup:LogGroup", "audit-events", _inputs(retentionInDays=30)),
        {"AIC-LOG-03"},
    ),
    (
        "trail-single-region",
        where("aws:cloudtrail/trail:Trail", "audit-trail", _inputs(isMultiRegionTrail=False)),
        {"AIC-LOG-04"},
    ),
    ("trail-removed", where("aws:cloudtrail/trail:Trail", "audit-trail", _drop), {"AIC-LOG-04"}),
    (
        "kms-describe-key-under-encryption-context",
        where("aws:kms/key:Key", "kms-key", _key_policy(_describe_key_under_context)),
        {"AIC-LOG-04"},
    ),
    (
        "kms-no-decrypt-for-cloudtrail",
        where("aws:kms/key:Key", "kms-key", _key_policy(_no_cloudtrail_decrypt)),
        {"AIC-LOG-04"},
    ),
    (
        "budget-alerts-nobody",
        where("aws:budgets/budget:Budget", "budget-monthly", _inputs(notifications=[])),
        {"AIC-COST-01"},
    ),
]


@pytest.mark.parametrize(
    ("name", "change", "expected"), RESOURCE_MUTATIONS, ids=[m[0] for m in RESOURCE_MUTATIONS]
)
def test_resource_mutation_fails_exactly_the_expected_controls(metro, name, change, expected):
    assert failing(replanned(metro, change)) == expected


def test_mutations_leave_the_cached_plan_alone(metro):
    replanned(metro, where(BUCKET, "bucket-audit-bucket", _unprotect))
    assert failing(metro.plan) == set()
    assert set(INFRA_CONTROLS) >= set(PLAN_CONTROLS)
