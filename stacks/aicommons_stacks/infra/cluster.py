"""The EKS cluster: secrets envelope-encrypted, control-plane logs kept, OIDC issuer for IRSA.

The control-plane log group is created before the cluster, so EKS writes into a group with
our retention and key instead of creating one that keeps logs forever unencrypted. Access is
managed through EKS access entries (`API` mode); the identity that runs `pulumi up` becomes
cluster admin, as it must to install the platform stack, and the profile's `target.access`
names the others (CI, a second operator), each with an EKS access policy over the cluster.
"""

from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError, InfraArgs
from aicommons_stacks.common import child, policy_document
from aicommons_stacks.infra.logs import log_group

CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# Access level -> EKS access policy, granted cluster-wide
# (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
ACCESS_POLICIES = {
    "admin": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    "edit": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
    "view": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
}


def access_policy(access: str, where: str) -> str:
    if access not in ACCESS_POLICIES:
        raise ArgsError(f"{where}.access: unknown {access!r}; allowed: {sorted(ACCESS_POLICIES)}")
    return ACCESS_POLICIES[access]


def control_plane_log_group_name(cluster_name: str) -> str:
    """The group EKS writes control-plane logs to (fixed by EKS)."""
    return f"/aws/eks/{cluster_name}/cluster"


def kubeconfig(name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig (JSON is YAML) that gets tokens from `aws eks get-token`."""
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
            "interactiveMode": "Never",
        }
    }
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }
    return json.dumps(config, sort_keys=True)


class Cluster(pulumi.ComponentResource):
    """EKS control plane, its IAM role and log group, and the OIDC provider for IRSA."""

    name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: InfraArgs,
        *,
        subnet_ids: pulumi.Input[list[str]],
        key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:Cluster", name, None, opts)
        unknown = sorted(set(args.control_plane_log_types) - set(CONTROL_PLANE_LOG_TYPES))
        if unknown:
            raise ArgsError(
                f"control_plane_log_types: unknown {unknown}; allowed: {list(CONTROL_PLANE_LOG_TYPES)}"
            )
        role = aws.iam.Role(
            f"{name}-role",
            name=f"{args.cluster_name}-cluster",
            assume_role_policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "eks.amazonaws.com"},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                    }
                ]
            ),
            opts=child(self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-role-policy",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            opts=child(self),
        )
        logs = log_group(
            f"{name}-logs",
            name=control_plane_log_group_name(args.cluster_name),
            days=args.log_retention_days,
            where="log_retention_days",
            key_arn=key_arn,
            parent=self,
        )
        cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=True,  # `pulumi up` of the platform stack runs from outside
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=True,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key_arn),
                resources=["secrets"],
            ),
            enabled_cluster_log_types=list(args.control_plane_log_types),
            deletion_protection=True,
            opts=child(self, protect=True, depends_on=[attachment, logs]),
        )
        if args.oidc is not None:
            # People sign in to the cluster with the city's identity provider; RoleBindings name its
            # groups with the prefix (the sandboxes' oversight Role is bound that way).
            aws.eks.IdentityProviderConfig(
                f"{name}-city-idp",
                cluster_name=cluster.name,
                oidc=aws.eks.IdentityProviderConfigOidcArgs(
                    identity_provider_config_name="city-idp",
                    issuer_url=args.oidc.issuer_url,
                    client_id=args.oidc.client_id,
                    username_claim=args.oidc.username_claim,
                    username_prefix=args.oidc.username_prefix,
                    groups_claim=args.oidc.groups_claim,
                    groups_prefix=args.oidc.groups_prefix,
                ),
                tags=args.tags,
                opts=child(self),
            )
        for i, grant in enumerate(args.access):
            # An access entry (authentication mode API) and its policy, cluster-wide.
            policy_arn = access_policy(grant.access, f"access[{i}]")
            # Named after the principal, so reordering the list replaces nothing.
            key = hashlib.sha256(grant.principal_arn.encode()).hexdigest()[:10]
            entry = aws.eks.AccessEntry(
                f"{name}-access-{key}",
                cluster_name=cluster.name,
                principal_arn=grant.principal_arn,
                type="STANDARD",
                tags=args.tags,
                opts=child(self),
            )
            aws.eks.AccessPolicyAssociation(
                f"{name}-access-{key}-policy",
                cluster_name=cluster.name,
                principal_arn=entry.principal_arn,
                policy_arn=policy_arn,
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=child(self),
            )
        issuer = cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=issuer,
            client_id_lists=["sts.amazonaws.com"],
            opts=child(self),
        )
        self.name = cluster.name
        self.endpoint = cluster.endpoint
        self.version = cluster.version  # what EKS runs (deploy refuses a jump of more than one minor)
        self.oidc_provider_arn = oidc.arn
        self.oidc_issuer = issuer
        self.log_group_name = logs.name
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority.data).apply(
                lambda values: kubeconfig(values[0], values[1], values[2], args.region)
            )
        )
        self.register_outputs(
            {
                "name": self.name,
                "endpoint": self.endpoint,
                "oidcProviderArn": self.oidc_provider_arn,
                "logGroup": self.log_group_name,
            }
        )
