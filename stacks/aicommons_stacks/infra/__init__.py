"""The `infra` stack (AWS): everything the platform stack needs from the cloud.

Order: key -> network -> cluster (+ OIDC, access entries) -> buckets -> audit trail and log
group -> IRSA roles -> VPC CNI, kube-proxy -> node pools -> CoreDNS, EBS CSI -> budget. Every resource goes through one explicit
AWS provider whose `default_tags` put the city's cost-allocation tags on everything taggable.
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError, InfraArgs
from aicommons_stacks.infra.addons import (
    COREDNS,
    EBS_CSI,
    KUBE_PROXY,
    VPC_CNI,
    VPC_CNI_CONFIGURATION,
    cluster_addon,
    ebs_csi_configuration,
)
from aicommons_stacks.infra.audit import LOG_SHIPPER_PREFIX, AuditTrail, trail_delivery
from aicommons_stacks.infra.backup import Backups, database_backup_policy
from aicommons_stacks.infra.budget import CostBudget
from aicommons_stacks.infra.cluster import Cluster
from aicommons_stacks.infra.encryption import EncryptionKey
from aicommons_stacks.infra.iam import (
    AuditSink,
    ServiceAccountRole,
    autoscaler_policy,
    log_shipper_policy,
    service_accounts,
)
from aicommons_stacks.infra.network import Network
from aicommons_stacks.infra.nodepools import NodePool, NodeRole
from aicommons_stacks.infra.storage import DataBucket

__all__ = ["infra_program"]

AUDIT = "audit"
# The names the renderer refers to in `stack_output_values`.
ROLE_OUTPUTS = {
    "vpc-cni": "vpcCniRoleArn",
    "ebs-csi": "ebsCsiRoleArn",
    "cluster-autoscaler": "autoscalerRoleArn",
    "log-shipper": "logShipperRoleArn",
    "hub-db-backup": "hubDbBackupRoleArn",
}
BACKUPS = "backups"


def _camel(text: str) -> str:
    head, *rest = re.split(r"[^a-zA-Z0-9]+", text)
    return head.lower() + "".join(part.capitalize() for part in rest)


def _check(args: InfraArgs) -> None:
    purposes = [b.purpose for b in args.buckets]
    if purposes.count(AUDIT) != 1:
        raise ArgsError(f"buckets: exactly one bucket with purpose 'audit' is needed, got {purposes}")
    if len(set(purposes)) != len(purposes):
        raise ArgsError(f"buckets: purposes must be unique, got {purposes}")
    pools = [p.name for p in args.node_pools]
    if not pools or len(set(pools)) != len(pools):
        raise ArgsError(f"node_pools: at least one pool, names unique, got {pools}")
    if args.audit_retention_days < 1:
        raise ArgsError(f"audit_retention_days: at least 1, got {args.audit_retention_days}")


def infra_program(args: InfraArgs) -> None:
    """Declare the infra stack's resources and export its outputs."""
    _check(args)
    cluster_name = args.cluster_name
    provider = aws.Provider(
        "aws",
        region=args.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(sorted(args.tags.items()))),
    )

    def opts() -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(providers={"aws": provider})  # children inherit it

    account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=provider)).account_id

    key = EncryptionKey(
        "kms",
        cluster_name=cluster_name,
        region=args.region,
        account_id=account_id,
        trail_name=trail_delivery(cluster_name).trail_name,
        opts=opts(),
    )
    network = Network("network", args, opts=opts())
    cluster = Cluster("cluster", args, subnet_ids=network.private_subnet_ids, key_arn=key.arn, opts=opts())

    buckets: dict[str, DataBucket] = {}
    for bucket in args.buckets:
        audit = bucket.purpose == AUDIT
        lock_days = bucket.object_lock_days or (args.audit_retention_days if audit else None)
        buckets[bucket.purpose] = DataBucket(
            f"bucket-{bucket.purpose}",
            bucket,
            cluster_name=cluster_name,
            region=args.region,
            account_id=account_id,
            key_arn=key.arn,
            lock_days=lock_days,
            trail=trail_delivery(cluster_name) if audit else None,
            opts=opts(),
        )
    audit_bucket = buckets[AUDIT]
    audit = AuditTrail(
        "audit",
        cluster_name=cluster_name,
        bucket_name=audit_bucket.name,
        bucket_policy=audit_bucket.policy,
        key_arn=key.arn,
        retention_days=args.audit_retention_days,
        opts=opts(),
    )

    accounts = service_accounts(args.service_accounts)

    def irsa(role: str, **policies) -> ServiceAccountRole:
        return ServiceAccountRole(
            f"irsa-{role}",
            role_name=f"{cluster_name}-{role}",
            service_account=accounts[role],
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer=cluster.oidc_issuer,
            opts=opts(),
            **policies,
        )

    roles = {
        "vpc-cni": irsa("vpc-cni", managed_policy_arns=["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]),
        "ebs-csi": irsa(
            "ebs-csi", managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]
        ),
        "cluster-autoscaler": irsa(
            "cluster-autoscaler", inline_policy=autoscaler_policy(cluster_name, args.region, account_id)
        ),
        "log-shipper": irsa(
            "log-shipper",
            inline_policy=log_shipper_policy(
                AuditSink(
                    log_group_arn=audit.log_group_arn,
                    bucket_arn=audit_bucket.arn,
                    prefix=LOG_SHIPPER_PREFIX,
                    key_arn=key.arn,
                ),
                args.region,
            ),
        ),
    }

    if BACKUPS in buckets:  # the hub database's barman-cloud writes there (CloudNativePG)
        roles["hub-db-backup"] = irsa(
            "hub-db-backup", inline_policy=database_backup_policy(buckets[BACKUPS].arn, key.arn)
        )
    if args.backup is not None:
        backups = Backups("backup", args.backup, cluster_name=cluster_name, key_arn=key.arn, opts=opts())
        pulumi.export("backupVault", backups.vault_name)

    # Nodes need a working CNI and kube-proxy to become ready; the CNI's permissions live on its
    # IRSA role.
    versions = dict(args.addon_versions)
    vpc_cni = cluster_addon(
        "addon-vpc-cni",
        addon_name=VPC_CNI,
        cluster_name=cluster.name,
        versions=versions,
        role_arn=roles["vpc-cni"].arn,
        configuration=VPC_CNI_CONFIGURATION,
        parent=cluster,
    )
    kube_proxy = cluster_addon(
        "addon-kube-proxy",
        addon_name=KUBE_PROXY,
        cluster_name=cluster.name,
        versions=versions,
        parent=cluster,
    )
    node_role = NodeRole("nodes", cluster_name=cluster_name, opts=opts())
    pools = [
        NodePool(
            f"pool-{pool.name}",
            pool,
            cluster_name=cluster.name,
            cluster=cluster_name,
            kubernetes_version=cluster.version,
            node_role_arn=node_role.arn,
            subnet_ids=network.subnets_in(pool.zones, f"node_pools[{i}]"),
            tags=args.tags,
            where=f"node_pools[{i}]",
            depends_on=[vpc_cni, kube_proxy, *node_role.attachments],
            opts=opts(),
        )
        for i, pool in enumerate(args.node_pools)
    ]
    # CoreDNS and the EBS CSI controller are Deployments: they need nodes before they turn active.
    cluster_addon(
        "addon-coredns",
        addon_name=COREDNS,
        cluster_name=cluster.name,
        versions=versions,
        parent=cluster,
        depends_on=pools,
    )
    cluster_addon(
        "addon-ebs-csi",
        addon_name=EBS_CSI,
        cluster_name=cluster.name,
        versions=versions,
        role_arn=roles["ebs-csi"].arn,
        configuration=ebs_csi_configuration(args.region),
        parent=cluster,
        depends_on=pools,
    )
    CostBudget("budget", args, opts=opts())

    pulumi.export("region", args.region)
    pulumi.export("clusterName", cluster.name)
    pulumi.export("clusterEndpoint", cluster.endpoint)
    pulumi.export("kubeconfig", cluster.kubeconfig)
    pulumi.export("oidcProviderArn", cluster.oidc_provider_arn)
    pulumi.export("kmsKeyArn", key.arn)
    pulumi.export("vpcId", network.vpc_id)
    pulumi.export("privateSubnetIds", network.private_subnet_ids)
    pulumi.export("controlPlaneLogGroup", cluster.log_group_name)
    pulumi.export("auditLogGroup", audit.log_group_name)
    pulumi.export("auditBucket", audit_bucket.name)
    pulumi.export("auditPrefix", LOG_SHIPPER_PREFIX)
    pulumi.export("auditTrailArn", audit.trail_arn)
    for purpose, bucket in buckets.items():
        pulumi.export(f"{_camel(purpose)}Bucket", bucket.name)
    for role, component in roles.items():
        pulumi.export(ROLE_OUTPUTS[role], component.arn)
    pulumi.export(
        "nodeGroups", {p.name: pool.node_group_name for p, pool in zip(args.node_pools, pools, strict=True)}
    )
    # The versions EKS runs: `aicommons deploy` reads them before an update (version skew guard).
    pulumi.export("kubernetesVersion", cluster.version)
    pulumi.export(
        "nodeGroupVersions", {p.name: pool.version for p, pool in zip(args.node_pools, pools, strict=True)}
    )
