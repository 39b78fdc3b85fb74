"""EKS add-ons the stack manages: the VPC CNI (with NetworkPolicy enforcement) and EBS CSI."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws


def cluster_addon(
    name: str,
    *,
    addon_name: str,
    cluster_name: pulumi.Input[str],
    role_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    configuration: dict[str, str] | None = None,
    depends_on: list[pulumi.Resource] | None = None,
) -> aws.eks.Addon:
    """An add-on at EKS's default version for the cluster, running under its IRSA role."""
    return aws.eks.Addon(
        name,
        cluster_name=cluster_name,
        addon_name=addon_name,
        service_account_role_arn=role_arn,
        configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="PRESERVE",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on or []),
    )


# The VPC CNI's network policy agent enforces NetworkPolicies (AIC-NET-04) without Calico.
VPC_CNI_CONFIGURATION = {"enableNetworkPolicy": "true"}
