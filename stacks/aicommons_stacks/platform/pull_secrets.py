"""Image pull secrets for private registries, made from config secrets at deploy time.

The password is the stack config secret the deploy sets from the environment (`pulumi config
set --secret`), so it is encrypted in the stack's state and never in a file of the bundle; the
Secret's data is built inside an Output and stays marked secret.
"""

from __future__ import annotations

import base64
import json

import pulumi
import pulumi_kubernetes as kubernetes

from aicommons_stacks.args import PullSecretArgs
from aicommons_stacks.common import child

CONFIG_NAMESPACE = "aicommons"


def docker_config(server: str, username: str, password: str) -> str:
    """The `.dockerconfigjson` a kubernetes.io/dockerconfigjson Secret holds (kubectl create secret
    docker-registry writes the same: kubectl/pkg/generate/versioned/secret_for_docker_registry.go)."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    entry = {"username": username, "password": password, "auth": auth}
    return json.dumps({"auths": {server: entry}}, sort_keys=True)


class PullSecrets(pulumi.ComponentResource):
    """One kubernetes.io/dockerconfigjson Secret per private registry."""

    def __init__(
        self,
        name: str,
        secrets: list[PullSecretArgs],
        depends_on: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:platform:PullSecrets", name, None, opts)
        config = pulumi.Config(CONFIG_NAMESPACE)
        for s in secrets:
            password = config.require_secret(s.password_key)
            kubernetes.core.v1.Secret(
                f"{name}-{s.name}",
                metadata=kubernetes.meta.v1.ObjectMetaArgs(name=s.name, namespace=s.namespace),
                type="kubernetes.io/dockerconfigjson",
                string_data={
                    ".dockerconfigjson": pulumi.Output.secret(
                        password.apply(lambda p, s=s: docker_config(s.server, s.username, p))
                    )
                },
                opts=child(self, depends_on=depends_on),
            )
        self.register_outputs({"names": sorted(s.name for s in secrets)})
