"""AWS (EKS): instance catalog, the EKS kubelet model, and AWS unit prices."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from aicommons.catalog.load import cloud_catalog, find_gpu, unit_prices
from aicommons.catalog.model import InstanceType
from aicommons.errors import InputError, Location
from aicommons.profile.model import AwsTarget
from aicommons.sizing.capacity import DaemonsetOverhead, NodeType, kubelet_allocatable
from aicommons.targets.base import (
    INSTANCE_TYPE_LABEL,
    REGION_LABEL,
    ZONE_LABEL,
    CostContext,
    family_filter,
    gpu_operator_installed,
    kubelet_labels,
)
from aicommons.targets.platform import LOAD_BALANCER, PlatformDefaults, gpu_setup_for, resolve_exposure

if TYPE_CHECKING:
    from aicommons.ledger.anchor import AnchorSpec
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import CostLine, NodeGroupPlan, PoolPlan, SizingPlan

HOURS_PER_MONTH = 730
# Karpenter's default vmMemoryOverheadPercent: memory the hypervisor and kernel keep.
VM_MEMORY_OVERHEAD_SHARE = 0.075
# 2i2c measured 170-195m CPU and ~250 MiB of daemonsets per EKS node (aws-node, ebs-csi-node,
# kube-proxy, node exporter); we add the audit log shipper and our own node exporter
# (sizing/system_pods.py: 50m/64Mi and 10m/32Mi; six pods with nfd-worker). GPU nodes add the NVIDIA device plugin and
# DCGM exporter.
EKS_OVERHEAD = DaemonsetOverhead(
    cpu=0.27, memory_gib=0.42, pods=6, gpu_extra_cpu=0.1, gpu_extra_memory_gib=0.5, gpu_extra_pods=2
)
BURSTABLE_FAMILIES = ("t2", "t3", "t3a", "t4g")
# The label the cluster autoscaler's AWS provider reads to tell GPU nodes apart; the infra stack
# sets it from the GPU model (stacks/aicommons_stacks/infra/nodepools.py, pool_labels).
ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator"
# EKS managed node groups label their nodes with the capacity type (ON_DEMAND here).
CAPACITY_TYPE_LABEL = "eks.amazonaws.com/capacityType"
_GOARCH = {"x86_64": "amd64", "arm64": "arm64"}
ROOT_VOLUME_GIB = {"cpu": 50, "gpu": 200}


LEDGER_PREFIX = "ledger"  # key prefix of the ledger's records in the audit bucket


def aws_node_types(region: str, types: list[InstanceType], prices: dict[str, float]) -> list[NodeType]:
    """Node types priced in a region (types without a price there are left out)."""
    out = []
    for it in types:
        price = prices.get(it.instance_type, it.usd_hour.get(region))
        if price is None:
            continue
        gpu = find_gpu(it.gpu_model) if it.gpu_model else None
        out.append(
            NodeType(
                name=it.instance_type,
                family=it.family,
                vcpu=it.vcpu,
                memory_gib=it.memory_gib,
                usd_hour=price,
                allocatable=kubelet_allocatable(
                    it.vcpu, it.memory_gib, it.eni_max_pods, VM_MEMORY_OVERHEAD_SHARE
                ),
                gpu_count=it.gpu_count,
                gpu_model=gpu.name if gpu else it.gpu_model,
                gpu_memory_gib=gpu.usable_memory_gib if gpu else it.gpu_memory_gib_each,
                burstable=it.family in BURSTABLE_FAMILIES,
            )
        )
    return sorted(out, key=lambda t: t.name)


# The infra stack registers the city's identity provider with EKS (an OIDC identity provider
# configuration) under these prefixes, so an IdP group "staff" is the Kubernetes group
# "oidc:staff" and no IdP group can pose as a built-in one such as system:masters.
AWS_CAPABILITIES = frozenset({LOAD_BALANCER})
OIDC_USERNAME_PREFIX = "oidc:"
OIDC_GROUPS_PREFIX = "oidc:"


class AwsTargetModel:
    provider = "aws"
    autoscales = True
    scheduled_minimums = True  # scheduled actions on each managed node group's Auto Scaling group
    node_count_knob = "the instance type's max_nodes"

    def region(self, profile: CityProfile) -> str:
        assert isinstance(profile.target, AwsTarget)
        return profile.target.region

    def overhead(self, profile: CityProfile) -> DaemonsetOverhead:
        return EKS_OVERHEAD

    def node_labels(self, profile: CityProfile, pool: PoolPlan, group: NodeGroupPlan) -> dict[str, str]:
        """The kubelet's labels, the AWS cloud provider's (instance type, region, zone when the
        group has one) and EKS's capacity type; GPU pools also get the accelerator label."""
        assert isinstance(profile.target, AwsTarget)
        arch = next(
            (t.arch for t in cloud_catalog("aws").instance_types if t.instance_type == group.instance_type),
            "x86_64",
        )
        labels = kubelet_labels(_GOARCH.get(arch, arch)) | {
            INSTANCE_TYPE_LABEL: group.instance_type,
            REGION_LABEL: profile.target.region,
            CAPACITY_TYPE_LABEL: "ON_DEMAND",
        }
        if len(pool.zones) == 1:
            labels[ZONE_LABEL] = pool.zones[0]
        if pool.role == "gpu" and pool.gpu_model:
            labels[ACCELERATOR_LABEL] = re.sub(r"[^a-z0-9.-]+", "-", pool.gpu_model.lower()).strip("-.")
        return labels

    def system_features(self, profile: CityProfile, gpu_sharing: Collection[str]) -> frozenset[str]:
        """The autoscaler and the EBS CSI add-on always; the GPU operator only for MIG (the NVIDIA
        AMI has the driver)."""
        setup = gpu_setup_for(
            bool(gpu_sharing),
            any(s.startswith("mig:") for s in gpu_sharing),
            nodes_have_driver=True,
            operator_present=False,
        )
        return frozenset(
            {"autoscaler", "ebs-csi"} | ({"gpu-operator"} if gpu_operator_installed(setup) else set())
        )

    def node_types(self, profile: CityProfile) -> list[NodeType]:
        region = self.region(profile)
        catalog = cloud_catalog("aws")
        overrides = profile.catalog.prices
        known = {t.instance_type for t in catalog.instance_types} | {
            a.instance_type for a in profile.catalog.add
        }
        for name in sorted(overrides):
            if name not in known:
                raise InputError(
                    f"price given for unknown instance type {name!r}",
                    Location(field=f"catalog.prices.{name}"),
                    "a type from 'aicommons catalog list' or one added under catalog.add",
                )
        if region not in catalog.regions and not overrides and not profile.catalog.add:
            raise InputError(
                f"the catalog has no prices for region {region!r}",
                Location(field="target.region"),
                f"{', '.join(catalog.regions)}, or give prices under catalog.prices",
            )
        added = [
            InstanceType(
                instance_type=a.instance_type,
                family=a.instance_type.split(".")[0],
                vcpu=a.vcpu,
                memory_gib=a.memory_gib,
                gpu_count=a.gpu_count,
                gpu_model=a.gpu_model,
                gpu_memory_gib_each=a.gpu_memory_gib_each,
                eni_max_pods=a.eni_max_pods,
                usd_hour={region: a.usd_hour},
            )
            for a in profile.catalog.add
        ]
        return aws_node_types(region, list(catalog.instance_types) + added, overrides)

    def catalog(self, region: str | None) -> list[NodeType]:
        catalog = cloud_catalog("aws")
        region = region or catalog.regions[0]
        if region not in catalog.regions:
            raise InputError(
                f"the catalog has no prices for region {region!r}",
                Location(field="--region"),
                ", ".join(catalog.regions),
            )
        return aws_node_types(region, list(catalog.instance_types), {})

    def core_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]:
        pilot = profile.effective_tier == "pilot"
        return [t for t in types if not t.has_gpu and (pilot or not t.burstable)]

    def user_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]:
        return family_filter(profile, [t for t in types if not t.burstable])

    def other_costs(self, ctx: CostContext) -> list[CostLine]:
        from aicommons.sizing.plan import CostLine

        profile = ctx.profile
        region = self.region(profile)
        prices = unit_prices("aws")
        assert isinstance(profile.target, AwsTarget)

        def usd(item: str) -> float:
            return prices.usd(item, region)

        zones = 0 if profile.target.existing_vpc else len(profile.target.availability_zones)
        storage = profile.storage
        home_gib = profile.users.registered * storage.home_gib_per_user
        retention_months = profile.governance.audit_retention_days / 30
        root_gib_months = sum(
            p.node_hours_month / HOURS_PER_MONTH * ROOT_VOLUME_GIB["gpu" if p.role == "gpu" else "cpu"]
            for p in ctx.pools
        )
        lines = [
            CostLine(
                item="eks_control_plane",
                usd_month=usd("eks_control_plane") * HOURS_PER_MONTH,
                detail="EKS cluster, around the clock",
            ),
            CostLine(
                item="nat_gateways",
                usd_month=usd("nat_gateway_hour") * HOURS_PER_MONTH * zones
                + usd("nat_gateway_gb") * storage.egress_gib_month,
                detail=f"{zones} NAT gateway(s) and {storage.egress_gib_month:g} GiB processed",
            ),
            CostLine(
                item="node_root_volumes",
                usd_month=usd("ebs_gp3_gb_month") * root_gib_months,
                detail="encrypted gp3 root volumes while nodes run",
            ),
            CostLine(
                item="home_storage",
                usd_month=usd("ebs_gp3_gb_month") * home_gib,
                detail=f"{profile.users.registered} homes x {storage.home_gib_per_user:g} GiB gp3",
            ),
            *(
                [
                    CostLine(
                        item="monitoring_storage",
                        usd_month=usd("ebs_gp3_gb_month") * profile.monitoring.storage_gib,
                        detail=f"Prometheus volume, {profile.monitoring.storage_gib} GiB gp3 "
                        f"({profile.monitoring.retention_days} days of samples)",
                    )
                ]
                if profile.monitoring.enabled
                else []
            ),
            CostLine(
                item="shared_datasets",
                usd_month=usd("efs_standard_gb_month") * storage.shared_datasets_gib,
                detail=f"{storage.shared_datasets_gib:g} GiB EFS",
            ),
            CostLine(
                item="object_store",
                usd_month=usd("s3_standard_gb_month") * storage.object_store_gib,
                detail=f"{storage.object_store_gib:g} GiB S3",
            ),
            CostLine(
                item="log_ingestion",
                usd_month=usd("cloudwatch_logs_ingest_gb") * storage.log_gib_month,
                detail=f"{storage.log_gib_month:g} GiB/month into CloudWatch Logs",
            ),
            CostLine(
                item="audit_archive",
                usd_month=usd("s3_standard_gb_month") * storage.log_gib_month * retention_months,
                detail=f"audit logs kept {profile.governance.audit_retention_days} days in S3 (steady state)",
            ),
        ]
        if profile.backup.enabled:
            # Upper bound: the first recovery point of each home is a full copy of its provisioned size;
            # later ones hold changed blocks only (not modelled).
            lines.append(
                CostLine(
                    item="backups",
                    usd_month=usd("ebs_snapshot_gb_month") * home_gib,
                    detail=f"AWS Backup recovery points of {home_gib:g} GiB of homes (EBS snapshot rate; "
                    "the audit bucket is not backed up: Object Lock protects it)",
                )
            )
        return lines

    def ledger_anchor(self, profile: CityProfile) -> AnchorSpec | None:
        """The Object-Locked audit bucket the infra stack creates, under the `ledger/` prefix.

        Its name is the stack's `bucket_name(cluster, "audit", account)`
        (stacks/aicommons_stacks/infra/storage.py): `{account_id}` is filled from the caller's
        account when the bucket is read or written.
        """
        from aicommons.ledger.anchor import ACCOUNT_PLACEHOLDER, AnchorSpec
        from aicommons.render.infra_aws import cluster_name

        suffix_length = len("-audit-") + 12  # AWS account ids have 12 digits
        name = cluster_name(profile).lower()[: 63 - suffix_length].rstrip("-.")
        return AnchorSpec(
            "s3",
            f"{name}-audit-{ACCOUNT_PLACEHOLDER}",
            prefix=LEDGER_PREFIX,
            region=self.region(profile),
            source="the AWS audit bucket (Object Lock), from the profile",
        )

    def platform_defaults(self, profile: CityProfile, plan: SizingPlan) -> PlatformDefaults:
        from aicommons.render.backup import storage_class_tags

        has_gpu = any(p.role == "gpu" for p in plan.pools)
        has_mig = any(p.gpu_sharing.startswith("mig:") for p in plan.pools)
        return PlatformDefaults(
            kube_context=None,
            has_infra_stack=True,
            storage_classes=[
                {
                    "name": "gp3-encrypted",
                    "provisioner": "ebs.csi.aws.com",
                    # tagSpecification_1: the backup plans select the volumes by this tag
                    "parameters": {
                        "type": "gp3",
                        "encrypted": "true",
                        "fsType": "ext4",
                        **storage_class_tags(profile),
                    },
                    "reclaim_policy": "Retain",
                    "default": True,
                }
            ],
            home_storage_class="gp3-encrypted",
            autoscaler=True,
            gpu_setup=gpu_setup_for(has_gpu, has_mig, nodes_have_driver=True, operator_present=False),
            calico=False,  # the VPC CNI enforces NetworkPolicy (enabled by the infra stack)
            # EKS's cloud controller gives LoadBalancer Services an AWS load balancer; no ingress
            # controller is installed. The control plane's audit log goes to CloudWatch, not to nodes.
            capabilities=AWS_CAPABILITIES,
            hub_exposure=resolve_exposure(profile.hub.exposure if profile.hub else None, AWS_CAPABILITIES),
            kubernetes_audit_path=None,
            kubernetes_groups_prefix=OIDC_GROUPS_PREFIX,
            # The bucket's real name is an infra-stack output, set at deploy; the file holds its prefix.
            audit_sink={
                "type": "s3",
                "s3": {
                    "bucket": f"aicommons-{profile.city.slug}-audit",
                    "region": self.region(profile),
                    "prefix": "aicommons-audit",
                },
            },
            audit_sink_outputs={"audit.sink.s3.bucket": "auditBucket"},
            log_shipper_role_output="logShipperRoleArn",
        )
