"""Monitoring in the bundle: dashboards and alert rules parse, query only exported metrics, carry
the plan's figures, and alerts reach the profile's contacts without a password in any file.

No Python PromQL engine exists (promql-parser parses only), so rules are tested by parsing every
expression and checking its structure and thresholds against the plan, not by evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aicommons.profile import load_profile
from aicommons.profile.model import CityProfile
from aicommons.render.bundle import render_bundle
from aicommons.render.monitoring import RELEASE, alert_emails
from aicommons.render.monitoring_metrics import exported
from aicommons.render.monitoring_rules import RECORDED
from aicommons.sizing.plan import size
from tests.conftest import EXAMPLES

promql = pytest.importorskip("promql_parser", reason="promql-parser is not installed (dev extra)")
RIVERTON = Path(__file__).resolve().parents[2] / "examples" / "cities" / "riverton.yaml"


def metric_names(node: Any) -> set[str]:
    """Every metric a parsed PromQL expression selects (promql-parser's AST)."""
    found: set[str] = set()
    kind = type(node).__name__
    if kind == "VectorSelector":
        if node.name:
            found.add(node.name)
        return found
    for attr in ("expr", "lhs", "rhs", "vector_selector", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, (str, int, float)):
            found |= metric_names(child)
    for arg in getattr(node, "args", None) or []:
        found |= metric_names(arg)
    return found


def monitoring_values(path: Path) -> tuple[CityProfile, Any, dict[str, Any]]:
    profile = load_profile(path)
    plan = size(profile)
    bundle = render_bundle(profile, plan)
    values = yaml.safe_load(bundle.files[f"helm/{RELEASE}.values.yaml"])
    return profile, plan, values


def dashboards(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for cm in values["extraManifests"]:
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
        for name, text in cm["data"].items():
            out[name] = json.loads(text.replace('{{ "{{" }}', "{{"))  # undo the tpl escape
    return out


def test_promql_walker_finds_every_selector() -> None:
    expr = promql.parse('sum(rate(a_total{x="1"}[5m])) / on() b * on(p) group_left() max_over_time(c[1h:])')
    assert metric_names(expr) == {"a_total", "b", "c"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: Path(p).stem)
def test_dashboards_lint(path: Path) -> None:
    profile, plan, values = monitoring_values(path)
    gpu = any(p.role == "gpu" for p in plan.pools)
    autoscaler = "cluster-autoscaler" in {
        m["name"] for m in values["prometheus"]["additionalServiceMonitors"]
    }
    allowed = exported(gpu=gpu, autoscaler=autoscaler, recorded=RECORDED)
    boards = dashboards(values)
    assert {"aicommons-hub.json", "aicommons-pools.json", "aicommons-audit.json"} <= set(boards)
    assert ("aicommons-gpus.json" in boards) == gpu
    for name, board in boards.items():
        assert board["uid"] and board["panels"], name
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "prometheus", (name, panel["title"])
            assert panel["targets"], (name, panel["title"])
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "prometheus"
                used = metric_names(promql.parse(target["expr"]))  # raises on a query that does not parse
                assert used and used <= allowed, (name, panel["title"], used - allowed)


def test_pools_dashboard_states_the_plans_bounds() -> None:
    _, plan, values = monitoring_values(RIVERTON)
    pools = dashboards(values)["aicommons-pools.json"]["panels"][0]
    for pool in plan.pools:
        assert f"{pool.name}: {pool.nodes.min}-{pool.nodes.max} nodes" in pools["description"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: Path(p).stem)
def test_rules_parse_and_use_exported_metrics(path: Path) -> None:
    _, plan, values = monitoring_values(path)
    groups = values["additionalPrometheusRulesMap"]["aicommons"]["groups"]
    gpu = any(p.role == "gpu" for p in plan.pools)
    allowed = exported(gpu=gpu, autoscaler=True, recorded=RECORDED)
    alerts = set()
    for group in groups:
        for rule in group["rules"]:
            used = metric_names(promql.parse(rule["expr"]))
            assert used <= allowed, (rule.get("alert") or rule["record"], used - allowed)
            if "alert" in rule:
                alerts.add(rule["alert"])
                assert rule["labels"]["severity"] in {"critical", "warning", "info"}
    assert {
        "AICommonsServerStartFailures",
        "AICommonsAuditShippingStopped",
        "AICommonsBudgetBurnRate",
        "AICommonsCertificateExpiry",
        "AICommonsNodeGroupCannotScale",
    } <= alerts
    assert ("AICommonsGpuAllocatedIdle" in alerts) == gpu
    for pool in plan.pools:
        if pool.role != "core":
            assert any(a.startswith("AICommonsPoolAtMaximum") for a in alerts)


def test_recording_rules_carry_the_plans_prices_and_bounds() -> None:
    profile, plan, values = monitoring_values(RIVERTON)
    rules = values["additionalPrometheusRulesMap"]["aicommons"]["groups"][0]["rules"]
    by = {
        (r["record"], r.get("labels", {}).get("node_group") or r.get("labels", {}).get("pool")): r
        for r in rules
    }
    for pool in plan.pools:
        for group in pool.node_groups:
            expr = by[("aicommons:node_group_usd_per_hour", group.name)]["expr"]
            assert expr.endswith(f"* {group.usd_hour:g}")
        assert by[("aicommons:pool_max_nodes", pool.name)]["expr"] == f"vector({pool.nodes.max})"
    # fixed costs per hour: the plan's monthly total less the node pools', over 730 hours
    fixed = (plan.cost.usd_month - sum(p.usd_month for p in plan.pools)) / 730
    assert by[("aicommons:fixed_usd_per_hour", None)]["expr"] == f"vector({fixed:.4f})"
    assert by[("aicommons:budget_usd_per_month", None)]["expr"] == f"vector({profile.budget.monthly_usd:g})"


def test_pool_alert_threshold_is_the_plans_maximum() -> None:
    _, plan, values = monitoring_values(RIVERTON)
    alerts = {
        r["alert"]: r for r in values["additionalPrometheusRulesMap"]["aicommons"]["groups"][1]["rules"]
    }
    user = next(p for p in plan.pools if p.role == "user")
    expr = promql.parse(alerts["AICommonsPoolAtMaximumUser"]["expr"])
    assert type(expr).__name__ == "BinaryExpr"  # (nodes >= max) and on() (pending > 0)
    assert f">= {user.nodes.max}" in alerts["AICommonsPoolAtMaximumUser"]["expr"]


def test_alerts_route_to_the_profiles_contacts_by_email(tmp_path: Path) -> None:
    text = RIVERTON.read_text(encoding="utf-8").split("\nmonitoring:")[0] + "\n"
    text += (
        "monitoring:\n  retention_days: 30\n  storage_gib: 50\n  alert_emails: [ops@riverton.gov]\n"
        "  smtp: {smarthost: 'smtp.riverton.gov:587', from_address: alerts@riverton.gov, username: commons}\n"
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    profile = load_profile(path)
    plan = size(profile)
    bundle = render_bundle(profile, plan)
    values = yaml.safe_load(bundle.files[f"helm/{RELEASE}.values.yaml"])
    config = values["alertmanager"]["config"]
    assert config["route"]["receiver"] == "city"
    to = config["receivers"][1]["email_configs"][0]["to"]
    assert to == ", ".join(alert_emails(profile)) and "ops@riverton.gov" in to
    assert set(profile.budget.alert_emails) <= set(to.split(", "))
    assert "smtp_auth_password" not in config["global"]  # a stack secret, set at deploy time
    rel = next(r for r in bundle.releases if r.name == RELEASE)
    assert rel.secret_values["alertmanager.config.global.smtp_auth_password"] == "smtpPassword"
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "30d"
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "50Gi"
    # the plan prices the volume: 50 GiB of gp3
    line = next(c for c in plan.cost.breakdown if c.item == "monitoring_storage")
    assert line.usd_month > 0 and "50 GiB" in line.detail


def test_monitoring_off_renders_no_stack(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    text = RIVERTON.read_text(encoding="utf-8").split("\nmonitoring:")[0]
    path.write_text(text + "\nmonitoring:\n  enabled: false\n", encoding="utf-8")
    profile = load_profile(path)
    bundle = render_bundle(profile, size(profile))
    assert {r.name for r in bundle.releases}.isdisjoint({RELEASE, "dcgm-exporter"})


def test_user_servers_carry_accounting_labels() -> None:
    profile, plan, values = monitoring_values(RIVERTON)
    hub = yaml.safe_load(render_bundle(profile, plan).files["helm/jupyterhub.values.yaml"])
    for entry in hub["singleuser"]["profileList"]:
        labels = entry["kubespawner_override"]["extra_labels"]
        assert labels["aicommons.dev/workload"] == entry["slug"]
        assert labels["aicommons.dev/pool"] in {p.name for p in plan.pools}
    allow = values["kube-state-metrics"]["metricLabelsAllowlist"]
    assert any(
        a.startswith("pods=[") and "aicommons.dev/workload" in a and "hub.jupyter.org/username" in a
        for a in allow
    )
    # Prometheus may reach the hub's metrics through the hub's NetworkPolicy
    rules = hub["hub"]["networkPolicy"]["ingress"]
    assert any(
        r["from"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "monitoring"}
        for r in rules
    )


def test_jupyterhub_exports_the_metrics_the_dashboards_use() -> None:
    metrics = pytest.importorskip("jupyterhub.metrics")
    from prometheus_client.metrics import MetricWrapperBase

    from aicommons.render.monitoring_metrics import JUPYTERHUB

    names = {m._name for m in vars(metrics).values() if isinstance(m, MetricWrapperBase)}
    for name in JUPYTERHUB:
        assert name.removesuffix("_bucket").removesuffix("_count").removesuffix("_sum") in names


def test_deploy_reads_the_smtp_password_from_the_environment(tmp_path: Path) -> None:
    from aicommons.deploy.settings import smtp_secret
    from aicommons.errors import MissingComponentError

    text = RIVERTON.read_text(encoding="utf-8").split("\nmonitoring:")[0] + "\n"
    text += "monitoring:\n  smtp: {smarthost: 'smtp.r.gov:587', from_address: a@r.gov, username: u}\n"
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    profile = load_profile(path)
    assert smtp_secret(profile, {"AICOMMONS_SMTP_PASSWORD": "pw"}) == {"aicommons:smtpPassword": "pw"}
    with pytest.raises(MissingComponentError, match=r"\$AICOMMONS_SMTP_PASSWORD, which is not set"):
        smtp_secret(profile, {})
    assert smtp_secret(load_profile(RIVERTON), {}) == {}  # no user: no password needed


def test_city_readme_asks_for_the_smtp_password_only_with_a_user(tmp_path: Path) -> None:
    text = RIVERTON.read_text(encoding="utf-8").split("\nmonitoring:")[0] + "\n"
    text += "monitoring:\n  smtp: {smarthost: 'smtp.r.gov:587', from_address: a@r.gov, username: u}\n"
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with_user = load_profile(path)
    readme = render_bundle(with_user, size(with_user)).files["README.md"].decode()
    assert "export AICOMMONS_SMTP_PASSWORD=..." in readme and "aicommons:smtpPassword" in readme
    plain = load_profile(RIVERTON)
    assert "smtpPassword" not in render_bundle(plain, size(plain)).files["README.md"].decode()
