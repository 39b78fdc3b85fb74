"""Defects 8, 9 and 13 (platform part): GPU sharing file, policy-only Calico, audit input and roll."""

from __future__ import annotations

import re

import pytest
import yaml

from aicommons.render.bundle import render_bundle
from aicommons.render.platform_releases import (
    AUDIT_CONFIG_ANNOTATION,
    DEVICE_PLUGIN_CONFIG_MAP,
    audit_config_digest,
    calico,
)
from aicommons.resources import data_dir
from aicommons.sizing.plan import size
from tests.existing.support import cluster_profile, render_chart, upstream_chart


def bundle_of(profile):  # type: ignore[no-untyped-def]
    return render_bundle(profile, size(profile))


def values(bundle, release: str):  # type: ignore[no-untyped-def]
    return yaml.safe_load(bundle.files[f"helm/{release}.values.yaml"])


# --- Defect 8: helm/gpu-sharing.yaml -----------------------------------------------------------


def test_every_bundle_file_the_readme_tells_to_apply_exists() -> None:
    bundle = bundle_of(cluster_profile({"gpu_operator_present": True, "gpu_operator_namespace": "nvidia"}))
    readme = bundle.files["README.md"].decode()
    applied = re.findall(r"apply -f (\S+)", readme)
    assert applied == ["helm/gpu-sharing.yaml"]
    for path in applied:
        assert path in bundle.files


def test_gpu_sharing_file_holds_the_time_slicing_config_in_the_operator_namespace() -> None:
    bundle = bundle_of(cluster_profile({"gpu_operator_present": True, "gpu_operator_namespace": "nvidia"}))
    (cm,) = list(yaml.safe_load_all(bundle.files["helm/gpu-sharing.yaml"]))
    assert (cm["kind"], cm["metadata"]["name"], cm["metadata"]["namespace"]) == (
        "ConfigMap",
        DEVICE_PLUGIN_CONFIG_MAP,
        "nvidia",
    )
    # the GPU workload shares each GPU four ways: a config of that name with 4 replicas
    sliced = yaml.safe_load(cm["data"]["time-sliced-4"])
    assert sliced["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 4}]
    readme = bundle.files["README.md"].decode()
    assert f'"name":"{DEVICE_PLUGIN_CONFIG_MAP}"' in readme  # the ClusterPolicy patch names it
    # the GPU nodes select that config by label (in the node commands)
    assert "nvidia.com/device-plugin.config=time-sliced-4" in readme
    assert "gpu-operator" not in {r.name for r in bundle.releases}  # the city's operator, not a second


def test_no_gpu_sharing_file_when_the_bundle_installs_the_operator() -> None:
    bundle = bundle_of(cluster_profile())
    assert "helm/gpu-sharing.yaml" not in bundle.files
    assert "gpu-sharing.yaml" not in bundle.files["README.md"].decode()
    assert values(bundle, "gpu-operator")["devicePlugin"]["config"]["name"] == DEVICE_PLUGIN_CONFIG_MAP


# --- Defect 9: Calico in policy-only mode ------------------------------------------------------


def test_network_policy_not_enforced_needs_the_cni_calico_runs_over() -> None:
    from aicommons.errors import InputError

    with pytest.raises(InputError, match="needs cni"):
        cluster_profile({"network_policy_enforced": False})
    with pytest.raises(InputError, match="cni"):
        cluster_profile({"network_policy_enforced": False, "cni": "Flannel"})


def test_policy_only_calico_values_name_the_cluster_cni() -> None:
    bundle = bundle_of(cluster_profile({"network_policy_enforced": False, "cni": "AmazonVPC"}))
    assert values(bundle, "tigera-operator")["installation"] == {
        "enabled": True,
        "kubernetesProvider": "EKS",
        "cni": {"type": "AmazonVPC"},
        "calicoNetwork": {"bgp": "Disabled"},
    }
    assert "tigera-operator" in next(r for r in bundle.releases if r.name == "jupyterhub").depends_on


@pytest.mark.parametrize(("cni", "provider"), [("AmazonVPC", "EKS"), ("AzureVNET", "AKS"), ("GKE", "GKE")])
def test_the_real_tigera_chart_renders_a_policy_only_installation(cni: str, provider: str) -> None:
    chart = upstream_chart("tigera-operator", "v3.30.3")
    objects = render_chart(chart, calico(cni).values, "tigera-operator", "tigera-operator")
    (installation,) = [o for o in objects if o["kind"] == "Installation"]
    assert installation["spec"]["cni"] == {"type": cni}  # not Calico: no second CNI on the nodes
    assert installation["spec"]["kubernetesProvider"] == provider
    assert installation["spec"]["calicoNetwork"] == {"bgp": "Disabled"}


def test_policy_only_cnis_are_those_the_installation_crd_allows() -> None:
    import tarfile

    from aicommons.profile.cluster import POLICY_ONLY_CNIS

    chart = upstream_chart("tigera-operator", "v3.30.3")
    with tarfile.open(chart) as tar:
        member = tar.extractfile("tigera-operator/crds/operator.tigera.io_installations_crd.yaml")
        assert member is not None
        crd = yaml.safe_load(member.read())
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    allowed = set(spec["cni"]["properties"]["type"]["enum"])
    assert allowed == {"Calico", *POLICY_ONLY_CNIS}  # every non-Calico type is a policy-only one


# --- Defect 13: the Kubernetes-audit input and fluent-bit's roll -------------------------------


def platform_chart_objects(bundle):  # type: ignore[no-untyped-def]
    return render_chart(
        data_dir("charts") / "aicommons-platform",
        values(bundle, "aicommons-platform"),
        "aicommons-platform",
        "aicommons-system",
    )


def audit_config(bundle) -> str:  # type: ignore[no-untyped-def]
    (cm,) = [
        o
        for o in platform_chart_objects(bundle)
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("audit-fluent-bit")
    ]
    return cm["data"]["fluent-bit.conf"]


def test_no_kubernetes_audit_input_where_nodes_have_no_audit_log(riverton_bundle) -> None:  # type: ignore[no-untyped-def]
    # EKS writes the API server's audit log to CloudWatch, never to a node file
    conf = audit_config(riverton_bundle)
    assert "kubernetes_audit" not in conf and "jupyterhub_events" in conf


def test_kubernetes_audit_input_tails_the_path_the_profile_gives() -> None:
    path = "/var/log/kube-apiserver/audit*.log"
    conf = audit_config(bundle_of(cluster_profile({"apiserver_audit_log": path})))
    assert "Alias             kubernetes_audit" in conf
    assert f"Path              {path}" in conf
    assert "kubernetes_audit" not in audit_config(bundle_of(cluster_profile()))


def test_a_changed_audit_config_changes_the_log_shipper_pod_annotation() -> None:
    before = bundle_of(cluster_profile())
    after = bundle_of(cluster_profile({"apiserver_audit_log": "/var/log/audit/*.log"}))
    assert audit_config(before) != audit_config(after)
    annotation = [values(b, "fluent-bit")["podAnnotations"][AUDIT_CONFIG_ANNOTATION] for b in (before, after)]
    assert annotation[0].startswith("sha256:") and annotation[0] != annotation[1]
    # and the same config gives the same digest (no roll without a change)
    assert (
        values(bundle_of(cluster_profile()), "fluent-bit")["podAnnotations"][AUDIT_CONFIG_ANNOTATION]
        == annotation[0]
    )


def test_the_digest_follows_the_chart_template_too() -> None:
    platform_values = {"audit": {"enabled": True}, "city": "x", "jupyterhub": {"namespace": "jupyterhub"}}
    assert audit_config_digest(platform_values, b"template v1") != audit_config_digest(
        platform_values, b"template v2"
    )
    unrelated = {**platform_values, "tenants": [{"name": "other"}]}
    assert audit_config_digest(platform_values, b"t") == audit_config_digest(unrelated, b"t")


def test_the_real_fluent_bit_chart_puts_the_digest_on_its_pods(riverton_bundle) -> None:  # type: ignore[no-untyped-def]
    chart = upstream_chart("fluent-bit", "0.56.0")
    shipper = values(riverton_bundle, "fluent-bit")
    objects = render_chart(chart, shipper, "fluent-bit", "aicommons-system")
    (ds,) = [o for o in objects if o["kind"] == "DaemonSet"]
    annotations = ds["spec"]["template"]["metadata"]["annotations"]
    assert annotations[AUDIT_CONFIG_ANNOTATION] == shipper["podAnnotations"][AUDIT_CONFIG_ANNOTATION]


@pytest.fixture(scope="module")
def riverton_bundle():  # type: ignore[no-untyped-def]
    from aicommons.profile import load_profile
    from tests.conftest import ROOT

    return bundle_of(load_profile(ROOT / "examples" / "cities" / "riverton.yaml"))


def test_the_cluster_policy_patch_turns_mig_on_only_for_mig_pools() -> None:
    from aicommons.render.platform_releases import cluster_policy_patch

    plan = size(cluster_profile({"gpu_operator_present": True}))
    assert cluster_policy_patch(plan) == {
        "spec": {"devicePlugin": {"config": {"name": DEVICE_PLUGIN_CONFIG_MAP, "default": "default"}}}
    }
    gpu = next(p for p in plan.pools if p.role == "gpu")
    mig = plan.model_copy(update={"pools": [gpu.model_copy(update={"gpu_sharing": "mig:1g.10gb"})]})
    spec = cluster_policy_patch(mig)["spec"]
    assert spec["mig"] == {"strategy": "single"} and spec["migManager"] == {"enabled": True}
