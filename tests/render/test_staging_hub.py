"""The optional staging hub: a second, small hub from the same profile, in its own namespace, priced."""

from __future__ import annotations

import json
from datetime import date

import yaml

from aicommons.checks.sources import check_files
from aicommons.profile import load_profile_text
from aicommons.render.bundle import LOCK_FILE, render_bundle
from aicommons.render.staging_hub import staging_cost
from aicommons.sizing.plan import size
from tests.conftest import ROOT

RIVERTON = (ROOT / "examples" / "cities" / "riverton.yaml").read_text(encoding="utf-8")
STAGING = "staging:\n  enabled: true\n"


def _render(text: str):  # type: ignore[no-untyped-def]
    profile = load_profile_text(text)
    plan = size(profile)
    return profile, plan, render_bundle(profile, plan)


def test_without_staging_there_is_no_second_hub_and_the_lock_is_as_before() -> None:
    _, _, bundle = _render(RIVERTON)
    assert [r.name for r in bundle.releases if r.pin.chart == "jupyterhub"] == ["jupyterhub"]
    assert "staging" not in json.loads(bundle.files[LOCK_FILE])["profile"]
    assert "Staging hub" not in bundle.files["README.md"].decode()


def test_the_staging_hub_is_the_hub_made_small_in_its_own_namespace() -> None:
    _, _, bundle = _render(RIVERTON + STAGING)
    staging = next(r for r in bundle.releases if r.name == "jupyterhub-staging")
    assert staging.namespace == "jupyterhub-staging" and staging.pin.version == "4.4.0"
    values = yaml.safe_load(bundle.files["helm/jupyterhub-staging.values.yaml"])
    hub = yaml.safe_load(bundle.files["helm/jupyterhub.values.yaml"])
    auth = values["hub"]["config"]["GenericOAuthenticator"]
    assert auth["oauth_callback_url"] == "https://staging.commons.riverton.example.gov/hub/oauth_callback"
    assert values["proxy"]["https"]["hosts"] == ["staging.commons.riverton.example.gov"]
    assert auth["allowed_groups"] == ["aicommons-admins"]  # only the admins try upgrades
    assert values["hub"]["config"]["JupyterHub"]["active_server_limit"] == 2
    assert values["hub"]["db"]["type"] == "sqlite-pvc" and "extraEnv" not in values["hub"]
    assert values["scheduling"]["userPlaceholder"]["enabled"] is False
    # the same environments and controls as production
    assert values["singleuser"]["profileList"] == hub["singleuser"]["profileList"]
    assert values["singleuser"]["networkPolicy"] == hub["singleuser"]["networkPolicy"]
    platform = yaml.safe_load(bundle.files["pulumi/Pulumi.platform.yaml"])["config"]["aicommons:platform"]
    namespace = next(n for n in platform["namespaces"] if n["name"] == "jupyterhub-staging")
    assert namespace["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    tenants = yaml.safe_load(bundle.files["helm/aicommons-platform.values.yaml"])["tenants"]
    tenant = next(t for t in tenants if t["name"] == "jupyterhub-staging")
    assert tenant["quota"]["pods"] == 22  # 2 servers + 20


def test_the_staging_hub_is_priced_from_the_default_environments_pool() -> None:
    profile, plan, bundle = _render(RIVERTON + STAGING)
    cost = staging_cost(profile, plan)
    assert cost is not None and (cost.workload, cost.pool) == ("notebook", "user")
    user = next(p for p in plan.pools if p.name == "user")
    # riverton's user node (m6i.2xlarge) gives 7.487 cores and 27.646 GiB (after the node exporter); a notebook takes 0.5 and 2:
    # min(floor(7.487 / 0.5) = 14, floor(27.646 / 2) = 13) = 13 servers a node
    assert (user.allocatable.cpu, user.allocatable.memory_gib, user.usd_hour) == (7.487, 27.646, 0.384)
    assert cost.servers_per_node == 13
    # 0.384 / 13 = 0.029538 USD a server-hour; 2 servers x 730 h x 0.029538 = 43.13 USD a month at most
    assert cost.usd_per_server_hour == 0.0295 and cost.usd_month_at_most == 43.13
    readme = bundle.files["README.md"].decode()
    assert "at most\n43.13 USD a month" in readme or "43.13 USD a month" in readme


def test_the_blueprint_checks_the_staging_hub_like_the_hub() -> None:
    _, _, bundle = _render(RIVERTON + STAGING)
    report = check_files(bundle.files, date(2026, 12, 6), with_plan=False)
    assert [c.id for c in report.controls if c.status == "failed"] == []
    _, _, off = _render(
        RIVERTON + STAGING + "extra_values:\n  jupyterhub-staging:\n    cull: {enabled: false}\n"
    )
    failed = [
        c.id
        for c in check_files(off.files, date(2026, 12, 6), with_plan=False).controls
        if c.status == "failed"
    ]
    assert failed == ["AIC-POD-05"]
