"""`deploy` runs the cluster check before the engine: a bundle the cluster would refuse (issue
10's defect 1, reintroduced) stops with AIC-OPS-01 named and nothing deployed."""

from __future__ import annotations

import dataclasses

import pytest

from aicommons.checks.gate import ControlsFailed
from aicommons.deploy import bundle_prep
from aicommons.render import platform_releases
from tests.deploy import conftest as deploy_conftest


def test_deploy_refuses_a_bundle_the_api_server_would_refuse(
    riverton, monkeypatch: pytest.MonkeyPatch, upstream_charts
) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(upstream_charts))
    prepared = bundle_prep.load_city(riverton, None)
    real = platform_releases.platform_chart

    def no_node_ports(*args, **kwargs):  # as before the fix: 1 load balancer, 0 node ports
        release = real(*args, **kwargs)
        values = dict(release.values)
        tenants = [dict(t) for t in values["tenants"]]
        tenants[0] = {**tenants[0], "quota": {**tenants[0]["quota"], "nodePorts": 0}}
        return dataclasses.replace(release, values={**values, "tenants": tenants})

    monkeypatch.setattr(platform_releases, "platform_chart", no_node_ports)
    monkeypatch.setattr(deploy_conftest, "_RENDERS", {})  # keep the mutated render out of the session cache
    with pytest.raises(ControlsFailed, match="AIC-OPS-01") as refused:
        bundle_prep.render_and_check(prepared)
    assert "proxy-public" in str(refused.value)
    assert "nothing was deployed" in str(refused.value)


def test_deploy_passes_the_cluster_check_of_the_fixed_bundle(
    riverton, monkeypatch: pytest.MonkeyPatch, upstream_charts
) -> None:
    monkeypatch.setenv("AICOMMONS_CHART_CACHE", str(upstream_charts))
    prepared = bundle_prep.render_and_check(bundle_prep.load_city(riverton, None))
    assert prepared.checks is not None
    statuses = {c.id: c.status for c in prepared.checks.controls if c.id.startswith("AIC-OPS")}
    assert statuses == {f"AIC-OPS-0{i}": "passed" for i in range(1, 5)}  # the cluster check and monitoring
