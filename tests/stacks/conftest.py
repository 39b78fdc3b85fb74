"""Session fixtures: a small bundle and the riverton-like offline plans (run once)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from aicommons.plan import StackPlan
from tests.stacks import riverton

with warnings.catch_warnings():
    # pulumi-aws warns about its own deprecated V2 classes when the s3 module is first imported.
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws

    pulumi_aws.s3.Bucket, pulumi_aws.ec2.Vpc  # noqa: B018  (its modules load lazily, on first use)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return riverton.write_bundle(tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="session")
def infra(bundle: Path) -> StackPlan:
    return riverton.plan_infra(bundle)


@pytest.fixture(scope="session")
def platform(bundle: Path, infra: StackPlan) -> StackPlan:
    return riverton.plan_platform(bundle, infra)
