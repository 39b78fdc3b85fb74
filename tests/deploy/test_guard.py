"""The protected-resource guard (deploy) and the destroy plan: pure decisions over resources."""

from __future__ import annotations

import pytest

from aicommons.deploy.events import ResourceChange
from aicommons.deploy.guard import (
    guard_changes,
    is_audit_store,
    plan_teardown,
    refusal_message,
    stateful_reason,
    teardown_refusal,
)
from aicommons.errors import InputError
from tests.deploy.standin import load_state
from tests.deploy.test_events import collect

U = "urn:pulumi:{s}::aicommons-riverton::{t}::{n}"


def change(op: str, type_: str, name: str, **kw) -> ResourceChange:
    return ResourceChange(op=op, urn=U.format(s="platform", t=type_, n=name), type=type_, **kw)


def test_stateful_kinds() -> None:
    assert "volume claim" in stateful_reason(
        change("delete", "kubernetes:core/v1:PersistentVolumeClaim", "home")
    )
    assert "CloudNativePG" in stateful_reason(
        change("delete", "kubernetes:postgresql.cnpg.io/v1:Cluster", "db")
    )
    assert "user homes" in stateful_reason(
        change("delete", "kubernetes:core/v1:Namespace", "ns-jupyterhub-ns")
    )
    assert "hub's database" in stateful_reason(
        change("replace", "kubernetes:helm.sh/v3:Release", "helm-jupyterhub")
    )
    assert stateful_reason(change("delete", "kubernetes:helm.sh/v3:Release", "helm-gpu-operator")) is None
    assert stateful_reason(change("delete", "aws:iam/role:Role", "role")) is None
    assert (
        stateful_reason(change("delete", "aws:iam/role:Role", "role", protect=True))
        == "protected in the stack program"
    )


def test_audit_store_members() -> None:
    assert is_audit_store(change("replace", "aws:s3/bucket:Bucket", "x", purpose="audit"))
    assert is_audit_store(change("delete", "aws:s3/bucketPolicy:BucketPolicy", "bucket-audit-policy"))
    assert is_audit_store(
        change("delete", "aws:s3/bucketVersioning:BucketVersioning", "v", parent="urn:...::bucket-audit")
    )
    assert not is_audit_store(change("replace", "aws:s3/bucket:Bucket", "bucket-projects-bucket"))
    assert not is_audit_store(change("delete", "aws:cloudwatch/logGroup:LogGroup", "bucket-audit-logs"))


def test_updates_and_creates_pass_the_guard() -> None:
    result = guard_changes("infra", collect("infra-preview-create.jsonl").changes(), ())
    assert result.blocked == [] and result.refused == []


def test_a_replace_of_a_bucket_is_refused_until_named() -> None:
    changes = collect("infra-preview-replace-projects.jsonl").changes()
    refused = guard_changes("infra", changes, ()).refused
    assert [b.change.name for b in refused] == ["bucket-projects-bucket"]
    text = refusal_message(refused)
    assert "replace aws:s3/bucket:Bucket 'bucket-projects-bucket'" in text
    assert "--allow-replace bucket-projects-bucket" in text
    allowed = guard_changes("infra", changes, ("bucket-projects-bucket", "typo"))
    assert allowed.refused == [] and [b.change.name for b in allowed.allowed] == ["bucket-projects-bucket"]
    assert allowed.unused_allows == ["typo"]


def test_the_audit_store_is_refused_always() -> None:
    changes = collect("infra-preview-replace-audit.jsonl").changes()
    [blocked] = guard_changes("infra", changes, ()).refused
    assert blocked.audit and "never replaced or deleted" in refusal_message([blocked])
    for name in ("bucket-audit-bucket", changes[0].urn):
        with pytest.raises(InputError, match="the audit store is never replaced or deleted"):
            guard_changes("infra", changes, (name,))


def test_teardown_plan() -> None:
    stacks = {"platform": load_state("platform"), "infra": load_state("infra")}
    plans = plan_teardown(stacks, ())
    platform, infra = plans
    assert [r.name for r, _ in infra.kept] == [
        "kms-key", "bucket-audit-bucket", "bucket-audit-public-access", "bucket-audit-object-lock",
    ]  # fmt: skip
    assert [u.rsplit("::", 1)[1] for u in infra.protect] == [
        "bucket-audit-public-access",
        "bucket-audit-object-lock",
    ]
    assert sorted(r.name for r, _ in infra.blocked) == ["audit-logs", "bucket-projects-bucket", "cluster-eks"]
    assert sorted(r.name for r, _ in platform.blocked) == [
        "helm-aicommons-platform", "helm-cloudnative-pg", "helm-jupyterhub", "manifests-hub-db", "ns-jupyterhub-ns",
    ]  # fmt: skip
    assert "--allow-delete cluster-eks" in teardown_refusal(plans)

    named = plan_teardown(stacks, ("cluster-eks", "manifests-hub-db"))
    assert [r.name for r, _ in named[1].deleted] == ["cluster-eks"]
    assert [u.rsplit("::", 1)[1] for u in named[0].unprotect] == ["manifests-hub-db"]
    assert teardown_refusal(named) is not None  # others still unnamed


def test_teardown_refuses_bad_names() -> None:
    stacks = {"infra": load_state("infra")}
    with pytest.raises(InputError, match="never replaced or deleted"):
        plan_teardown(stacks, ("bucket-audit-object-lock",))
    with pytest.raises(InputError, match="the KMS key that encrypts the audit store"):
        plan_teardown(stacks, ("kms-key",))
    with pytest.raises(InputError, match="no stateful resource of this name"):
        plan_teardown(stacks, ("network-vpc",))  # not stateful: it is deleted anyway, naming it is a mistake
