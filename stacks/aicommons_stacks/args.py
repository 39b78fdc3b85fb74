"""Typed arguments of the stacks, parsed from the stack configuration.

This is the contract between `aicommons render` (which writes `Pulumi.<stack>.yaml`) and the
programs here. The programs do not import aicommons: a rendered bundle runs with plain
`pulumi up` and can be forked. Config keys (namespace `aicommons`):

- `aicommons:infra`    -> InfraArgs (infra stack, aws target)
- `aicommons:platform` -> PlatformArgs (platform stack, every target)
- `aicommons:oidcClientSecret` (secret, set with `pulumi config set --secret`) -> the hub's OIDC secret
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")


class ArgsError(ValueError):
    """The stack configuration does not match the arguments the program expects."""


def parse(cls: type[T], data: Any, path: str = "") -> T:
    """Build a (nested) dataclass from plain config data; unknown or missing keys are errors."""
    if not isinstance(data, dict):
        raise ArgsError(f"{path or cls.__name__}: expected a mapping, got {type(data).__name__}")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - known)
    if unknown:
        raise ArgsError(f"{path or cls.__name__}: unknown keys {unknown}; allowed: {sorted(known)}")
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        where = f"{path}.{f.name}" if path else f.name
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise ArgsError(f"{where}: missing")
            continue
        values[f.name] = _convert(hints[f.name], data[f.name], where)
    return cls(**values)


def _convert(tp: Any, value: Any, where: str) -> Any:
    if tp is Any:
        return value
    origin = get_origin(tp)
    if origin is list:
        (inner,) = get_args(tp)
        if not isinstance(value, list):
            raise ArgsError(f"{where}: expected a list")
        return [_convert(inner, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, inner = get_args(tp)
        if not isinstance(value, dict):
            raise ArgsError(f"{where}: expected a mapping")
        return {str(k): _convert(inner, v, f"{where}.{k}") for k, v in value.items()}
    args = get_args(tp)
    if args and type(None) in args:  # Optional[X]
        if value is None:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, where)
    if isinstance(tp, type) and hasattr(tp, "__dataclass_fields__"):
        return parse(tp, value, where)
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ArgsError(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str  # NO_SCHEDULE | NO_EXECUTE | PREFER_NO_SCHEDULE (EKS spelling)


@dataclass(frozen=True)
class ScheduledMinimum:
    """The group's minimum becomes min_size at each time of the cron recurrence (sizing/knobs.py)."""

    recurrence: str  # Unix cron, e.g. "0 7 * * 1,2,3,4,5"
    min_size: int


@dataclass(frozen=True)
class NodePoolArgs:
    """One managed node group, from one pool of the sizing plan (a mixed pool gives several)."""

    # The EKS node group's name prefix: the sizing plan's node group ("core", "gpu-t4",
    # <pool>-<type> in a mixed pool), with "-<zone letter>" when the group is one of a zone set.
    name: str
    role: str  # core | user | gpu
    instance_type: str
    min_size: int
    desired_size: int
    max_size: int
    disk_gib: int
    labels: dict[str, str]  # includes aicommons.dev/pool=<name>
    taints: list[Taint] = field(default_factory=list)
    gpu_model: str | None = None
    ami_type: str = "AL2023_x86_64_STANDARD"  # GPU pools: AL2023_x86_64_NVIDIA
    gpu_count: int = 0  # GPUs per node (added by the stacks: the autoscaler's node-template tag)
    pool: str = ""  # the pool it belongs to (its aicommons.dev/pool label); empty: the name
    # The zones its nodes start in; empty: every zone of the cluster's private subnets. User and
    # GPU groups get one zone each, so the autoscaler can add a node where a home volume lives.
    zones: list[str] = field(default_factory=list)
    group: str = ""  # the sizing plan's node group it is (one per zone); empty: the name
    # A minimum that follows the schedule: scheduled actions on the group's Auto Scaling group.
    scheduled_minimums: list[ScheduledMinimum] = field(default_factory=list)
    time_zone: str = "Etc/UTC"  # the IANA zone the recurrences are in

    @property
    def pool_name(self) -> str:
        return self.pool or self.name

    @property
    def group_name(self) -> str:
        return self.group or self.name


@dataclass(frozen=True)
class BucketArgs:
    """An S3 bucket: KMS-encrypted, private, TLS-only, versioned."""

    purpose: str  # datasets | projects | audit
    classification: str  # e.g. internal, confidential
    personal_data: bool
    object_lock_days: int | None = None  # compliance-mode retention (the audit bucket)
    protect: bool = True


@dataclass(frozen=True)
class OidcArgs:
    """The city's identity provider, registered with EKS so people sign in to the cluster with it."""

    issuer_url: str
    client_id: str
    username_claim: str
    groups_claim: str
    username_prefix: str  # e.g. "oidc:": an IdP user or group can never pose as a built-in one
    groups_prefix: str


@dataclass(frozen=True)
class AccessArgs:
    """An IAM role or user given cluster-wide access through an EKS access entry."""

    principal_arn: str
    access: str  # admin | edit | view


@dataclass(frozen=True)
class BackupPlanArgs:
    """One AWS Backup plan: the recovery points of one kind of store, kept `retention_days`.

    Its selection takes the resources matching `resources` (ARN patterns) whose tags equal `tags`
    and differ from `not_tags` (AWS Backup conditions on aws:ResourceTag/<key>).
    """

    store: str  # homes | shared_datasets | project_volumes
    retention_days: int
    resources: list[str]
    tags: dict[str, str]
    not_tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BackupArgs:
    """AWS Backup for the city's volumes: one vault (the city's KMS key) and a plan per store."""

    schedule: str  # AWS Backup form: cron(min hour dom month dow year), UTC
    plans: list[BackupPlanArgs]
    immutable: bool = False  # vault lock, compliance mode after CHANGEABLE_FOR_DAYS


@dataclass(frozen=True)
class InfraArgs:
    city: str
    region: str
    zones: list[str]
    cluster_name: str
    kubernetes_version: str
    vpc_cidr: str
    existing_vpc_id: str | None
    private_subnet_ids: list[str]
    control_plane_log_types: list[str]  # api, audit, authenticator
    log_retention_days: int  # CloudWatch log group for control-plane logs
    audit_retention_days: int  # Object Lock on the audit bucket
    node_pools: list[NodePoolArgs]
    buckets: list[BucketArgs]
    budget_usd_month: float
    budget_alert_emails: list[str]
    budget_alert_thresholds: list[float]  # percent of the budget, e.g. [80, 100]
    tags: dict[str, str]  # cost-allocation tags on everything
    data_residency_regions: list[str] = field(default_factory=list)
    oidc: OidcArgs | None = None  # None: people reach the cluster through EKS access entries only
    access: list[AccessArgs] = field(default_factory=list)  # besides the deployer, who is admin
    # EKS add-on -> version (vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver), pinned for the
    # cluster's minor version by the renderer; an add-on left out runs EKS's default version.
    addon_versions: dict[str, str] = field(default_factory=dict)
    # Added by the stacks: IRSA role -> "namespace:serviceaccount", overriding the defaults
    # (ebs-csi, cluster-autoscaler, log-shipper, vpc-cni; see infra/iam.py).
    service_accounts: dict[str, str] = field(default_factory=dict)
    # None: no AWS Backup (AIC-DATA-05 fails); the hub database's own backups go to the `backups` bucket.
    backup: BackupArgs | None = None


@dataclass(frozen=True)
class NamespaceArgs:
    name: str
    labels: dict[str, str]  # pod-security.kubernetes.io/*, aicommons.dev/*
    default_deny: bool = True  # a default-deny NetworkPolicy (allow rules come from the charts)


@dataclass(frozen=True)
class StorageClassArgs:
    name: str
    provisioner: str
    parameters: dict[str, str]
    reclaim_policy: str = "Retain"
    default: bool = False


@dataclass(frozen=True)
class ReleaseArgs:
    """A Helm release pinned to a chart version; values come from a file in the bundle."""

    name: str
    namespace: str
    chart: str
    version: str
    repository: str | None  # None: a local chart directory given in `chart`
    values_file: str  # relative to the bundle root, e.g. helm/jupyterhub.values.yaml
    depends_on: list[str] = field(default_factory=list)  # names of releases installed first
    secret_values: dict[str, str] = field(default_factory=dict)  # values path -> config secret key
    # values path -> output of the infra stack (e.g. an IRSA role ARN known only after deploy)
    stack_output_values: dict[str, str] = field(default_factory=dict)
    # manifests created (and ready) first, as Kind/namespace/name, e.g. Cluster/jupyterhub/hub-db
    # for a hub that reads the database credentials CloudNativePG makes from that Cluster
    after_manifests: list[str] = field(default_factory=list)
    # The chart's archive in the bundle (helm/vendor/<chart>-<version>.tgz, `render --vendor-charts`):
    # installed instead of asking the repository, after its sha256 is checked against archive_sha256.
    archive: str | None = None
    archive_sha256: str | None = None
    # False: install without waiting for readiness (Pulumi's skip_await; Helm's wait off)
    wait: bool = True


@dataclass(frozen=True)
class ManifestArgs:
    """An extra Kubernetes object (e.g. the hub database's CloudNativePG Cluster).

    It is created after the releases named in `after` (e.g. the operator whose chart installs
    its CRD) and before every release that names it in `after_manifests`.
    """

    object: dict[str, Any]  # apiVersion, kind, metadata (name, namespace, labels) and spec
    after: list[str] = field(default_factory=list)  # release names
    # object path (values-path spelling) -> text with {output} placeholders filled from the infra
    # stack's outputs, e.g. {"spec.backup.barmanObjectStore.destinationPath": "s3://{backupsBucket}/hub-db"}
    stack_output_values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeTaint:
    key: str
    value: str
    effect: str  # Kubernetes spelling: NoSchedule | NoExecute | PreferNoSchedule


@dataclass(frozen=True)
class NodeArgs:
    """A node of a cluster the city runs, given its pool's labels and taints by the platform stack."""

    name: str
    labels: dict[str, str]
    taints: list[NodeTaint] = field(default_factory=list)


@dataclass(frozen=True)
class PullSecretArgs:
    """An image pull secret the stack creates: the password is the config secret `password_key`
    (set by `aicommons deploy` from the environment), never a value in the bundle."""

    name: str
    namespace: str
    server: str
    username: str
    password_key: str


@dataclass(frozen=True)
class PlatformArgs:
    city: str
    provider: str  # aws | kubernetes | onprem
    kube_context: str | None  # existing clusters; None on aws (kubeconfig from the infra stack)
    infra_stack: str | None  # aws: stack reference, e.g. "organization/aicommons-riverton/infra"
    namespaces: list[NamespaceArgs]
    storage_classes: list[StorageClassArgs]
    releases: list[ReleaseArgs]
    tags: dict[str, str] = field(default_factory=dict)
    # Extra objects (e.g. the hub database's CloudNativePG Cluster), in the creation order
    # their `after` and the releases' `after_manifests` give (see order.py).
    manifests: list[ManifestArgs] = field(default_factory=list)
    # Existing clusters: nodes the stack labels and taints as their pools (before any release).
    nodes: list[NodeArgs] = field(default_factory=list)
    # Private registries: image pull secrets created before the releases that name them.
    pull_secrets: list[PullSecretArgs] = field(default_factory=list)
