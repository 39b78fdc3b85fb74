"""Kubernetes versions a target supports, and the version skew rules an upgrade must keep.

Rules, from the Kubernetes version skew policy (kubernetes.io/releases/version-skew-policy/,
kubernetes/website content/en/releases/version-skew-policy.md):

- the control plane is upgraded one minor version at a time (kube-apiserver instances may differ
  by at most one minor; EKS's UpdateClusterVersion accepts only the next minor);
- the kubelet (the node groups) must not be newer than kube-apiserver and may be up to three minors
  older (since Kubernetes 1.28), so node groups are upgraded after the control plane;
- the cluster autoscaler's minor must match the control plane's (kubernetes/autoscaler
  cluster-autoscaler/README.md, "Releases": a release is tested against one Kubernetes minor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_KUBELET_SKEW = 3  # minors older than kube-apiserver (version skew policy, 1.28 and later)


@dataclass(frozen=True)
class SupportedVersion:
    minor: str
    released: date
    end_of_standard: date


# Amazon EKS standard support: 14 months from release, then 12 months of extended support at an
# extra cost per cluster hour.
EKS_SOURCE = (
    "docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (release calendar), "
    "as summarised by endoflife.date/amazon-eks"
)
EKS_CHECKED = date(2026, 2, 14)
EKS_VERSIONS: tuple[SupportedVersion, ...] = (
    SupportedVersion("1.29", date(2024, 1, 23), date(2025, 3, 23)),
    SupportedVersion("1.30", date(2024, 5, 23), date(2025, 7, 23)),
    SupportedVersion("1.31", date(2024, 9, 26), date(2025, 11, 26)),
    SupportedVersion("1.32", date(2025, 1, 23), date(2026, 3, 23)),
    SupportedVersion("1.33", date(2025, 5, 29), date(2026, 7, 29)),
    SupportedVersion("1.34", date(2025, 10, 2), date(2026, 12, 2)),
    SupportedVersion("1.35", date(2026, 1, 28), date(2027, 3, 27)),
)


def minor_of(version: str) -> tuple[int, int]:
    """``"v1.33.4"`` or ``"1.33"`` -> (1, 33)."""
    parts = version.strip().lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        raise ValueError(f"{version!r} is not a Kubernetes version (expected 1.<minor>)") from None


def minor_text(minor: tuple[int, int]) -> str:
    return f"{minor[0]}.{minor[1]}"


def control_plane_path(current: str, target: str) -> list[str]:
    """The minors the control plane passes through, one at a time: 1.32 -> 1.34 is [1.33, 1.34]."""
    (major, now), (major_to, to) = minor_of(current), minor_of(target)
    if major != major_to:
        raise ValueError(f"no upgrade path across major versions ({current} -> {target})")
    return [minor_text((major, m)) for m in range(now + 1, to + 1)]


def skew_problems(
    control_plane: str, node_groups: dict[str, str], autoscaler: str | None = None
) -> list[str]:
    """What breaks the skew policy when the control plane runs ``control_plane``."""
    cp = minor_of(control_plane)
    problems = []
    for group, version in sorted(node_groups.items()):
        node = minor_of(version)
        if node > cp:
            problems.append(
                f"node group {group} at {minor_text(node)} is ahead of the control plane at "
                f"{minor_text(cp)}: upgrade the control plane first"
            )
        elif node[0] == cp[0] and cp[1] - node[1] > MAX_KUBELET_SKEW:
            problems.append(
                f"node group {group} at {minor_text(node)} is {cp[1] - node[1]} minors behind the control "
                f"plane at {minor_text(cp)} (at most {MAX_KUBELET_SKEW})"
            )
    if autoscaler is not None and minor_of(autoscaler) != cp:
        problems.append(
            f"the cluster autoscaler {autoscaler} does not match the control plane minor {minor_text(cp)}"
        )
    return problems


def support_of(minor: str, table: tuple[SupportedVersion, ...] = EKS_VERSIONS) -> SupportedVersion | None:
    return next((v for v in table if v.minor == minor_text(minor_of(minor))), None)


def support_status(minor: str, today: date, table: tuple[SupportedVersion, ...] = EKS_VERSIONS) -> str:
    """``standard support until <date>``, ``extended support (extra cost) since <date>``, or unknown."""
    found = support_of(minor, table)
    if found is None:
        return f"not in the EKS table (checked {EKS_CHECKED.isoformat()})"
    if today <= found.end_of_standard:
        return f"standard support until {found.end_of_standard.isoformat()}"
    return f"extended support (extra cost per cluster hour) since {found.end_of_standard.isoformat()}"


def newest_supported(table: tuple[SupportedVersion, ...] = EKS_VERSIONS) -> str:
    return max((v.minor for v in table), key=minor_of)
