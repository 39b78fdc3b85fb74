"""Writes the engine-event fixtures in tests/deploy/events/ (run it to regenerate them).

    .venv/bin/python tests/deploy/make_event_fixtures.py

Each `.jsonl` file is what the `pulumi` CLI writes to its `--event-log` for one operation: one
`EngineEvent` per line, in the JSON form of sdk/go/common/apitype/events.go (the form the
Automation API parses with `EngineEvent.from_json`): a `preludeEvent`, then per resource a
`resourcePreEvent` and a `resOutputsEvent` whose `metadata` holds `op`, `urn`, `type`,
`provider` and the `old`/`new` state (with `planning: true` in a preview), a `diagnosticEvent`
and a `resOpFailedEvent` on an error, a `summaryEvent` with `resourceChanges` counted by op,
and a final `cancelEvent`. Secret values appear as "[secret]", as the engine masks them. The
`*-state.json` files are `pulumi stack export` output. Resources, types and logical names
follow the bundle's stack programs (stacks/aicommons_stacks) for the riverton example.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = "aicommons-riverton"
T0 = 1764035820  # 2025-11-25T01:57:00Z
READ_TYPE = "pulumi:pulumi:StackReference"


@dataclass
class Res:
    """A resource: `chain` is its type after its parent component's (`Parent$type`), as in a URN."""

    stack: str
    chain: str
    name: str
    parent: str = ""
    custom: bool = True
    protect: bool = False
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return f"urn:pulumi:{self.stack}::{PROJECT}::{self.chain}::{self.name}"

    @property
    def type(self) -> str:
        return self.chain.rsplit("$", 1)[-1]


class Stack:
    """Builds one stack's resources: a root, components under it, resources under those."""

    def __init__(self, stack: str):
        self.stack = stack
        self.root = Res(stack, "pulumi:pulumi:Stack", f"{PROJECT}-{stack}", custom=False)
        self.resources = [self.root]

    def add(self, chain: str, name: str, parent: Res | None = None, **kw: Any) -> Res:
        parent = parent or self.root
        if parent is not self.root:
            chain = f"{parent.chain}${chain}"
        res = Res(self.stack, chain, name, parent=parent.urn, **kw)
        self.resources.append(res)
        return res

    def component(self, type_: str, name: str) -> Res:
        return self.add(type_, name, custom=False)


def infra_resources() -> list[Res]:
    s = Stack("infra")
    s.add("pulumi:providers:aws", "aws", inputs={"region": "us-east-1"})
    kms = s.component("aicommons:infra:EncryptionKey", "kms")
    s.add("aws:kms/key:Key", "kms-key", kms, protect=True, inputs={"enableKeyRotation": True})
    s.add("aws:kms/alias:Alias", "kms-alias", kms, inputs={"name": "alias/riverton-commons"})
    net = s.component("aicommons:infra:Network", "network")
    s.add("aws:ec2/vpc:Vpc", "network-vpc", net, inputs={"cidrBlock": "10.40.0.0/16"})
    cluster = s.component("aicommons:infra:Cluster", "cluster")
    s.add("aws:iam/role:Role", "cluster-role", cluster)
    s.add(
        "aws:eks/cluster:Cluster",
        "cluster-eks",
        cluster,
        protect=True,
        inputs={"name": "riverton-commons", "version": "1.33"},
    )
    for purpose, classification in (("audit", "confidential"), ("projects", "internal")):
        bucket = s.component("aicommons:infra:DataBucket", f"bucket-{purpose}")
        tags = {
            "aicommons.dev/purpose": purpose,
            "aicommons.dev/classification": classification,
            "aicommons.dev/personal-data": "false",
            "aicommons.dev/region": "us-east-1",
        }
        inputs = {
            "bucket": f"riverton-commons-{purpose}-123456789012",
            "objectLockEnabled": purpose == "audit",
            "forceDestroy": False,
            "tags": tags,
        }
        s.add("aws:s3/bucket:Bucket", f"bucket-{purpose}-bucket", bucket, protect=True, inputs=inputs)
        s.add(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            f"bucket-{purpose}-public-access",
            bucket,
        )
        if purpose == "audit":
            s.add(
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                "bucket-audit-object-lock",
                bucket,
                inputs={"objectLockEnabled": "Enabled"},
            )
    audit = s.component("aicommons:infra:AuditTrail", "audit")
    s.add(
        "aws:cloudwatch/logGroup:LogGroup", "audit-logs", audit, protect=True, inputs={"retentionInDays": 365}
    )
    s.add("aws:cloudtrail/trail:Trail", "audit-trail", audit)
    return s.resources


def platform_resources() -> list[Res]:
    s = Stack("platform")
    s.add(READ_TYPE, "infra", inputs={"name": f"organization/{PROJECT}/infra"})
    s.add("pulumi:providers:kubernetes", "k8s", inputs={"kubeconfig": "[secret]"})
    ns = s.component("aicommons:platform:TenantNamespace", "ns-jupyterhub")
    s.add("kubernetes:core/v1:Namespace", "ns-jupyterhub-ns", ns, inputs={"metadata": {"name": "jupyterhub"}})
    storage = s.component("aicommons:platform:StorageClasses", "storage")
    s.add(
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "storage-gp3-encrypted",
        storage,
        inputs={"provisioner": "ebs.csi.aws.com"},
    )
    helm = s.component("aicommons:platform:HelmReleases", "helm")
    release = "kubernetes:helm.sh/v3:Release"
    s.add(
        release,
        "helm-aicommons-platform",
        helm,
        inputs={"chart": "../helm/charts/aicommons-platform", "namespace": "aicommons-system"},
    )
    s.add(release, "helm-cloudnative-pg", helm, inputs={"chart": "cloudnative-pg", "version": "0.26.1"})
    oauth = {"client_id": "aicommons", "client_secret": "[secret]"}  # the engine masks secrets
    s.add(
        release,
        "helm-jupyterhub",
        helm,
        inputs={
            "chart": "jupyterhub",
            "version": "4.2.0",
            "namespace": "jupyterhub",
            "values": {"hub": {"config": {"GenericOAuthenticator": oauth}}},
        },
    )
    manifests = s.component("aicommons:platform:Manifests", "manifests")
    s.add(
        "kubernetes:postgresql.cnpg.io/v1:Cluster",
        "manifests-hub-db",
        manifests,
        protect=True,
        inputs={"spec": {"instances": 2}},
    )
    return s.resources


class EventLog:
    """Events with a rising sequence number and a timestamp one second apart."""

    def __init__(self, stack: str):
        self.lines: list[dict[str, Any]] = []
        config = (
            {"aws:region": "us-east-1", "aicommons:infra": "{...}"}
            if stack == "infra"
            else {"aicommons:platform": "{...}", "aicommons:oidcClientSecret": "[secret]"}
        )
        self.add(preludeEvent={"config": config})

    def add(self, **event: Any) -> None:
        n = len(self.lines)
        self.lines.append({"sequence": n, "timestamp": T0 + n, **event})

    def write(self, path: Path) -> None:
        path.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in self.lines))


def state(res: Res, after: bool) -> dict[str, Any]:
    """StepEventStateMetadata, with the fields the engine leaves empty left out."""
    out: dict[str, Any] = {"type": res.type, "urn": res.urn, "custom": res.custom}
    if res.custom and after:
        out["id"] = f"{res.name}-0a1b2c"
    if res.parent:
        out["parent"] = res.parent
    if res.protect:
        out["protect"] = True
    if res.inputs:
        out["inputs"] = res.inputs
    return out


def metadata(
    res: Res,
    op: str,
    *,
    old: bool,
    new: bool,
    after: bool = False,
    diffs: list[str] | None = None,
    replace_keys: bool = False,
) -> dict[str, Any]:
    """StepEventMetadata."""
    out: dict[str, Any] = {"op": op, "urn": res.urn, "type": res.type, "provider": ""}
    if old:
        out["old"] = state(res, True)
    if new:
        out["new"] = state(res, after)
    if diffs:
        kind = "update-replace" if replace_keys else "update"
        out["diffs"] = diffs
        out["detailedDiff"] = {d: {"diffKind": kind, "inputDiff": True} for d in diffs}
        if replace_keys:
            out["keys"] = diffs
    return out


def update_log(
    stack: str,
    resources: list[Res],
    ops: dict[str, str],
    *,
    preview: bool,
    diffs: dict[str, list[str]] | None = None,
    fail: str | None = None,
    stop_after: str | None = None,
) -> EventLog:
    """A preview or an update: each resource's step(s), then the summary (unless cut short)."""
    log = EventLog(stack)
    plan = {"planning": True} if preview else {}
    counts: dict[str, int] = {}
    for res in resources:
        op = ops.get(res.name, "same")
        if op == "read":
            log.add(resourcePreEvent={"metadata": metadata(res, "read", old=False, new=True), **plan})
            log.add(
                resOutputsEvent={"metadata": metadata(res, "read", old=False, new=True, after=True), **plan}
            )
            continue
        if op == "replace":
            keys = (diffs or {}).get(res.name, ["bucket"])
            for step in ("create-replacement", "replace", "delete-replaced"):
                new = step != "delete-replaced"
                step_meta = {"old": True, "new": new, "diffs": keys, "replace_keys": True}
                log.add(resourcePreEvent={"metadata": metadata(res, step, **step_meta), **plan})
                log.add(resOutputsEvent={"metadata": metadata(res, step, after=True, **step_meta), **plan})
            counts["replace"] = counts.get("replace", 0) + 1
            continue
        old, new = op in ("same", "update", "delete"), op != "delete"
        changed = (diffs or {}).get(res.name) if op == "update" else None
        pre = metadata(res, op, old=old, new=new, diffs=changed)
        log.add(resourcePreEvent={"metadata": pre, **plan})
        if fail == res.name:
            log.add(
                diagnosticEvent={
                    "urn": res.urn,
                    "prefix": "error: ",
                    "message": "<{%reset%}>creating S3 Bucket (riverton-commons-projects-123456789012): operation "
                    "error S3: CreateBucket, https response error StatusCode: 409, BucketAlreadyExists<{%reset%}>\n",
                    "color": "raw",
                    "severity": "error",
                }
            )
            log.add(resOpFailedEvent={"metadata": pre, "status": 1, "steps": 0})
            log.add(
                diagnosticEvent={
                    "urn": resources[0].urn,
                    "prefix": "error: ",
                    "message": "<{%reset%}>update failed<{%reset%}>\n",
                    "color": "raw",
                    "severity": "error",
                }
            )
            break
        log.add(resOutputsEvent={"metadata": metadata(res, op, old=old, new=new, after=True), **plan})
        counts[op] = counts.get(op, 0) + 1
        if stop_after == res.name:
            return log  # Ctrl-C: no summary, no cancel event
    summary = {"maybeCorrupt": False, "durationSeconds": 4 if preview else 731, "resourceChanges": counts}
    log.add(summaryEvent={**summary, "PolicyPacks": {}})
    log.add(cancelEvent={})
    return log


def destroy_log(stack: str, resources: list[Res], keep: set[str], *, preview: bool) -> EventLog:
    """A destroy with --exclude-protected: dependents first; what is in `keep` stays."""
    log = EventLog(stack)
    plan = {"planning": True} if preview else {}
    deleted = 0
    for res in reversed(resources):
        if res.type == READ_TYPE or res.name in keep:
            continue
        step = metadata(res, "delete", old=True, new=False)
        log.add(resourcePreEvent={"metadata": step, **plan})
        log.add(resOutputsEvent={"metadata": step, **plan})
        deleted += 1
    summary = {
        "maybeCorrupt": False,
        "durationSeconds": 3 if preview else 412,
        "resourceChanges": {"delete": deleted},
    }
    log.add(summaryEvent={**summary, "PolicyPacks": {}})
    log.add(cancelEvent={})
    return log


def export(resources: list[Res]) -> dict[str, Any]:
    """`pulumi stack export` of the deployed stack."""
    out = []
    for res in resources:
        item: dict[str, Any] = {"urn": res.urn, "custom": res.custom, "type": res.type}
        if res.custom:
            item["id"] = f"{res.name}-0a1b2c"
        if res.inputs:
            item["inputs"] = res.inputs
        if res.parent:
            item["parent"] = res.parent
        if res.protect:
            item["protect"] = True
        out.append(item)
    manifest = {"time": "2025-11-25T01:57:00Z", "magic": "", "version": "v3.200.0"}
    providers = {"type": "passphrase", "state": {"salt": "v1:AAAA:BBBB"}}
    return {
        "version": 3,
        "deployment": {"manifest": manifest, "secrets_providers": providers, "resources": out},
    }


def write_all(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    infra, platform = infra_resources(), platform_resources()

    def every(resources: list[Res], op: str) -> dict[str, str]:
        return {r.name: "read" if r.type == READ_TYPE else op for r in resources}

    for stack, resources in (("infra", infra), ("platform", platform)):
        update_log(stack, resources, every(resources, "create"), preview=True).write(
            out / f"{stack}-preview-create.jsonl"
        )
        update_log(stack, resources, every(resources, "create"), preview=False).write(
            out / f"{stack}-up-create.jsonl"
        )
        update_log(stack, resources, every(resources, "same"), preview=True).write(
            out / f"{stack}-preview-same.jsonl"
        )
        update_log(stack, resources, every(resources, "same"), preview=False).write(
            out / f"{stack}-up-same.jsonl"
        )
        (out / f"{stack}-state.json").write_text(json.dumps(export(resources), indent=1) + "\n")

    # the audit bucket replaced (turning Object Lock off would do it): never allowed
    ops = {**every(infra, "same"), "bucket-audit-bucket": "replace"}
    diffs = {"bucket-audit-bucket": ["objectLockEnabled"]}
    update_log("infra", infra, ops, preview=True, diffs=diffs).write(
        out / "infra-preview-replace-audit.jsonl"
    )
    # the projects bucket replaced (renamed), the cluster updated in place
    ops = {**every(infra, "same"), "bucket-projects-bucket": "replace", "cluster-eks": "update"}
    diffs = {"bucket-projects-bucket": ["bucket"], "cluster-eks": ["version"]}
    update_log("infra", infra, ops, preview=True, diffs=diffs).write(
        out / "infra-preview-replace-projects.jsonl"
    )
    update_log("infra", infra, ops, preview=False, diffs=diffs).write(out / "infra-up-replace-projects.jsonl")
    # a create the cloud refuses
    update_log("infra", infra, every(infra, "create"), preview=False, fail="bucket-projects-bucket").write(
        out / "infra-up-failed.jsonl"
    )
    # Ctrl-C after the namespace
    update_log(
        "platform", platform, every(platform, "create"), preview=False, stop_after="ns-jupyterhub-ns"
    ).write(out / "platform-up-interrupted.jsonl")
    # drift: the hub's release changed by hand; the refresh sees it, the preview would put it back
    ops = {**every(platform, "same"), "helm-jupyterhub": "update"}
    update_log("platform", platform, ops, preview=True, diffs={"helm-jupyterhub": ["values"]}).write(
        out / "platform-preview-drift.jsonl"
    )

    # Destroys exclude protected resources, and keep the parents and provider they need. Before
    # the preview, `destroy` protects the audit store (its bucket's settings too); after the
    # confirmation it unprotects what --allow-delete names (here: every stateful resource).
    audit_store = {
        "kms", "kms-key", "bucket-audit", "bucket-audit-bucket", "bucket-audit-public-access", "bucket-audit-object-lock",
    }  # fmt: skip
    base = {f"{PROJECT}-infra", "aws"}
    protected = {"cluster", "cluster-eks", "bucket-projects", "bucket-projects-bucket", "audit", "audit-logs"}
    destroy_log("infra", infra, audit_store | base | protected, preview=True).write(
        out / "infra-preview-destroy.jsonl"
    )
    destroy_log("infra", infra, audit_store | base, preview=False).write(out / "infra-destroy.jsonl")
    kept = {f"{PROJECT}-platform", "k8s", "manifests", "manifests-hub-db"}
    destroy_log("platform", platform, kept, preview=True).write(out / "platform-preview-destroy.jsonl")
    destroy_log("platform", platform, set(), preview=False).write(out / "platform-destroy.jsonl")


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "events")
