"""Managed node groups: one per node group of the sizing plan, and per zone for user and GPU pools.

User homes are zonal EBS volumes. A multi-zone auto-scaling group that has scaled to zero lets
the cluster autoscaler imagine its next node in one zone only (the AWS provider builds the
template node from the group's first zone: kubernetes/autoscaler,
cluster-autoscaler/cloudprovider/aws/aws_manager.go, `getAsgTemplate`), so a returning user
whose volume is elsewhere stays Pending. The renderer therefore gives user and GPU groups one
zone each, and the autoscaler runs with `--balance-similar-node-groups`, as the autoscaler's
AWS notes ask (cluster-autoscaler/cloudprovider/aws/README.md: "use a single AZ ASG for this
use case, or an ASG-per-AZ while enabling --balance-similar-node-groups"). Groups of a zone set carry identical labels and taints, or the autoscaler would not
see them as similar.

Names are prefixes (the provider appends 26 characters): a changed instance type replaces the
group, and with a prefix the new group is created before the old one is deleted instead of
colliding with its name. Node group names are unique per cluster, so their prefix is the
group's own name (EKS allows 63 characters, 37 for a prefix); launch templates are per account
and region, so theirs starts with the cluster's name.

Each group has its own launch template: an encrypted gp3 root volume and IMDSv2 with a hop
limit of 1, so pods cannot borrow the node's IAM role through the metadata endpoint (they use
IRSA). The cluster autoscaler scales the groups, from zero for GPU pools, and learns what a
node of an empty group would look like from the `node-template` tags, which are set on the
group and on its auto-scaling group (where the autoscaler reads them).
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError, NodePoolArgs
from aicommons_stacks.common import TAINT_EFFECTS, child, eks_taint_effect, policy_document

NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
)
POOL_LABEL = "aicommons.dev/pool"
# The label the cluster autoscaler's AWS provider reads to tell GPU nodes apart.
ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator"
CA = "k8s.io/cluster-autoscaler"
# Tag on each EKS node group: the sizing plan's node group it is (the checks map it back).
NODE_GROUP_TAG = "aicommons.dev/node-group"
# EKS allows 63 characters; the provider appends 26 to a prefix (terraform-plugin-sdk
# id.UniqueIDSuffixLength).
MAX_PREFIX = 63 - 26


def pool_labels(pool: NodePoolArgs) -> dict[str, str]:
    """The pool's labels, with the pool name and (GPU pools) the accelerator label ensured."""
    labels = {POOL_LABEL: pool.pool_name, **pool.labels}
    if pool.gpu_model and ACCELERATOR_LABEL not in labels:
        labels[ACCELERATOR_LABEL] = re.sub(r"[^a-z0-9.-]+", "-", pool.gpu_model.lower()).strip("-.")
    return dict(sorted(labels.items()))


def autoscaler_tags(cluster_name: str, pool: NodePoolArgs, where: str) -> dict[str, str]:
    """Auto-discovery tags plus the node template (labels, taints, GPUs) for scaling from zero."""
    tags = {f"{CA}/enabled": "true", f"{CA}/{cluster_name}": "owned"}
    for key, value in pool_labels(pool).items():
        tags[f"{CA}/node-template/label/{key}"] = value
    for i, taint in enumerate(pool.taints):
        effect = TAINT_EFFECTS[eks_taint_effect(taint.effect, f"{where}.taints[{i}].effect")]
        tags[f"{CA}/node-template/taint/{taint.key}"] = f"{taint.value}:{effect}"
    if pool.gpu_count:
        tags[f"{CA}/node-template/resources/nvidia.com/gpu"] = str(pool.gpu_count)
    return tags


def root_device(ami_type: str) -> str:
    """Bottlerocket keeps images and pods on its second volume; the others on the root one."""
    return "/dev/xvdb" if ami_type.startswith("BOTTLEROCKET") else "/dev/xvda"


def check_pool(pool: NodePoolArgs, where: str) -> None:
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", pool.name):
        raise ArgsError(f"{where}.name: {pool.name!r} is not a DNS label")
    if len(pool.name) + 1 > MAX_PREFIX:
        raise ArgsError(
            f"{where}.name: {pool.name!r} is {len(pool.name)} characters; at most {MAX_PREFIX - 1}, so the "
            f"node group's name prefix leaves EKS room for its unique suffix"
        )
    if not 0 <= pool.min_size <= pool.desired_size <= pool.max_size or pool.max_size < 1:
        raise ArgsError(
            f"{where}: need 0 <= min_size <= desired_size <= max_size and max_size >= 1, got "
            f"{pool.min_size}/{pool.desired_size}/{pool.max_size}"
        )
    if pool.disk_gib < 20:
        raise ArgsError(f"{where}.disk_gib: at least 20 GiB, got {pool.disk_gib}")


class NodeRole(pulumi.ComponentResource):
    """The IAM role of the nodes: join the cluster and pull images; nothing for pods."""

    arn: pulumi.Output[str]
    attachments: list[aws.iam.RolePolicyAttachment]

    def __init__(self, name: str, *, cluster_name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aicommons:infra:NodeRole", name, None, opts)
        role = aws.iam.Role(
            f"{name}-role",
            name=f"{cluster_name}-node",
            assume_role_policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            ),
            opts=child(self),
        )
        self.attachments = [
            aws.iam.RolePolicyAttachment(f"{name}-{i}", role=role.name, policy_arn=arn, opts=child(self))
            for i, arn in enumerate(NODE_POLICIES)
        ]
        self.arn = role.arn
        self.register_outputs({"arn": role.arn})


class NodePool(pulumi.ComponentResource):
    """A launch template, a managed node group, and the autoscaler tags on its ASG."""

    node_group_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        pool: NodePoolArgs,
        *,
        cluster_name: pulumi.Input[str],
        cluster: str,
        kubernetes_version: pulumi.Input[str] | None = None,
        node_role_arn: pulumi.Input[str],
        subnet_ids: pulumi.Input[list[str]],
        tags: dict[str, str],
        where: str,
        depends_on: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:NodePool", name, None, opts)
        check_pool(pool, where)
        instance_tags = {**tags, "Name": f"{cluster}-{pool.name}", POOL_LABEL: pool.pool_name}
        template = aws.ec2.LaunchTemplate(
            f"{name}-template",
            name_prefix=f"{cluster}-{pool.name}-",
            description=f"aicommons node pool {pool.pool_name} ({pool.role}, {pool.instance_type})",
            update_default_version=True,
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=root_device(pool.ami_type),
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=pool.disk_gib,
                        volume_type="gp3",
                        # The account's default EBS key: a customer key would need a grant for
                        # the auto-scaling service-linked role before any node could launch.
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=instance_tags)
                for kind in ("instance", "volume", "network-interface")
            ],
            opts=child(self),
        )
        ca_tags = autoscaler_tags(cluster, pool, where)
        group = aws.eks.NodeGroup(
            f"{name}-group",
            cluster_name=cluster_name,
            node_group_name_prefix=f"{pool.name}-",
            node_role_arn=node_role_arn,
            subnet_ids=subnet_ids,
            instance_types=[pool.instance_type],
            ami_type=pool.ami_type,
            # The control plane's version: an upgrade of the cluster rolls each node group to it after
            # the control plane (the group depends on the cluster), never ahead of it.
            version=kubernetes_version,
            capacity_type="ON_DEMAND",
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=pool.min_size, desired_size=pool.desired_size, max_size=pool.max_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            labels=pool_labels(pool),
            taints=[
                aws.eks.NodeGroupTaintArgs(
                    key=t.key, value=t.value, effect=eks_taint_effect(t.effect, f"{where}.taints[{i}].effect")
                )
                for i, t in enumerate(pool.taints)
            ],
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            tags={**ca_tags, POOL_LABEL: pool.pool_name, NODE_GROUP_TAG: pool.group_name},
            # The autoscaler owns the desired size once the group exists.
            opts=child(self, depends_on=depends_on, ignore_changes=["scalingConfig.desiredSize"]),
        )
        asg_name = group.resources.apply(lambda rs: rs[0].autoscaling_groups[0].name)
        for key, value in ca_tags.items():
            if "/node-template/" not in key:
                continue  # EKS puts the auto-discovery tags on the ASG itself
            aws.autoscaling.Tag(
                f"{name}-asg-{key.removeprefix(CA + '/node-template/')}",
                autoscaling_group_name=asg_name,
                tag=aws.autoscaling.TagTagArgs(key=key, value=value, propagate_at_launch=False),
                opts=child(self),
            )
        for i, change in enumerate(pool.scheduled_minimums):
            if not 0 <= change.min_size <= pool.max_size:
                raise ArgsError(
                    f"{where}.scheduled_minimums[{i}].min_size: {change.min_size} is outside 0..{pool.max_size}"
                )
            # A minimum that follows the schedule (sizing/knobs.py): raising the ASG's minimum makes it
            # start nodes up to it; lowering it lets the autoscaler remove idle ones again. Desired and
            # maximum sizes are left alone (-1). An update of the node group resets the ASG's minimum to
            # the node group's own until the next scheduled change.
            aws.autoscaling.Schedule(
                f"{name}-min-{i}",
                autoscaling_group_name=asg_name,
                scheduled_action_name=f"aicommons-min-{i}",
                recurrence=change.recurrence,
                time_zone=pool.time_zone,
                min_size=change.min_size,
                max_size=-1,
                desired_capacity=-1,
                opts=child(self),
            )
        self.node_group_name = group.node_group_name
        self.version = group.version  # the kubelets' minor (never ahead of the control plane)
        self.register_outputs({"nodeGroupName": group.node_group_name})
