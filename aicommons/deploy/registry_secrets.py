"""The private registries' passwords, from the environment at deploy time (never from a file).

Each becomes a platform stack config secret (``aicommons:<password_key>``, encrypted in the
stack's state) that the stack turns into an image pull secret
(stacks/aicommons_stacks/platform/pull_secrets.py); the deploy's log redactor gets the values.
"""

from __future__ import annotations

from collections.abc import Mapping

from aicommons.errors import Location, MissingComponentError
from aicommons.profile.model import CityProfile

CONFIG_NAMESPACE = "aicommons"


def registry_secrets(profile: CityProfile, environ: Mapping[str, str]) -> dict[str, str]:
    """Stack config key -> password for every registry with ``password_env``; a MissingComponentError
    (exit 3) naming each unset variable, and never a value."""
    found: dict[str, str] = {}
    missing: list[str] = []
    for index, registry in enumerate(profile.registries):
        if registry.password_env is None or registry.config_key is None:
            continue  # an existing pull secret: nothing to pass
        value = environ.get(registry.password_env)
        if not value:
            missing.append(f"${registry.password_env} (registries[{index}].password_env, {registry.server})")
            continue
        found[f"{CONFIG_NAMESPACE}:{registry.config_key}"] = value
    if missing:
        raise MissingComponentError(
            "the password of a private registry is read from the environment at deploy, and "
            + ", ".join(missing)
            + (" is" if len(missing) == 1 else " are")
            + " not set",
            Location(field="registries"),
            "export each variable with the registry's password or token (never put it in the profile), "
            "or name an existing pull secret with existing_secret",
        )
    return found
