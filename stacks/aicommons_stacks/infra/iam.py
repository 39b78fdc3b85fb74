"""IAM roles for service accounts (IRSA), each trusted by exactly one Kubernetes service account.

Least privilege: the EBS CSI driver gets AWS's managed policy for it; the cluster autoscaler
may change only node groups tagged as this cluster's; the log shipper may only append to the
audit log group and write under the audit prefix of the audit bucket; the VPC CNI gets AWS's
CNI policy here instead of on every node.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError
from aicommons_stacks.common import child, policy_document

# role -> "namespace:serviceaccount", overridable through InfraArgs.service_accounts.
DEFAULT_SERVICE_ACCOUNTS = {
    "ebs-csi": "kube-system:ebs-csi-controller-sa",
    "cluster-autoscaler": "kube-system:cluster-autoscaler",
    "log-shipper": "aicommons-system:audit-log-shipper",
    "vpc-cni": "kube-system:aws-node",
    # CloudNativePG runs a Cluster's instances as a service account named after it
    "hub-db-backup": "jupyterhub:hub-db",
}


def service_accounts(overrides: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The (namespace, name) of each role's service account, overrides applied and checked."""
    unknown = sorted(set(overrides) - set(DEFAULT_SERVICE_ACCOUNTS))
    if unknown:
        raise ArgsError(
            f"service_accounts: unknown roles {unknown}; allowed: {sorted(DEFAULT_SERVICE_ACCOUNTS)}"
        )
    out = {}
    for role, ref in {**DEFAULT_SERVICE_ACCOUNTS, **overrides}.items():
        namespace, _, account = ref.partition(":")
        if not namespace or not account or ":" in account:
            raise ArgsError(f"service_accounts.{role}: expected 'namespace:serviceaccount', got {ref!r}")
        out[role] = (namespace, account)
    return out


@dataclass(frozen=True)
class AuditSink:
    """Where the log shipper may write: the audit log group and a prefix of the audit bucket."""

    log_group_arn: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    prefix: str
    key_arn: pulumi.Input[str]


class ServiceAccountRole(pulumi.ComponentResource):
    """An IAM role only one service account of this cluster can assume, with its permissions."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        role_name: str,
        service_account: tuple[str, str],
        oidc_provider_arn: pulumi.Input[str],
        oidc_issuer: pulumi.Input[str],
        managed_policy_arns: list[str] | None = None,
        inline_policy: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:ServiceAccountRole", name, None, opts)
        namespace, account = service_account
        host = pulumi.Output.from_input(oidc_issuer).apply(lambda url: url.removeprefix("https://"))
        trust = policy_document(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": host.apply(
                            lambda h: {
                                f"{h}:sub": f"system:serviceaccount:{namespace}:{account}",
                                f"{h}:aud": "sts.amazonaws.com",
                            }
                        )
                    },
                }
            ]
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=role_name,
            description=f"IRSA for {namespace}/{account}",
            assume_role_policy=trust,
            opts=child(self),
        )
        for index, policy_arn in enumerate(managed_policy_arns or []):
            aws.iam.RolePolicyAttachment(
                f"{name}-managed-{index}", role=role.name, policy_arn=policy_arn, opts=child(self)
            )
        if inline_policy is not None:
            aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=inline_policy, opts=child(self))
        self.arn = role.arn
        self.register_outputs({"arn": role.arn})


def autoscaler_policy(cluster_name: str, region: str, account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """Scale only this cluster's node groups (EKS tags their auto-scaling groups as owned)."""
    return policy_document(
        [
            {
                "Sid": "ScaleOwnedGroups",
                "Effect": "Allow",
                "Action": [
                    "autoscaling:SetDesiredCapacity",
                    "autoscaling:TerminateInstanceInAutoScalingGroup",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
                },
            },
            {
                "Sid": "Describe",
                "Effect": "Allow",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                "Resource": "*",
            },
            {
                "Sid": "DescribeOwnNodegroups",
                "Effect": "Allow",
                "Action": ["eks:DescribeNodegroup"],
                "Resource": pulumi.Output.concat(
                    "arn:aws:eks:", region, ":", account_id, ":nodegroup/", cluster_name, "/*/*"
                ),
            },
        ]
    )


def log_shipper_policy(sink: AuditSink, region: str) -> pulumi.Output[str]:
    """Append to the audit log group, put objects under the audit prefix, nothing else."""
    log_group = pulumi.Output.from_input(sink.log_group_arn)
    return policy_document(
        [
            {
                "Sid": "AppendAuditLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [log_group, pulumi.Output.concat(log_group, ":log-stream:*")],
            },
            {
                "Sid": "WriteAuditObjects",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": pulumi.Output.concat(sink.bucket_arn, "/", sink.prefix, "/*"),
            },
            {
                "Sid": "EncryptAuditObjects",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
                "Resource": sink.key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
        ]
    )
