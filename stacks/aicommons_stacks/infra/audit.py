"""The audit pipeline's AWS side: a multi-region CloudTrail into the locked audit bucket, and
the log group the in-cluster log shipper appends JupyterHub's events to."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from aicommons_stacks.common import child
from aicommons_stacks.infra.logs import log_group
from aicommons_stacks.infra.storage import TrailDelivery

CLOUDTRAIL_PREFIX = "cloudtrail"
# Where the log shipper writes in the audit bucket (the platform chart's `audit.sink.s3.prefix`).
LOG_SHIPPER_PREFIX = "aicommons-audit"


def trail_delivery(cluster_name: str) -> TrailDelivery:
    """The trail's name and bucket prefix, known before the bucket policy is written."""
    return TrailDelivery(trail_name=f"{cluster_name}-trail", prefix=CLOUDTRAIL_PREFIX)


def audit_log_group_name(cluster_name: str) -> str:
    return f"/aicommons/{cluster_name}/audit"


class AuditTrail(pulumi.ComponentResource):
    """CloudTrail (all regions, log-file validation, KMS) and the audit log group."""

    log_group_name: pulumi.Output[str]
    log_group_arn: pulumi.Output[str]
    trail_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        cluster_name: str,
        bucket_name: pulumi.Input[str],
        bucket_policy: pulumi.Resource,
        key_arn: pulumi.Input[str],
        retention_days: int,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:AuditTrail", name, None, opts)
        delivery = trail_delivery(cluster_name)
        trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=delivery.trail_name,
            s3_bucket_name=bucket_name,
            s3_key_prefix=delivery.prefix,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key_arn,
            opts=child(self, depends_on=[bucket_policy]),
        )
        events = log_group(
            f"{name}-events",
            name=audit_log_group_name(cluster_name),
            days=retention_days,
            where="audit_retention_days",
            key_arn=key_arn,
            parent=self,
        )
        self.trail_arn = trail.arn
        self.log_group_name = events.name
        self.log_group_arn = events.arn
        self.register_outputs({"trailArn": trail.arn, "logGroup": events.name})
