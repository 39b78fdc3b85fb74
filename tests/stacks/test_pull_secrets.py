"""The platform stack's image pull secrets: made from a config secret, the password never in the plan."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from aicommons.plan import StackPlan, plan_stack
from tests.stacks import riverton

PASSWORD = "reg-Pa55-9c1e77b3d2"
PULL = {
    "name": "registry-city",
    "namespace": "jupyterhub",
    "server": "registry.riverton.example.gov",
    "username": "robot",
    "password_key": "registryPasswordCity",
}


def test_the_docker_config_is_what_kubectl_create_secret_docker_registry_writes() -> None:
    from aicommons_stacks.platform.pull_secrets import docker_config

    doc = json.loads(docker_config("registry.example.gov", "robot", "pw"))
    # auth = base64("robot:pw") = "cm9ib3Q6cHc="
    assert base64.b64encode(b"robot:pw").decode() == "cm9ib3Q6cHc="
    assert doc == {
        "auths": {"registry.example.gov": {"username": "robot", "password": "pw", "auth": "cm9ib3Q6cHc="}}
    }


def test_the_stack_creates_the_pull_secret_and_its_data_stays_secret(bundle: Path, infra: StackPlan) -> None:
    config = riverton.platform_config()
    config["aicommons:platform"]["pull_secrets"] = [PULL]
    config["aicommons:registryPasswordCity"] = PASSWORD
    plan = plan_stack(
        "platform",
        riverton.program(bundle),
        config,
        riverton.PROJECT,
        secret_keys=["aicommons:oidcClientSecret", "aicommons:registryPasswordCity"],
        stack_outputs={riverton.INFRA_STACK_REF: infra.outputs},
    )
    (secret,) = [r for r in plan.resources if r.type == "kubernetes:core/v1:Secret"]
    assert secret.inputs["type"] == "kubernetes.io/dockerconfigjson"
    assert secret.inputs["metadata"] == {"name": "registry-city", "namespace": "jupyterhub"}
    assert PASSWORD not in json.dumps([r.inputs for r in plan.resources], default=str)
    assert "[secret]" in json.dumps(secret.inputs)
