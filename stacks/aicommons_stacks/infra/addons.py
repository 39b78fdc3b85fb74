"""EKS managed add-ons: the VPC CNI (with NetworkPolicy enforcement), kube-proxy, CoreDNS and the
EBS CSI driver, each at the version the renderer pinned for the cluster's minor version.

EKS installs self-managed CoreDNS, kube-proxy and VPC CNI with every new cluster; those never
upgrade with the cluster. Declaring them as managed add-ons adopts them (`OVERWRITE` on
create, as AWS's "Create an Amazon EKS add-on" page asks when self-managed copies exist), and
a version bump in the bundle upgrades them. On update the add-on is made to match the bundle
again (`OVERWRITE`): settings belong in the bundle's configuration, and a hand edit of the
add-on's objects would otherwise block the upgrade or survive it silently
(https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateAddon.html, resolveConflicts).
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

VPC_CNI = "vpc-cni"
KUBE_PROXY = "kube-proxy"
COREDNS = "coredns"
EBS_CSI = "aws-ebs-csi-driver"


def cluster_addon(
    name: str,
    *,
    addon_name: str,
    cluster_name: pulumi.Input[str],
    versions: dict[str, str],
    parent: pulumi.Resource,
    role_arn: pulumi.Input[str] | None = None,
    configuration: dict[str, Any] | None = None,
    depends_on: list[pulumi.Resource] | None = None,
) -> aws.eks.Addon:
    """An add-on at its pinned version (EKS's default when none is pinned)."""
    return aws.eks.Addon(
        name,
        cluster_name=cluster_name,
        addon_name=addon_name,
        addon_version=versions.get(addon_name),
        service_account_role_arn=role_arn,
        configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on or []),
    )


# The VPC CNI's network policy agent enforces NetworkPolicies (AIC-NET-04) without Calico.
VPC_CNI_CONFIGURATION = {"enableNetworkPolicy": "true"}


def ebs_csi_configuration(region: str) -> dict[str, Any]:
    """The EBS CSI driver's settings under an IMDS hop limit of 1 (pods cannot reach IMDS).

    kubernetes-sigs/aws-ebs-csi-driver, docs/install.md ("Metadata") and cmd/main.go: the
    controller needs instance metadata only for the region, and skips it when `AWS_REGION` is
    set (chart value `controller.region`). The node DaemonSet always needs metadata; without
    IMDS it falls back to the Kubernetes API, which "will assume one ENI and one EBS volume"
    (pkg/driver/node.go `getVolumesLimit` then subtracts no ENIs), so on Nitro instances,
    where ENIs and volumes share one attachment limit, it would advertise more volume slots
    than the node has and user homes would fail to attach. On the host network
    (`node.hostNetwork`) the node pod reaches IMDS within one hop, as the driver's docs allow.
    """
    return {"controller": {"region": region}, "node": {"hostNetwork": True}}
