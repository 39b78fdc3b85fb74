"""ResourceQuota admission: the evaluators' counting rules, worked out by hand."""

from __future__ import annotations

from aicommons.clustercheck.admission import check
from aicommons.clustercheck.quota import claim_usage, service_usage
from aicommons.clustercheck.quota_check import check_quotas
from tests.clustercheck.objects import (
    GIB,
    cluster,
    container,
    group,
    limit_range,
    pod_spec,
    quota,
    service,
    workload,
)


def test_a_load_balancer_is_charged_one_node_port_per_port() -> None:
    usage = service_usage(service("proxy-public", "LoadBalancer", ports=2))
    assert (usage["services"], usage["services.loadbalancers"], usage["services.nodeports"]) == (1, 1, 2)
    assert service_usage(service("np", "NodePort", ports=3))["services.nodeports"] == 3
    assert service_usage(service("c", "ClusterIP", ports=3))["services.nodeports"] == 0
    # allocateLoadBalancerNodePorts: false charges only ports that name a nodePort
    svc = service("lb", "LoadBalancer", ports=2, allocateLoadBalancerNodePorts=False)
    svc["spec"]["ports"][0]["nodePort"] = 30080
    assert service_usage(svc)["services.nodeports"] == 1


def test_defect_1_proxy_public_refused_when_no_node_port_is_allowed() -> None:
    # hard: 1 load balancer, 0 node ports; proxy-public asks 1 and 2 -> 0 + 2 > 0
    c = cluster(
        quota({"services.loadbalancers": 1, "services.nodeports": 0}),
        service("proxy-public", "LoadBalancer", 2),
    )
    [f] = check_quotas(c)
    assert (f.control, f.object, f.rule) == (
        "AIC-OPS-01",
        "Service/team/proxy-public",
        "quota.services.nodeports",
    )
    assert "used 0 + asked 2 > hard 0" in f.message
    ok = cluster(
        quota({"services.loadbalancers": 1, "services.nodeports": 2}),
        service("proxy-public", "LoadBalancer", 2),
    )
    assert check_quotas(ok) == []


def test_the_first_pod_over_the_cpu_quota_is_refused_with_the_numbers() -> None:
    # 3 replicas of 1.5 CPU under a 4 CPU quota: 1.5 + 1.5 = 3 admitted, the third asks 3 + 1.5 > 4
    spec = pod_spec(container("c", {"cpu": "1500m", "memory": "1Gi"}))
    c = cluster(
        quota({"requests.cpu": "4", "requests.memory": "10Gi", "pods": 10}),
        workload("Deployment", "web", spec, replicas=3),
    )
    [f] = check_quotas(c)
    assert f.rule == "quota.requests.cpu"
    assert "pod 3 of 3" in f.message
    assert "used 3 CPU + asked 1500m CPU > hard 4 CPU" in f.message


def test_a_cpu_quota_needs_every_container_to_set_cpu() -> None:
    # pods.go Constraints: the init container sets no cpu request and no LimitRange fills it in
    spec = pod_spec(
        container("app", {"cpu": "1", "memory": "1Gi"}), init=(container("setup", {"memory": "1Gi"}),)
    )
    c = cluster(quota({"requests.cpu": "10"}), workload("Deployment", "web", spec))
    [f] = check_quotas(c)
    assert f.rule == "quota.must-specify.requests.cpu"
    assert "setup" in f.message
    # a LimitRange default request satisfies it
    defaulted = cluster(limit_range(defaultRequest={"cpu": "100m"}), *(o.doc for o in c.objects))
    assert check_quotas(defaulted) == []


def test_objects_created_before_the_quota_count_but_are_not_refused() -> None:
    # two 1-CPU pods in step 1, the 1-CPU quota in step 2, a third pod in step 3:
    # the first two are used (2 CPU), the third is refused (2 + 1 > 1)
    spec = pod_spec(container("c", {"cpu": "1"}))
    c = cluster(
        workload("Deployment", "early", spec, replicas=2),
        quota({"requests.cpu": "1"}),
        workload("Deployment", "late", spec),
        steps=[1, 2, 3],
    )
    [f] = check_quotas(c)
    assert f.object == "Deployment/team/late"
    assert "used 2 CPU + asked 1 CPU > hard 1 CPU" in f.message


def test_daemonset_pods_are_charged_per_node_at_the_groups_minimum() -> None:
    # 2 + 3 untainted nodes at minimum -> 5 pods; pods quota 4 -> the fifth is refused
    spec = pod_spec(container("agent", {"cpu": "10m"}))
    c = cluster(
        quota({"pods": 4}), workload("DaemonSet", "agent", spec), groups=(group("a", 2), group("b", 3))
    )
    [f] = check_quotas(c)
    assert "pod 5 of 5 (one per node" in f.message


def test_claims_count_storage_and_gpus_are_requests() -> None:
    claim = {"spec": {"storageClassName": "gp3", "resources": {"requests": {"storage": "10Gi"}}}}
    assert claim_usage(claim)["requests.storage"] == 10 * GIB
    assert claim_usage(claim)["gp3.storageclass.storage.k8s.io/requests.storage"] == 10 * GIB
    # a StatefulSet of 2 with a 60Gi claim each under 100Gi: the second claim is refused (60 + 60 > 100)
    sts = workload("StatefulSet", "db", pod_spec(container("c")), replicas=2)
    sts["spec"]["volumeClaimTemplates"] = [
        {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "60Gi"}}}}
    ]
    [f] = check_quotas(cluster(quota({"requests.storage": "100Gi"}), sts))
    assert f.rule == "quota.requests.storage" and "claim data of pod 2 of 2" in f.message
    # GPUs: a limit alone is the request (API defaulting); 1 + 1 > 1
    gpu = pod_spec(container("c", limits={"nvidia.com/gpu": 1}))
    [f] = check_quotas(
        cluster(quota({"requests.nvidia.com/gpu": 1}), workload("Deployment", "g", gpu, replicas=2))
    )
    assert f.rule == "quota.requests.nvidia.com/gpu"


def test_check_reports_quota_findings_with_their_cause() -> None:
    from dataclasses import replace

    c = cluster(quota({"services.nodeports": 0}, name="q"), service("lb", "LoadBalancer", 1))
    c = replace(c, causes={"ResourceQuota/team/q": "plan: tenant quota"})
    [f] = check(c)
    assert f.cause == "plan: tenant quota"
