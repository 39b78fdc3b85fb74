"""Where `check --live` gets its service token: an environment variable, or the hub's Secret read
through the kubernetes client (the recorded API server of tests/live)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from aicommons.errors import MissingComponentError
from aicommons.healthcheck.service import SECRET_KEY
from aicommons.healthcheck.token import token_from_env, token_from_secret
from tests.live.k8s_api import FIXTURES, RecordedKubeAPI


def _fixtures_with_token(folder: Path, token: str) -> Path:
    shutil.copytree(FIXTURES, folder)
    secrets = json.loads((folder / "secrets.json").read_text())
    hub = next(s for s in secrets["items"] if s["metadata"]["name"] == "hub")
    hub["data"][SECRET_KEY] = base64.b64encode(token.encode()).decode()
    (folder / "secrets.json").write_text(json.dumps(secrets))
    return folder


def test_the_token_is_read_from_the_hub_secret(tmp_path: Path) -> None:
    token = "9f" * 32
    with RecordedKubeAPI(_fixtures_with_token(tmp_path / "k8s", token)) as api:
        config = api.kubeconfig(tmp_path / "kubeconfig")
        assert token_from_secret("jupyterhub", None, str(config)) == token
        assert "/api/v1/namespaces/jupyterhub/secrets/hub" in list(api.paths())  # one get, no list


def test_a_secret_without_the_service_token_is_exit_3(tmp_path: Path) -> None:
    with RecordedKubeAPI() as api:  # the recorded hub Secret predates the service
        config = api.kubeconfig(tmp_path / "kubeconfig")
        with pytest.raises(MissingComponentError, match="has no hub.services.aicommons-check.apiToken"):
            token_from_secret("jupyterhub", None, str(config))
        with pytest.raises(MissingComponentError, match="HTTP 404"):
            token_from_secret("elsewhere", None, str(config))


def test_a_secret_the_reader_may_not_read_is_exit_3_with_the_way_out(tmp_path: Path) -> None:
    with RecordedKubeAPI(forbidden={"secrets@jupyterhub"}) as api:
        config = api.kubeconfig(tmp_path / "kubeconfig")
        with pytest.raises(MissingComponentError, match="HTTP 403.*--token-env") as err:
            token_from_secret("jupyterhub", None, str(config))
    assert err.value.exit_code == 3


def test_an_empty_environment_variable_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_CHECK_TOKEN", "  ")
    with pytest.raises(MissingComponentError, match="HUB_CHECK_TOKEN is unset or empty"):
        token_from_env("HUB_CHECK_TOKEN")
    monkeypatch.setenv("HUB_CHECK_TOKEN", "abc\n")
    assert token_from_env("HUB_CHECK_TOKEN") == "abc"
