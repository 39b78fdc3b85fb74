"""The city's sizing profile: the one typed model that sizing, rendering and checks read.

Field descriptions here become the JSON schema (``aicommons schema profile``) and the
reference in ``docs/profile.md``.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from aicommons.profile.backup import Backup
from aicommons.profile.cluster import POLICY_ONLY_CNIS, ClusterServices, Exposure, PolicyOnlyCni
from aicommons.profile.monitoring import Monitoring
from aicommons.profile.overrides import EXTRA_VALUES_DESCRIPTION, ExtraValues
from aicommons.profile.registries import AdminUser, PrivateRegistry, unique_registries
from aicommons.profile.service import ServiceLevel, Sessions
from aicommons.profile.staging import Staging
from aicommons.profile.strict import Strict
from aicommons.units import parse_cpu, parse_memory_gib

API_VERSION = "aicommons.dev/v1"
HOURS_PER_WEEK = 168
# Upper bounds far beyond any city, so that absurd numbers are refused before they overflow a cost.
MAX_GIB = 10_000_000  # about 10 PiB
MAX_USD_HOUR = 10_000  # per node

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$",
        description="Lower-case letters, digits and dashes, starting with a letter (DNS-safe).",
    ),
]
# Quantities are numbers or Kubernetes strings ("500m", "4Gi"); the JSON schema says so
# (without WithJsonSchema it would allow numbers only and emit non-standard "gt"/"le" keys).
Cores = Annotated[
    float,
    BeforeValidator(parse_cpu),
    Field(gt=0, le=1024),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1024},
                {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*m?\s*$"},
            ]
        }
    ),
]
GiB = Annotated[
    float,
    BeforeValidator(parse_memory_gib),
    Field(gt=0, le=32768),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 32768},
                {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*(Ki|Mi|Gi|Ti|K|M|G|T)?\s*$"},
            ]
        }
    ),
]
Tier = Literal["pilot", "small", "medium", "large"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class City(Strict):
    """Who the AI Commons is for."""

    slug: Slug = Field(description="Short DNS-safe name used in resource names, e.g. 'riverton'.")
    name: str = Field(min_length=1, max_length=120, description="Display name, e.g. 'City of Riverton'.")
    country: str = Field(
        pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, e.g. 'US' or 'DE'."
    )
    population: int = Field(gt=0, le=100_000_000, description="Residents; informs the reference tier.")


class ExistingVpc(Strict):
    """Deploy into a VPC the city already runs instead of creating one."""

    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]{8,17}$")
    private_subnet_ids: list[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$")]] = Field(
        min_length=2, description="At least two private subnets in different zones."
    )


# An IAM role or user (EKS access entries take these; an assumed-role session ARN is refused).
IAM_PRINCIPAL = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]{1,512}$")


class ClusterAccess(Strict):
    """Someone besides the deployer who may use the cluster: an EKS access entry.

    The identity that runs `infra` is made cluster admin by EKS itself; list it here and EKS
    refuses the duplicate entry.
    """

    principal_arn: str = Field(
        description=(
            "IAM role or user ARN, e.g. arn:aws:iam::111122223333:role/ci-deployer (a role, not an "
            "assumed-role session ARN)."
        ),
    )
    access: Literal["admin", "edit", "view"] = Field(
        description=(
            "Cluster-wide: admin (AmazonEKSClusterAdminPolicy), edit (AmazonEKSEditPolicy) or view "
            "(AmazonEKSViewPolicy)."
        ),
    )

    @field_validator("principal_arn")
    @classmethod
    def _iam_principal(cls, arn: str) -> str:
        if not IAM_PRINCIPAL.fullmatch(arn):
            hint = (
                " (an assumed-role session; give the role: arn:aws:iam::<account>:role/<name>)"
                if ":assumed-role/" in arn
                else ""
            )
            raise ValueError(
                f"{arn!r} is not an IAM role or user ARN{hint}; expected "
                f"arn:aws:iam::<12-digit account>:role/<name> or :user/<name>"
            )
        return arn


class AwsTarget(Strict):
    """A new EKS cluster in the city's AWS account."""

    provider: Literal["aws"] = "aws"
    region: str = Field(
        pattern=r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", description="AWS region, e.g. eu-central-1."
    )
    availability_zones: list[str] = Field(
        min_length=1,
        max_length=6,
        description="Zones to spread nodes over, e.g. [eu-central-1a, eu-central-1b].",
    )
    existing_vpc: ExistingVpc | None = Field(
        default=None, description="Use this VPC instead of creating one."
    )
    access: list[ClusterAccess] = Field(
        default_factory=list,
        description=(
            "IAM roles or users (CI, a second operator) given cluster access through EKS access "
            "entries, each with admin, edit or view rights over the whole cluster."
        ),
    )

    @model_validator(mode="after")
    def _zones_in_region(self) -> AwsTarget:
        for zone in self.availability_zones:
            if not (
                zone.startswith(self.region) and len(zone) == len(self.region) + 1 and zone[-1].isalpha()
            ):
                raise ValueError(
                    f"availability zone {zone!r} is not in region {self.region!r} "
                    f"(zones look like {self.region}a, {self.region}b)"
                )
        if len(set(self.availability_zones)) != len(self.availability_zones):
            raise ValueError("availability_zones lists a zone twice")
        principals = [a.principal_arn for a in self.access]
        twice = sorted({p for p in principals if principals.count(p) > 1})
        if twice:
            raise ValueError(f"access lists {twice} more than once; give each principal one access level")
        return self


class NodeShape(Strict):
    """A kind of node an existing cluster offers (its allocatable capacity)."""

    name: Slug
    cpu: Cores = Field(description="Allocatable CPU cores per node.")
    memory_gib: GiB = Field(description="Allocatable memory per node.")
    gpu_count: int = Field(default=0, ge=0, le=16)
    gpu_model: str | None = Field(default=None, description="GPU model name, e.g. 'A100-40GB'.")
    gpu_memory_gib: float | None = Field(default=None, gt=0, le=1024, description="Memory of each GPU.")
    usd_month: float | None = Field(
        default=None, ge=0, le=MAX_USD_HOUR * 744, description="Monthly cost per node, if known."
    )
    max_nodes: int | None = Field(
        default=None, ge=1, le=100_000, description="How many such nodes the cluster can offer."
    )

    @model_validator(mode="after")
    def _gpu_fields(self) -> NodeShape:
        if self.gpu_count and (self.gpu_model is None or self.gpu_memory_gib is None):
            raise ValueError("a node shape with gpu_count needs gpu_model and gpu_memory_gib")
        return self


class KubernetesTarget(ClusterServices):
    """An existing or on-premises Kubernetes cluster: only the platform stack is deployed."""

    provider: Literal["kubernetes"] = "kubernetes"
    context: str = Field(min_length=1, description="kubeconfig context of the cluster.")
    storage_class: str | None = Field(
        default=None, description="StorageClass for user homes; default if unset."
    )
    gpu_operator_present: bool = Field(
        default=False,
        description="True when the NVIDIA GPU operator (drivers, toolkit) is already installed.",
    )
    gpu_operator_namespace: str = Field(
        default="gpu-operator",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        description="Namespace of the city's own GPU operator (gpu_operator_present), where "
        "helm/gpu-sharing.yaml goes.",
    )
    network_policy_enforced: bool = Field(
        default=True,
        description="False when the cluster's CNI ignores NetworkPolicy: Calico is then installed in "
        "policy-only mode over the CNI named in cni.",
    )
    cni: PolicyOnlyCni | None = Field(
        default=None,
        description="The cluster's CNI, which Calico runs over in policy-only mode when "
        f"network_policy_enforced is false: one of {', '.join(POLICY_ONLY_CNIS)} (tigera-operator's "
        "Installation cni.type).",
    )
    node_types: list[NodeShape] = Field(
        min_length=1, description="The node shapes the cluster offers; sizing packs workloads onto them."
    )

    @model_validator(mode="after")
    def _policy_engine(self) -> KubernetesTarget:
        if not self.network_policy_enforced and self.cni is None:
            raise ValueError(
                "network_policy_enforced: false needs cni, the CNI Calico runs over in policy-only mode "
                f"({', '.join(POLICY_ONLY_CNIS)}); over another CNI (flannel, ...) Calico's operator would "
                "install a second CNI: run that CNI's own policy engine (e.g. Canal for flannel) and set "
                "network_policy_enforced: true"
            )
        return self


class OnpremTarget(ClusterServices):
    """Servers to buy and rack: sizing produces a bill of materials."""

    provider: Literal["onprem"] = "onprem"
    site: str = Field(min_length=1, description="Data centre or server room, e.g. 'City Hall DC1'.")
    context: str | None = Field(default=None, description="kubeconfig context once the cluster is built.")
    power_usd_per_kwh: float = Field(default=0.15, gt=0, le=5, description="Electricity price.")
    pue: float = Field(default=1.5, ge=1.0, le=3.0, description="Power usage effectiveness of the site.")
    amortization_years: int = Field(
        default=5, ge=1, le=10, description="Years over which hardware is written off."
    )
    servers: list[str] | None = Field(
        default=None, description="Catalog server ids allowed; all of the on-prem catalog when unset."
    )


Target = Annotated[AwsTarget | KubernetesTarget | OnpremTarget, Field(discriminator="provider")]


class BusinessHours(Strict):
    """Shorthand schedule: peak concurrency during business hours, a share of it otherwise."""

    days: list[Weekday] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1)
    start: int = Field(default=8, ge=0, le=23, description="First hour at peak (local time, 0-23).")
    end: int = Field(default=18, ge=1, le=24, description="Hour the peak ends (exclusive, 1-24).")
    off_hours_share: float = Field(
        default=0.1, ge=0, le=1, description="Concurrency outside business hours, as a share of the peak."
    )

    @model_validator(mode="after")
    def _order(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError(f"business hours end ({self.end}) must be after start ({self.start})")
        return self


class Schedule(Strict):
    """When users are on: either business_hours or 168 hourly shares (Monday 00:00 first)."""

    business_hours: BusinessHours | None = None
    hourly: list[Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None, description="Concurrency by hour of week as a share of the peak, 168 values."
    )

    @model_validator(mode="after")
    def _one_form(self) -> Schedule:
        if (self.business_hours is None) == (self.hourly is None):
            raise ValueError("give exactly one of business_hours or hourly")
        if self.hourly is not None:
            if len(self.hourly) != HOURS_PER_WEEK:
                raise ValueError(
                    f"hourly needs {HOURS_PER_WEEK} values (one per hour of the week), got {len(self.hourly)}"
                )
            if max(self.hourly) < 1.0:
                raise ValueError("hourly shares are relative to the peak: at least one hour must be 1.0")
        return self

    def shares(self) -> list[float]:
        """Concurrency share of the peak for each of the 168 hours of the week."""
        if self.hourly is not None:
            return list(self.hourly)
        bh = self.business_hours
        assert bh is not None
        out = []
        for day in WEEKDAYS:
            for hour in range(24):
                on = day in bh.days and bh.start <= hour < bh.end
                out.append(1.0 if on else bh.off_hours_share)
        return out


class Users(Strict):
    """How many people use the Commons."""

    registered: int = Field(ge=1, le=1_000_000, description="People with an account.")
    peak_concurrent: int = Field(ge=1, le=100_000, description="Most people with a running server at once.")
    schedule: Schedule | None = Field(
        default=None, description="Concurrency over the week, for cost; always at peak when unset."
    )
    sessions: Sessions | None = Field(
        default=None,
        exclude_if=lambda v: v is None,  # unset, the profile's digest is what it was before sessions
        description="How long servers run once started (profile/service.py); documented defaults when unset.",
    )

    @model_validator(mode="after")
    def _peak_le_registered(self) -> Users:
        if self.peak_concurrent > self.registered:
            raise ValueError(
                f"peak_concurrent ({self.peak_concurrent}) cannot exceed registered ({self.registered})"
            )
        return self


class CpuSpec(Strict):
    request: Cores = Field(description="Guaranteed cores (what packing reserves).")
    limit: Cores = Field(description="Most cores a server may burst to.")

    @model_validator(mode="after")
    def _order(self) -> CpuSpec:
        if self.limit < self.request:
            raise ValueError(f"limit ({self.limit:g}) is below request ({self.request:g})")
        return self


class MemorySpec(Strict):
    request: GiB = Field(description="Guaranteed memory in GiB (what packing reserves).")
    limit: GiB = Field(description="Memory at which the server is stopped, in GiB.")

    @model_validator(mode="after")
    def _order(self) -> MemorySpec:
        if self.limit < self.request:
            raise ValueError(f"limit ({self.limit:g}) is below request ({self.request:g})")
        return self


class GpuSharing(Strict):
    """How a GPU is shared between servers."""

    mode: Literal["exclusive", "time-sliced", "mig"] = "exclusive"
    replicas: int | None = Field(
        default=None, ge=2, le=48, description="time-sliced: how many servers share one GPU."
    )
    mig_profile: str | None = Field(
        default=None,
        pattern=r"^[1-7]g\.[0-9]+gb$",
        description="mig: the MIG profile each server gets, e.g. '1g.10gb' (A100/H100 only).",
    )

    @model_validator(mode="after")
    def _mode_fields(self) -> GpuSharing:
        if self.mode == "time-sliced" and self.replicas is None:
            raise ValueError("time-sliced sharing needs replicas (how many servers share one GPU)")
        if self.mode != "time-sliced" and self.replicas is not None:
            raise ValueError("replicas applies only to time-sliced sharing")
        if self.mode == "mig" and self.mig_profile is None:
            raise ValueError("mig sharing needs mig_profile, e.g. '1g.10gb'")
        if self.mode != "mig" and self.mig_profile is not None:
            raise ValueError("mig_profile applies only to mig sharing")
        return self


class GpuSpec(Strict):
    count: int = Field(default=1, ge=1, le=8, description="GPUs per server (exclusive mode).")
    min_memory_gib: float = Field(default=0, ge=0, le=1024, description="Least GPU memory each server needs.")
    models: list[str] | None = Field(
        default=None, description="Acceptable GPU models (e.g. [A100, H100]); any that fits when unset."
    )
    sharing: GpuSharing = Field(default_factory=GpuSharing)

    @model_validator(mode="after")
    def _shared_means_one(self) -> GpuSpec:
        if self.sharing.mode != "exclusive" and self.count != 1:
            raise ValueError("a shared GPU (time-sliced or mig) gives each server one slot: count must be 1")
        return self


class Workload(Strict):
    """An environment users pick when they start a server (a JupyterHub profile)."""

    name: Slug
    display_name: str | None = Field(default=None, max_length=80)
    description: str = Field(default="", max_length=500)
    image: str = Field(
        pattern=r"^[a-z0-9.\-/_:@]+$", description="Container image with a tag or digest (no 'latest')."
    )
    cpu: CpuSpec
    memory: MemorySpec
    share: float | None = Field(
        default=None, gt=0, le=1, description="Share of peak concurrent users on this workload."
    )
    peak: int | None = Field(
        default=None, ge=1, le=100_000, description="Explicit peak number of servers instead of share."
    )
    gpu: GpuSpec | None = None
    default: bool = Field(default=False, description="Pre-selected in the JupyterHub profile list.")

    @field_validator("image")
    @classmethod
    def _pinned(cls, image: str) -> str:
        last = image.rsplit("/", 1)[-1]
        if "@" not in image and ":" not in last:
            raise ValueError(f"image {image!r} has no tag: pin a version, e.g. {image}:2024-10-01")
        if last.endswith(":latest"):
            raise ValueError(f"image {image!r} uses 'latest': pin a version or digest")
        return image

    @model_validator(mode="after")
    def _demand(self) -> Workload:
        if (self.share is None) == (self.peak is None):
            raise ValueError("give exactly one of share (of peak users) or peak (servers)")
        return self

    def peak_pods(self, peak_users: int) -> int:
        if self.peak is not None:
            return self.peak
        assert self.share is not None
        return max(1, math.ceil(round(self.share * peak_users, 6)))


class Storage(Strict):
    home_gib_per_user: float = Field(
        default=10, ge=1, le=10_000, description="Home directory per registered user."
    )
    shared_datasets_gib: float = Field(
        default=100, ge=0, le=MAX_GIB, description="Read-mostly shared datasets volume."
    )
    object_store_gib: float = Field(
        default=500, ge=0, le=MAX_GIB, description="Project data in the object store."
    )
    egress_gib_month: float = Field(
        default=100, ge=0, le=MAX_GIB, description="Traffic through NAT per month (for cost)."
    )
    log_gib_month: float = Field(
        default=20, ge=0, le=MAX_GIB, description="Audit and platform logs ingested per month."
    )


class Budget(Strict):
    monthly: float = Field(gt=0, le=1e12, description="Monthly cap for running the Commons.")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    usd_per_unit: float | None = Field(
        default=None, gt=0, le=1e6, description="US dollars per unit of currency (required unless USD)."
    )
    alert_emails: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = Field(
        default_factory=list, description="Who the cloud budget alerts go to."
    )
    alert_thresholds: list[Annotated[float, Field(gt=0, le=200)]] = Field(
        default_factory=lambda: [80.0, 100.0], description="Alert at these percentages of the monthly budget."
    )

    @model_validator(mode="after")
    def _rate(self) -> Budget:
        if self.currency != "USD" and self.usd_per_unit is None:
            raise ValueError(
                f"a budget in {self.currency} needs usd_per_unit (US dollars per {self.currency})"
            )
        return self

    @property
    def monthly_usd(self) -> float:
        return self.monthly * (1.0 if self.currency == "USD" else float(self.usd_per_unit or 0))


class ControlException(Strict):
    """A recorded exception: a control the city waives or a bound it loosens, with who, why and until when."""

    control: str = Field(pattern=r"^AIC-[A-Z]+-[0-9]{2}$", description="The control waived, e.g. AIC-IAM-02.")
    who: str = Field(min_length=3, description="Who approved it (name and role).")
    why: str = Field(min_length=10, description="The reason, as it would be read by an auditor.")
    until: date = Field(
        description="Last day the exception holds (YYYY-MM-DD); after it the control fails again."
    )
    ticket: str | None = Field(default=None, description="Reference to the decision (case, minutes, ticket).")


class AuditSink(Strict):
    """Where audit events go on targets without a cloud audit store (existing or on-prem clusters)."""

    type: Literal["loki", "s3"] = Field(
        description="loki: a Loki push endpoint; s3: an S3-compatible bucket."
    )
    url: str | None = Field(
        default=None, pattern=r"^https?://[^@\s]+$", description="Loki push URL (no credentials in it)."
    )
    tenant_id: str | None = Field(default=None, description="Loki X-Scope-OrgID, when multi-tenant.")
    bucket: str | None = Field(
        default=None, min_length=3, description="s3: bucket (with Object Lock, ideally)."
    )
    region: str | None = Field(default=None, description="s3: region.")
    prefix: str = Field(default="aicommons-audit", description="s3: key prefix.")

    @model_validator(mode="after")
    def _fields(self) -> AuditSink:
        if self.type == "loki" and not self.url:
            raise ValueError("a loki audit sink needs url")
        if self.type == "s3" and not (self.bucket and self.region):
            raise ValueError("an s3 audit sink needs bucket and region")
        return self

    def chart_values(self) -> dict[str, Any]:
        """The project chart's audit.sink values."""
        if self.type == "loki":
            return {"type": "loki", "loki": {"url": self.url, "tenantId": self.tenant_id or ""}}
        return {"type": "s3", "s3": {"bucket": self.bucket, "region": self.region, "prefix": self.prefix}}


class Governance(Strict):
    """Knobs the blueprint reads; the blueprint sets the bounds they may take."""

    audit_retention_days: int = Field(default=365, ge=1, le=3650)
    data_residency_regions: list[str] = Field(
        default_factory=list, description="Regions where data may live; the target's region must be one."
    )
    idle_cull_minutes: int = Field(
        default=60, ge=5, le=1440, description="Stop idle servers after this long."
    )
    gpu_idle_cull_minutes: int = Field(
        default=30, ge=5, le=1440, description="Stricter idle limit for GPU servers."
    )
    gpu_max_age_hours: int = Field(default=12, ge=1, le=168, description="Longest a GPU server may run.")
    audit_sink: AuditSink | None = Field(
        default=None,
        description="Audit store for existing or on-prem clusters (AWS uses the locked audit bucket).",
    )
    # Not a rendering input: left out of dumps so the bundle, its lock and digests stay as they were.
    ledger_anchor: str | None = Field(
        default=None,
        exclude=True,
        max_length=500,
        description="Where each ledger record is also written, outside the ledger file, so that "
        "`aicommons ledger verify` detects a rewritten ledger: a folder (absolute, or relative to the "
        "city folder; mount one the deployers cannot rewrite), file:///path, or s3://bucket/prefix "
        "(?region=...&endpoint=https://... for S3-compatible stores; use Object Lock), or none. "
        "Default: the Object-Locked audit bucket on AWS, none elsewhere.",
    )

    @field_validator("ledger_anchor")
    @classmethod
    def _anchor_syntax(cls, value: str | None) -> str | None:
        from aicommons.ledger.anchor import AnchorSyntaxError, parse_anchor

        if value is not None:
            try:
                parse_anchor(value)
            except AnchorSyntaxError as exc:
                raise ValueError(str(exc)) from None
        return value

    exceptions: list[ControlException] = Field(
        default_factory=list, description="Recorded exceptions to blueprint controls (shown in every report)."
    )


class Identity(Strict):
    """The identity provider JupyterHub signs users in with (OIDC)."""

    issuer_url: str = Field(
        pattern=r"^https://", description="OIDC issuer, e.g. https://login.city.gov/realms/staff."
    )
    authorize_url: str | None = Field(
        default=None,
        pattern=r"^https://",
        description="Authorization endpoint; derived for Keycloak issuers (/realms/).",
    )
    token_url: str | None = Field(default=None, pattern=r"^https://", description="Token endpoint.")
    userdata_url: str | None = Field(default=None, pattern=r"^https://", description="Userinfo endpoint.")
    username_claim: str = Field(default="preferred_username", description="Claim that becomes the username.")
    groups_claim: str = Field(default="groups", description="Claim listing the user's groups.")
    client_id: str = Field(min_length=1)
    client_secret_env: str = Field(
        default="AICOMMONS_OIDC_CLIENT_SECRET",
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="Environment variable holding the client secret (never put the secret in the profile).",
    )
    allowed_groups: list[str] = Field(min_length=1, description="Groups whose members may sign in.")
    admin_groups: list[str] = Field(default_factory=list)
    admin_users: list[AdminUser] = Field(
        default_factory=list,
        max_length=100,
        description="Named hub admins beside admin_groups (usernames as the username_claim gives them).",
    )

    @model_validator(mode="after")
    def _endpoints(self) -> Identity:
        given = [self.authorize_url, self.token_url, self.userdata_url]
        if any(given) and not all(given):
            raise ValueError("give all of authorize_url, token_url and userdata_url, or none of them")
        if not any(given) and "/realms/" not in self.issuer_url:
            raise ValueError(
                "this issuer is not a Keycloak realm (no '/realms/' in issuer_url): give authorize_url, "
                "token_url and userdata_url from its /.well-known/openid-configuration"
            )
        return self

    def endpoints(self) -> tuple[str, str, str]:
        """Authorize, token and userinfo URLs (Keycloak's layout when not given)."""
        if self.authorize_url and self.token_url and self.userdata_url:
            return self.authorize_url, self.token_url, self.userdata_url
        base = self.issuer_url.rstrip("/") + "/protocol/openid-connect"
        return f"{base}/auth", f"{base}/token", f"{base}/userinfo"


class Hub(Strict):
    """Where the hub is reached and how HTTPS is provided."""

    host: str = Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$",
        description="Public DNS name of the hub, e.g. commons.riverton.gov.",
    )
    https: Literal["letsencrypt", "offload"] = Field(
        default="letsencrypt",
        description="letsencrypt: the proxy gets certificates itself; offload: a load balancer terminates TLS.",
    )
    contact_email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+$", description="Let's Encrypt account e-mail (letsencrypt)."
    )
    certificate_arn: str | None = Field(
        default=None, pattern=r"^arn:aws", description="ACM certificate for TLS offload on AWS (offload)."
    )
    exposure: Exposure | None = Field(
        default=None,
        description="How the proxy is reached: LoadBalancer, NodePort or Ingress; the target's default "
        "when unset (AWS: LoadBalancer; other clusters: LoadBalancer with a load-balancer controller, "
        "else Ingress with an ingress class, else NodePort).",
    )

    @model_validator(mode="after")
    def _https_fields(self) -> Hub:
        if self.https == "letsencrypt" and not self.contact_email:
            raise ValueError(
                "https: letsencrypt needs contact_email (Let's Encrypt sends expiry notices there)"
            )
        ex = self.exposure
        if ex is not None and ex.type == "Ingress" and self.https == "letsencrypt" and not ex.cluster_issuer:
            raise ValueError(
                "exposure type Ingress with https: letsencrypt needs exposure.cluster_issuer (the "
                "cert-manager ClusterIssuer that gets the certificate; the proxy's own autohttps is off "
                "behind an ingress)"
            )
        return self


class AddedInstanceType(Strict):
    """An instance type the city adds to the catalog (e.g. a new generation)."""

    instance_type: str = Field(pattern=r"^[a-z0-9-]+\.[a-z0-9-]+$")
    vcpu: int = Field(ge=1, le=1024)
    memory_gib: float = Field(gt=0, le=32768)
    gpu_count: int = Field(default=0, ge=0, le=16)
    gpu_model: str | None = None
    gpu_memory_gib_each: float | None = Field(default=None, gt=0, le=1024)
    eni_max_pods: int = Field(default=110, ge=4, le=737)
    usd_hour: float = Field(gt=0, le=MAX_USD_HOUR)


class CatalogOverrides(Strict):
    prices: dict[str, Annotated[float, Field(gt=0, le=MAX_USD_HOUR)]] = Field(
        default_factory=dict, description="Negotiated USD/hour prices by instance type."
    )
    add: list[AddedInstanceType] = Field(default_factory=list)


class SizingKnobs(Strict):
    headroom: float = Field(
        default=0.25, ge=0, le=3, description="Autoscaling ceiling above the peak, as a share of peak nodes."
    )
    families: list[str] | None = Field(
        default=None, description="Restrict instance families (e.g. [m7i, g6]); all when unset."
    )


class CityProfile(Strict):
    """A city's sizing profile: who uses the AI Commons, for what, where and at what cost."""

    apiVersion: Literal["aicommons.dev/v1"] = Field(description=f"Always {API_VERSION}.")
    kind: Literal["CityProfile"]
    city: City
    tier: Tier | None = Field(default=None, description="Reference tier; derived from peak users when unset.")
    target: Target
    users: Users
    workloads: list[Workload] = Field(min_length=1, max_length=40)
    storage: Storage = Field(default_factory=Storage)
    backup: Backup = Field(
        default_factory=Backup,
        description="Schedule, retention and immutability of the backups of homes, shared datasets, "
        "project volumes and the hub database (the audit store is protected by Object Lock instead).",
    )
    budget: Budget
    governance: Governance = Field(default_factory=Governance)
    identity: Identity | None = Field(default=None, description="OIDC sign-in; required to render a bundle.")
    hub: Hub | None = Field(default=None, description="The hub's public name and HTTPS; required to render.")
    catalog: CatalogOverrides = Field(default_factory=CatalogOverrides)
    sizing: SizingKnobs = Field(default_factory=SizingKnobs)
    service: ServiceLevel | None = Field(
        default=None,
        exclude_if=lambda v: v is None,  # unset, the profile's digest is what it was before service levels
        description="Service level sizing must meet (profile/service.py); documented defaults when unset.",
    )
    monitoring: Monitoring = Field(default_factory=Monitoring)
    extra_values: ExtraValues = Field(default_factory=dict, description=EXTRA_VALUES_DESCRIPTION)
    registries: list[PrivateRegistry] = Field(
        default_factory=list,
        max_length=20,
        description="Private registries the images come from; their pull secrets go to every hub pod.",
    )

    staging: Staging | None = Field(
        default=None, description="An optional second, small hub to try upgrades on first."
    )

    @field_validator("registries")
    @classmethod
    def _unique_registries(cls, registries: list[PrivateRegistry]) -> list[PrivateRegistry]:
        return unique_registries(registries)

    # A field validator (not a model one) so that errors point at `workloads:` in the file.
    @field_validator("workloads")
    @classmethod
    def _cross_checks(cls, workloads: list[Workload]) -> list[Workload]:
        names = [w.name for w in workloads]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"workload names must be unique: {', '.join(dupes)} repeated")
        shares = sum(w.share or 0 for w in workloads)
        if shares > 1.0 + 1e-9:
            raise ValueError(f"workload shares add up to {shares:.2f}; they may add up to at most 1.0")
        if sum(w.default for w in workloads) > 1:
            raise ValueError("at most one workload can be the default")
        return workloads

    @property
    def effective_tier(self) -> Tier:
        if self.tier is not None:
            return self.tier
        peak = self.users.peak_concurrent
        if peak <= 30:
            return "pilot"
        if peak <= 120:
            return "small"
        if peak <= 400:
            return "medium"
        return "large"

    def hour_shares(self) -> list[float]:
        return self.users.schedule.shares() if self.users.schedule else [1.0] * HOURS_PER_WEEK
