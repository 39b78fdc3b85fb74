"""Kubernetes upgrades the deploy refuses: more than one minor at once, a downgrade, or node groups
left outside the version skew policy (aicommons/upgrade/kubernetes.py cites the rules).

The versions EKS runs are the infra stack's outputs (`kubernetesVersion`, `nodeGroupVersions`),
read before the infra stack is updated; a stack without them (not deployed yet, or deployed by an
older aicommons) is not checked, and the deploy says so.
"""

from __future__ import annotations

from collections.abc import Mapping

from aicommons.deploy.errors import DeployRefused
from aicommons.errors import EXIT_BAD_INPUT, Location
from aicommons.upgrade import kubernetes as k8s

INFRA_CONFIG = "pulumi/Pulumi.infra.yaml"


class VersionSkewRefused(DeployRefused):
    """The bundle asks for a Kubernetes change EKS or the skew policy does not allow (exit 2)."""

    exit_code = EXIT_BAD_INPUT


def version_refusal(
    running: str, target: str, node_groups: Mapping[str, str | None], cluster: str = "<cluster>"
) -> str | None:
    """Why deploying ``target`` onto a control plane at ``running`` is refused, with the safe path;
    None when it is a step the rules allow (the same minor, or the next one)."""
    now, want = k8s.minor_of(running), k8s.minor_of(target)
    if want < now:
        return (
            f"the bundle pins Kubernetes {k8s.minor_text(want)} and the cluster runs {k8s.minor_text(now)}: "
            "EKS cannot downgrade a control plane; render with an aicommons that pins "
            f"{k8s.minor_text(now)} or later"
        )
    if want[0] == now[0] and want[1] - now[1] > 1:
        path = k8s.control_plane_path(k8s.minor_text(now), k8s.minor_text(want))
        return (
            f"the bundle pins Kubernetes {k8s.minor_text(want)} and the cluster runs {k8s.minor_text(now)}: "
            f"a control plane moves one minor at a time. Safe path: {_steps(path, cluster)}; then run "
            "`aicommons deploy` again (`aicommons upgrade plan` lists the steps)"
        )
    groups = {name: v for name, v in node_groups.items() if v}
    problems = k8s.skew_problems(k8s.minor_text(want), groups)
    if problems:
        return (
            "; ".join(problems)
            + ". Safe path: the control plane first, then each node group to the control plane's minor "
            "(`aws eks update-nodegroup-version`), then `aicommons deploy` again"
        )
    return None


def _steps(path: list[str], cluster: str) -> str:
    return ", then ".join(
        f"`aws eks update-cluster-version --name {cluster} --kubernetes-version {m}` and its node groups "
        f"(`aws eks update-nodegroup-version`)"
        for m in path[:-1]
    )


def refuse_version_jump(outputs: Mapping[str, object], target: str, cluster: str) -> str | None:
    """Raise VersionSkewRefused for a refused jump; a note when the stack has no version outputs."""
    running = outputs.get("kubernetesVersion")
    if not running:
        return (
            "the infra stack exports no Kubernetes version yet: the one-minor-at-a-time rule was not checked"
        )
    groups = outputs.get("nodeGroupVersions")
    refusal = version_refusal(str(running), target, groups if isinstance(groups, Mapping) else {}, cluster)
    if refusal is not None:
        raise VersionSkewRefused(
            refusal, Location(file=INFRA_CONFIG, field="aicommons:infra.kubernetes_version")
        )
    return None
