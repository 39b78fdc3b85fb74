"""The live adapter's Kubernetes half, over real HTTP with the real kubernetes client.

The cluster is the recorded API in `fixtures/k8s/` (a small AI Commons on EKS), served by
`k8s_api.RecordedKubeAPI` on 127.0.0.1.
"""

from __future__ import annotations

import base64
import gzip
import json
import socket
from collections import Counter
from pathlib import Path

import pytest

from aicommons.checks.adapters import live_k8s
from aicommons.checks.adapters.live import live_inventory
from aicommons.checks.adapters.live_k8s import (
    REDACTED,
    decode_helm_release,
    encode_helm_release,
    kubernetes_inventory,
    network_policy_engine,
    redact,
)
from aicommons.checks.model import BUCKET, CLUSTER, HELM_RELEASE, Inventory, Resource
from aicommons.errors import EXIT_MISSING_COMPONENT, MissingComponentError
from tests.live import helm_fixtures
from tests.live.k8s_api import RecordedKubeAPI

SECRET_MARKERS = (
    helm_fixtures.HUB_SECRET_MARKER,
    "crypt-keeper-key-MUST-NOT-APPEAR",
    "riverton-oidc-client-secret-RECORDED",
    "hf_recordedExampleTokenValue",
    "user-api-token-MUST-NOT-APPEAR",
)


def read(kubeconfig: Path, context: str | None = "riverton") -> Inventory:
    return live_inventory(context, kubeconfig=str(kubeconfig))


def one(inventory: Inventory, kind: str, name: str) -> Resource:
    found = [r for r in inventory.of(kind) if r.name == name]
    assert len(found) == 1, f"{kind}/{name}: {[r.ref for r in inventory.of(kind)]}"
    return found[0]


def names(inventory: Inventory, kind: str) -> set[str]:
    return {r.name for r in inventory.of(kind)}


# --- The recorded cluster ---------------------------------------------------------------------


def test_reads_every_kind_of_the_recorded_cluster(kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    assert inventory.source == "live"
    assert Counter(r.kind for r in inventory.resources) == {
        "Namespace": 6,
        "NetworkPolicy": 6,
        "ResourceQuota": 1,
        "LimitRange": 1,
        "ConfigMap": 2,
        "ServiceAccount": 4,
        "Role": 3,
        "ClusterRole": 3,
        "RoleBinding": 2,
        "ClusterRoleBinding": 3,
        "Service": 5,
        "DaemonSet": 5,
        "StorageClass": 2,
        "Pod": 7,
        HELM_RELEASE: 3,
    }  # no Ingress: the hub is exposed through its LoadBalancer service
    assert not set(inventory.unavailable) & {r.kind for r in inventory.resources}


def test_namespaces_policies_quota_and_provenance(kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    hub = one(inventory, "Namespace", "jupyterhub")
    assert hub.namespace is None
    assert hub.labels["pod-security.kubernetes.io/enforce"] == "baseline"
    deny = one(inventory, "NetworkPolicy", "aicommons-platform-default-deny")
    assert deny.namespace == "jupyterhub"
    assert deny.spec["spec"] == {
        "podSelector": {"matchLabels": {"component": "singleuser-server"}},
        "policyTypes": ["Ingress", "Egress"],
    }
    quota = one(inventory, "ResourceQuota", "aicommons-platform-quota")
    assert quota.spec["spec"]["hard"]["requests.nvidia.com/gpu"] == "4"
    # Only the platform's ConfigMaps (label-selected): not kube-root-ca.crt, not the hub's.
    assert names(inventory, "ConfigMap") == {
        "aicommons-platform-provenance",
        "aicommons-platform-audit-fluent-bit",
    }
    provenance = one(inventory, "ConfigMap", "aicommons-platform-provenance")
    assert provenance.spec["data"]["blueprintName"] == "ai-commons-v1"


def test_specs_are_the_api_objects_in_camel_case(kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    alice = one(inventory, "Pod", "jupyter-alice")
    # List items carry no kind/apiVersion on the wire; the adapter fills them in like kubectl.
    assert (alice.spec["kind"], alice.spec["apiVersion"]) == ("Pod", "v1")
    assert alice.spec["spec"]["automountServiceAccountToken"] is False
    assert alice.spec["spec"]["initContainers"][0]["securityContext"]["privileged"] is True
    assert alice.spec["metadata"]["labels"]["component"] == "singleuser-server"
    assert alice.labels["hub.jupyter.org/username"] == "alice"
    policy = one(inventory, "NetworkPolicy", "singleuser")
    assert policy.spec["apiVersion"] == "networking.k8s.io/v1"
    assert policy.spec["spec"]["egress"][2]["to"][0]["ipBlock"]["except"][-1] == "169.254.169.254/32"
    role = one(inventory, "Role", "notebook-debug")
    assert role.spec["rules"] == [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
    binding = one(inventory, "ClusterRoleBinding", "cluster-admin")
    assert binding.spec["roleRef"]["name"] == "cluster-admin"
    assert all("managedFields" not in r.spec.get("metadata", {}) for r in inventory.resources)


def test_pods_are_user_servers_the_hub_and_system_namespaces_only(kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    assert {p.name for p in inventory.of("Pod") if p.namespace == "jupyterhub"} == {
        "jupyter-alice",
        "hub-6f7c9d8b5-x2k4q",
        "proxy-7d9f8c6b4-9zq7m",
        "autohttps-5c8b7d9f6-7wq2n",
    }
    assert {p.namespace for p in inventory.of("Pod")} == {"jupyterhub", "kube-system", "aicommons-system"}
    assert "debug-shell" not in names(inventory, "Pod")  # default namespace, not a hub pod


def test_tls_service_and_cni(kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    proxy = one(inventory, "Service", "proxy-public")
    assert [p["port"] for p in proxy.spec["spec"]["ports"]] == [443, 80]
    assert proxy.spec["spec"]["type"] == "LoadBalancer"
    # The cluster's own view is kept for merging into EKS's (test_live_aws), not a resource here:
    # without the cloud there is nothing to say about secrets encryption or control-plane logs.
    assert not inventory.of(CLUSTER)
    cluster = kubernetes_inventory("riverton", kubeconfig=str(kubeconfig)).cluster
    assert cluster["network_policy_enforced"] is True
    assert cluster["version"] == "v1.34.1-eks-8f1a2b3"
    assert cluster["network_policy_evidence"] == [
        "DaemonSet kube-system/aws-node: aws-vpc-cni without network policy",
        "DaemonSet kube-system/calico-node: calico",
    ]


def test_helm_releases_are_decoded_from_their_secrets(kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    assert names(inventory, HELM_RELEASE) == {"aicommons-platform", "fluent-bit", "jupyterhub"}
    hub = inventory.release("jupyterhub")
    assert hub is not None and hub.namespace == "jupyterhub"
    spec = hub.spec
    # Revision 2 is deployed; revision 1 (superseded, dummy authenticator) is history.
    assert (spec["chart"], spec["version"], spec["revision"], spec["status"]) == (
        "jupyterhub",
        "4.3.3",
        2,
        "deployed",
    )
    assert spec["repository"] is None
    values = spec["values"]
    oauth = values["hub"]["config"]["GenericOAuthenticator"]
    assert values["hub"]["config"]["JupyterHub"] == {
        "admin_access": False,
        "authenticator_class": "generic-oauth",
    }
    assert oauth["allowed_groups"] == ["aicommons-users"]
    assert oauth["client_secret"] == REDACTED
    assert oauth["token_url"].startswith("https://")  # a URL, not a token
    assert oauth["claim_groups_key"] == "groups"
    assert values["singleuser"]["extraEnv"] == {"HF_TOKEN": REDACTED, "TZ": "America/Chicago"}
    assert values["singleuser"]["extraPodConfig"] == {"automountServiceAccountToken": False}
    gpu = values["singleuser"]["profileList"][1]["kubespawner_override"]
    assert gpu["tolerations"][1] == {
        "effect": "NoSchedule",
        "key": "nvidia.com/gpu",
        "operator": "Equal",
        "value": "present",
    }
    assert spec["redacted"] == [
        "hub.config.GenericOAuthenticator.client_secret",
        "singleuser.extraEnv.HF_TOKEN",
    ]
    platform = inventory.release("aicommons-platform")
    assert platform is not None and platform.spec["values"]["tenants"][0]["quota"]["gpu"] == 4
    assert platform.spec["redacted"] == []


def test_no_secret_value_reaches_the_inventory(kube_api: RecordedKubeAPI, kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    assert not inventory.of("Secret")
    text = json.dumps([(r.kind, r.name, r.labels, r.spec) for r in inventory.resources], default=str)
    for marker in SECRET_MARKERS:
        assert marker not in text
    alice = one(inventory, "Pod", "jupyter-alice")
    env = alice.spec["spec"]["containers"][0]["env"]
    assert env == [
        {"name": "JUPYTERHUB_API_TOKEN", "value": REDACTED},
        {"name": "JUPYTERHUB_USER", "value": "alice"},
    ]
    # Secrets are only ever listed with Helm's label and type, never fetched one by one.
    secret_requests = [(p, q) for p, q in kube_api.requests if "secrets" in p]
    assert secret_requests and all(p == "/api/v1/secrets" for p, _ in secret_requests)
    assert all(
        q["labelSelector"] == ["owner=helm"] and q["fieldSelector"] == ["type=helm.sh/release.v1"]
        for _, q in secret_requests
    )


def test_aws_kinds_are_unavailable_without_a_profile(kubeconfig: Path) -> None:
    inventory = read(kubeconfig)
    assert "no profile with an AWS target" in inventory.unavailable[BUCKET]
    assert "no profile with an AWS target" in inventory.unavailable[CLUSTER]


def test_follows_continue_tokens(
    kube_api: RecordedKubeAPI, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = read(kubeconfig)
    monkeypatch.setattr(live_k8s, "PAGE_SIZE", 2)
    paged = read(kubeconfig)
    assert sorted(r.ref for r in paged.resources) == sorted(r.ref for r in whole.resources)
    assert any("continue" in q for _, q in kube_api.requests)


# --- An RBAC-limited reader -------------------------------------------------------------------


def test_a_forbidden_kind_is_recorded_and_the_rest_is_read(tmp_path: Path) -> None:
    with RecordedKubeAPI(forbidden={"clusterroles"}) as api:
        inventory = read(api.kubeconfig(tmp_path / "kubeconfig"))
    why = inventory.unavailable["ClusterRole"]
    assert why.startswith("forbidden: ")
    assert 'cannot list resource "clusterroles"' in why
    assert not inventory.of("ClusterRole")
    assert names(inventory, "Role") == {"extension-apiserver-authentication-reader", "hub", "notebook-debug"}
    assert {k for k in inventory.unavailable if k not in _aws_kinds()} == {"ClusterRole"}


def test_forbidden_pods_in_one_namespace_make_pods_unavailable(tmp_path: Path) -> None:
    with RecordedKubeAPI(forbidden={"pods@kube-system"}) as api:
        inventory = read(api.kubeconfig(tmp_path / "kubeconfig"))
    assert inventory.unavailable["Pod"].startswith("forbidden: ")
    assert 'in the namespace "kube-system"' in inventory.unavailable["Pod"]


def test_forbidden_helm_secrets(tmp_path: Path) -> None:
    with RecordedKubeAPI(forbidden={"secrets"}) as api:
        inventory = read(api.kubeconfig(tmp_path / "kubeconfig"))
    assert inventory.unavailable[HELM_RELEASE].startswith("forbidden: ")
    assert not inventory.of(HELM_RELEASE)
    assert inventory.of("Pod")  # user servers are found by label, not through the release


def _aws_kinds() -> set[str]:
    from aicommons.checks.adapters.live_aws import AWS_KINDS

    return set(AWS_KINDS)


# --- Missing components: exit 3 ---------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_cluster(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{_closed_port()}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "riverton", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "riverton",
            }
        )
    )
    with pytest.raises(MissingComponentError) as caught:
        read(config)
    assert caught.value.exit_code == EXIT_MISSING_COMPONENT == 3
    assert "cannot reach the Kubernetes API of context 'riverton'" in caught.value.message
    assert "connection refused" in caught.value.message


def test_unknown_context(kubeconfig: Path) -> None:
    with pytest.raises(MissingComponentError) as caught:
        read(kubeconfig, context="production")
    assert caught.value.exit_code == 3
    assert "context 'production' does not exist" in caught.value.message
    assert "available: riverton" in caught.value.message


def test_missing_kubeconfig(tmp_path: Path) -> None:
    with pytest.raises(MissingComponentError) as caught:
        read(tmp_path / "nowhere", context="riverton")
    assert "no usable kubeconfig" in caught.value.message


def test_refused_credentials(kube_api: RecordedKubeAPI, tmp_path: Path) -> None:
    config = kube_api.kubeconfig(tmp_path / "kubeconfig", token="expired-token")
    with pytest.raises(MissingComponentError) as caught:
        read(config)
    assert "refused the credentials (401 Unauthorized)" in caught.value.message


def test_current_context_is_the_default(kubeconfig: Path) -> None:
    assert kubernetes_inventory(None, kubeconfig=str(kubeconfig)).cluster["context"] == "riverton"


# --- Pure parts -------------------------------------------------------------------------------


def test_the_secrets_fixture_matches_the_releases() -> None:
    assert json.loads(helm_fixtures.SECRETS.read_text()) == helm_fixtures.secret_list()


def test_helm_release_encoding_round_trips() -> None:
    release = {"name": "x", "chart": {"metadata": {"name": "x", "version": "1.0.0"}}, "config": {"a": 1}}
    assert decode_helm_release(encode_helm_release(release)) == release
    plain = base64.b64encode(base64.b64encode(json.dumps(release).encode())).decode()  # no gzip layer
    assert decode_helm_release(plain) == release
    assert gzip.decompress(base64.b64decode(base64.b64decode(encode_helm_release(release)))).startswith(b"{")
    for broken in ("not base64!", base64.b64encode(b"!!").decode(), encode_helm_release({"a": 1})[:-8]):
        with pytest.raises(ValueError):
            decode_helm_release(broken)


def test_redaction_keeps_structure_and_non_secrets() -> None:
    values = {
        "proxy": {"secretToken": "abc", "https": {"manual": {"key": "-----BEGIN RSA PRIVATE KEY-----\nMII"}}},
        "hub": {
            "existingSecret": "hub-secret",
            "db": {"url": "postgresql://hub:pa55word@db:5432/hub"},
            "config": {"CryptKeeper": {"keys": ["k1", "k2"]}, "Authenticator": {"password": 42}},
            "extraEnv": [{"name": "API_TOKEN", "value": "t"}, {"name": "TZ", "value": "UTC"}],
        },
        "singleuser": {"extraPodConfig": {"automountServiceAccountToken": False}},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}],
    }
    out, paths = redact(values)
    assert out["proxy"]["secretToken"] == REDACTED
    assert out["proxy"]["https"]["manual"]["key"] == REDACTED
    assert out["hub"]["existingSecret"] == "hub-secret"
    assert out["hub"]["db"]["url"] == f"postgresql://hub:{REDACTED}@db:5432/hub"
    assert out["hub"]["config"]["CryptKeeper"]["keys"] == [REDACTED, REDACTED]
    assert out["hub"]["config"]["Authenticator"]["password"] == 42  # not a string: kept
    assert out["hub"]["extraEnv"] == [
        {"name": "API_TOKEN", "value": REDACTED},
        {"name": "TZ", "value": "UTC"},
    ]
    assert out["singleuser"]["extraPodConfig"]["automountServiceAccountToken"] is False
    assert out["tolerations"] == values["tolerations"]
    assert values["proxy"]["secretToken"] == "abc"  # the input is not modified
    assert paths == [
        "proxy.secretToken",
        "proxy.https.manual.key",
        "hub.db.url",
        "hub.config.CryptKeeper.keys[0]",
        "hub.config.CryptKeeper.keys[1]",
        "hub.extraEnv[0].value",
    ]


def _daemonset(name: str, containers: list[dict]) -> dict:
    return {
        "metadata": {"name": name, "namespace": "kube-system"},
        "spec": {"template": {"spec": {"containers": containers}}},
    }


@pytest.mark.parametrize(
    ("daemonsets", "expected"),
    [
        ([_daemonset("cilium", [{"name": "cilium-agent"}])], True),
        (
            [
                _daemonset(
                    "aws-node",
                    [
                        {"name": "aws-node"},
                        {"name": "aws-eks-nodeagent", "args": ["--enable-network-policy=true"]},
                    ],
                )
            ],
            True,
        ),
        (
            [
                _daemonset(
                    "aws-node",
                    [
                        {"name": "aws-node"},
                        {"name": "aws-eks-nodeagent", "args": ["--enable-network-policy=false"]},
                    ],
                )
            ],
            False,
        ),
        (
            [
                _daemonset(
                    "aws-node",
                    [{"name": "aws-node", "env": [{"name": "ENABLE_NETWORK_POLICY", "value": "true"}]}],
                )
            ],
            True,
        ),
        ([_daemonset("kube-flannel-ds", [{"name": "kube-flannel"}])], False),
        (
            [
                _daemonset("kube-flannel-ds", [{"name": "kube-flannel"}]),
                _daemonset("calico-node", [{"name": "calico-node"}]),
            ],
            True,
        ),
        ([_daemonset("kube-proxy", [{"name": "kube-proxy"}])], None),
    ],
)
def test_network_policy_engine(daemonsets: list[dict], expected: bool | None) -> None:
    assert network_policy_engine(daemonsets)[0] is expected
