"""An optional staging hub: a second, small JupyterHub from the same profile, to try upgrades first."""

from __future__ import annotations

from pydantic import Field

from aicommons.profile.strict import Strict


class Staging(Strict):
    """A second JupyterHub release in its own namespace, sized small: the same environments, images
    and sign-in, for the city's admins, so a chart or image upgrade is tried there before production."""

    enabled: bool = Field(default=False, description="Render the staging hub.")
    namespace: str = Field(
        default="jupyterhub-staging",
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
        description="Its namespace (created with restricted Pod Security, like the hub's).",
    )
    host: str | None = Field(
        default=None,
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$",
        description="Its public name; staging.<hub.host> when unset (register its OAuth callback with the "
        "identity provider, and point its DNS record like the hub's).",
    )
    max_servers: int = Field(
        default=2,
        ge=1,
        le=20,
        description="Most user servers it runs at once (JupyterHub active_server_limit).",
    )
