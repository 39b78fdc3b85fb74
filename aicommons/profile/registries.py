"""Private container registries the hub's images come from, and who may administer the hub.

The password of a registry is never in the profile or the bundle: the profile names the
environment variable that holds it at deploy time (the deploy passes it to the platform stack as
a Pulumi secret, and the stack creates the pull secret), or an image pull secret that already
exists in the hub's namespace.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from aicommons.profile.strict import Strict

# JupyterHub usernames as an OIDC claim gives them (preferred_username, an e-mail, a uid).
USERNAME = r"^[a-z0-9][a-z0-9._@+-]{0,63}$"
AdminUser = Annotated[
    str,
    Field(
        pattern=USERNAME,
        description="A username as the hub sees it (the username_claim, lower-case), e.g. 'jdoe'.",
    ),
]
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
PULL_SECRET_PREFIX = "registry-"


class PrivateRegistry(Strict):
    """A registry that needs credentials to pull the hub's or users' images."""

    name: str = Field(
        pattern=r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$",
        description="Short name; the pull secret the stack creates is registry-<name>.",
    )
    server: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._/-]+)?$",
        description="Registry host, e.g. registry.riverton.gov or 123456789012.dkr.ecr.us-east-1.amazonaws.com.",
    )
    username: str | None = Field(
        default=None, min_length=1, max_length=256, description="Registry user (with password_env)."
    )
    password_env: str | None = Field(
        default=None,
        pattern=ENV_NAME,
        description="Environment variable holding the password or token at deploy time (never the value).",
    )
    existing_secret: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$",
        description="An image pull secret that already exists in the hub's namespace, instead of username "
        "and password_env.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> PrivateRegistry:
        if (self.password_env is None) == (self.existing_secret is None):
            raise ValueError(
                "give password_env (with username; the stack creates the pull secret at deploy) or "
                "existing_secret (a pull secret already in the hub's namespace), not both or neither"
            )
        if self.password_env is not None and self.username is None:
            raise ValueError("password_env needs username")
        if self.existing_secret is not None and self.username is not None:
            raise ValueError("username goes with password_env; an existing_secret holds its own")
        return self

    @property
    def secret_name(self) -> str:
        """The Kubernetes secret the pods name in imagePullSecrets."""
        return self.existing_secret or f"{PULL_SECRET_PREFIX}{self.name}"

    @property
    def config_key(self) -> str | None:
        """The platform stack's config secret key for the password (None for an existing secret)."""
        if self.password_env is None:
            return None
        return "registryPassword" + "".join(p.capitalize() for p in re.split(r"-", self.name))


def unique_registries(registries: list[PrivateRegistry]) -> list[PrivateRegistry]:
    names = [r.name for r in registries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"registry names must be unique: {', '.join(dupes)} repeated")
    return registries
