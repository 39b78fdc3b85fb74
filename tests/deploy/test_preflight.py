"""The checks before the engine: AWS credentials and a reachable cluster (exit 3 when missing)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aicommons.deploy.preflight import aws_identity, cluster_version
from aicommons.errors import MissingComponentError


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)


def test_no_aws_credentials(no_aws: None) -> None:
    with pytest.raises(MissingComponentError) as err:
        aws_identity("us-east-1")
    assert (
        "no usable AWS credentials" in err.value.render()
        and "aws sts get-caller-identity" in err.value.render()
    )


def test_aws_credentials(no_aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        assert aws_identity("us-east-1").startswith("arn:aws:")


def test_unknown_context_and_unreachable_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "city-prod", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "city-prod",
            }
        )
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    with pytest.raises(MissingComponentError, match="context 'elsewhere' is not usable"):
        cluster_version("elsewhere")
    with pytest.raises(
        MissingComponentError, match="the cluster behind context 'city-prod' is not reachable"
    ):
        cluster_version("city-prod")
