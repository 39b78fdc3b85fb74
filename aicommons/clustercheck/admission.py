"""The API server's admission of a deploy (control AIC-OPS-01), modelled from its source.

``check(cluster)`` runs, for every object the deploy creates:
- schema validity at the target version (aicommons.clustercheck.schema);
- the LimitRanger: a pod a LimitRange refuses (limitranges.violations), and a container of a
  rendered workload whose requests only the LimitRange gives (the default is meant for user
  servers; a system pod that takes it asks for far more than sizing counted);
- ResourceQuota admission with the quota evaluators' counting rules (quota_check);
- Pod Security admission at each namespace's ``pod-security.kubernetes.io/enforce`` level
  (podsecurity). Controllers are admitted and their pods refused: each is reported on the
  controller.

``ClusterInput.causes`` may name the profile field behind an object: keyed by object ref
(``LimitRange/jupyterhub/aicommons-platform-limits``) or ref and quota resource
(``ResourceQuota/jupyterhub/aicommons-platform-quota:services.nodeports``).
"""

from __future__ import annotations

from aicommons.clustercheck import schema
from aicommons.clustercheck.limitranges import limit_ranges, violations
from aicommons.clustercheck.model import ADMISSION, ClusterFinding, ClusterInput, Obj
from aicommons.clustercheck.pods import AdmittedPod, admitted_pods
from aicommons.clustercheck.podsecurity import LEVELS, evaluate
from aicommons.clustercheck.quantities import resources_text
from aicommons.clustercheck.quota_check import check_quotas

ENFORCE = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version"


def _finding(owner: Obj, rule: str, message: str, cause: str = "") -> ClusterFinding:
    return ClusterFinding(
        control=ADMISSION, release=owner.release, object=owner.ref, message=message, cause=cause, rule=rule
    )


def _kind_name(obj: Obj) -> str:
    return f"{obj.kind} {obj.name}"


def check_schemas(cluster: ClusterInput) -> list[ClusterFinding]:
    """Objects invalid against the Kubernetes schema of the target version."""
    invalid, _ = schema.validate(cluster.objects, cluster.kubernetes_version)
    return [_finding(r.obj, "schema", r.message, r.obj.source) for r in invalid]


def check_limit_ranges(cluster: ClusterInput, pods: list[AdmittedPod]) -> list[ClusterFinding]:
    """limitranger/admission.go PodLimitFunc: pods over a LimitRange's max (or under its min)."""
    ranges = limit_ranges(cluster)
    out = []
    for pod in pods:
        found = violations(pod.spec, ranges.get(pod.template.namespace, []))
        if found:
            lr = ranges[pod.template.namespace][0]
            owner = pod.template.owner
            message = f"the LimitRanger refuses the pods of {_kind_name(owner)}: " + "; ".join(found)
            out.append(
                _finding(
                    owner, "limitrange.bounds", message, cluster.causes.get(lr.ref, f"{lr.ref} spec.limits")
                )
            )
    return out


def check_defaulted_requests(cluster: ClusterInput, pods: list[AdmittedPod]) -> list[ClusterFinding]:
    """A long-running container of a rendered workload whose request comes from the LimitRange.

    The rendered objects are the platform's own pods (user servers are spawned later, with
    their profile's requests), so a LimitRange default there means the values left a request
    unset and the pod takes the default workload's size. Init containers are left out: an
    init container whose chart offers no resources key (z2jh's autohttps ``load-acme``) can
    only take the default, and the pod's effective request (which includes it) is what the
    scheduling model checks.
    """
    ranges = limit_ranges(cluster)
    out = []
    for pod in pods:
        regular = [d for d in pod.defaulted if not d.init and d.requests]
        if not regular:
            continue
        lr = ranges[pod.template.namespace][0]
        owner = pod.template.owner
        given = "; ".join(f"{d.container} {resources_text(d.requests, sorted(d.requests))}" for d in regular)
        message = (
            f"{lr.ref} gives the containers of {_kind_name(owner)} that set no request its default request "
            f"({given}): the pod asks for {resources_text(pod.requests)}, not what the chart values set; "
            "set those containers' resources explicitly"
        )
        cause = cluster.causes.get(lr.ref, f"{lr.ref} defaultRequest")
        out.append(_finding(owner, "limitrange.default-request", message, cause))
    return out


def _namespace_levels(cluster: ClusterInput) -> dict[str, tuple[str, str]]:
    """Namespace -> (enforce level, enforce version); later objects win (they update it)."""
    out: dict[str, tuple[str, str]] = {}
    for obj in cluster.objects:
        if obj.kind == "Namespace":
            labels = (obj.doc.get("metadata") or {}).get("labels") or {}
            out[obj.name] = (
                str(labels.get(ENFORCE, "privileged")),
                str(labels.get(ENFORCE_VERSION, "latest")),
            )
    return out


def _version(label: str, target: str) -> tuple[int, int]:
    text = target if label in ("", "latest") else label
    major, minor = text.lstrip("v").split(".")[:2]
    return int(major), int(minor)


def check_pod_security(cluster: ClusterInput, pods: list[AdmittedPod]) -> list[ClusterFinding]:
    """Pods a namespace's Pod Security enforce level refuses (namespaces without the label, or
    not created by the deploy, are taken as privileged: the API server's default)."""
    levels = _namespace_levels(cluster)
    out = []
    for pod in pods:
        level, version_label = levels.get(pod.template.namespace, ("privileged", "latest"))
        if level not in LEVELS or level == "privileged":
            continue
        version = _version(version_label, cluster.kubernetes_version)
        reasons = evaluate(level, version, pod.template.metadata, pod.spec)
        if reasons:
            owner = pod.template.owner
            whose = "its pod" if owner.kind == "Pod" else f"the pods of {_kind_name(owner)}"
            message = (
                f'Pod Security "{level}" (v{version[0]}.{version[1]}) of namespace {pod.template.namespace} '
                f"refuses {whose}: " + "; ".join(reasons)
            )
            cause = f"Namespace {pod.template.namespace} label {ENFORCE}={level}"
            out.append(
                _finding(
                    owner,
                    f"podsecurity.{level}",
                    message,
                    cluster.causes.get(f"Namespace/{pod.template.namespace}", cause),
                )
            )
    return out


def check(cluster: ClusterInput) -> list[ClusterFinding]:
    """Every object or pod the API server's admission would refuse (AIC-OPS-01)."""
    pods = admitted_pods(cluster)
    found = (
        check_schemas(cluster)
        + check_limit_ranges(cluster, pods)
        + check_defaulted_requests(cluster, pods)
        + check_quotas(cluster)
        + check_pod_security(cluster, pods)
    )
    return sorted(found, key=lambda f: (f.release, f.object, f.rule, f.message))


def notes(cluster: ClusterInput) -> list[str]:
    """What the admission model did not check, for the report (not findings)."""
    _, skipped = schema.validate(cluster.objects, cluster.kubernetes_version)
    used, note = schema.schema_version(cluster.kubernetes_version)
    out = [note] if note else []
    if skipped:
        kinds = sorted({f"{o.kind} ({o.doc.get('apiVersion')})" for o in skipped})
        out.append(f"schema: {len(skipped)} custom resources not validated (no schema): {', '.join(kinds)}")
    return out
