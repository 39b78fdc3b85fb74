"""The hub service and test user the bundle provisions for `aicommons check --live`.

The service has no ``apiToken`` in the values: Zero-to-JupyterHub generates one, keeps it across
upgrades and stores it in the hub's Secret under ``hub.services.<name>.apiToken``
(zero-to-jupyterhub-k8s: jupyterhub/templates/hub/secret.yaml and
jupyterhub/files/hub/jupyterhub_config.py, which reads it with ``get_secret_value``), so the
token is in no rendered file.

Least privilege: every scope is filtered to the test user, and neither ``tokens`` nor
``admin:users`` is granted (together they would let the token make the test user an admin and
mint an admin token). The test user is created by the hub at start-up because a role names it
(JupyterHub ``init_role_assignment`` creates users listed in ``load_roles``), so the service
never needs to create users.
"""

from __future__ import annotations

from typing import Any

SERVICE = "aicommons-check"
TEST_USER = "aicommons-check"
HUB_SECRET = "hub"  # z2jh's hub Secret (templates/hub/secret.yaml, "jupyterhub.hub.fullname")
SECRET_KEY = f"hub.services.{SERVICE}.apiToken"

# start:servers and delete:servers (in `servers`), read:servers for the progress stream,
# access:servers to talk to the test user's server through the proxy.
SERVICE_SCOPES = (
    f"servers!user={TEST_USER}",
    f"read:users!user={TEST_USER}",
    f"access:servers!user={TEST_USER}",
)


def hub_values() -> dict[str, Any]:
    """The ``hub.services`` and ``hub.loadRoles`` entries merged into the JupyterHub values."""
    return {
        "services": {SERVICE: {"display": False}},
        "loadRoles": {
            SERVICE: {
                "description": "aicommons check --live: start, use and stop the test user's servers",
                "scopes": list(SERVICE_SCOPES),
                "services": [SERVICE],
            },
            f"{TEST_USER}-user": {
                "description": "The test user of aicommons check --live (created by the hub)",
                "scopes": ["self"],
                "users": [TEST_USER],
            },
        },
    }
