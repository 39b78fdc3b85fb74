"""Servers for the live adapter's tests: the recorded Kubernetes API and moto's AWS server.

Both listen on 127.0.0.1 only and stop at teardown. The AWS environment is rebuilt for every
test: moto's state is reset, every AWS_* variable of the machine is removed (no real profile,
credentials or instance metadata can be used), proxies are bypassed, and fake credentials point
boto3 at moto through AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.aws_world import REGION
from tests.live.k8s_api import RecordedKubeAPI


@pytest.fixture
def kube_api() -> Iterator[RecordedKubeAPI]:
    with RecordedKubeAPI() as api:
        yield api


@pytest.fixture
def kubeconfig(kube_api: RecordedKubeAPI, tmp_path: Path) -> Path:
    return kube_api.kubeconfig(tmp_path / "kubeconfig")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def isolate_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS configuration of the machine leaks into a test, and nothing leaves loopback."""
    for var in list(os.environ):
        if var.startswith("AWS_") or var.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def point_at_moto(monkeypatch: pytest.MonkeyPatch, endpoint: str, tmp_path: Path) -> None:
    """A fresh moto (state reset) as the only AWS this process can see."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
    isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # moto answers 500 to the one call it lacks (Budgets DescribeSubscribersForNotification);
    # retrying it with backoff would only slow the tests down.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    point_at_moto(monkeypatch, moto_endpoint, tmp_path)
    return moto_endpoint


@pytest.fixture(scope="module")
def aws_module_env(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like aws_env, for a module whose tests only read one AWS world built once."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_at_moto(monkeypatch, moto_endpoint, tmp_path_factory.mktemp("aws"))
        yield moto_endpoint
