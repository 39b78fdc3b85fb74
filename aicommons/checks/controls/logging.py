"""AIC-LOG-01..04: the Kubernetes API audit log, JupyterHub's events shipped to the audit sink,
retention on immutable storage, and the cloud API trail."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from aicommons.checks.controls import _kms as kms
from aicommons.checks.controls import _z2jh as z2jh
from aicommons.checks.controls._infra import (
    AUDIT,
    audit_buckets,
    bound_findings,
    partial,
    provider,
    target_phrase,
    unreadable,
)
from aicommons.checks.controls._kube import finding_at, jupyterhub_releases
from aicommons.checks.model import (
    BUCKET,
    CLUSTER,
    HELM_RELEASE,
    LOG_GROUP,
    TRAIL,
    CheckContext,
    Finding,
    Inventory,
    Resource,
    Skip,
)
from aicommons.checks.registry import check

PLATFORM_CHART = "aicommons-platform"
SHIPPER_CHARTS = ("fluent-bit",)
STDOUT = "stdout"
_HANDLERS = re.compile(r"c\.EventLogger\.handlers\s*=\s*(?P<value>.*)")


def _chart_name(release: Resource) -> str:
    return str(release.spec.get("chart") or "").rstrip("/").rsplit("/", 1)[-1] or release.name


# --- AIC-LOG-01 --------------------------------------------------------------------------------


@check("AIC-LOG-01", "plan", "live")
def api_audit_logging(ctx: CheckContext) -> Iterable[Finding]:
    """The cluster sends the control-plane log types the blueprint requires."""
    inventory = ctx.inventory
    if CLUSTER in inventory.unavailable:
        raise Skip(f"{CLUSTER} could not be read: {inventory.unavailable[CLUSTER]}")
    clusters = inventory.of(CLUSTER)
    if not clusters:
        raise Skip(
            f"the {inventory.source} inventory has no managed cluster: {target_phrase(inventory)} uses an "
            f"existing control plane, whose API audit policy is checked live"
        )
    required = list(ctx.params.get("required_log_types") or [])
    for c in clusters:
        have = list(c.spec.get("log_types") or [])
        missing = [t for t in required if t not in have]
        if missing:
            yield Finding.on(
                c,
                f"cluster '{c.name}' does not send the control-plane log types {', '.join(missing)} "
                f"(enabled: {', '.join(have) or 'none'}); expected at least {', '.join(required)}",
            )


# --- AIC-LOG-02 --------------------------------------------------------------------------------


def _fullname(release: Resource) -> str:
    """The project chart's `<release>-<chart>` prefix (its _helpers.tpl)."""
    values = release.spec.get("values") or {}
    if values.get("fullnameOverride"):
        return str(values["fullnameOverride"])[:63].rstrip("-")
    name = values.get("nameOverride") or PLATFORM_CHART
    full = release.name if name in release.name else f"{release.name}-{name}"
    return full[:63].rstrip("-")


def _event_handlers(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(snippet name, right-hand side) of each `c.EventLogger.handlers = ...` in hub.extraConfig."""
    snippets = z2jh.get(values, "hub.extraConfig", {}) or {}
    if isinstance(snippets, str):
        snippets = {"extraConfig": snippets}
    out = []
    for name, code in snippets.items() if isinstance(snippets, Mapping) else []:
        for match in _HANDLERS.finditer(str(code)):
            out.append((str(name), match["value"].strip()))
    return out


def _sink_problem(inventory: Inventory, sink: Mapping[str, Any]) -> str | None:
    kind = sink.get("type") or STDOUT
    if kind == STDOUT:
        hint = "; set governance.audit_sink in the profile" if provider(inventory) != "aws" else ""
        return (
            f"audit.sink.type is stdout: the log shipper only prints JupyterHub's events to its own "
            f"container log on each node, where nothing retains or protects them; {target_phrase(inventory)} "
            f"needs an audit sink (s3, cloudwatch or loki){hint}"
        )
    if kind == "s3":
        s3 = sink.get("s3") or {}
        bucket = s3.get("bucket")
        if not bucket or not s3.get("region"):
            return "audit.sink.s3 needs bucket and region"
        known = audit_buckets(inventory)
        if known and bucket not in {b.name for b in known}:
            return (
                f"audit.sink.s3.bucket is '{bucket}', not the audit bucket "
                f"{', '.join(repr(b.name) for b in known)}: events would not reach the audit store"
            )
    elif kind == "cloudwatch":
        cloudwatch = sink.get("cloudwatch") or {}
        group = cloudwatch.get("logGroupName")
        if not group or not cloudwatch.get("region"):
            return "audit.sink.cloudwatch needs logGroupName and region"
        groups = inventory.of(LOG_GROUP)
        if groups and group not in {g.name for g in groups}:
            return f"audit.sink.cloudwatch.logGroupName '{group}' is not a log group of the deployment"
    elif kind == "loki":
        if not (sink.get("loki") or {}).get("url"):
            return "audit.sink.loki.url is empty"
    else:
        return f"audit.sink.type '{kind}' is not one of s3, cloudwatch, loki"
    return None


@check("AIC-LOG-02", "bundle", "plan", "live")
def hub_events_shipped(ctx: CheckContext) -> Iterable[Finding]:
    """The hub logs its events, the project chart sends the audit stream to a real sink, and a
    log shipper reads the chart's audit configuration."""
    inventory = ctx.inventory
    hubs = jupyterhub_releases(inventory)
    if not hubs:
        if HELM_RELEASE in inventory.unavailable:
            raise Skip(f"{HELM_RELEASE} could not be read: {inventory.unavailable[HELM_RELEASE]}")
        raise Skip(f"no JupyterHub release in the {inventory.source} inventory")
    findings: list[Finding] = []
    for hub in hubs:
        handlers = _event_handlers(hub.spec.get("values") or {})
        if not handlers:
            findings.append(
                finding_at(
                    inventory,
                    hub,
                    "hub.extraConfig sets no c.EventLogger.handlers: JupyterHub records no user-activity "
                    "events; expected a handler writing them where the log shipper reads (stdout)",
                    "hub",
                    "extraConfig",
                )
            )
        elif all(value.startswith("[]") for _, value in handlers):
            findings.append(
                finding_at(
                    inventory,
                    hub,
                    f"hub.extraConfig.{handlers[0][0]} sets c.EventLogger.handlers to an empty list: "
                    f"no events are recorded",
                    "hub",
                    "extraConfig",
                )
            )
    platforms = [
        r
        for r in inventory.of(HELM_RELEASE)
        if _chart_name(r) == PLATFORM_CHART and not r.spec.get("repository")
    ]
    if not platforms:
        findings.append(
            Finding.on(
                hubs[0],
                f"no {PLATFORM_CHART} release configures the audit pipeline: nothing ships the hub's "
                f"events to the audit sink",
            )
        )
    shippers = [r for r in inventory.of(HELM_RELEASE) if _chart_name(r) in SHIPPER_CHARTS]
    for platform in platforms:
        values = platform.spec.get("values") or {}
        audit = values.get("audit") or {}
        if audit.get("enabled", True) is False:
            findings.append(
                finding_at(
                    inventory,
                    platform,
                    "audit.enabled is false: the audit pipeline is off; expected true with a sink",
                    "audit",
                    "enabled",
                )
            )
            continue
        problem = _sink_problem(inventory, audit.get("sink") or {})
        if problem:
            findings.append(finding_at(inventory, platform, problem, "audit", "sink"))
        watched = (values.get("jupyterhub") or {}).get("namespace") or "jupyterhub"
        hub_namespaces = sorted({h.namespace for h in hubs if h.namespace})
        if hub_namespaces and watched not in hub_namespaces:
            findings.append(
                finding_at(
                    inventory,
                    platform,
                    f"the audit configuration tails hub logs in namespace '{watched}', but the hub runs in "
                    f"{', '.join(hub_namespaces)}; expected jupyterhub.namespace to name the hub's namespace",
                    "jupyterhub",
                    "namespace",
                )
            )
        config_map = f"{_fullname(platform)}-audit-fluent-bit"
        namespace = audit.get("namespace") or platform.namespace
        reading = [
            s
            for s in shippers
            if (s.spec.get("values") or {}).get("existingConfigMap") == config_map
            and s.namespace == namespace
        ]
        if not shippers:
            findings.append(
                Finding.on(
                    platform,
                    f"no log shipper (fluent-bit) release: the audit configuration {namespace}/{config_map} "
                    f"is read by nothing",
                )
            )
        elif not reading:
            seen = ", ".join(
                f"{s.namespace}/{(s.spec.get('values') or {}).get('existingConfigMap') or '(its own config)'}"
                for s in shippers
            )
            findings.append(
                finding_at(
                    inventory,
                    shippers[0],
                    f"the log shipper reads {seen}, not the audit configuration {namespace}/{config_map}; "
                    f"expected existingConfigMap: {config_map} in namespace {namespace}",
                    "existingConfigMap",
                )
            )
    return findings


# --- AIC-LOG-03 --------------------------------------------------------------------------------


def required_retention(ctx: CheckContext) -> int:
    """Days audit records must be kept: the blueprint's minimum or the city's stricter choice."""
    minimum = int(ctx.params.get("min_retention_days", 365))
    profile = ctx.inventory.profile
    return max(minimum, profile.governance.audit_retention_days) if profile is not None else minimum


@check("AIC-LOG-03", "plan", "live")
def audit_retention(ctx: CheckContext) -> Iterable[Finding]:
    """The audit bucket's Object Lock (COMPLIANCE) and the audit log groups keep records long enough,
    and the profile does not loosen the blueprint's bound."""
    inventory = ctx.inventory
    days = required_retention(ctx)
    findings = bound_findings(ctx)
    unverified = unreadable(inventory, BUCKET, LOG_GROUP)
    buckets = inventory.of(BUCKET)
    audit = audit_buckets(inventory)
    if buckets and not audit:
        findings.append(
            Finding.on(
                buckets[0],
                f"no bucket has purpose '{AUDIT}': audit records have no immutable store; expected an audit "
                f"bucket with Object Lock",
            )
        )
    lock_required = ctx.params.get("require_object_lock", True)
    for b in audit:
        mode, kept = b.spec.get("object_lock_mode"), b.spec.get("object_lock_days")
        if lock_required and not (b.spec.get("object_lock_enabled") and mode):
            findings.append(
                Finding.on(
                    b,
                    f"audit bucket '{b.name}' has no Object Lock retention; expected COMPLIANCE mode for "
                    f"at least {days} days",
                )
            )
            continue
        if lock_required and mode != "COMPLIANCE":
            findings.append(
                Finding.on(
                    b,
                    f"audit bucket '{b.name}' locks objects in {mode} mode, which privileged users can "
                    f"bypass; expected COMPLIANCE",
                )
            )
        if kept is None or int(kept) < days:
            findings.append(
                Finding.on(
                    b,
                    f"audit bucket '{b.name}' keeps objects locked for {kept} days; expected at least {days}",
                )
            )
    groups = [g for g in inventory.of(LOG_GROUP) if g.spec.get("purpose") in (AUDIT, "control-plane")]
    for g in groups:
        kept = g.spec.get("retention_days")
        if kept is not None and int(kept) < days:
            findings.append(
                Finding.on(
                    g,
                    f"{g.spec.get('purpose')} log group '{g.name}' keeps logs {kept} days; expected at "
                    f"least {days}",
                )
            )
    if not buckets and not groups and not unverified:
        unverified.append(
            f"the {inventory.source} inventory has no audit bucket or log groups: {target_phrase(inventory)} "
            f"keeps audit records outside it, so their retention and immutability cannot be checked here"
        )
    return partial(findings, unverified)


# --- AIC-LOG-04 --------------------------------------------------------------------------------


def _key_policy_problems(trail: Resource) -> list[str]:
    """What the trail's KMS key policy refuses CloudTrail (CreateTrail fails, or delivery stops)."""
    policy, arn = trail.spec.get("kms_key_policy"), trail.spec.get("arn")
    if not isinstance(policy, Mapping) or not isinstance(arn, str):
        return []  # no customer key, or its policy is not in this inventory
    missing = kms.missing_permissions(
        policy, arn, trail.spec.get("target_bucket_arn"), bool(trail.spec.get("target_bucket_key"))
    )
    return [f"has a KMS key whose policy does not allow CloudTrail {m}" for m in missing]


@check("AIC-LOG-04", "plan", "live")
def cloud_trail(ctx: CheckContext) -> Iterable[Finding]:
    """A CloudTrail trail (multi-region, log-file validation, logging on) delivers to the audit bucket."""
    inventory = ctx.inventory
    if TRAIL in inventory.unavailable:
        raise Skip(f"{TRAIL} could not be read: {inventory.unavailable[TRAIL]}")
    trails = inventory.of(TRAIL)
    if not trails:
        if provider(inventory) != "aws":
            raise Skip(
                f"the {inventory.source} inventory has no cloud account: {target_phrase(inventory)} has no "
                f"cloud API to audit"
            )
        anchor = next(iter(inventory.of(CLUSTER, BUCKET)), None)
        message = (
            "no CloudTrail trail records the cloud API; expected a multi-region trail into the audit bucket"
        )
        return [Finding.on(anchor, message) if anchor else Finding(resource=TRAIL, message=message)]
    audit_names = {b.name for b in audit_buckets(inventory)}
    problems: list[tuple[Resource, list[str]]] = []
    for t in trails:
        wrong = []
        if ctx.params.get("multi_region", True) and not t.spec.get("multi_region"):
            wrong.append("is not multi-region")
        if ctx.params.get("log_file_validation", True) and not t.spec.get("log_validation"):
            wrong.append("has log-file validation off")
        if t.spec.get("logging") is False:
            wrong.append("has logging off")
        target = t.spec.get("target_bucket")
        if t.spec.get("target_bucket_purpose") != AUDIT and target not in audit_names:
            wrong.append(f"delivers to '{target}', not the audit bucket")
        wrong += _key_policy_problems(t)
        if not wrong:
            return []
        problems.append((t, wrong))
    return [
        Finding.on(
            t,
            f"trail '{t.name}' {', '.join(wrong)}; expected a multi-region trail with log-file "
            f"validation delivering to the audit bucket, encrypted with a key CloudTrail may use",
        )
        for t, wrong in problems
    ]
