"""Pod Security admission at the namespace's enforce level."""

from __future__ import annotations

import copy

from aicommons.clustercheck.admission import check
from aicommons.clustercheck.podsecurity import evaluate
from tests.clustercheck.objects import cluster, container, namespace, pod_spec, workload

RESTRICTED_CSC = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def good_spec() -> dict:
    return pod_spec(container("app", securityContext=copy.deepcopy(RESTRICTED_CSC)))


def test_a_restricted_pod_passes_and_each_missing_field_is_named() -> None:
    assert evaluate("restricted", (1, 34), {}, good_spec()) == []
    spec = pod_spec(container("app"))  # nothing set
    found = " | ".join(evaluate("restricted", (1, 34), {}, spec))
    for check_id in ("allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile", "capabilities"):
        assert check_id in found
    # pod-level runAsNonRoot and seccomp cover the containers
    spec = pod_spec(
        container(
            "app", securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
        ),
        securityContext={"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    )
    assert evaluate("restricted", (1, 34), {}, spec) == []


def test_baseline_allows_what_restricted_refuses_but_not_host_access() -> None:
    spec = pod_spec(container("app", securityContext={"capabilities": {"add": ["CHOWN"]}}))
    assert evaluate("baseline", (1, 34), {}, spec) == []
    assert evaluate("restricted", (1, 34), {}, spec) != []
    host = pod_spec(
        container(
            "agent", ports=[{"containerPort": 9100, "hostPort": 9100}], securityContext={"privileged": True}
        ),
        hostNetwork=True,
        volumes=[{"name": "logs", "hostPath": {"path": "/var/log"}}],
    )
    found = " | ".join(evaluate("baseline", (1, 34), {}, host))
    for what in ("hostNetwork=true", "privileged", 'hostPath volumes "logs"', "hostPort 9100"):
        assert what in found
    assert evaluate("privileged", (1, 34), {}, host) == []


def test_versioned_checks_follow_the_enforce_version() -> None:
    probe = pod_spec(container("app", livenessProbe={"httpGet": {"host": "10.0.0.1", "port": 80}}))
    assert evaluate("baseline", (1, 33), {}, probe) == []  # the host-probe check starts at 1.34
    assert evaluate("baseline", (1, 34), {}, probe) != []
    sysctl = pod_spec(
        container("app"),
        securityContext={"sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "60"}]},
    )
    assert evaluate("baseline", (1, 28), {}, sysctl) != []  # allowed from 1.29
    assert evaluate("baseline", (1, 29), {}, sysctl) == []


def test_the_controller_is_reported_for_the_pods_it_cannot_create() -> None:
    dep = workload("Deployment", "web", pod_spec(container("app")))
    [f] = check(cluster(namespace("team", "restricted"), dep))
    assert (f.rule, f.object) == ("podsecurity.restricted", "Deployment/team/web")
    assert (
        'Pod Security "restricted" (v1.34) of namespace team refuses the pods of Deployment web' in f.message
    )
    # enforce-version pins the policy version; unlabelled namespaces are privileged
    [f] = check(cluster(namespace("team", "restricted", "v1.30"), dep))
    assert "(v1.30)" in f.message
    assert check(cluster(namespace("team"), dep)) == []
    assert check(cluster(namespace("team", "restricted"), workload("Deployment", "ok", good_spec()))) == []
