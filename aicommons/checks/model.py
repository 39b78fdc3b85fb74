"""The uniform resource model every control is written against, and check results."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from aicommons.blueprint.model import Blueprint, Control
    from aicommons.clustercheck.report import ClusterReport
    from aicommons.governance.model import AIProject
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan

Source = Literal["bundle", "plan", "live"]

# Kinds beyond Kubernetes' own (Namespace, NetworkPolicy, ResourceQuota, ConfigMap, Role, ...):
HELM_RELEASE = "HelmRelease"  # spec: chart, version, repository, namespace, values
# spec: labels, taints, min_size, max_size, instance_type, zones, plan_group, imds_*, disk_encrypted
NODE_GROUP = "NodeGroup"
CLUSTER = "KubernetesCluster"  # spec: secrets_encrypted, log_types, network_policy_enforced, protected
BUCKET = "Bucket"  # spec: purpose, kms_encrypted, public_access_blocked, versioned, tls_only, object_lock_*
LOG_GROUP = "LogGroup"  # spec: purpose, retention_days, kms_encrypted, protected
TRAIL = "Trail"  # spec: target_bucket_purpose, multi_region, log_validation
BUDGET = "Budget"  # spec: limit_usd, alert_thresholds, alert_emails
STACK_CONFIG = "StackConfig"  # spec: the stack's configuration (bundle source)


@dataclass(frozen=True)
class Resource:
    """One thing a control looks at, whatever source it came from."""

    kind: str
    name: str
    spec: Mapping[str, Any]
    namespace: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None  # bundle-relative path, for report locations
    line: int | None = None

    @property
    def ref(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)


@dataclass(frozen=True)
class Inventory:
    source: Source
    resources: tuple[Resource, ...]
    profile: CityProfile | None = None
    plan: SizingPlan | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)  # bundle files (secret scanning)
    unavailable: Mapping[str, str] = field(default_factory=dict)  # kind -> why it could not be read
    projects: tuple[AIProject, ...] = ()  # the AI project register, when the source carries it
    # The offline cluster check of the bundle (rendered with the real charts), when it was run:
    # the AIC-OPS controls report it (aicommons.clustercheck.run).
    cluster: ClusterReport | None = None

    def of(self, *kinds: str) -> list[Resource]:
        return [r for r in self.resources if r.kind in kinds]

    def release(self, name: str) -> Resource | None:
        return next((r for r in self.of(HELM_RELEASE) if r.name == name), None)


@dataclass(frozen=True)
class Finding:
    resource: str
    message: str
    file: str | None = None
    line: int | None = None

    @classmethod
    def on(cls, resource: Resource, message: str) -> Finding:
        return cls(resource=resource.ref, message=message, file=resource.file, line=resource.line)


class Skip(Exception):
    """The control cannot be checked on this inventory; the reason is reported."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class CheckContext:
    inventory: Inventory
    control: Control
    blueprint: Blueprint
    today: date | None = None  # the date the checks judge expiry against

    @property
    def params(self) -> Mapping[str, Any]:
        return self.control.params

    @property
    def profile(self) -> CityProfile:
        if self.inventory.profile is None:
            raise Skip("the city's profile is not available with this source")
        return self.inventory.profile

    def need(self, *kinds: str) -> list[Resource]:
        """Resources of these kinds, or Skip when the source could not read them or has none."""
        for kind in kinds:
            if kind in self.inventory.unavailable:
                raise Skip(f"{kind} could not be read: {self.inventory.unavailable[kind]}")
        found = self.inventory.of(*kinds)
        if not found:
            raise Skip(f"no {' or '.join(kinds)} in the {self.inventory.source} inventory")
        return found


CheckFn = Callable[[CheckContext], Iterable[Finding]]


# What the provider appends to a name prefix: a UTC timestamp to 1/10000 s (18 digits) and an
# 8-hex counter (terraform-plugin-sdk, helper/id `PrefixedUniqueId`, UniqueIDSuffixLength 26).
_UNIQUE_SUFFIX = re.compile(r"-[0-9]{18}[0-9a-f]{8}$")
# Tag the stacks put on each EKS node group: the sizing plan's node group it is one zone of.
NODE_GROUP_TAG = "aicommons.dev/node-group"


def node_group_name(eks_name: object, cluster: object) -> str | None:
    """A node group's name as the stacks gave it (`user-a`, `core`): EKS's name less the unique
    suffix its name prefix got, and less a '<cluster>-' prefix (groups named before prefixes).
    None when the name is unknown or is neither (not named by the stacks)."""
    if not isinstance(eks_name, str) or not eks_name:
        return None
    name = _UNIQUE_SUFFIX.sub("", eks_name)
    if isinstance(cluster, str) and cluster and name.startswith(f"{cluster}-"):
        return name.removeprefix(f"{cluster}-") or None
    return name if name != eks_name and name else None


def plan_group_name(tags: Mapping[str, Any], name: str) -> str:
    """The sizing plan's node group an EKS node group is (a zone of): its tag, else its name."""
    given = tags.get(NODE_GROUP_TAG)
    return given if isinstance(given, str) and given else name
