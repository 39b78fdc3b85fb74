"""Checks before the engine runs: AWS credentials (infra) and a reachable cluster (platform).

On AWS the platform's cluster is the one the infra stack made, reached with its kubeconfig
output (tokens from `aws eks get-token`); elsewhere it is the profile's kubeconfig context.

Both fail with MissingComponentError (exit 3) and say what to do; both are cheap (one STS
call; one GET /version) so a deploy never gets half way before finding out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aicommons.errors import MissingComponentError

TIMEOUT_SECONDS = 10


def aws_identity(region: str | None) -> str:
    """The caller's ARN (sts:GetCallerIdentity), or MissingComponentError without credentials.

    `region` None: the AWS configuration's default region."""
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise MissingComponentError("boto3 is not installed", allowed="pip install boto3") from None
    config = Config(
        connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS, retries={"max_attempts": 2}
    )
    try:
        sts = boto3.client("sts", region_name=region, config=config)
        return str(sts.get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError) as exc:
        raise MissingComponentError(
            f"no usable AWS credentials{f' for {region}' if region else ''}: {exc}",
            allowed="aws configure / aws sso login, or AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY; check with `aws sts get-caller-identity`",
        ) from None


def kubeconfig_file(kubeconfig: Path | str | None) -> str | None:
    """The kubeconfig to read: the one named, else $KUBECONFIG as it is now (the kubernetes
    client reads it once, when first imported), else None for the client's ~/.kube/config."""
    if kubeconfig:
        return str(kubeconfig)
    return os.environ.get("KUBECONFIG") or None


def cluster_version(context: str | None, kubeconfig: Path | None = None) -> str:
    """The cluster's version through a kubeconfig context, or MissingComponentError.

    `context` None: the kubeconfig's current context; `kubeconfig` None: $KUBECONFIG or ~/.kube/config.
    """
    try:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException
    except ImportError:
        raise MissingComponentError(
            "the kubernetes package is not installed", allowed="pip install kubernetes"
        ) from None
    where = f"context {context!r}" if context else f"the kubeconfig {kubeconfig or ''}".rstrip()
    try:
        api = config.new_client_from_config(config_file=kubeconfig_file(kubeconfig), context=context)
    except (ConfigException, OSError, ValueError) as exc:
        raise MissingComponentError(
            f"{where} is not usable: {exc}",
            allowed="a context in ~/.kube/config (or $KUBECONFIG); list them with `kubectl config get-contexts`",
        ) from None
    try:
        info = client.VersionApi(api).get_code(_request_timeout=TIMEOUT_SECONDS)
    except Exception as exc:  # urllib3 and ApiException: any failure means unreachable
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise MissingComponentError(
            f"the cluster behind {where} is not reachable: {first}",
            allowed="a running cluster, network access to its API server and, on EKS, the aws CLI "
            "for tokens (`kubectl version` with the same kubeconfig and context)",
        ) from None
    finally:
        api.close()
    return str(info.git_version)


class Preflight(Protocol):
    def aws_identity(self, region: str | None) -> str: ...

    def cluster_version(self, context: str | None, kubeconfig: Path | None = None) -> str: ...


@dataclass(frozen=True)
class RealPreflight:
    """The checks against the real AWS account and cluster."""

    def aws_identity(self, region: str | None) -> str:
        return aws_identity(region)

    def cluster_version(self, context: str | None, kubeconfig: Path | None = None) -> str:
        return cluster_version(context, kubeconfig)
