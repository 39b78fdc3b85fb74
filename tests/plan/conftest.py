"""Load pulumi-aws's lazy modules once, quietly (as tests/stacks does), for the in-process plans."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    # pulumi-aws warns about its own deprecated V2 classes when the s3 module is first imported.
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws

    pulumi_aws.s3.Bucket, pulumi_aws.ec2.Vpc  # noqa: B018  (its modules load lazily, on first use)
