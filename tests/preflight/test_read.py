"""`aicommons preflight`'s shell: the snapshot read over real HTTP with the real kubernetes client.

The cluster is the recorded API in `fixtures/k8s/` (an existing cluster: a labelled core node, a
user node without its taint, a GPU node without labels, the VPC CNI without its policy agent),
served by tests/live/k8s_api.RecordedKubeAPI on 127.0.0.1, as the live adapter's tests do.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.errors import EXIT_FAILED, EXIT_MISSING_COMPONENT, MissingComponentError
from aicommons.preflight.read import read_snapshot
from aicommons.preflight.snapshot import NodeTaint
from tests.live.k8s_api import RecordedKubeAPI

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "k8s"
PROFILE = Path(__file__).resolve().parents[1] / "fixtures" / "profiles" / "good" / "kubernetes-cluster.yaml"


@pytest.fixture
def api() -> Iterator[RecordedKubeAPI]:
    with RecordedKubeAPI(fixtures=FIXTURES) as server:
        yield server


@pytest.fixture
def kubeconfig(api: RecordedKubeAPI, tmp_path: Path) -> Path:
    return api.kubeconfig(tmp_path / "kubeconfig", context="city-prod")


def test_reads_the_snapshot_the_core_needs(kubeconfig: Path, api: RecordedKubeAPI) -> None:
    snapshot = read_snapshot("city-prod", str(kubeconfig))
    assert snapshot.context == "city-prod"
    nodes = {n.name: n for n in snapshot.nodes}
    assert sorted(nodes) == ["cp-1", "cpu-1", "gpu-1"]
    assert nodes["cp-1"].labels["hub.jupyter.org/node-purpose"] == "core"
    assert nodes["cp-1"].taints == (NodeTaint("node-role.kubernetes.io/control-plane", "", "NoSchedule"),)
    assert nodes["cpu-1"].taints == () and nodes["gpu-1"].gpu_allocatable == 2
    assert [(c.name, c.default) for c in snapshot.storage_classes] == [("ceph-rbd", False), ("gp2", True)]
    assert [(c.name, c.default) for c in snapshot.ingress_classes] == [("nginx", True)]
    assert [s.addresses for s in snapshot.load_balancer_services] == [("a1b2.elb.eu-west-1.amazonaws.com",)]
    assert {(w.kind, w.name) for w in snapshot.workloads} >= {
        ("DaemonSet", "aws-node"),
        ("Deployment", "coredns"),
    }
    assert snapshot.unreadable == {}
    # only read calls, cluster-wide
    assert set(api.paths()) == {
        "/api/v1/nodes",
        "/apis/storage.k8s.io/v1/storageclasses",
        "/apis/networking.k8s.io/v1/ingressclasses",
        "/apis/apps/v1/daemonsets",
        "/apis/apps/v1/deployments",
        "/api/v1/services",
    }


def test_no_env_value_but_the_policy_flag_is_kept(kubeconfig: Path) -> None:
    aws_node = next(w for w in read_snapshot("city-prod", str(kubeconfig)).workloads if w.name == "aws-node")
    assert "must-not-be-kept" not in repr(aws_node)
    assert aws_node.containers[0]["env"] == [{"name": "ENABLE_NETWORK_POLICY", "value": "false"}]


def test_a_kind_the_reader_may_not_list_is_recorded_not_fatal(tmp_path: Path) -> None:
    with RecordedKubeAPI(fixtures=FIXTURES, forbidden={"nodes"}) as server:
        snapshot = read_snapshot("city-prod", str(server.kubeconfig(tmp_path / "k", context="city-prod")))
    assert snapshot.nodes == () and "forbidden" in snapshot.unreadable["Node"]


def test_refused_credentials_are_a_missing_component(api: RecordedKubeAPI, tmp_path: Path) -> None:
    config = api.kubeconfig(tmp_path / "k", context="city-prod", token="wrong")
    with pytest.raises(MissingComponentError, match="401"):
        read_snapshot("city-prod", str(config))


def test_the_cli_reports_what_is_missing_with_exit_1(kubeconfig: Path) -> None:
    result = CliRunner().invoke(app, ["preflight", str(PROFILE), "--kubeconfig", str(kubeconfig)])
    assert result.exit_code == EXIT_FAILED, result.output
    out = result.output
    assert "preflight of context 'city-prod'" in out  # the profile's target.context
    # the user node lacks its taint: the exact command names it
    assert (
        "$ kubectl --context city-prod taint nodes cpu-1 hub.jupyter.org/dedicated=user:NoSchedule --overwrite"
        in out
    )
    # the core node's control-plane taint would keep the hub off it
    assert (
        "$ kubectl --context city-prod taint nodes cp-1 node-role.kubernetes.io/control-plane:NoSchedule-"
        in out
    )
    # the StorageClass the profile names exists; Calico over the VPC CNI is fine
    assert "ceph-rbd: the StorageClass for user homes exists" in out
    assert "policy-only mode over AmazonVPC" in out


def test_the_cli_json_names_each_finding(kubeconfig: Path) -> None:
    result = CliRunner().invoke(app, ["preflight", str(PROFILE), "--kubeconfig", str(kubeconfig), "--json"])
    report = yaml.safe_load(result.output)
    assert report["ready"] is False
    (gpu,) = [f for f in report["findings"] if f["subject"] == "pool gpu-l40s (gpu)"]
    # gpu-1 carries no pool label yet: the commands name the pool, NODE stands for its nodes
    assert gpu["status"] == "missing" and "no node labelled aicommons.dev/pool=gpu-l40s" in gpu["message"]
    assert gpu["fix"][0].startswith(
        "kubectl --context city-prod label nodes NODE aicommons.dev/gpu-model=L40S"
    )


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The real console entry point (errors become one message and an exit code)."""
    from aicommons.cli.main import run

    monkeypatch.setattr("sys.argv", ["aicommons", *args])
    with pytest.raises(SystemExit) as exit_:
        run()
    return int(exit_.value.code or 0)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_cluster_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{_closed_port()}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "city-prod", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "city-prod",
            }
        )
    )
    assert (
        run_cli(monkeypatch, "preflight", str(PROFILE), "--kubeconfig", str(config)) == EXIT_MISSING_COMPONENT
    )
    err = capsys.readouterr().err
    assert "cannot reach the Kubernetes API of context 'city-prod'" in err and "Traceback" not in err


def test_an_unknown_context_exits_3(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        monkeypatch, "preflight", str(PROFILE), "--kubeconfig", str(kubeconfig), "--context", "elsewhere"
    )
    assert code == EXIT_MISSING_COMPONENT
    assert "the kubeconfig context 'elsewhere' does not exist" in capsys.readouterr().err


def test_a_profile_without_a_context_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    riverton = (
        Path(__file__).resolve().parents[2] / "examples" / "cities" / "riverton.yaml"
    )  # AWS: no context
    assert run_cli(monkeypatch, "preflight", str(riverton)) == EXIT_MISSING_COMPONENT
    assert "--context NAME" in capsys.readouterr().err


def test_missing_items_exit_1_through_the_console_entry_point(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli(monkeypatch, "preflight", str(PROFILE), "--kubeconfig", str(kubeconfig)) == EXIT_FAILED
