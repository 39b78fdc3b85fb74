"""AIC-NET-01..04: default-deny and private ranges, the metadata endpoint, TLS, enforcement."""

from __future__ import annotations

import pytest

from aicommons.checks.controls import _z2jh as z2jh
from aicommons.checks.controls._kube import egress_reaches
from aicommons.checks.registry import registry
from tests.checks.security_support import check_fixture, fixture_paths

NET = ["AIC-NET-01", "AIC-NET-02", "AIC-NET-03", "AIC-NET-04"]
CASES = [(cid, path) for cid in NET for path in fixture_paths(cid)]
PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
METADATA = "169.254.169.254/32"


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_control_has_passing_and_failing_fixtures():
    for cid in NET:
        names = [p.name for p in fixture_paths(cid)]
        assert any(n.startswith("pass-") for n in names) and any(n.startswith("fail-") for n in names), cid


def test_network_enforcement_is_not_claimed_on_the_bundle():
    assert set(registry()["AIC-NET-04"]) == {"plan", "live"}


@pytest.mark.parametrize(
    ("block", "reached"),
    [
        ({"cidr": "0.0.0.0/0"}, [*PRIVATE, METADATA]),
        ({"cidr": "0.0.0.0/0", "except": [*PRIVATE, METADATA]}, []),
        (
            {
                "cidr": "0.0.0.0/0",
                "except": ["10.0.0.0/9", "10.128.0.0/9", "172.16.0.0/12", "192.168.0.0/16"],
            },
            [METADATA],
        ),
        (
            {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/9", "172.16.0.0/12", "192.168.0.0/16", METADATA]},
            ["10.0.0.0/8"],
        ),
        ({"cidr": "10.1.2.0/24"}, ["10.0.0.0/8"]),
        ({"cidr": "8.8.8.8/32"}, []),
        ({"cidr": "::/0"}, []),
    ],
)
def test_egress_reach_subtracts_excepts(block, reached):
    spec = {"policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": block}]}]}
    assert egress_reaches(spec, [*PRIVATE, METADATA]) == reached


def test_rules_without_peers_reach_everything_and_dns_rules_nothing():
    everything = {"policyTypes": ["Egress"], "egress": [{"ports": [{"port": 443}]}]}
    dns = {
        "policyTypes": ["Egress"],
        "egress": [{"ports": [{"port": 53}], "to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}],
    }
    ingress_only = {"policyTypes": ["Ingress"], "egress": [{}]}
    assert egress_reaches(everything, PRIVATE) == PRIVATE
    assert egress_reaches(dns, PRIVATE) == []
    assert egress_reaches(ingress_only, PRIVATE) == []


@pytest.mark.parametrize(
    ("rules", "reached"),
    [
        ({}, []),  # the chart's defaults exclude private ranges and the metadata endpoint
        ({"privateIPs": True}, PRIVATE),
        ({"cloudMetadataServer": True}, [METADATA]),
        ({"nonPrivateIPs": False, "cloudMetadataServer": True}, [METADATA]),
        ({"privateIPs": True, "cloudMetadataServer": True}, [*PRIVATE, METADATA]),
    ],
)
def test_singleuser_policy_follows_the_chart(rules, reached):
    values = {"singleuser": {"networkPolicy": {"egressAllowRules": rules}}}
    assert egress_reaches(z2jh.singleuser_policy(values), [*PRIVATE, METADATA]) == reached
