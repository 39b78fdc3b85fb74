"""How the platform stack reaches its cluster: a kubeconfig context, or the infra stack's output."""

from __future__ import annotations

import string
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from aicommons_stacks.args import ArgsError, PlatformArgs

KUBECONFIG = "kubeconfig"


def output_names(text: str) -> list[str]:
    """The {output} placeholders of a manifest's stack_output_values text."""
    return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name})


class InfraOutputs:
    """The infra stack's outputs, all checked at once: a missing one is reported with the others.

    Each value keeps its own secretness (only the kubeconfig is a secret); it resolves only once
    the check has passed, so nothing is ever deployed with a missing value.
    """

    def __init__(self, stack_name: str, needed: list[str]):
        self.reference = pulumi.StackReference("infra", stack_name=stack_name)
        wanted = sorted(set(needed))

        def check(outputs: dict[str, Any] | None) -> bool:
            missing = [name for name in wanted if name not in (outputs or {})]
            if missing:
                raise ArgsError(
                    f"infra_stack {stack_name}: outputs {missing} are missing; deploy the infra stack first"
                )
            return True

        self._checked = pulumi.Output.unsecret(self.reference.outputs.apply(check))

    def get(self, name: str) -> pulumi.Output[Any]:
        return pulumi.Output.all(self._checked, self.reference.get_output(name)).apply(lambda v: v[1])


def infra_outputs(args: PlatformArgs) -> InfraOutputs | None:
    """The infra stack (AWS), whose outputs hold the kubeconfig, role ARNs and bucket names."""
    needed = sorted(
        {out for r in args.releases for out in r.stack_output_values.values()}
        | {
            out
            for m in args.manifests
            for text in m.stack_output_values.values()
            for out in output_names(text)
        }
    )
    if not args.infra_stack:
        if needed:
            raise ArgsError(f"releases, manifests: stack_output_values {needed} need infra_stack")
        return None
    return InfraOutputs(args.infra_stack, needed + ([] if args.kube_context else [KUBECONFIG]))


def kubernetes_provider(args: PlatformArgs, infra: InfraOutputs | None) -> kubernetes.Provider:
    """An explicit provider, so nothing ever lands on whatever cluster happens to be current."""
    if args.kube_context:
        return kubernetes.Provider("k8s", context=args.kube_context)
    if infra is not None:
        return kubernetes.Provider("k8s", kubeconfig=pulumi.Output.secret(infra.get(KUBECONFIG)))
    raise ArgsError("kube_context, infra_stack: one is needed to reach the cluster")
