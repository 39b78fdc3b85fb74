"""How the engine reaches a city's state, and how its secrets are encrypted.

Where the state, logs, ledger and bundle live is `aicommons.cityfolder`'s to say (one rule for
every command): under the city's folder (the folder holding the profile) unless told otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aicommons.cityfolder import CityFolder, backend_url
from aicommons.errors import InputError, MissingComponentError
from aicommons.profile.model import CityProfile

PASSPHRASE_VARS = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
# Pulumi's secrets providers: the passphrase, or a cloud key (awskms://alias/x?region=...).
SECRETS_PROVIDERS = re.compile(r"^(passphrase|default|(awskms|azurekeyvault|gcpkms|hashivault)://\S+)$")
PULUMI_INSTALL = "https://www.pulumi.com/docs/install/"


def state_dir(city_folder: Path) -> Path:
    return CityFolder(city_folder).state


def logs_dir(city_folder: Path) -> Path:
    return CityFolder(city_folder).logs


def default_bundle_dir(city_folder: Path, slug: str) -> Path:
    return CityFolder(city_folder).bundle(slug)


def file_backend_url(folder: Path) -> str:
    return folder.resolve().as_uri()  # file:///abs/path


@dataclass(frozen=True)
class EngineSettings:
    """How to reach the engine's state and encrypt its secrets."""

    project_dir: Path  # the bundle's pulumi/ folder
    backend_url: str
    secrets_provider: str | None = None  # None: the passphrase
    city_folder: Path | None = None

    @property
    def local_state(self) -> Path | None:
        """The folder of a file:// backend (None for S3, Pulumi Cloud and the like)."""
        if self.backend_url.startswith("file://"):
            return Path(self.backend_url.removeprefix("file://"))
        return None


def engine_settings(
    city_folder: Path,
    bundle_dir: Path,
    backend: str | None,
    secrets_provider: str | None,
    environ: Mapping[str, str],
    *,
    need_passphrase: bool = True,
) -> EngineSettings:
    """Check the backend, the secrets provider and the passphrase before any engine call."""
    provider = secrets_provider_of(secrets_provider)
    if provider is None and need_passphrase:
        require_passphrase(environ)
    return EngineSettings(
        project_dir=bundle_dir / "pulumi",
        backend_url=backend_url(CityFolder(city_folder), backend, environ),
        secrets_provider=provider,
        city_folder=city_folder,
    )


def secrets_provider_of(value: str | None) -> str | None:
    """None for the passphrase (the default), else a cloud key URL Pulumi understands."""
    if value is None or value in ("passphrase", "default"):
        return None
    if not SECRETS_PROVIDERS.match(value):
        raise InputError(
            f"--secrets-provider {value!r} is not a Pulumi secrets provider",
            allowed="passphrase, awskms://alias/<name>?region=<region>, azurekeyvault://..., gcpkms://..., hashivault://...",
        )
    return value


def require_passphrase(environ: Mapping[str, str]) -> None:
    if not any(environ.get(name) for name in PASSPHRASE_VARS):
        raise MissingComponentError(
            "the stacks' secrets are encrypted with a passphrase, and PULUMI_CONFIG_PASSPHRASE is not set",
            allowed="export PULUMI_CONFIG_PASSPHRASE='<a long passphrase kept in your password manager>' "
            "(or PULUMI_CONFIG_PASSPHRASE_FILE=<file>), or --secrets-provider awskms://alias/<key>?region=<region>",
        )


def require_secret(name: str, environ: Mapping[str, str]) -> str:
    """The OIDC client secret from the variable the profile names (identity.client_secret_env)."""
    value = environ.get(name)
    if not value:
        raise MissingComponentError(
            f"the OIDC client secret is read from ${name}, which is not set",
            allowed=f"export {name}='<the client secret from your identity provider>' (never put it in the profile)",
        )
    return value


def smtp_secret(profile: CityProfile, environ: Mapping[str, str]) -> dict[str, str]:
    """The alert relay's password as the platform stack's secret, when the profile names a user
    (monitoring.smtp.username); read from the variable monitoring.smtp.password_env."""
    from aicommons.profile.monitoring import SMTP_PASSWORD_SECRET

    smtp = profile.monitoring.smtp if profile.monitoring.enabled else None
    if smtp is None or not smtp.username:
        return {}
    value = environ.get(smtp.password_env)
    if not value:
        raise MissingComponentError(
            f"the SMTP password of the alert relay is read from ${smtp.password_env}, which is not set",
            allowed=f"export {smtp.password_env}='<the relay password>' (never put it in the profile)",
        )
    return {f"aicommons:{SMTP_PASSWORD_SECRET}": value}


def city_folder_with_state(bundle_dir: Path) -> Path | None:
    """The nearest folder above the bundle that holds engine state (for callers with only a bundle)."""
    for folder in [bundle_dir, *bundle_dir.resolve().parents]:
        if state_dir(folder).is_dir():
            return folder
    return None
