"""The shell: look at this machine and account once, for everything a deploy needs.

Every probe is bounded (timeouts) and turns its failure into a `Probe` with the reason, so one
missing prerequisite never hides the next. The AWS identity and the cluster are asked through
the deploy's own preflight (aicommons.deploy.preflight), the same calls the deploy makes.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aicommons.deploy.settings import PASSPHRASE_VARS
from aicommons.doctor.model import Needs, Probe, Snapshot
from aicommons.errors import AicommonsError

if TYPE_CHECKING:
    from aicommons.deploy.preflight import Preflight

TIMEOUT_SECONDS = 10


def pulumi_version(path: str) -> Probe:
    """`pulumi version` of the CLI at `path`."""
    try:
        done = subprocess.run(
            [path, "version"], capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return Probe(error=f"{exc.__class__.__name__}: {exc}")
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()
        return Probe(error=last[-1] if last else f"exit {done.returncode}")
    return Probe(value=done.stdout.strip())


def resolve(host: str) -> Probe:
    """The host's addresses through the system resolver."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(TIMEOUT_SECONDS)
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        return Probe(error=str(exc) or exc.__class__.__name__)
    finally:
        socket.setdefaulttimeout(previous)
    return Probe(value=", ".join(sorted({str(i[4][0]) for i in infos})))


def quota_client(region: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS, retries={"max_attempts": 2}
    )
    return boto3.client("service-quotas", region_name=region, config=config)


def ec2_quota(client: Any, code: str) -> Probe:
    """The account's applied value of an EC2 quota, else AWS's default (a quota never raised has
    no applied value: GetServiceQuota answers NoSuchResourceException)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        try:
            quota = client.get_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchResourceException":
                raise
            quota = client.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]
        return Probe(value=str(quota["Value"]))
    except (BotoCoreError, ClientError, KeyError) as exc:
        return Probe(error=str(exc) or exc.__class__.__name__)


@dataclass
class Edges:
    """The outside world, replaceable in tests."""

    preflight: Preflight
    environ: Mapping[str, str]
    which: Callable[[str], str | None] = shutil.which
    version_of: Callable[[str], Probe] = pulumi_version
    resolve: Callable[[str], Probe] = resolve
    quota_client: Callable[[str | None], Any] = quota_client


def take_snapshot(needs: Needs, edges: Edges) -> Snapshot:
    """Probe what `needs` asks for, each independently."""
    path = edges.which("pulumi")
    interesting = {*PASSPHRASE_VARS, *([needs.client_secret_env] if needs.client_secret_env else [])}
    aws = (
        _guard(lambda: Probe(value=edges.preflight.aws_identity(needs.region)))
        if needs.provider == "aws"
        else None
    )
    quotas: dict[str, Probe] = {}
    if needs.quotas and aws is not None and aws.ok:
        try:
            client = edges.quota_client(needs.region)
        except Exception as exc:  # boto3 missing or misconfigured: every quota unread, with the reason
            quotas = {q.code: Probe(error=str(exc)) for q in needs.quotas}
        else:
            quotas = {q.code: ec2_quota(client, q.code) for q in needs.quotas}
    return Snapshot(
        pulumi_path=path,
        pulumi_version=edges.version_of(path) if path else Probe(error="not on PATH"),
        env_set=frozenset(v for v in interesting if edges.environ.get(v)),
        aws_identity=aws,
        cluster=_guard(lambda: Probe(value=edges.preflight.cluster_version(needs.kube_context, None)))
        if needs.needs_cluster
        else None,
        dns=edges.resolve(needs.hub_host) if needs.hub_host else None,
        quotas=quotas,
    )


def _guard(probe: Callable[[], Probe]) -> Probe:
    """The preflight raises MissingComponentError with the reason (and the fix, which diagnose gives)."""
    try:
        return probe()
    except AicommonsError as exc:
        return Probe(error=exc.message)
