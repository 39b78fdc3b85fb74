"""Which changes touch data: the protected-resource guard for deploy and the plan for destroy.

A resource is *stateful* when losing it loses data or keys: its type is in STATEFUL_TYPES, it
is a Helm release that carries a database or user storage, or the engine protects it. The
*audit store* (the infra stack's audit bucket with its lock, encryption and access settings, and
the KMS key that encrypts it) is never replaced or deleted by this tool, whatever the flags say.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aicommons.deploy.events import ResourceChange
from aicommons.errors import InputError

STATEFUL_TYPES: dict[str, str] = {
    "aws:s3/bucket:Bucket": "an S3 bucket: the data in it goes with it",
    "aws:s3/bucketV2:BucketV2": "an S3 bucket: the data in it goes with it",
    "aws:kms/key:Key": "a KMS key: everything encrypted with it becomes unreadable",
    "aws:cloudwatch/logGroup:LogGroup": "a log group: the audit and platform logs in it go with it",
    "aws:eks/cluster:Cluster": "the EKS cluster: every workload and volume on it goes with it",
    "aws:ebs/volume:Volume": "an EBS volume: the data on it goes with it",
    "aws:efs/fileSystem:FileSystem": "an EFS file system: the data on it goes with it",
    "aws:rds/instance:Instance": "a database",
    "aws:rds/cluster:Cluster": "a database cluster",
    "aws:dynamodb/table:Table": "a database table",
    "kubernetes:core/v1:PersistentVolumeClaim": "a volume claim: user or database data",
    "kubernetes:core/v1:PersistentVolume": "a volume: user or database data",
    "kubernetes:postgresql.cnpg.io/v1:Cluster": "a PostgreSQL cluster (CloudNativePG)",
    "kubernetes:core/v1:Namespace": "a namespace: deleting it deletes every volume claim in it (user homes)",
}
HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
# Helm releases whose removal deletes data (logical names are `helm-<release>`, see
# stacks/aicommons_stacks/platform/releases.py).
STATEFUL_RELEASES: dict[str, str] = {
    "jupyterhub": "the JupyterHub release: the hub's database and user state",
    "aicommons-platform": "the platform chart: it holds the hub's PostgreSQL cluster",
    "cloudnative-pg": "the CloudNativePG operator: removing its CRDs deletes every database",
}
GUARDED_OPS = frozenset({"delete", "replace"})  # after collapsing (events.collapse)
# The infra stack's audit bucket is the DataBucket component `bucket-audit`
# (stacks/aicommons_stacks/infra/__init__.py); its children are named `bucket-audit-*`.
AUDIT_COMPONENT = "bucket-audit"
AUDIT_PURPOSE = "audit"
KMS_KEY_TYPE = "aws:kms/key:Key"
AUDIT_EXPLANATION = (
    "the audit store is never replaced or deleted by aicommons: its records are under Object Lock "
    "for the retention period; after that, an administrator may remove it by hand in the AWS console"
)


def is_audit_store(change: ResourceChange) -> bool:
    """The audit bucket and the S3 settings that make it one (lock, encryption, access block...)."""
    if not change.type.startswith(("aws:s3/", "aws:s3control/")):
        return False
    return (
        change.purpose == AUDIT_PURPOSE
        or change.name.startswith(f"{AUDIT_COMPONENT}-")
        or change.parent.endswith(f"::{AUDIT_COMPONENT}")
    )


def stateful_reason(change: ResourceChange) -> str | None:
    """Why losing this resource loses data, or None when it does not."""
    if change.type in STATEFUL_TYPES:
        return STATEFUL_TYPES[change.type]
    if change.type == HELM_RELEASE_TYPE:
        for release, why in STATEFUL_RELEASES.items():
            if change.name == release or change.name.endswith(f"-{release}"):
                return why
    if change.protect:
        return "protected in the stack program"
    return None


def names(change: ResourceChange) -> set[str]:
    """What a user may type to name a resource: its URN or its logical name."""
    return {change.urn, change.name}


@dataclass(frozen=True)
class Blocked:
    """A guarded change: a replace or delete of something that holds data."""

    stack: str
    change: ResourceChange
    reason: str
    audit: bool = False
    allowed: bool = False  # named with --allow-replace (never true for the audit store)

    def describe(self) -> str:
        what = "replace" if self.change.op == "replace" else "delete"
        return f"{self.stack}: {what} {self.change.type} '{self.change.name}' ({self.reason})"


@dataclass
class GuardResult:
    blocked: list[Blocked] = field(default_factory=list)
    unused_allows: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[Blocked]:
        return [b for b in self.blocked if not b.allowed]

    @property
    def allowed(self) -> list[Blocked]:
        return [b for b in self.blocked if b.allowed]


def guard_changes(stack: str, changes: Iterable[ResourceChange], allow: Sequence[str]) -> GuardResult:
    """The replaces and deletes of stateful resources in a preview, and which ones the user allowed."""
    result = GuardResult()
    used: set[str] = set()
    for change in changes:
        if change.op not in GUARDED_OPS:
            continue
        audit = is_audit_store(change)
        reason = "the audit store" if audit else stateful_reason(change)
        if reason is None:
            continue
        named = names(change) & set(allow)
        if audit and named:
            raise InputError(
                f"--allow-replace {sorted(named)[0]}: {AUDIT_EXPLANATION}",
                allowed="the name or URN of another resource",
            )
        used |= named
        result.blocked.append(Blocked(stack, change, reason, audit=audit, allowed=bool(named)))
    result.unused_allows = [a for a in allow if a not in used]
    return result


def refusal_message(refused: Sequence[Blocked], flag: str = "--allow-replace") -> str:
    lines = ["the preview replaces or deletes resources that hold data; nothing was changed:"]
    for blocked in refused:
        lines.append(f"  {blocked.describe()}")
        if blocked.audit:
            lines.append(f"    {AUDIT_EXPLANATION}; change the profile so that it is kept")
        else:
            lines.append(f"    to accept losing it, add: {flag} {blocked.change.name}")
    return "\n".join(lines)


# --- destroy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackResource:
    """One resource in a stack's state (from the engine's export)."""

    urn: str
    type: str
    protect: bool = False
    parent: str = ""
    custom: bool = True
    purpose: str | None = None

    def as_change(self, op: str = "delete") -> ResourceChange:
        return ResourceChange(
            op=op,
            urn=self.urn,
            type=self.type,
            protect=self.protect,
            parent=self.parent,
            purpose=self.purpose,
        )

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass
class StackTeardown:
    """What destroying one stack does to its stateful resources."""

    stack: str
    deleted: list[tuple[StackResource, str]] = field(default_factory=list)  # allowed stateful, why stateful
    kept: list[tuple[StackResource, str]] = field(default_factory=list)  # the audit store, and why
    blocked: list[tuple[StackResource, str]] = field(default_factory=list)  # stateful and not allowed
    protect: list[str] = field(default_factory=list)  # URNs to protect before the destroy
    unprotect: list[str] = field(default_factory=list)  # URNs to unprotect before the destroy


def _engine_internal(resource: StackResource) -> bool:
    return not resource.custom or resource.type.startswith("pulumi:")


def plan_teardown(stacks: dict[str, list[StackResource]], allow: Sequence[str]) -> list[StackTeardown]:
    """For each stack: stateful resources deleted (named in `allow`), kept (the audit store) or blocked.

    Raises InputError when `allow` names the audit store or names nothing in any stack.
    """
    plans: list[StackTeardown] = []
    used: set[str] = set()
    allowed = set(allow)
    for stack, resources in stacks.items():
        plan = StackTeardown(stack)
        holds_audit = any(is_audit_store(r.as_change()) for r in resources)
        for resource in resources:
            if _engine_internal(resource):
                continue
            change = resource.as_change()
            named = names(change) & allowed
            audit_reason = None
            if is_audit_store(change):
                audit_reason = "the audit store"
            elif holds_audit and resource.type == KMS_KEY_TYPE:
                audit_reason = "the KMS key that encrypts the audit store"
            if audit_reason:
                if named:
                    raise InputError(
                        f"--allow-delete {sorted(named)[0]}: {audit_reason}; {AUDIT_EXPLANATION}",
                        allowed="the name or URN of another resource",
                    )
                plan.kept.append((resource, audit_reason))
                if not resource.protect:
                    plan.protect.append(resource.urn)
                continue
            reason = stateful_reason(change)
            if reason is None:
                continue
            if named:
                used |= named
                plan.deleted.append((resource, reason))
                if resource.protect:
                    plan.unprotect.append(resource.urn)
            else:
                plan.blocked.append((resource, reason))
        plans.append(plan)
    unknown = [a for a in allow if a not in used]
    if unknown:
        raise InputError(
            f"--allow-delete {', '.join(unknown)}: no stateful resource of this name in the stacks",
            allowed="the logical names or URNs the destroy preview lists",
        )
    return plans


def teardown_refusal(plans: Sequence[StackTeardown]) -> str | None:
    blocked = [(p.stack, r, why) for p in plans for r, why in p.blocked]
    if not blocked:
        return None
    lines = ["destroying would delete resources that hold data; nothing was destroyed:"]
    lines += [f"  {stack}: {r.type} '{r.name}' ({why})" for stack, r, why in blocked]
    lines.append(
        "to accept losing them, name each one: " + " ".join(f"--allow-delete {r.name}" for _, r, _ in blocked)
    )
    return "\n".join(lines)
