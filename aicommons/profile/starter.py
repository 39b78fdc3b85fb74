"""Starter profiles for `aicommons init`: a reference tier with the chosen provider's target.

A starter validates, renders and passes `validate` as written (tests/test_quickstart.py runs the
README's Quick start on every tier and provider). Each provider adds what its stacks need:
AWS a recipient for the budget alerts, an existing or on-premises cluster an audit sink (there is
no locked cloud bucket to keep the audit trail).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML

from aicommons.errors import InputError, Location
from aicommons.profile.comments import comment_fields
from aicommons.profile.model import CityProfile
from aicommons.resources import data_dir

TIERS = ("pilot", "small", "medium", "large")

# The country each AWS region of the catalog lies in (AWS "Regions and Availability Zones":
# us-east-1 N. Virginia, eu-west-1 Ireland, eu-central-1 Frankfurt).
REGION_COUNTRY = {"us-east-1": "US", "eu-west-1": "IE", "eu-central-1": "DE"}
# EU member states: personal data may stay anywhere in the EU (GDPR), so their residency is the EU's regions.
EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())  # noqa: SIM905


@dataclass(frozen=True)
class StarterOptions:
    """What `init` was told about the city; None keeps the tier's example value."""

    slug: str | None = None
    name: str | None = None
    country: str | None = None
    region: str | None = None
    currency: str | None = None
    usd_per_unit: float | None = None


# The target block for each provider, with comments a city's IT team can follow.
_TARGETS = {
    "aws": None,  # the tier files are written for AWS already
    "kubernetes": """\
provider: kubernetes
context: my-cluster            # kubeconfig context of the existing cluster
storage_class: null            # StorageClass for user homes; the cluster default when null
gpu_operator_present: false    # true when the NVIDIA GPU operator already runs on the cluster
network_policy_enforced: true  # false when the CNI ignores NetworkPolicy: Calico then runs policy-only
cni: null                      # with network_policy_enforced false: AmazonVPC, AzureVNET or GKE
load_balancer_controller: false  # true when LoadBalancer Services get an address (cloud, MetalLB, kube-vip)
ingress_class: null            # IngressClass of the cluster's ingress controller, if any
node_pools: null               # e.g. {core: {nodes: [node-1]}, user: {selector: {pool: cpu}}}
node_types:                    # the node shapes the cluster offers (allocatable figures)
  - name: cpu-node
    cpu: 15.5
    memory_gib: 60
    usd_month: 0               # what a node costs the city per month, if known
  - name: gpu-node
    cpu: 31.5
    memory_gib: 120
    gpu_count: 4
    gpu_model: L40S
    gpu_memory_gib: 44.7
    usd_month: 0
""",
    "onprem": """\
provider: onprem
site: City data centre         # where the servers will be racked
power_usd_per_kwh: 0.15        # electricity price
pue: 1.5                       # power usage effectiveness of the room
amortization_years: 5          # years over which the hardware is written off
""",
}

# What each provider's stacks need beyond the tier file, merged into these sections.
_BUDGET = {
    "aws": """\
alert_emails: [it-finance@{slug}.example.gov]   # who the AWS Budget alerts go to (replace)
""",
}
_GOVERNANCE = {
    "kubernetes": """\
audit_sink:                    # the cluster has no locked cloud bucket: audit events go here
  type: loki
  url: https://loki.{slug}.example.gov/loki/api/v1/push   # the city's Loki push endpoint (replace)
""",
    "onprem": """\
audit_sink:                    # the servers have no locked cloud bucket: audit events go here
  type: loki
  url: https://loki.{slug}.example.gov/loki/api/v1/push   # the city's Loki push endpoint (replace)
""",
}

_BACKUP_COMMON = """\
schedule: daily                # daily (03:00 UTC), hourly, or a five-field cron in UTC
retention_days:                # days each store keeps its backups (the blueprint's minimum is 7)
  homes: 30
  shared_datasets: 30
  project_volumes: 30
  hub_database: 30
"""
_BACKUP = {
    "aws": _BACKUP_COMMON
    + """\
immutable: false               # true: AWS Backup Vault Lock (compliance mode after 3 days)
""",
    **{
        provider: _BACKUP_COMMON
        + """\
store:                         # the hub database's backups go to this S3-compatible bucket (homes: VolumeSnapshots)
  endpoint: https://s3.{slug}.example.gov    # the city's S3-compatible store (replace)
  bucket: {slug}-aicommons-backups
  credentials_secret_name: aicommons-backup-store   # Secret in jupyterhub: ACCESS_KEY_ID, ACCESS_SECRET_KEY
"""
        for provider in ("kubernetes", "onprem")
    },
}


_H100_SHAPE = """\
- name: h100-node
  cpu: 190
  memory_gib: 1900
  gpu_count: 8
  gpu_model: H100-80GB
  gpu_memory_gib: 80
  usd_month: 0
"""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def starter_profile(
    tier: str, provider: str, slug: str | None = None, options: StarterOptions | None = None
) -> str:
    """The YAML text of a commented starter profile (validated by the caller's tests)."""
    opts = options or StarterOptions(slug=slug)
    slug = opts.slug or slug
    yaml = _yaml()
    text = (data_dir("hardware_profiles") / "tiers" / f"{tier}.yaml").read_text(encoding="utf-8")
    example = f"{tier}-city"
    if slug:  # the example names (slug, host, e-mail domains) become the city's
        text = text.replace(example, slug)
    doc = yaml.load(text)
    names = {"slug": slug or example}
    block = _TARGETS[provider]
    if block is not None:
        doc["target"] = yaml.load(block)
        if provider == "kubernetes" and tier == "large":  # training and MIG need H100-class nodes
            doc["target"]["node_types"].append(yaml.load(_H100_SHAPE)[0])
        doc["governance"]["data_residency_regions"] = []
        doc["governance"].yaml_add_eol_comment(
            "regions (cloud) where data may live; none: the cluster is the city's", "data_residency_regions"
        )
        doc["target"].yaml_set_start_comment(f"Deployment target: {provider}.", indent=2)
    _merge(doc["budget"], yaml.load(_BUDGET[provider].format(**names)) if provider in _BUDGET else None)
    _merge(
        doc["governance"],
        yaml.load(_GOVERNANCE[provider].format(**names)) if provider in _GOVERNANCE else None,
    )
    backup = yaml.load(_BACKUP[provider].format(**names))
    doc.insert(list(doc).index("budget"), "backup", backup)
    if slug and opts.name is None:
        doc["city"]["name"] = slug.replace("-", " ").title()
    _apply(doc, opts)
    comment_fields(doc, CityProfile)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _merge(section: Any, extra: Any) -> None:
    if extra is None:
        return
    for key, value in extra.items():
        section[key] = value
        comment = extra.ca.items.get(key)
        if comment:
            section.ca.items[key] = comment


def _apply(doc: Any, opts: StarterOptions) -> None:
    """Fill what `init` was told: name, country (and data residency), region (and zones), currency."""
    if opts.name is not None:
        doc["city"]["name"] = opts.name
    if opts.country is not None:
        doc["city"]["country"] = opts.country
    target = doc["target"]
    if "region" in target:  # a cloud target
        region = opts.region or (_country_region(opts.country) if opts.country else None)
        if region is not None:
            target["region"] = region
            count = len(target["availability_zones"])
            zones = target["availability_zones"]
            zones[:] = [f"{region}{letter}" for letter in "abcdef"[:count]]
        if opts.country is not None:  # the country's regions; the target's must be one of them
            doc["governance"]["data_residency_regions"][:] = _residency(opts.country, target["region"])
        elif region is not None:  # the region the city chose is where its data lives
            doc["governance"]["data_residency_regions"][:] = [_known(region)]
    elif opts.region is not None:
        raise InputError(
            f"--region {opts.region} is for a cloud target (--provider aws); an existing or on-premises "
            "cluster has no cloud region",
            Location(field="--region"),
        )
    if opts.currency is not None and opts.currency != doc["budget"]["currency"]:
        _currency(doc["budget"], opts.currency, opts.usd_per_unit)
    elif opts.usd_per_unit is not None:
        raise InputError(
            "--usd-per-unit is the exchange rate of a budget in another currency than USD; give --currency",
            Location(field="--usd-per-unit"),
        )


def _country_region(country: str) -> str:
    for region, where in REGION_COUNTRY.items():
        if where == country:
            return region
    for region, where in REGION_COUNTRY.items():
        if country in EU and where in EU:
            return region
    raise InputError(
        f"no AWS region of the catalog lies in {country}; give --region (the data then leaves {country})",
        Location(field="--country"),
        ", ".join(f"{r} ({c})" for r, c in REGION_COUNTRY.items()),
    )


def _residency(country: str, region: str) -> list[str]:
    """The catalog's regions where the city's data may live: its country's, or the EU's for an EU city."""
    inside = [r for r, c in REGION_COUNTRY.items() if c == country or (country in EU and c in EU)]
    if region in inside:
        return inside
    _known(region)
    raise InputError(
        f"--region {region} lies in {REGION_COUNTRY[region]}, outside {country}: the city's data would leave "
        "the country; give a region inside it, or another --country",
        Location(field="--region"),
        ", ".join(inside) or "none in the catalog",
    )


def _known(region: str) -> str:
    if region not in REGION_COUNTRY:
        raise InputError(
            f"--region {region} has no prices in the catalog",
            Location(field="--region"),
            ", ".join(REGION_COUNTRY),
        )
    return region


def _currency(budget: Any, currency: str, usd_per_unit: float | None) -> None:
    if usd_per_unit is None:
        raise InputError(
            f"a budget in {currency} needs its exchange rate: give --usd-per-unit, the US dollars one "
            f"{currency} buys (the city treasury's rate); the catalog's prices are in USD",
            Location(field="--currency"),
        )
    usd = float(budget["monthly"])
    budget["monthly"] = round(usd / usd_per_unit)
    budget["currency"] = currency
    keys = list(budget)
    budget.insert(keys.index("currency") + 1, "usd_per_unit", usd_per_unit)
    budget.yaml_add_eol_comment(
        f"US dollars per {currency}: update with the city treasury's rate", "usd_per_unit"
    )
    budget.yaml_add_eol_comment(f"the tier's {usd:,.0f} USD in {currency}", "monthly")


__all__ = ["EU", "REGION_COUNTRY", "TIERS", "StarterOptions", "starter_profile"]
