"""Where the check's service token comes from (shell: environment, cluster).

Either an environment variable the user names (``--token-env``, e.g. a CI secret), or the hub's
Secret, key ``hub.services.aicommons-check.apiToken``, read with the kubeconfig's credentials.
The token itself never appears in a message.
"""

from __future__ import annotations

import base64
import os

from aicommons.errors import MissingComponentError
from aicommons.healthcheck.service import HUB_SECRET, SECRET_KEY


def token_from_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingComponentError(
            f"no service token: the environment variable {name} is unset or empty (set it to the hub "
            f"Secret's {SECRET_KEY}, or drop --token-env to read that Secret with the kubeconfig)"
        )
    return value


def token_from_secret(namespace: str, context: str | None, kubeconfig: str | None) -> str:
    from aicommons.checks.adapters.live_k8s import _connect

    api_client, name, _host = _connect(context, kubeconfig)
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        secret = client.CoreV1Api(api_client).read_namespaced_secret(HUB_SECRET, namespace)
    except ApiException as exc:
        raise MissingComponentError(
            f"cannot read Secret {namespace}/{HUB_SECRET} with context '{name}' (HTTP {exc.status} "
            f"{exc.reason}); pass the token with --token-env NAME instead"
        ) from None
    except (HTTPError, OSError) as exc:
        raise MissingComponentError(
            f"the cluster of context '{name}' does not answer: {type(exc).__name__}"
        ) from None
    encoded = (secret.data or {}).get(SECRET_KEY)
    if not encoded:
        raise MissingComponentError(
            f"Secret {namespace}/{HUB_SECRET} has no {SECRET_KEY}: deploy the bundle's JupyterHub values "
            f"(they declare the aicommons-check service) first"
        )
    return base64.b64decode(encoded).decode().strip()
