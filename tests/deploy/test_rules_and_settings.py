"""Stack order, confirmation, where state lives, and what must be set before the engine runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicommons.deploy.rules import Confirm, confirmation, deploy_order, destroy_order
from aicommons.deploy.settings import (
    engine_settings,
    file_backend_url,
    require_passphrase,
    require_secret,
    secrets_provider_of,
)
from aicommons.errors import EXIT_BAD_INPUT, EXIT_MISSING_COMPONENT, InputError, MissingComponentError


def test_order() -> None:
    assert deploy_order(["platform", "infra"]) == ["infra", "platform"]
    assert destroy_order(["infra", "platform"]) == ["platform", "infra"]
    assert deploy_order(["platform"]) == ["platform"]
    assert deploy_order(["infra", "platform"], "platform") == ["platform"]
    with pytest.raises(InputError) as err:
        deploy_order(["platform"], "infra")
    assert err.value.exit_code == EXIT_BAD_INPUT and "allowed: platform" in err.value.render()


@pytest.mark.parametrize(
    ("yes", "interactive", "preview", "expected"),
    [
        (True, False, False, Confirm.NOT_NEEDED),
        (False, False, True, Confirm.NOT_NEEDED),
        (False, True, False, Confirm.ASK),
        (True, True, False, Confirm.NOT_NEEDED),
    ],
)
def test_confirmation(yes: bool, interactive: bool, preview: bool, expected: Confirm) -> None:
    assert confirmation(yes=yes, interactive=interactive, preview_only=preview, action="deploy") is expected


def test_no_terminal_no_yes_is_refused() -> None:
    with pytest.raises(InputError, match="no terminal to confirm the destroy"):
        confirmation(yes=False, interactive=False, preview_only=False, action="destroy")


def test_default_backend_is_the_city_folder(tmp_path: Path) -> None:
    s = engine_settings(
        tmp_path, tmp_path / "bundles" / "x", None, None, {"PULUMI_CONFIG_PASSPHRASE": "p" * 8}
    )
    assert s.backend_url == file_backend_url(tmp_path / ".aicommons" / "state")
    assert (
        s.backend_url.startswith("file:///")
        and s.local_state == (tmp_path / ".aicommons" / "state").resolve()
    )
    assert s.project_dir == tmp_path / "bundles" / "x" / "pulumi"
    other = engine_settings(
        tmp_path, tmp_path, "s3://city-state", None, {"PULUMI_CONFIG_PASSPHRASE_FILE": "/run/p"}
    )
    assert other.backend_url == "s3://city-state" and other.local_state is None


def test_passphrase_and_secret_are_required(tmp_path: Path) -> None:
    with pytest.raises(MissingComponentError) as err:
        require_passphrase({})
    assert err.value.exit_code == EXIT_MISSING_COMPONENT and "PULUMI_CONFIG_PASSPHRASE" in err.value.render()
    assert engine_settings(tmp_path, tmp_path, None, None, {}, need_passphrase=False).secrets_provider is None
    with pytest.raises(MissingComponentError, match=r"\$CITY_OIDC, which is not set"):
        require_secret("CITY_OIDC", {"CITY_OIDC": ""})
    assert require_secret("CITY_OIDC", {"CITY_OIDC": "v"}) == "v"


def test_secrets_providers() -> None:
    assert secrets_provider_of(None) is None and secrets_provider_of("passphrase") is None
    kms = "awskms://alias/city?region=eu-central-1"
    assert secrets_provider_of(kms) == kms
    with pytest.raises(InputError, match="not a Pulumi secrets provider"):
        secrets_provider_of("kms")
