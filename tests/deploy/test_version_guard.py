"""`deploy` refuses a Kubernetes jump of more than one minor, or node groups outside the skew policy,
against the versions the deployed infra stack reports (its outputs, from the stand-in engine)."""

from __future__ import annotations

import pytest

from aicommons.deploy.engine import StackOutput
from aicommons.deploy.version_guard import version_refusal
from aicommons.errors import EXIT_BAD_INPUT
from tests.deploy.standin import DEFAULT_OUTPUTS, StandInEngine, happy_steps
from tests.deploy.test_deploy_cli import no_upload  # noqa: F401  (autouse: no S3)

# The bundle riverton renders pins 1.34 (aicommons.render.infra_aws.KUBERNETES_VERSION).


def _engine(running: str, groups: dict[str, str] | None = None) -> StandInEngine:
    outputs = {k: dict(v) for k, v in DEFAULT_OUTPUTS.items()}
    outputs["infra"]["kubernetesVersion"] = StackOutput(running)
    outputs["infra"]["nodeGroupVersions"] = StackOutput(groups or {})
    engine = StandInEngine(happy_steps("infra", "platform"))
    engine.outputs_by_stack = outputs
    return engine


def test_two_minors_at_once_is_exit_2_with_the_safe_path_before_any_change(riverton, wire, cli) -> None:
    engine = _engine("1.32")  # 1.32 -> 1.34 skips 1.33
    wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_BAD_INPUT, result.text
    assert "the bundle pins Kubernetes 1.34 and the cluster runs 1.32" in result.err
    assert "aws eks update-cluster-version --name aicommons-riverton --kubernetes-version 1.33" in result.err
    assert [c for c in engine.calls if c[0] in ("preview", "up")] == []


def test_node_groups_ahead_of_the_control_plane_are_refused(riverton, wire, cli) -> None:
    engine = _engine("1.34", {"core": "1.35"})
    wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_BAD_INPUT
    assert "node group core at 1.35 is ahead of the control plane at 1.34" in result.err
    assert [c for c in engine.calls if c[0] in ("preview", "up")] == []


@pytest.mark.parametrize("running", ["1.33", "v1.34.2"])
def test_one_minor_or_none_deploys(riverton, wire, cli, running: str) -> None:
    engine = _engine(running, {"core": "1.33", "user": "1.33"})
    wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == 0, result.text
    assert ("up", "infra") in engine.calls


def test_a_stack_without_version_outputs_is_said_not_checked(riverton, wire, cli) -> None:
    wire(StandInEngine(happy_steps("infra", "platform")))
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == 0, result.text
    assert "one-minor-at-a-time rule was not checked" in result.out


def test_the_rules_on_cases_worked_by_hand() -> None:
    assert version_refusal("1.33", "1.34", {}) is None  # 34 - 33 = 1
    assert "cannot downgrade" in (version_refusal("1.34", "1.33", {}) or "")
    # 1.31 -> 1.34: three minors; the safe path names 1.32 and 1.33, then deploy does 1.34
    refusal = version_refusal("1.31", "1.34", {}, "c") or ""
    assert "--kubernetes-version 1.32" in refusal and "--kubernetes-version 1.33" in refusal
    assert "--kubernetes-version 1.34" not in refusal
    # a node group four minors behind the new control plane: 34 - 30 = 4 > 3
    assert "4 minors behind" in (version_refusal("1.33", "1.34", {"old": "1.30"}) or "")
