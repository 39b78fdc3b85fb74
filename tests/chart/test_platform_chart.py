"""Behaviour of the aicommons-platform chart, rendered and linted with real Helm.

Each test states something a city's IT team relies on (GPU quotas, network isolation,
Pod Security, audit shipping, provenance) and would fail if the chart stopped doing it.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from platform_chart_support import (
    CHART_DIR,
    CI_VALUES_FILES,
    RELEASE_NAME,
    RELEASE_NAMESPACE,
    Manifest,
    Values,
    load_values,
    parse_manifests,
)

helm = pytest.importorskip("helm_python")
kubernetes_validate = pytest.importorskip("kubernetes_validate")

# The Kubernetes minor the manifests must be valid for (EKS standard support), plus the
# newest schemas kubernetes-validate bundles, so a removed or changed field shows up early.
PINNED_KUBE_VERSION = "1.31.0"
KUBE_VERSIONS = [PINNED_KUBE_VERSION, kubernetes_validate.utils.latest_version()]

FULLNAME = f"{RELEASE_NAME}-aicommons-platform"
STANDARD_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
    "aicommons.dev/city",
)
FORBIDDEN_EGRESS = [
    ipaddress.ip_network(cidr)
    for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.169.254/32")
]
SHA256_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


# --------------------------------------------------------------------------- helpers


def find(objects: list[Manifest], kind: str, namespace: str | None = None) -> list[Manifest]:
    return [
        o
        for o in objects
        if o["kind"] == kind and (namespace is None or o["metadata"].get("namespace") == namespace)
    ]


def one(objects: list[Manifest], kind: str, name: str, namespace: str | None = None) -> Manifest:
    matches = [o for o in find(objects, kind, namespace) if o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def tenant_flag(tenant: Values, key: str) -> bool:
    """Boolean tenant settings default to true, as documented in the schema."""
    return bool(tenant.get(key, True))


def governed_pods(tenant: Values) -> dict[str, Any]:
    """The podSelector every policy of a tenant uses: all pods unless narrowed."""
    return {"matchLabels": tenant["podSelector"]} if "podSelector" in tenant else {}


def fluent_bit_sections(conf: str) -> list[tuple[str, dict[str, list[str]]]]:
    """Parse Fluent Bit's classic format: [SECTION] headers, then 'Key value' lines."""
    sections: list[tuple[str, dict[str, list[str]]]] = []
    for raw in conf.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1], {}))
            continue
        assert sections, f"setting outside a section: {line!r}"
        key, _, value = line.partition(" ")
        sections[-1][1].setdefault(key.lower(), []).append(value.strip())
    return sections


def audit_sections(objects: list[Manifest]) -> list[tuple[str, dict[str, list[str]]]]:
    config_map = one(objects, "ConfigMap", f"{FULLNAME}-audit-fluent-bit")
    return fluent_bit_sections(config_map["data"]["fluent-bit.conf"])


def single_output(objects: list[Manifest]) -> dict[str, str]:
    outputs = [s for name, s in audit_sections(objects) if name == "OUTPUT"]
    assert len(outputs) == 1, "the audit pipeline has exactly one sink"
    return {k: v[0] for k, v in outputs[0].items()}


# Secret-looking content: key material, cloud keys, and the settings Fluent Bit and
# friends use to carry credentials. None of it may appear in anything the chart renders.
SECRET_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"AKIA[0-9A-Z]{16}",  # AWS access key id
        r"aws_secret_access_key|secret_?access_?key",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        r"passw(or)?d",
        r"http_passwd|http_user",
        r"\bapi[_-]?key\b",
        r"bearer\s+[a-z0-9._-]{16,}",
        r"\b(auth_)?token\b",
        r"\bsecret\b",
        r"ghp_[A-Za-z0-9]{36}",
    )
]


def secret_findings(text: str) -> list[str]:
    return [m.group(0) for p in SECRET_PATTERNS for m in p.finditer(text)]


def with_changes(values: Values, change: Callable[[Values], None]) -> Values:
    changed = copy.deepcopy(values)
    change(changed)
    return changed


# --------------------------------------------------------------------------- lint


@pytest.mark.parametrize("values_file", [None, *CI_VALUES_FILES], ids=lambda p: p.name if p else "defaults")
def test_lint_strict_passes(values_file: Path | None) -> None:
    values = load_values(values_file) if values_file else None
    report = helm.lint(
        CHART_DIR,
        values,
        strict=True,
        namespace=RELEASE_NAMESPACE,
        kube_version=f"v{PINNED_KUBE_VERSION}",
    )
    assert report["total_charts_linted"] == 1
    assert report["errors"] == []
    # Severity 2 is a warning, 3 an error; strict mode must see neither.
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == []


def test_lint_fails_on_schema_violation() -> None:
    report = helm.lint(CHART_DIR, {"replicaCount": 3}, strict=True)
    assert report["errors"], "lint must reject a key the schema does not know"
    assert any("replicaCount" in e for e in report["errors"])


# --------------------------------------------------------------------------- schema


def _walk_schema(node: dict[str, Any], path: str) -> list[str]:
    """Schema fields without a description, and objects that accept unknown keys."""
    problems: list[str] = []
    for name, prop in node.get("properties", {}).items():
        where = f"{path}.{name}"
        if "description" not in prop:
            problems.append(f"{where}: no description")
        problems += _walk_schema(prop, where)
    if node.get("type") == "object" and "properties" in node:
        if node.get("additionalProperties") is not False:
            problems.append(f"{path}: additionalProperties is not false")
    if "items" in node:
        problems += _walk_schema(node["items"], f"{path}[]")
    return problems


def test_schema_documents_every_field_and_rejects_unknown_keys() -> None:
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert _walk_schema(schema, "values") == []


def test_default_values_and_ci_values_pass_the_schema(chart: Any) -> None:
    chart.validate_schema(yaml.safe_load((CHART_DIR / "values.yaml").read_text()))
    for path in CI_VALUES_FILES:
        chart.validate_schema(load_values(path))


def _schema_paths(node: dict[str, Any], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for name, prop in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        paths.append(path)
        paths += _schema_paths(prop, f"{path}.")
        if "items" in prop:
            paths += _schema_paths(prop["items"], f"{path}[].")
    return paths


def test_readme_documents_every_value() -> None:
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    readme = (CHART_DIR / "README.md").read_text()
    paths = _schema_paths(schema)
    assert "tenants[].quota.gpu" in paths
    assert [p for p in paths if f"| `{p}` |" not in readme] == []


INVALID_CHANGES: dict[str, Callable[[Values], None]] = {
    "unknown top-level key": lambda v: v.update(replicaCount=2),
    "unknown tenant key": lambda v: v["tenants"][0].update(gpus=4),
    "unknown quota key": lambda v: v["tenants"][0]["quota"].update(gpuMemory="80Gi"),
    "sink type not supported": lambda v: v["audit"]["sink"].update(type="kafka"),
    "cloudwatch sink without log group": lambda v: v["audit"]["sink"]["cloudwatch"].update(logGroupName=""),
    "s3 sink without bucket": lambda v: v["audit"]["sink"].update(type="s3"),
    "credentials in sink settings": lambda v: v["audit"]["sink"]["cloudwatch"].update(
        secretAccessKey="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    ),
    "loki url carrying a password": lambda v: v["audit"]["sink"].update(
        type="loki", loki={"url": "https://admin:hunter2@loki.example.org"}
    ),
    "digest that is not sha256": lambda v: v["provenance"].update(profileDigest="md5:abc"),
    "provenance enabled but incomplete": lambda v: v["provenance"].update(toolVersion=""),
    "unknown pod security level": lambda v: v["tenants"][0].update(podSecurity="strict"),
    "negative gpu quota": lambda v: v["tenants"][0]["quota"].update(gpu=-1),
    "memory without unit": lambda v: v["tenants"][0]["quota"].update(memory="256"),
    "system namespace as tenant": lambda v: v["tenants"][0].update(name="kube-system"),
    "reserved label on tenant": lambda v: v["tenants"][0]["labels"].update(
        {"pod-security.kubernetes.io/enforce": "privileged"}
    ),
    "city that is not a slug": lambda v: v.update(city="City of Riverton"),
    "egress exception that is not a cidr": lambda v: v["networkPolicy"]["internetEgress"].update(
        extraExceptCidrs=["100.64.0.0"]
    ),
}


@pytest.mark.parametrize("change", INVALID_CHANGES.values(), ids=INVALID_CHANGES.keys())
def test_invalid_values_are_rejected(
    render: Callable[..., dict[str, str]],
    gpu_city_values: Values,
    change: Callable[[Values], None],
) -> None:
    render(gpu_city_values)  # the unchanged values render, so the change is what fails
    with pytest.raises(helm.HelmValuesError):
        render(with_changes(gpu_city_values, change))


def test_duplicate_tenant_names_fail_the_render(
    render: Callable[..., dict[str, str]], gpu_city_values: Values
) -> None:
    values = with_changes(gpu_city_values, lambda v: v["tenants"].append(copy.deepcopy(v["tenants"][0])))
    with pytest.raises(helm.HelmRenderError, match="appears more than once"):
        render(values)


# --------------------------------------------------------------------------- tenants


def test_resource_quota_per_tenant(render_objects: Callable[..., list[Manifest]], ci_values: Values) -> None:
    objects = render_objects(ci_values)
    assert ci_values["tenants"], "a ci values file without tenants tests nothing here"
    for tenant in ci_values["tenants"]:
        quotas = find(objects, "ResourceQuota", tenant["name"])
        assert len(quotas) == 1
        hard = quotas[0]["spec"]["hard"]
        quota = tenant["quota"]
        # Always present, so 0 forbids GPUs instead of leaving them unlimited.
        assert hard["requests.nvidia.com/gpu"] == str(quota["gpu"])
        assert hard["requests.cpu"] == str(quota["cpu"])
        assert hard["requests.memory"] == quota["memory"]
        assert hard["pods"] == str(quota["pods"])
        assert hard["persistentvolumeclaims"] == str(quota["persistentVolumeClaims"])
        assert hard["requests.storage"] == quota["storage"]
        assert hard["services.loadbalancers"] == str(quota.get("loadBalancers", 0))
        assert hard["services.nodeports"] == str(quota.get("nodePorts", 0))
        assert ("limits.memory" in hard) == ("limitsMemory" in quota)


def test_gpu_city_quota_grants_gpus_only_where_asked(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    objects = render_objects(gpu_city_values)
    gpus = {
        q["metadata"]["namespace"]: q["spec"]["hard"]["requests.nvidia.com/gpu"]
        for q in find(objects, "ResourceQuota")
    }
    assert gpus == {"jupyter-users": "4", "batch-jobs": "0"}
    users_quota = find(objects, "ResourceQuota", "jupyter-users")[0]["spec"]["hard"]
    assert users_quota["limits.memory"] == "384Gi"


def test_limit_range_per_tenant(render_objects: Callable[..., list[Manifest]], ci_values: Values) -> None:
    objects = render_objects(ci_values)
    for tenant in ci_values["tenants"]:
        (limit_range,) = find(objects, "LimitRange", tenant["name"])
        (container,) = limit_range["spec"]["limits"]
        lr = tenant["limitRange"]
        assert container["type"] == "Container"
        assert container["default"] == {
            "cpu": str(lr["defaultCpu"]),
            "memory": lr["defaultMemory"],
        }
        assert container["defaultRequest"] == {
            "cpu": str(lr["defaultRequestCpu"]),
            "memory": lr["defaultRequestMemory"],
        }
        assert container["max"] == {"cpu": str(lr["maxCpu"]), "memory": lr["maxMemory"]}


def test_default_deny_policy_per_tenant(
    render_objects: Callable[..., list[Manifest]], ci_values: Values
) -> None:
    objects = render_objects(ci_values)
    for tenant in ci_values["tenants"]:
        policies = find(objects, "NetworkPolicy", tenant["name"])
        assert {str(p["spec"]["podSelector"]) for p in policies} == {str(governed_pods(tenant))}
        deny_all = [
            p
            for p in policies
            if p["spec"]["podSelector"] == governed_pods(tenant)
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress")
            and not p["spec"].get("egress")
        ]
        assert len(deny_all) == 1, f"{tenant['name']} needs one default-deny policy"


def test_egress_never_reaches_private_ranges_or_metadata(
    render_objects: Callable[..., list[Manifest]], ci_values: Values
) -> None:
    objects = render_objects(ci_values)
    for tenant in ci_values["tenants"]:
        ip_rules = [
            peer["ipBlock"]
            for policy in find(objects, "NetworkPolicy", tenant["name"])
            for rule in policy["spec"].get("egress", [])
            for peer in rule.get("to", [])
            if "ipBlock" in peer
        ]
        if not tenant_flag(tenant, "internetEgress"):
            assert ip_rules == []
            continue
        assert [block["cidr"] for block in ip_rules] == ["0.0.0.0/0"]
        for block in ip_rules:
            allowed = ipaddress.ip_network(block["cidr"])
            excepted = [ipaddress.ip_network(c) for c in block.get("except", [])]
            for forbidden in FORBIDDEN_EGRESS:
                if forbidden.subnet_of(allowed):
                    assert any(forbidden.subnet_of(e) for e in excepted), (
                        f"{tenant['name']}: egress to {forbidden} is not excepted"
                    )
            assert "169.254.169.254/32" in block["except"]


def test_extra_egress_exceptions_are_added_not_substituted(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    objects = render_objects(gpu_city_values)
    policy = one(objects, "NetworkPolicy", f"{FULLNAME}-allow-internet-egress", "jupyter-users")
    (block,) = [peer["ipBlock"] for rule in policy["spec"]["egress"] for peer in rule["to"]]
    assert block["except"] == [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.169.254/32",
        "100.64.0.0/10",
    ]


def test_tenant_without_internet_egress_gets_no_ip_block(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    values = with_changes(gpu_city_values, lambda v: v["tenants"][1].update(internetEgress=False))
    names = {p["metadata"]["name"] for p in find(render_objects(values), "NetworkPolicy", "batch-jobs")}
    assert f"{FULLNAME}-allow-internet-egress" not in names
    assert f"{FULLNAME}-default-deny" in names


def test_dns_egress_only_to_cluster_dns(
    render_objects: Callable[..., list[Manifest]], ci_values: Values
) -> None:
    objects = render_objects(ci_values)
    for tenant in ci_values["tenants"]:
        policies = [
            p
            for p in find(objects, "NetworkPolicy", tenant["name"])
            if any(port.get("port") == 53 for r in p["spec"].get("egress", []) for port in r.get("ports", []))
        ]
        assert len(policies) == 1
        (rule,) = policies[0]["spec"]["egress"]
        assert sorted((p["protocol"], p["port"]) for p in rule["ports"]) == [("TCP", 53), ("UDP", 53)]
        (peer,) = rule["to"]
        assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "kube-system"}
        assert peer["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}


def test_jupyterhub_proxy_and_hub_reach_user_servers(
    render_objects: Callable[..., list[Manifest]], ci_values: Values
) -> None:
    objects = render_objects(ci_values)
    hub = ci_values["jupyterhub"]
    for tenant in ci_values["tenants"]:
        names = {p["metadata"]["name"]: p for p in find(objects, "NetworkPolicy", tenant["name"])}
        ingress_name = f"{FULLNAME}-allow-from-jupyterhub"
        api_name = f"{FULLNAME}-allow-to-jupyterhub-api"
        if not tenant_flag(tenant, "jupyterhubAccess"):
            assert ingress_name not in names and api_name not in names
            continue
        (rule,) = names[ingress_name]["spec"]["ingress"]
        peers = [
            (p["namespaceSelector"]["matchLabels"], p["podSelector"]["matchLabels"]) for p in rule["from"]
        ]
        hub_ns = {"kubernetes.io/metadata.name": hub["namespace"]}
        assert peers == [(hub_ns, hub["proxyPodLabels"]), (hub_ns, hub["hubPodLabels"])]
        assert rule["ports"] == [{"protocol": "TCP", "port": hub["singleuserPort"]}]
        (egress,) = names[api_name]["spec"]["egress"]
        assert egress["to"] == [
            {
                "namespaceSelector": {"matchLabels": hub_ns},
                "podSelector": {"matchLabels": hub["hubPodLabels"]},
            }
        ]
        assert egress["ports"] == [{"protocol": "TCP", "port": hub["hubApiPort"]}]


def test_policies_in_the_hub_namespace_govern_only_user_servers(
    render_objects: Callable[..., list[Manifest]], minimal_values: Values
) -> None:
    policies = find(render_objects(minimal_values), "NetworkPolicy", "jupyterhub")
    assert policies
    for policy in policies:
        assert policy["spec"]["podSelector"] == {"matchLabels": {"component": "singleuser-server"}}


def test_z2jh_component_labels_by_default(
    render_objects: Callable[..., list[Manifest]], minimal_values: Values
) -> None:
    policy = one(render_objects(minimal_values), "NetworkPolicy", f"{FULLNAME}-allow-from-jupyterhub")
    selectors = [peer["podSelector"]["matchLabels"] for peer in policy["spec"]["ingress"][0]["from"]]
    assert selectors == [{"component": "proxy"}, {"component": "hub"}]


def test_pod_security_labels_on_tenant_namespaces(
    render_objects: Callable[..., list[Manifest]], ci_values: Values
) -> None:
    objects = render_objects(ci_values)
    namespaces = {n["metadata"]["name"]: n for n in find(objects, "Namespace")}
    version = ci_values.get("podSecurityVersion", "latest")
    for tenant in ci_values["tenants"]:
        if not tenant_flag(tenant, "createNamespace"):
            assert tenant["name"] not in namespaces
            continue
        labels = namespaces[tenant["name"]]["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == tenant.get("podSecurity", "restricted")
        assert labels["pod-security.kubernetes.io/audit"] == "restricted"
        assert labels["pod-security.kubernetes.io/warn"] == "restricted"
        for mode in ("enforce", "audit", "warn"):
            assert labels[f"pod-security.kubernetes.io/{mode}-version"] == version
        assert labels["aicommons.dev/tenant"] == tenant["name"]
        for key, value in tenant.get("labels", {}).items():
            assert labels[key] == value
        assert namespaces[tenant["name"]]["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
    assert set(namespaces) == {t["name"] for t in ci_values["tenants"] if tenant_flag(t, "createNamespace")}


def test_existing_namespace_still_gets_quota_and_policies(
    render_objects: Callable[..., list[Manifest]], minimal_values: Values
) -> None:
    objects = render_objects(minimal_values)
    assert find(objects, "Namespace") == []
    assert len(find(objects, "ResourceQuota", "jupyterhub")) == 1
    assert len(find(objects, "LimitRange", "jupyterhub")) == 1
    assert len(find(objects, "NetworkPolicy", "jupyterhub")) == 5


def test_tenant_namespace_defaults_to_restricted(
    render_objects: Callable[..., list[Manifest]], minimal_values: Values
) -> None:
    values = with_changes(minimal_values, lambda v: v["tenants"][0].update(createNamespace=True))
    (namespace,) = find(render_objects(values), "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce-version"] == "latest"


# --------------------------------------------------------------------------- every object


def test_every_object_carries_the_standard_labels(
    render_objects: Callable[..., list[Manifest]], ci_values: Values
) -> None:
    objects = render_objects(ci_values)
    assert objects
    for obj in objects:
        labels = obj["metadata"].get("labels", {})
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        missing = [key for key in STANDARD_LABELS if key not in labels]
        assert missing == [], f"{where} lacks {missing}"
        assert labels["app.kubernetes.io/name"] == "aicommons-platform"
        assert labels["app.kubernetes.io/instance"] == RELEASE_NAME
        assert labels["app.kubernetes.io/version"] == "0.1.0"
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["helm.sh/chart"] == "aicommons-platform-0.1.1"
        assert labels["aicommons.dev/city"] == ci_values["city"]


def test_namespaced_objects_name_their_namespace(
    render_objects: Callable[..., list[Manifest]], ci_values: Values
) -> None:
    for obj in render_objects(ci_values):
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") not in (None, "", "default")


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_manifests_validate_against_kubernetes_schemas(
    render_objects: Callable[..., list[Manifest]], ci_values: Values, kube_version: str
) -> None:
    objects = render_objects(ci_values)
    assert objects
    for obj in objects:
        # Raises ValidationError (strict: unknown fields too) or SchemaNotFoundError.
        kubernetes_validate.validate(obj, kube_version, strict=True)


def test_kubernetes_validate_catches_a_broken_manifest(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    """Guards the validation test above against passing vacuously."""
    quota = copy.deepcopy(find(render_objects(gpu_city_values), "ResourceQuota")[0])
    quota["spec"]["hardLimits"] = quota["spec"].pop("hard")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(quota, PINNED_KUBE_VERSION, strict=True)


def test_render_is_byte_identical_across_runs(
    render: Callable[..., dict[str, str]], ci_values: Values
) -> None:
    first = render(ci_values)
    second = render(ci_values)
    with helm.Chart.load(CHART_DIR) as fresh:
        third = fresh.render(values=ci_values, name=RELEASE_NAME, namespace=RELEASE_NAMESPACE)
    assert first == second == third
    joined = "".join(f"{k}\n{v}" for k, v in sorted(first.items())).encode()
    assert joined == "".join(f"{k}\n{v}" for k, v in sorted(third.items())).encode()


NONDETERMINISTIC = re.compile(
    r"\b(now|date|dateInZone|unixEpoch|rand\w*|uuidv4|shuffle|lookup|gen(PrivateKey|CA|SelfSignedCert|SignedCert))\b"
)


def test_templates_use_no_clock_randomness_or_cluster_lookups() -> None:
    """Rendering twice within one second would not catch `now`; reading the templates does."""
    actions = [
        (path.name, action)
        for path in sorted((CHART_DIR / "templates").iterdir())
        for action in re.findall(r"{{-?(.*?)-?}}", path.read_text(), re.DOTALL)
        if not action.strip().startswith("/*")
    ]
    assert actions, "no template actions found: the pattern is wrong"
    assert [(name, a.strip()) for name, a in actions if NONDETERMINISTIC.search(a)] == []


# --------------------------------------------------------------------------- provenance


def test_provenance_config_map_records_the_profile_digest(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    config_map = one(render_objects(gpu_city_values), "ConfigMap", f"{FULLNAME}-provenance")
    assert config_map["metadata"]["namespace"] == RELEASE_NAMESPACE
    provenance = gpu_city_values["provenance"]
    assert config_map["data"] == {
        "blueprintName": provenance["blueprintName"],
        "blueprintVersion": provenance["blueprintVersion"],
        "profileDigest": provenance["profileDigest"],
        "toolVersion": provenance["toolVersion"],
        "city": gpu_city_values["city"],
    }
    assert SHA256_DIGEST.match(config_map["data"]["profileDigest"])


def test_provenance_follows_the_values(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    digest = "sha256:" + "ab" * 32
    values = with_changes(gpu_city_values, lambda v: v["provenance"].update(profileDigest=digest))
    config_map = one(render_objects(values), "ConfigMap", f"{FULLNAME}-provenance")
    assert config_map["data"]["profileDigest"] == digest


def test_provenance_off_renders_no_config_map(
    render_objects: Callable[..., list[Manifest]], minimal_values: Values
) -> None:
    names = [o["metadata"]["name"] for o in find(render_objects(minimal_values), "ConfigMap")]
    assert f"{FULLNAME}-provenance" not in names


# --------------------------------------------------------------------------- audit


SINKS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "cloudwatch": (
        {"cloudwatch": {"logGroupName": "/aicommons/riverton/audit", "region": "eu-central-1"}},
        {
            "name": "cloudwatch_logs",
            "region": "eu-central-1",
            "log_group_name": "/aicommons/riverton/audit",
            "auto_create_group": "Off",
        },
    ),
    "s3": (
        {"s3": {"bucket": "riverton-audit", "region": "us-east-2", "prefix": "/ai-commons/audit/"}},
        {
            "name": "s3",
            "bucket": "riverton-audit",
            "region": "us-east-2",
            "s3_key_format": "/ai-commons/audit/$TAG[2]/%Y/%m/%d/%H%M%S-$UUID.gz",
            "compression": "gzip",
        },
    ),
    "loki-https": (
        {"loki": {"url": "https://loki.example.org", "tenantId": "riverton"}},
        {
            "name": "loki",
            "host": "loki.example.org",
            "port": "443",
            "uri": "/loki/api/v1/push",
            "tls": "On",
            "tenant_id": "riverton",
        },
    ),
    "loki-in-cluster": (
        {"loki": {"url": "http://loki-gateway.monitoring.svc.cluster.local:3100/custom/push"}},
        {
            "name": "loki",
            "host": "loki-gateway.monitoring.svc.cluster.local",
            "port": "3100",
            "uri": "/custom/push",
            "tls": "Off",
        },
    ),
    "stdout": ({}, {"name": "stdout", "format": "json_lines"}),
}


@pytest.mark.parametrize("sink", SINKS, ids=SINKS.keys())
def test_audit_sink_config_matches_the_chosen_type(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values, sink: str
) -> None:
    settings, expected = SINKS[sink]
    sink_type = sink.split("-")[0]
    values = with_changes(gpu_city_values, lambda v: v["audit"].update(sink={"type": sink_type, **settings}))
    objects = render_objects(values)
    output = single_output(objects)
    assert {k: output.get(k) for k in expected} == expected
    assert output["match"] == "aicommons.audit.*"
    if sink_type != "loki":
        assert "tenant_id" not in output
    config_map = one(objects, "ConfigMap", f"{FULLNAME}-audit-fluent-bit")
    assert config_map["metadata"]["annotations"]["aicommons.dev/audit-sink"] == sink_type


def test_audit_inputs_tail_jupyterhub_events_and_kubernetes_audit(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    objects = render_objects(gpu_city_values)
    config_map = one(objects, "ConfigMap", f"{FULLNAME}-audit-fluent-bit")
    assert config_map["metadata"]["namespace"] == "logging"
    sections = audit_sections(objects)
    inputs = {s["tag"][0]: s for name, s in sections if name == "INPUT"}
    assert set(inputs) == {"aicommons.audit.jupyterhub", "aicommons.audit.kubernetes"}
    hub = inputs["aicommons.audit.jupyterhub"]
    assert hub["name"] == ["tail"]
    assert hub["path"] == ["/var/log/containers/hub-*_jupyterhub_hub-*.log"]
    assert hub["multiline.parser"] == ["docker, cri"]
    assert inputs["aicommons.audit.kubernetes"]["path"] == ["/var/log/kubernetes/audit/*.log"]
    # JupyterHub's JSON events, logins and changes through the hub's API leave the node; the
    # hub's other log lines do not (any one rule keeps a record: Logical_Op or).
    (grep,) = [s for name, s in sections if name == "FILTER" and s["name"] == ["grep"]]
    assert grep["logical_op"] == ["or"]
    rules = [rule.split(" ", 1) for rule in grep["regex"]]

    def kept(record: dict[str, str]) -> bool:
        return any(key in record and re.search(pattern, record[key]) for key, pattern in rules)

    hub = "[I 2026-11-25 09:14:03.512 JupyterHub {}] {}"
    assert kept({"__schema__": "https://schema.jupyter.org/jupyterhub/events/server-action"})
    assert kept({"log": hub.format("base:837", "User logged in: alice")})
    assert kept({"log": hub.format("login:46", "User logged out: alice")})
    assert kept({"log": hub.format("base:841", "Failed login for mallory")})
    assert kept({"log": hub.format("log:192", "201 POST /hub/api/users/bob/server (admin@10.0.3.7) 9.24ms")})
    assert kept({"log": hub.format("log:192", "204 DELETE /hub/api/users/bob (admin@10.0.3.7) 3.10ms")})
    assert not kept({"log": hub.format("log:192", "200 GET /hub/api/users (admin@10.0.3.7) 2.01ms")})
    assert not kept({"log": hub.format("proxy:390", "Checking routes")})
    # Every record is tagged for the audit pipeline, and the sink takes exactly those.
    assert all(tag.startswith("aicommons.audit.") for tag in inputs)
    service = dict(sections)["SERVICE"]
    parsers = config_map["data"]["custom_parsers.conf"]
    assert service["parsers_file"] == ["/fluent-bit/etc/conf/custom_parsers.conf"]
    assert "aicommons_json" in parsers


def test_audit_event_file_mode_and_disabled_kubernetes_audit(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    def change(v: Values) -> None:
        v["audit"]["jupyterhubEvents"] = {"format": "file", "path": "/srv/jupyterhub/events/*.jsonl"}
        v["audit"]["kubernetesAudit"]["enabled"] = False

    sections = audit_sections(render_objects(with_changes(gpu_city_values, change)))
    inputs = [s for name, s in sections if name == "INPUT"]
    assert len(inputs) == 1
    assert inputs[0]["path"] == ["/srv/jupyterhub/events/*.jsonl"]
    assert inputs[0]["parser"] == ["aicommons_json"]
    assert "multiline.parser" not in inputs[0]
    assert not [s for name, s in sections if name == "FILTER" and s["name"] in (["grep"], ["parser"])]


def test_audit_off_renders_no_shipper_config(
    render_objects: Callable[..., list[Manifest]], gpu_city_values: Values
) -> None:
    values = with_changes(gpu_city_values, lambda v: v["audit"].update(enabled=False))
    names = [o["metadata"]["name"] for o in find(render_objects(values), "ConfigMap")]
    assert names == [f"{FULLNAME}-provenance"]


# --------------------------------------------------------------------------- secrets


def test_secret_scanner_flags_planted_credentials() -> None:
    """Guards the no-secrets test below against passing vacuously."""
    planted = yaml.safe_dump(
        {
            "data": {
                "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
                "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "loki": "http_passwd hunter2",
            }
        }
    )
    assert len(secret_findings(planted)) >= 3


@pytest.mark.parametrize("sink", SINKS, ids=SINKS.keys())
def test_no_object_contains_anything_secret_like(
    render: Callable[..., dict[str, str]], gpu_city_values: Values, sink: str
) -> None:
    settings, _ = SINKS[sink]
    values = with_changes(
        gpu_city_values, lambda v: v["audit"].update(sink={"type": sink.split("-")[0], **settings})
    )
    rendered = render(values)
    assert all(o["kind"] != "Secret" for o in parse_manifests(rendered))
    for template, text in rendered.items():
        assert secret_findings(text) == [], f"{template} contains secret-like content"
