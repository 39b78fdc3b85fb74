"""Which node groups a pod may land on, by its node selector, required node affinity and
tolerations: enough to count a DaemonSet's pods (one per matching node).

From kubernetes pkg/scheduler/framework/plugins/nodeaffinity (required terms, ORed; their
match expressions ANDed) and tainttoleration (a NoSchedule or NoExecute taint must be
tolerated), and k8s.io/component-helpers/scheduling/corev1 (toleration matching).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicommons.clustercheck.model import NodeGroup, Taint


def _expression(labels: Mapping[str, str], expr: Mapping[str, Any]) -> bool:
    key, op, values = expr.get("key"), expr.get("operator"), [str(v) for v in expr.get("values") or []]
    present = key in labels
    if op == "In":
        return present and labels[str(key)] in values
    if op == "NotIn":
        return not present or labels[str(key)] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and values:
        try:
            have, want = int(labels[str(key)]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def selects(spec: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """nodeSelector and requiredDuringScheduling node affinity against one node's labels."""
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(str(k)) != str(v):
            return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    return any(all(_expression(labels, e) for e in (t.get("matchExpressions") or [])) for t in terms if t)


def tolerates(tolerations: list[Mapping[str, Any]], taint: Taint) -> bool:
    if taint.effect == "PreferNoSchedule":
        return True
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.effect:
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t.get("key") == taint.key:
                return True
        elif t.get("key") == taint.key and str(t.get("value") or "") == taint.value:
            return True
    return False


def fits_group(spec: Mapping[str, Any], group: NodeGroup) -> bool:
    tolerations = list(spec.get("tolerations") or [])
    return selects(spec, group.labels) and all(tolerates(tolerations, t) for t in group.taints)


def nodes_at_minimum(spec: Mapping[str, Any], groups: tuple[NodeGroup, ...]) -> int:
    """Nodes a DaemonSet with this pod spec runs on when every group is at its minimum count."""
    return sum(g.min_count for g in groups if fits_group(spec, g))
