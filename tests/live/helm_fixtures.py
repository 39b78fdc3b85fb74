"""Build `fixtures/k8s/secrets.json` (a recorded SecretList) from `fixtures/k8s/helm_releases.json`.

Helm 3 stores each release revision in a Secret of type `helm.sh/release.v1`: the release JSON,
gzipped, base64-encoded by Helm, put in `data.release`, which the API serves base64-encoded
once more. The secrets fixture is committed; `python -m tests.live.helm_fixtures` rewrites it
after editing the releases, and a test checks the two agree.

The list also holds one ordinary Secret (the hub's), which the adapter must never read.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "k8s"
RELEASES = FIXTURES / "helm_releases.json"
SECRETS = FIXTURES / "secrets.json"

# Not a Helm record: z2jh's hub Secret. Its values are markers a test looks for in the inventory.
HUB_SECRET_MARKER = "hub-cookie-secret-MUST-NOT-APPEAR"
_HUB_SECRET = {
    "metadata": {
        "name": "hub",
        "namespace": "jupyterhub",
        "uid": "3f0a6e7d-77b1-4c55-9a0e-0f5b6c7d8e99",
        "resourceVersion": "1190442",
        "creationTimestamp": "2026-10-02T09:16:14Z",
        "labels": {
            "app": "jupyterhub",
            "chart": "jupyterhub-4.3.3",
            "component": "hub",
            "release": "jupyterhub",
        },
    },
    "data": {
        "hub.config.JupyterHub.cookie_secret": base64.b64encode(HUB_SECRET_MARKER.encode()).decode(),
        "hub.config.CryptKeeper.keys": base64.b64encode(b"crypt-keeper-key-MUST-NOT-APPEAR").decode(),
    },
    "type": "Opaque",
}


def helm_secret_data(release: dict[str, Any]) -> str:
    """What the API returns in `data.release`: base64(base64(gzip(json)))."""
    helm_encoded = base64.b64encode(gzip.compress(json.dumps(release).encode(), mtime=0))
    return base64.b64encode(helm_encoded).decode()


def _timestamp(helm_time: str) -> str:
    return helm_time.split(".")[0] + "Z"


def secret_list() -> dict[str, Any]:
    items = []
    for i, entry in enumerate(json.loads(RELEASES.read_text())):
        meta = dict(entry["secret"])
        meta["creationTimestamp"] = _timestamp(meta["creationTimestamp"])
        meta["resourceVersion"] = str(1190500 + i)
        items.append(
            {
                "metadata": meta,
                "data": {"release": helm_secret_data(entry["release"])},
                "type": "helm.sh/release.v1",
            }
        )
    items.insert(2, _HUB_SECRET)
    return {
        "kind": "SecretList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": "1204518"},
        "items": items,
    }


def main() -> None:
    SECRETS.write_text(json.dumps(secret_list(), indent=2) + "\n")


if __name__ == "__main__":
    main()
