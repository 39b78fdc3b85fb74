"""What a deploy needs (from the profile and plan), what the machine has (a snapshot the shell
takes), and the verdict on each prerequisite."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from aicommons.doctor.quotas import QuotaNeed

Status = Literal["ok", "missing", "skipped"]


@dataclass(frozen=True)
class Needs:
    """The prerequisites of deploying one city (pure: derived from its profile and sizing plan)."""

    city: str | None = None  # None: no profile given (the tools only)
    provider: str | None = None  # aws, kubernetes, onprem
    region: str | None = None  # AWS region
    passphrase: bool = True  # stack secrets encrypted with a passphrase (the default)
    client_secret_env: str | None = None  # the OIDC client secret's variable
    kube_context: str | None = None  # the cluster's kubeconfig context (None: the current one)
    needs_cluster: bool = False  # an existing cluster (kubernetes, onprem): it must answer now
    hub_host: str | None = None
    quotas: tuple[QuotaNeed, ...] = ()
    unknown_instance_types: tuple[str, ...] = ()  # no quota group or vCPU count known
    pulumi_min_version: str = "3.1.0"


@dataclass(frozen=True)
class Probe:
    """One observation: a value when it worked, else the reason it did not."""

    value: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Snapshot:
    """What the shell found on this machine and account (never a secret's value: only whether set)."""

    pulumi_path: str | None = None
    pulumi_version: Probe = field(default_factory=lambda: Probe(error="not probed"))
    env_set: frozenset[str] = frozenset()  # names of the variables that are set and non-empty
    aws_identity: Probe | None = None  # sts:GetCallerIdentity's ARN (None: not probed)
    cluster: Probe | None = None  # the cluster's version through the context (None: not probed)
    dns: Probe | None = None  # the hub host's addresses, comma-separated (None: not probed)
    quotas: dict[str, Probe] = field(default_factory=dict)  # quota code -> vCPUs allowed


@dataclass(frozen=True)
class Check:
    """One prerequisite's verdict, with what to do when it is missing."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    # False for what the deploy itself creates the conditions for (the hub's DNS record can only
    # point at the load balancer the first deploy makes): doctor reports it, deploy goes on
    blocks_deploy: bool = True
