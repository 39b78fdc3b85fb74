"""kube-scheduler's filter plugins, as far as the cluster check needs them.

Each rule is one small function named for the plugin it models, with its source in
kubernetes/kubernetes cited. A pod is a ``PodInstance`` (spec after admission defaults,
requests in Kubernetes units); a node is one node of a ``NodeGroup``.

Not modelled: inter-pod affinity and anti-affinity, topology spread constraints, volume
zone and attach limits, ephemeral storage and huge pages, ``matchFields`` on node names
(DaemonSet pods get theirs from the controller), and scoring (which node among those that fit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aicommons.clustercheck.model import NodeGroup, PodInstance, Taint

GIB = 1024**3
MIB = 1024**2

# pkg/controller/daemon/util/daemonset_util.go, AddOrUpdateDaemonPodTolerations: the
# DaemonSet controller adds these to every pod it makes (network-unavailable only with
# hostNetwork), so its pods survive node conditions.
DAEMONSET_TOLERATIONS: tuple[dict[str, str], ...] = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)
HOST_NETWORK_TOLERATION = {
    "key": "node.kubernetes.io/network-unavailable",
    "operator": "Exists",
    "effect": "NoSchedule",
}
# Resources the model does not track: a request for them is not checked.
UNTRACKED = ("ephemeral-storage", "hugepages-")


def pod_tolerations(pod: PodInstance) -> list[Mapping[str, Any]]:
    """The pod's tolerations, with the DaemonSet controller's own for DaemonSet pods."""
    own = list(pod.spec.get("tolerations") or [])
    if not pod.per_node:
        return own
    added = list(DAEMONSET_TOLERATIONS) + ([HOST_NETWORK_TOLERATION] if pod.spec.get("hostNetwork") else [])
    return own + added


def tolerates(toleration: Mapping[str, Any], taint: Taint) -> bool:
    """One toleration against one taint (staging/src/k8s.io/api/core/v1/toleration.go,
    ToleratesTaint): an empty effect matches every effect, an empty key (with Exists) every
    key; Exists matches any value, Equal (or no operator) the same value; Lt and Gt compare
    integers (a feature-gated operator, alpha in 1.35)."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.effect:
        return False
    key = toleration.get("key") or ""
    if key and key != taint.key:
        return False
    operator = toleration.get("operator") or "Equal"
    value = str(toleration.get("value") or "")
    if operator == "Equal":
        return value == taint.value
    if operator == "Exists":
        return True
    if operator in ("Lt", "Gt"):
        try:
            wanted, have = int(value), int(taint.value)
        except ValueError:
            return False
        return have < wanted if operator == "Lt" else have > wanted
    return False


def untolerated_taints(pod: PodInstance, taints: Iterable[Taint]) -> list[Taint]:
    """TaintToleration filter (pkg/scheduler/framework/plugins/tainttoleration): only
    NoSchedule and NoExecute taints keep a pod off a node; PreferNoSchedule only scores."""
    tolerations = pod_tolerations(pod)
    return [
        t
        for t in taints
        if t.effect in ("NoSchedule", "NoExecute") and not any(tolerates(x, t) for x in tolerations)
    ]


def requirement_matches(requirement: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """One node selector requirement (k8s.io/apimachinery labels/selector.go,
    Requirement.Matches; operators from component-helpers nodeaffinity): In needs the label
    with a listed value; NotIn and DoesNotExist also match a node without the label; Gt and
    Lt need the label and compare it as an integer with the single value. An unknown
    operator or a malformed value makes the requirement (so its term) match nothing."""
    key = requirement.get("key", "")
    operator = requirement.get("operator", "")
    values = [str(v) for v in requirement.get("values") or []]
    has = key in labels
    if operator == "In":
        return has and labels[key] in values
    if operator == "NotIn":
        return not has or labels[key] not in values
    if operator == "Exists":
        return has
    if operator == "DoesNotExist":
        return not has
    if operator in ("Gt", "Lt"):
        if not has or len(values) != 1:
            return False
        try:
            have, bound = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > bound if operator == "Gt" else have < bound
    return False


def node_selector_reasons(pod: PodInstance, labels: Mapping[str, str]) -> list[str]:
    """NodeAffinity filter, nodeSelector part (component-helpers nodeaffinity,
    GetRequiredNodeAffinity): every key=value must be a label of the node."""
    reasons = []
    for key, value in sorted((pod.spec.get("nodeSelector") or {}).items()):
        if labels.get(key) != str(value):
            have = f"has {key}={labels[key]}" if key in labels else f"has no {key} label"
            reasons.append(f"node selector {key}={value} does not match (node {have})")
    return reasons


def node_affinity_reasons(pod: PodInstance, labels: Mapping[str, str]) -> list[str]:
    """NodeAffinity filter, required terms (pkg/scheduler/framework/plugins/nodeaffinity;
    component-helpers nodeaffinity LazyErrorNodeSelector.Match): the terms are ORed, the
    requirements of a term ANDed; a term without requirements matches no node."""
    affinity = ((pod.spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if affinity is None:
        return []
    terms = affinity.get("nodeSelectorTerms") or []
    failed = []
    for term in terms:
        expressions = term.get("matchExpressions") or []
        if not expressions and not term.get("matchFields"):
            continue  # an empty term selects nothing
        misses = [r for r in expressions if not requirement_matches(r, labels)]
        if not misses:
            return []
        failed.append(" and ".join(_requirement_text(r, labels) for r in misses))
    if not failed:
        return ["required node affinity has no term that can match"]
    return ["required node affinity not met: " + "; or ".join(failed)]


def _requirement_text(r: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    key = r.get("key", "")
    values = r.get("values") or []
    have = f"node has {key}={labels[key]}" if key in labels else f"node has no {key}"
    shown = f" [{', '.join(str(v) for v in values)}]" if values else ""
    return f"{key} {r.get('operator', '')}{shown} ({have})"


def taint_reasons(pod: PodInstance, taints: Iterable[Taint]) -> list[str]:
    return [f"taint {t.key}={t.value}:{t.effect} not tolerated" for t in untolerated_taints(pod, taints)]


def selection_reasons(pod: PodInstance, group: NodeGroup) -> list[str]:
    """Why the pod may never run on this group's nodes, whatever their load: node selector,
    required node affinity, taints. The DaemonSet controller uses the same three to decide
    which nodes run a DaemonSet's pod (pkg/controller/daemon, predicates)."""
    return (
        node_selector_reasons(pod, group.labels)
        + node_affinity_reasons(pod, group.labels)
        + taint_reasons(pod, group.taints)
    )


def resource_reasons(requests: Mapping[str, int], free: Mapping[str, int]) -> list[str]:
    """NodeResourcesFit filter (pkg/scheduler/framework/plugins/noderesources/fit.go,
    fitsRequest): one more pod must fit the node's pod count; a pod requesting nothing needs
    nothing else; each resource it requests must fit what allocatable leaves after the pods
    already bound. An extended resource the node does not have counts as 0 free."""
    reasons = []
    if free.get("pods", 0) < 1:
        reasons.append("Too many pods")
    for name in sorted(requests):
        want = requests[name]
        if want <= 0 or name == "pods" or name.startswith(UNTRACKED):
            continue
        have = free.get(name, 0)
        if want > have:
            reasons.append(f"Insufficient {name}: asks {quantity(name, want)}, {quantity(name, have)} free")
    return reasons


def fits(pod: PodInstance, group: NodeGroup) -> list[str]:
    """Why one pod cannot run on an empty node of the group (no DaemonSets yet); [] if it can."""
    return selection_reasons(pod, group) + resource_reasons(pod.requests, group.allocatable)


HostPort = tuple[str, str, int]  # (host IP, protocol, port)
ANY_IP = "0.0.0.0"


def host_ports(pod: PodInstance) -> list[HostPort]:
    """The host ports the pod binds. With hostNetwork, API defaulting makes every container
    port a host port (pkg/apis/core/v1/defaults.go, SetDefaults_Pod)."""
    host_network = bool(pod.spec.get("hostNetwork"))
    out = []
    for container in pod.spec.get("containers") or []:
        for port in container.get("ports") or []:
            number = port.get("hostPort") or (port.get("containerPort") if host_network else None)
            if number:
                out.append((port.get("hostIP") or ANY_IP, port.get("protocol") or "TCP", int(number)))
    return out


def port_conflicts(wanted: Sequence[HostPort], used: Iterable[HostPort]) -> list[str]:
    """NodePorts filter (pkg/scheduler/framework/plugins/nodeports; HostPortInfo.CheckConflict):
    a host port is taken when the same protocol and port is bound on the same IP, or either
    side binds 0.0.0.0."""
    taken = list(used)
    reasons = []
    for ip, protocol, port in wanted:
        for other_ip, other_protocol, other_port in taken:
            same_ip = ip == other_ip or ANY_IP in (ip, other_ip)
            if (protocol, port) == (other_protocol, other_port) and same_ip:
                reasons.append(f"host port {port}/{protocol} already in use on the node")
                break
    return reasons


def quantity(name: str, amount: int) -> str:
    """A request or a free amount as people read it: 1930m CPU, 3.2 GiB, 17 pods."""
    if name == "cpu":
        return f"{amount}m"
    if name == "memory":
        if abs(amount) >= GIB:
            return f"{amount / GIB:.1f}".rstrip("0").rstrip(".") + " GiB"
        return f"{round(amount / MIB)} MiB"
    return f"{amount} {name}"


def requests_text(requests: Mapping[str, int]) -> str:
    """'1000m CPU / 4 GiB' (+ other requested resources)."""
    parts = [
        f"{quantity('cpu', requests.get('cpu', 0))} CPU / {quantity('memory', requests.get('memory', 0))}"
    ]
    parts += [
        quantity(n, v) for n, v in sorted(requests.items()) if n not in ("cpu", "memory", "pods") and v > 0
    ]
    return ", ".join(parts)


def free_text(free: Mapping[str, int]) -> str:
    """'1930m / 3.2 GiB' (+ GPUs when the node has them)."""
    text = f"{quantity('cpu', free.get('cpu', 0))} / {quantity('memory', free.get('memory', 0))}"
    gpus = [f"{quantity(n, v)}" for n, v in sorted(free.items()) if "/" in n]
    return ", ".join([text, *gpus])
