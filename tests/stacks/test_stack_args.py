"""Arguments and the small pure helpers of the stacks."""

from __future__ import annotations

import ipaddress

import pytest

from aicommons_stacks import args as stack_args
from aicommons_stacks.args import ArgsError, InfraArgs, PlatformArgs, parse
from aicommons_stacks.infra.iam import service_accounts
from aicommons_stacks.infra.logs import retention_days
from aicommons_stacks.infra.network import subnet_cidrs
from aicommons_stacks.infra.storage import bucket_name
from aicommons_stacks.main import stack_kind
from aicommons_stacks.platform.releases import install_order, parse_path, set_path
from tests.stacks import riverton


def test_riverton_arguments_parse() -> None:
    infra = parse(InfraArgs, riverton.INFRA, "infra")
    assert infra.node_pools[2].taints[0].key == "nvidia.com/gpu"
    assert infra.budget_usd_month == 2500.0
    platform = parse(PlatformArgs, riverton.PLATFORM, "platform")
    assert platform.releases[1].secret_values == {
        "hub.config.GenericOAuthenticator.client_secret": "oidcClientSecret"
    }


def test_unknown_keys_are_rejected_with_the_path() -> None:
    data = riverton.infra_config()["aicommons:infra"]
    data["buckets"][1]["colour"] = "red"
    with pytest.raises(ArgsError, match=r"infra\.buckets\[1\]: unknown keys \['colour'\]"):
        parse(InfraArgs, data, "infra")


def test_missing_keys_are_rejected_with_the_path() -> None:
    data = riverton.infra_config()["aicommons:infra"]
    del data["node_pools"][0]["instance_type"]
    with pytest.raises(ArgsError, match=r"infra\.node_pools\[0\]\.instance_type: missing"):
        parse(InfraArgs, data, "infra")


def test_wrong_types_are_rejected_with_the_path() -> None:
    data = riverton.platform_config()["aicommons:platform"]
    data["namespaces"][0]["labels"] = ["not", "a", "mapping"]
    with pytest.raises(ArgsError, match=r"platform\.namespaces\[0\]\.labels: expected a mapping"):
        parse(PlatformArgs, data, "platform")


def test_optional_fields_added_by_the_stacks_default_empty() -> None:
    pool = stack_args.NodePoolArgs("p", "core", "m6i.large", 1, 1, 1, 50, {})
    assert pool.gpu_count == 0
    release = stack_args.ReleaseArgs("r", "ns", "c", "1.0.0", None, "helm/r.yaml")
    assert release.stack_output_values == {}


@pytest.mark.parametrize("zones", [1, 2, 3, 4, 6])
def test_subnets_fit_the_vpc_and_do_not_overlap(zones: int) -> None:
    private, public = subnet_cidrs("10.40.0.0/16", zones)
    nets = [ipaddress.ip_network(c) for c in private + public]
    assert len(private) == len(public) == zones
    assert all(n.subnet_of(ipaddress.ip_network("10.40.0.0/16")) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    assert all(
        ipaddress.ip_network(p).prefixlen < ipaddress.ip_network(q).prefixlen for p in private for q in public
    )


def test_retention_rounds_up_to_what_cloudwatch_accepts() -> None:
    assert retention_days(90, "x") == 90
    assert retention_days(200, "x") == 365
    with pytest.raises(ArgsError, match="x: 4000 days"):
        retention_days(4000, "x")


def test_bucket_names_stay_within_63_characters() -> None:
    assert (
        bucket_name("aicommons-riverton", "audit", "123456789012") == "aicommons-riverton-audit-123456789012"
    )
    long = bucket_name("c" * 80, "datasets", "123456789012")
    assert len(long) == 63 and long.endswith("-datasets-123456789012")


def test_service_accounts_can_be_overridden_but_not_invented() -> None:
    accounts = service_accounts({"log-shipper": "logging:fluent-bit"})
    assert accounts["log-shipper"] == ("logging", "fluent-bit")
    assert accounts["ebs-csi"] == ("kube-system", "ebs-csi-controller-sa")
    with pytest.raises(ArgsError, match="unknown roles"):
        service_accounts({"admin": "kube-system:default"})
    with pytest.raises(ArgsError, match="namespace:serviceaccount"):
        service_accounts({"log-shipper": "fluent-bit"})


def test_values_paths() -> None:
    assert parse_path("rbac.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn") == [
        "rbac",
        "serviceAccount",
        "annotations",
        "eks.amazonaws.com/role-arn",
    ]
    values = {"env": [{"name": "A"}], "keep": 1}
    set_path(values, "hub.config.secret", "s")
    set_path(values, "env.0.value", "v")
    assert values == {"env": [{"name": "A", "value": "v"}], "keep": 1, "hub": {"config": {"secret": "s"}}}
    assert parse_path("a\\\\b") == ["a\\b"]
    for bad in ("", "a..b", "a.", ".a", "a\\b", "a\\"):
        with pytest.raises(ArgsError):
            parse_path(bad)
    with pytest.raises(ArgsError, match="inside a int"):
        set_path(values, "keep.x", 1)


def test_install_order_follows_dependencies() -> None:
    def release(name: str, *deps: str) -> stack_args.ReleaseArgs:
        return stack_args.ReleaseArgs(name, "ns", name, "1", "https://r", f"{name}.yaml", list(deps))

    ordered = install_order([release("hub", "chart"), release("chart"), release("scaler")])
    assert [r.name for r in ordered] == ["chart", "hub", "scaler"]


def test_stack_kind() -> None:
    assert stack_kind("infra") == "infra"
    assert stack_kind("riverton-platform") == "platform"
    with pytest.raises(ArgsError):
        stack_kind("infrastructure")
