"""CloudWatch log groups: KMS-encrypted, with a retention CloudWatch accepts, protected."""

from __future__ import annotations

import bisect

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError

# The only retention periods CloudWatch Logs accepts (days).
# fmt: off
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on


def retention_days(days: int, where: str) -> int:
    """The shortest accepted retention that keeps logs at least `days` (never shorter)."""
    if days < 1 or days > RETENTION_DAYS[-1]:
        raise ArgsError(f"{where}: {days} days is outside 1..{RETENTION_DAYS[-1]}")
    return RETENTION_DAYS[bisect.bisect_left(RETENTION_DAYS, days)]


def log_group(
    resource_name: str,
    *,
    name: str,
    days: int,
    where: str,
    key_arn: pulumi.Input[str],
    parent: pulumi.Resource,
) -> aws.cloudwatch.LogGroup:
    """A log group that outlives `pulumi destroy` only by an explicit unprotect."""
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=name,
        retention_in_days=retention_days(days, where),
        kms_key_id=key_arn,
        opts=pulumi.ResourceOptions(parent=parent, protect=True),
    )
