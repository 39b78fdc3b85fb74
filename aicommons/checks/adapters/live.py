"""Inventory of a live deployment: the cluster (Kubernetes API) and, on AWS, the cloud resources.

`live_inventory` is what `aicommons validate --live` runs. The Kubernetes half reads the cluster
through a kubeconfig context (`live_k8s`); the AWS half reads what the infra stack created for
the city (`live_aws`). Both import their client libraries only when called, so the CLI starts
fast. On AWS, the cluster as EKS describes it (encryption, control-plane logs, the vpc-cni
add-on) and as its API shows it (version, the CNI's network-policy engine) become one
`KubernetesCluster` resource; without AWS there is none (the Kubernetes API cannot show what the
controls read from it), and the controls on the network plugin read the DaemonSets and Pods.

Exit codes: an unreachable cluster or AWS endpoint, a missing kubeconfig or context, and missing,
expired or refused credentials raise `MissingComponentError` (exit 3); asking for AWS without
saying which city raises `InputError` (exit 2). What a limited reader may not list is recorded
in `Inventory.unavailable`, and the controls that need it are skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aicommons.checks.model import CLUSTER, Inventory, Resource
from aicommons.errors import InputError

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan


def live_inventory(
    context: str | None,
    *,
    kubeconfig: str | None = None,
    aws: bool | None = None,
    city: str | None = None,
    profile: CityProfile | None = None,
    plan: SizingPlan | None = None,
    region: str | None = None,
    aws_profile: str | None = None,
    kubernetes: bool = True,
    system_namespaces: Sequence[str] | None = None,
) -> Inventory:
    """Read the live deployment into an inventory (source "live").

    context: kubeconfig context; None = the profile's `target.context`, else the current context.
    kubeconfig: kubeconfig file; None = KUBECONFIG or ~/.kube/config.
    aws: read the city's AWS resources; None = when the profile's target is AWS.
    city: the city's slug for the AWS tag search; None = the profile's `city.slug`.
    region: AWS region; None = the profile's `target.region`, else the AWS configuration.
    aws_profile: named AWS profile; None = AWS_PROFILE or the default credential chain.
    kubernetes: read the cluster (False reads AWS only).
    """
    from aicommons.checks.adapters.live_aws import AWS_KINDS, aws_inventory
    from aicommons.checks.adapters.live_k8s import kubernetes_inventory

    target = profile.target if profile is not None else None
    on_aws = getattr(target, "provider", None) == "aws"
    resources: list[Resource] = []
    unavailable: dict[str, str] = {}
    seen: dict[str, Any] = {}

    if kubernetes:
        kube = kubernetes_inventory(
            context or getattr(target, "context", None),
            kubeconfig=kubeconfig,
            system_namespaces=system_namespaces,
        )
        resources += kube.resources
        unavailable.update(kube.unavailable)
        seen = kube.cluster

    if aws if aws is not None else on_aws:
        slug = city or (profile.city.slug if profile is not None else None)
        if not slug:
            raise InputError(
                "reading the live AWS resources needs the city's slug (they are found by the tag "
                "aicommons:city=<slug>)",
                allowed="the city's profile, or --city <slug>",
            )
        cloud = aws_inventory(
            slug,
            region=region or (getattr(target, "region", None) if on_aws else None),
            aws_profile=aws_profile,
        )
        resources += [_merged(r, seen) if r.kind == CLUSTER and seen else r for r in cloud.resources]
        for kind, why in cloud.unavailable.items():
            unavailable[kind] = f"{unavailable[kind]}; {why}" if kind in unavailable else why
    elif on_aws or (aws is None and profile is None):
        why = (
            "the AWS resources were not read (aws=False)"
            if on_aws
            else "the AWS resources were not read: no profile with an AWS target was given (pass the "
            "city's profile, or --aws with --city)"
        )
        have = {r.kind for r in resources}
        for kind in AWS_KINDS:
            if kind not in have:
                unavailable.setdefault(kind, why)

    return Inventory(
        source="live", resources=tuple(resources), profile=profile, plan=plan, unavailable=unavailable
    )


def _merged(eks: Resource, seen: dict[str, Any]) -> Resource:
    """EKS's description of the cluster plus what its API shows.

    The CNI DaemonSets running in the cluster decide `network_policy_enforced` when they are
    conclusive (an add-on setting that was never rolled out enforces nothing); EKS's add-on
    configuration is the fallback.
    """
    described = eks.spec
    spec: dict[str, Any] = {**described}
    spec["context"] = seen.get("context")
    spec["server"] = seen.get("server")
    spec["version"] = seen.get("version") or described.get("version")
    enforced = seen.get("network_policy_enforced")
    spec["network_policy_enforced"] = (
        enforced if enforced is not None else described.get("network_policy_enforced")
    )
    spec["network_policy_evidence"] = [
        *seen.get("network_policy_evidence", []),
        *described.get("network_policy_evidence", []),
    ]
    return Resource(kind=CLUSTER, name=eks.name, labels=eks.labels, spec=spec)
