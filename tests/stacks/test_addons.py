"""EKS add-ons: managed, pinned for the cluster's minor (defect 11),
and the EBS CSI driver set up for an IMDS hop limit of 1 (defect 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicommons.plan import StackPlan
from aicommons.render.infra_aws import KUBERNETES_VERSION
from aicommons.targets.eks_addons import ADDON_VERSIONS, addon_versions
from tests.stacks import riverton

ADDON = "aws:eks/addon:Addon"
PINNED = {
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
    "coredns": "v1.12.4-eksbuild.1",
    "kube-proxy": "v1.34.1-eksbuild.2",
    "vpc-cni": "v1.20.4-eksbuild.1",
}


@pytest.fixture(scope="module")
def pinned(bundle: Path) -> StackPlan:
    config = riverton.infra_config()
    config["aicommons:infra"] |= {"kubernetes_version": "1.34", "addon_versions": dict(PINNED)}
    return riverton.plan_infra(bundle, config)


def addons(plan: StackPlan) -> dict[str, dict]:
    return {r.inputs["addonName"]: r for r in plan.resources if r.type == ADDON}


def test_the_renderer_pins_every_addon_for_the_clusters_minor():
    assert KUBERNETES_VERSION in ADDON_VERSIONS
    assert addon_versions(KUBERNETES_VERSION) == PINNED
    # kube-proxy's minor must equal the cluster's (AWS: "kube-proxy versions").
    assert PINNED["kube-proxy"].startswith(f"v{KUBERNETES_VERSION}.")
    with pytest.raises(ValueError, match=r"no pinned EKS add-on versions for Kubernetes 1\.99"):
        addon_versions("1.99")


def test_coredns_and_kube_proxy_are_managed_at_their_pinned_versions(pinned: StackPlan) -> None:
    found = addons(pinned)
    assert {name: r.inputs["addonVersion"] for name, r in found.items()} == PINNED
    for r in found.values():
        # adopt EKS's self-managed copies, and converge to the bundle on every update
        assert r.inputs["resolveConflictsOnCreate"] == r.inputs["resolveConflictsOnUpdate"] == "OVERWRITE"


def test_ebs_csi_driver_needs_no_imds_from_pods(pinned: StackPlan) -> None:
    config = json.loads(addons(pinned)["aws-ebs-csi-driver"].inputs["configurationValues"])
    # The controller takes the region from AWS_REGION; the node pod reads IMDS on the host network,
    # so the launch templates keep a hop limit of 1.
    assert config == {"controller": {"region": "us-east-1"}, "node": {"hostNetwork": True}}
    for t in (r for r in pinned.resources if r.type == "aws:ec2/launchTemplate:LaunchTemplate"):
        assert t.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
