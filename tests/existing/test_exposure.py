"""Defect 10: the hub's exposure is a profile choice with a default per target, rendered for z2jh."""

from __future__ import annotations

import pytest

from aicommons.errors import InputError
from aicommons.render.bundle import render_bundle
from aicommons.render.jupyterhub import HUB_TLS_SECRET, jupyterhub_values
from aicommons.sizing.plan import size
from aicommons.targets.base import target_for
from aicommons.targets.platform import INGRESS, LOAD_BALANCER
from tests.conftest import load_dict, make_profile
from tests.existing.support import HOST, cluster_profile, render_chart, upstream_chart


def defaults_of(profile):  # type: ignore[no-untyped-def]
    return target_for(profile).platform_defaults(profile, size(profile))


def hub_values(profile):  # type: ignore[no-untyped-def]
    plan = size(profile)
    return jupyterhub_values(profile, plan, defaults_of(profile).hub_exposure)


def test_existing_cluster_without_controllers_defaults_to_node_port_and_declares_nothing() -> None:
    defaults = defaults_of(cluster_profile())
    assert defaults.capabilities == frozenset()
    assert defaults.hub_exposure.type == "NodePort"


def test_existing_cluster_with_a_load_balancer_controller_defaults_to_load_balancer() -> None:
    defaults = defaults_of(cluster_profile({"load_balancer_controller": True, "ingress_class": "nginx"}))
    assert defaults.capabilities == frozenset({LOAD_BALANCER, INGRESS})
    assert defaults.hub_exposure.type == "LoadBalancer"


def test_existing_cluster_with_only_an_ingress_class_defaults_to_that_ingress() -> None:
    profile = cluster_profile({"ingress_class": "nginx"}, hub={"exposure": None, "https": "offload"})
    exposure = defaults_of(profile).hub_exposure
    assert (exposure.type, exposure.ingress_class) == ("Ingress", "nginx")


def test_aws_declares_a_load_balancer_and_keeps_it() -> None:
    profile = load_dict(
        make_profile(
            hub={"host": "hub.testville.gov", "contact_email": "it@testville.gov"},
            identity={
                "issuer_url": "https://login.testville.gov/realms/x",
                "client_id": "c",
                "allowed_groups": ["g"],
            },
        )
    )
    defaults = defaults_of(profile)
    assert defaults.capabilities == frozenset({LOAD_BALANCER})
    assert hub_values(profile)["proxy"]["service"]["type"] == "LoadBalancer"


def test_asking_for_a_load_balancer_the_cluster_lacks_is_a_located_error() -> None:
    profile = cluster_profile(hub={"exposure": {"type": "LoadBalancer"}})
    with pytest.raises(InputError) as err:
        defaults_of(profile)
    assert err.value.location is not None and err.value.location.field == "hub.exposure.type"
    assert "load_balancer_controller" in (err.value.allowed or "")


def test_ingress_without_any_class_is_a_located_error() -> None:
    profile = cluster_profile(hub={"https": "offload", "exposure": {"type": "Ingress"}})
    with pytest.raises(InputError) as err:
        defaults_of(profile)
    assert err.value.location is not None and err.value.location.field == "hub.exposure.ingress_class"


def test_ingress_with_letsencrypt_needs_a_cluster_issuer() -> None:
    with pytest.raises(InputError, match="cluster_issuer"):
        cluster_profile({"ingress_class": "nginx"}, hub={"exposure": {"type": "Ingress"}})


def test_node_port_values_fix_the_ports_and_keep_autohttps() -> None:
    profile = cluster_profile(
        hub={"exposure": {"type": "NodePort", "node_ports": {"http": 30080, "https": 30443}}}
    )
    proxy = hub_values(profile)["proxy"]
    assert proxy["service"] == {"type": "NodePort", "nodePorts": {"http": 30080, "https": 30443}}
    assert proxy["https"]["type"] == "letsencrypt"


def test_ingress_values_turn_autohttps_off_and_let_cert_manager_issue() -> None:
    profile = cluster_profile(
        {"ingress_class": "nginx"},
        hub={"exposure": {"type": "Ingress", "cluster_issuer": "letsencrypt-prod"}},
    )
    values = hub_values(profile)
    assert values["proxy"]["service"]["type"] == "ClusterIP"
    assert values["proxy"]["https"] == {"enabled": False}
    ingress = values["ingress"]
    assert ingress["ingressClassName"] == "nginx" and ingress["hosts"] == [HOST]
    assert ingress["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt-prod"}
    assert ingress["tls"] == [{"hosts": [HOST], "secretName": HUB_TLS_SECRET}]


@pytest.mark.parametrize("version", ["4.3.3", "4.4.0"])
@pytest.mark.parametrize(
    ("target", "hub", "service_type", "ingress"),
    [
        (
            {},
            {"exposure": {"type": "NodePort", "node_ports": {"http": 30080, "https": 30443}}},
            "NodePort",
            False,
        ),
        ({"load_balancer_controller": True}, {}, "LoadBalancer", False),
        (
            {"ingress_class": "nginx"},
            {"exposure": {"type": "Ingress", "cluster_issuer": "letsencrypt-prod"}},
            "ClusterIP",
            True,
        ),
    ],
    ids=["node-port", "load-balancer", "ingress"],
)
def test_the_real_z2jh_chart_renders_each_exposure(version, target, hub, service_type, ingress) -> None:  # type: ignore[no-untyped-def]
    chart = upstream_chart("jupyterhub", version)
    profile = cluster_profile(target, hub=hub)
    bundle = render_bundle(profile, size(profile))
    import yaml

    values = yaml.safe_load(bundle.files["helm/jupyterhub.values.yaml"])
    objects = render_chart(chart, values, "jupyterhub", "jupyterhub")
    service = next(o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "proxy-public")
    assert service["spec"]["type"] == service_type
    if service_type == "NodePort":
        assert {p["name"]: p["nodePort"] for p in service["spec"]["ports"]} == {"http": 30080, "https": 30443}
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert (("Ingress", "jupyterhub") in kinds) is ingress
    # autohttps (the proxy's own ACME client) only where the proxy terminates TLS itself
    assert (("Deployment", "autohttps") in kinds) is (not ingress)
    if ingress:
        rendered = next(o for o in objects if o["kind"] == "Ingress")
        assert rendered["spec"]["ingressClassName"] == "nginx"
        assert rendered["spec"]["tls"] == [{"hosts": [HOST], "secretName": HUB_TLS_SECRET}]


@pytest.mark.parametrize(
    ("target", "hub", "command", "after"),
    [
        (
            {},
            {},
            "get service proxy-public -o jsonpath='{range .spec.ports[*]}{.name}={.nodePort} {end}'",
            "autohttps",
        ),
        (
            {"load_balancer_controller": True},
            {},
            "get service proxy-public -o jsonpath='{.status.loadBalancer",
            "autohttps",
        ),
        (
            {"ingress_class": "nginx"},
            {"exposure": {"type": "Ingress", "cluster_issuer": "le"}},
            "get ingress jupyterhub -o jsonpath='{.status.loadBalancer",
            "get certificate",
        ),
    ],
    ids=["node-port", "load-balancer", "ingress"],
)
def test_readme_has_a_dns_step_before_lets_encrypt_can_issue(target, hub, command, after) -> None:  # type: ignore[no-untyped-def]
    profile = cluster_profile(target, hub=hub)
    readme = render_bundle(profile, size(profile)).files["README.md"].decode()
    step = readme.split("## Point the hub's name at it", 1)[1]
    assert f"kubectl --context city-prod -n jupyterhub {command}" in step
    assert f"Let's Encrypt issues the certificate only once `{HOST}` resolves" in step
    assert after in step


@pytest.mark.parametrize(
    ("target", "hub", "quota"),
    [
        # LoadBalancer: 1 load balancer and its 2 node ports (http and https), as the API server counts
        ({"load_balancer_controller": True}, {}, {"loadBalancers": 1, "nodePorts": 2}),
        ({}, {}, {"loadBalancers": 0, "nodePorts": 2}),  # NodePort: the same 2 ports, no load balancer
        (
            {"ingress_class": "nginx"},
            {"exposure": {"type": "Ingress", "cluster_issuer": "le"}},
            {"loadBalancers": 0, "nodePorts": 0},  # ClusterIP behind the ingress
        ),
    ],
    ids=["load-balancer", "node-port", "ingress"],
)
def test_the_hub_namespace_quota_admits_proxy_public_as_exposed(target, hub, quota) -> None:  # type: ignore[no-untyped-def]
    import yaml

    profile = cluster_profile(target, hub=hub)
    bundle = render_bundle(profile, size(profile))
    tenants = yaml.safe_load(bundle.files["helm/aicommons-platform.values.yaml"])["tenants"]
    hub_quota = next(t for t in tenants if t["name"] == "jupyterhub")["quota"]
    assert {k: hub_quota[k] for k in quota} == quota
    values = yaml.safe_load(bundle.files["helm/jupyterhub.values.yaml"])
    ports = 2 if values["proxy"]["https"]["enabled"] else 1
    service_type = values["proxy"]["service"]["type"]
    assert hub_quota["nodePorts"] == (ports if service_type in ("LoadBalancer", "NodePort") else 0)


def test_an_offloaded_ingress_still_declares_tls_for_the_host() -> None:
    profile = cluster_profile(
        {"ingress_class": "nginx"}, hub={"https": "offload", "exposure": {"type": "Ingress"}}
    )
    ingress = hub_values(profile)["ingress"]
    assert ingress["tls"] == [{"hosts": [HOST]}] and "annotations" not in ingress
