"""The catalogs under hardware_profiles/ load, validate and hold the figures sizing relies on.

These tests read only the project's own files (never ../shared): the spot checks below were copied
from the compiled source table when the catalogs were written.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML

from aicommons.catalog.model import CloudCatalog, GpuCatalog, ServerCatalog, UnitPrices

PROFILES = Path(__file__).resolve().parents[1] / "hardware_profiles"

FILES: dict[str, type[BaseModel]] = {
    "aws/instances.yaml": CloudCatalog,
    "aws/unit-prices.yaml": UnitPrices,
    "gpus.yaml": GpuCatalog,
    "onprem/servers.yaml": ServerCatalog,
}

# Every row of the compiled AWS table (65 instance types), by family.
_AWS_SIZES = {
    "t3": "medium large xlarge",
    "m6i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
    "m7i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
    "c7i": "large xlarge 2xlarge 4xlarge 8xlarge",
    "r6i": "large xlarge 2xlarge 4xlarge 8xlarge",
    "r7i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
    "m7a": "xlarge 2xlarge 4xlarge",
    "g4dn": "xlarge 2xlarge 4xlarge 8xlarge 12xlarge",
    "g5": "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
    "g6": "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
    "g6e": "xlarge 2xlarge 4xlarge 12xlarge 48xlarge",
    "p4d": "24xlarge",
    "p5": "48xlarge",
}
AWS_INSTANCE_TYPES = {f"{fam}.{size}" for fam, sizes in _AWS_SIZES.items() for size in sizes.split()}

UNIT_PRICE_ITEMS = {
    "eks_control_plane",
    "nat_gateway_hour",
    "nat_gateway_gb",
    "s3_standard_gb_month",
    "ebs_gp3_gb_month",
    "efs_standard_gb_month",
    "cloudwatch_logs_ingest_gb",
    "cloudwatch_logs_store_gb_month",
    "ebs_snapshot_gb_month",  # AWS Backup's EBS snapshots (the backups cost line)
}

MIG = {
    "A100-40GB": {
        "1g.5gb": 7,
        "1g.10gb": 4,
        "2g.10gb": 3,
        "3g.20gb": 2,
        "4g.20gb": 1,
        "7g.40gb": 1,
    },
    "H100-80GB": {
        "1g.10gb": 7,
        "1g.20gb": 4,
        "2g.20gb": 3,
        "3g.40gb": 2,
        "4g.40gb": 1,
        "7g.80gb": 1,
    },
}


def _load_yaml(relative: str) -> Any:
    return YAML(typ="safe", pure=True).load(PROFILES / relative)


@pytest.fixture(scope="module")
def instances() -> CloudCatalog:
    return CloudCatalog.model_validate(_load_yaml("aws/instances.yaml"))


@pytest.fixture(scope="module")
def unit_prices() -> UnitPrices:
    return UnitPrices.model_validate(_load_yaml("aws/unit-prices.yaml"))


@pytest.fixture(scope="module")
def gpus() -> GpuCatalog:
    return GpuCatalog.model_validate(_load_yaml("gpus.yaml"))


@pytest.fixture(scope="module")
def servers() -> ServerCatalog:
    return ServerCatalog.model_validate(_load_yaml("onprem/servers.yaml"))


def _by_type(catalog: CloudCatalog) -> dict[str, Any]:
    return {i.instance_type: i for i in catalog.instance_types}


def _real_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD (or YYYY-MM, as the first of the month); fail on impossible dates."""
    return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


# --- every file -------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", sorted(FILES))
def test_file_validates_against_its_model(relative: str) -> None:
    FILES[relative].model_validate(_load_yaml(relative))


@pytest.mark.parametrize("relative", ["aws/instances.yaml", "gpus.yaml", "onprem/servers.yaml"])
def test_catalog_names_dated_sources(relative: str) -> None:
    catalog = FILES[relative].model_validate(_load_yaml(relative))
    sources = catalog.sources  # type: ignore[attr-defined]
    assert sources, relative
    for source in sources:
        assert source.what.strip() and source.reference.strip(), source
        _real_date(source.date)


# --- AWS instances ----------------------------------------------------------------------------


def test_every_aws_instance_type_is_present_once(instances: CloudCatalog) -> None:
    names = [i.instance_type for i in instances.instance_types]
    assert len(names) == len(set(names)), "duplicate instance types"
    assert set(names) == AWS_INSTANCE_TYPES


def test_aws_regions(instances: CloudCatalog) -> None:
    assert instances.provider == "aws"
    assert instances.regions == ["us-east-1", "eu-west-1", "eu-central-1"]
    for it in instances.instance_types:
        assert set(it.usd_hour) <= set(instances.regions), it.instance_type
        assert it.usd_hour.get("us-east-1", 0) > 0, f"{it.instance_type} has no us-east-1 price"
        assert all(price > 0 for price in it.usd_hour.values()), it.instance_type


def test_m6i_large_figures(instances: CloudCatalog) -> None:
    m6i = _by_type(instances)["m6i.large"]
    assert (m6i.family, m6i.vcpu, m6i.memory_gib, m6i.eni_max_pods) == ("m6i", 2, 8, 29)
    assert (m6i.gpu_count, m6i.gpu_model, m6i.arch) == (0, None, "x86_64")
    assert m6i.usd_hour == {"us-east-1": 0.096, "eu-west-1": 0.107, "eu-central-1": 0.115}


def test_p5_48xlarge_figures(instances: CloudCatalog) -> None:
    p5 = _by_type(instances)["p5.48xlarge"]
    assert (p5.vcpu, p5.memory_gib, p5.eni_max_pods) == (192, 2048, 100)
    assert (p5.gpu_count, p5.gpu_model, p5.gpu_memory_gib_each) == (8, "H100-80GB", 80)
    assert p5.usd_hour == {"us-east-1": 55.04}


@pytest.mark.parametrize(
    ("instance_type", "field", "expected"),
    [
        ("t3.medium", "eni_max_pods", 17),
        ("m6i.16xlarge", "eni_max_pods", 737),
        ("g4dn.xlarge", "gpu_model", "T4"),
        ("g4dn.12xlarge", "gpu_count", 4),
        ("g5.xlarge", "gpu_model", "A10G"),
        ("g5.48xlarge", "eni_max_pods", 345),
        ("g6.xlarge", "gpu_model", "L4"),
        ("g6e.xlarge", "memory_gib", 32),
        ("g6e.48xlarge", "eni_max_pods", 492),
        ("p4d.24xlarge", "gpu_model", "A100-40GB"),
        ("p4d.24xlarge", "memory_gib", 1152),
        ("r7i.16xlarge", "memory_gib", 512),
    ],
)
def test_instance_spot_checks(
    instances: CloudCatalog, instance_type: str, field: str, expected: object
) -> None:
    assert getattr(_by_type(instances)[instance_type], field) == expected


@pytest.mark.parametrize(
    ("instance_type", "usd_hour"),
    [
        ("t3.medium", {"us-east-1": 0.0416}),
        ("g5.2xlarge", {"us-east-1": 1.212, "eu-west-1": 1.35296, "eu-central-1": 1.5156}),
        ("g6.xlarge", {"us-east-1": 0.8048, "eu-central-1": 1.0064}),
        ("g6e.48xlarge", {"us-east-1": 30.1312, "eu-central-1": 37.6761}),
        ("p4d.24xlarge", {"us-east-1": 21.9576, "eu-west-1": 23.7157, "eu-central-1": 27.433}),
    ],
)
def test_instance_price_spot_checks(
    instances: CloudCatalog, instance_type: str, usd_hour: dict[str, float]
) -> None:
    assert _by_type(instances)[instance_type].usd_hour == usd_hour


def test_missing_prices_stay_missing(instances: CloudCatalog) -> None:
    """No price was found for these; none may have been invented."""
    for it in instances.instance_types:
        if it.family in {"g6", "g6e", "p5"}:
            assert "eu-west-1" not in it.usd_hour, it.instance_type
        if it.family == "p5":
            assert "eu-central-1" not in it.usd_hour, it.instance_type
        if it.family in {"t3", "r6i", "r7i"}:
            assert set(it.usd_hour) == {"us-east-1"}, it.instance_type


def test_instance_fields_are_consistent(instances: CloudCatalog) -> None:
    for it in instances.instance_types:
        assert it.instance_type.startswith(f"{it.family}."), it.instance_type
        has_gpu = it.gpu_count > 0
        assert (it.gpu_model is not None) == has_gpu, it.instance_type
        assert (it.gpu_memory_gib_each is not None) == has_gpu, it.instance_type
        assert it.eni_max_pods <= 737, it.instance_type


# --- GPUs -------------------------------------------------------------------------------------


def test_gpu_names_and_aliases_are_unambiguous(gpus: GpuCatalog) -> None:
    seen: dict[str, str] = {}
    for gpu in gpus.gpus:
        for spelling in [gpu.name, *gpu.aliases]:
            key = spelling.lower()
            assert key not in seen, f"{spelling!r} names both {seen.get(key)} and {gpu.name}"
            seen[key] = gpu.name


def test_gpu_catalog_covers_the_expected_models(gpus: GpuCatalog) -> None:
    names = {g.name for g in gpus.gpus}
    assert names == {"T4", "A10G", "L4", "L40S", "A100-40GB", "H100-80GB"}
    aliases = {a.lower(): g.name for g in gpus.gpus for a in g.aliases}
    # The spellings the compiled AWS table and the Kubernetes product label use.
    assert aliases["a100"] == "A100-40GB"
    assert aliases["h100"] == "H100-80GB"
    assert aliases["a100-sxm4-40gb"] == "A100-40GB"
    assert aliases["h100-sxm5-80gb"] == "H100-80GB"
    assert aliases["tesla-t4"] == "T4"
    assert aliases["nvidia-h100-80gb-hbm3"] == "H100-80GB"


@pytest.mark.parametrize(
    ("name", "memory_gib", "usable_gib"),
    [
        ("T4", 16, 16384 / 1024),
        ("A10G", 24, 22888 / 1024),
        ("L4", 24, 22888 / 1024),
        ("L40S", 48, 45776 / 1024),
        ("A100-40GB", 40, 40960 / 1024),
        ("H100-80GB", 80, 81920 / 1024),
    ],
)
def test_gpu_memory(gpus: GpuCatalog, name: str, memory_gib: float, usable_gib: float) -> None:
    gpu = next(g for g in gpus.gpus if g.name == name)
    assert gpu.memory_gib == memory_gib
    assert gpu.usable_memory_gib == pytest.approx(usable_gib, abs=0.005)
    assert gpu.usable_memory_gib <= gpu.memory_gib


def test_mig_profiles(gpus: GpuCatalog) -> None:
    profiles = {g.name: g.mig_profiles for g in gpus.gpus if g.mig_profiles}
    assert profiles == MIG


def test_mig_profiles_fit_the_gpu(gpus: GpuCatalog) -> None:
    """A profile's memory fits the GPU and its instances use at most the 7 compute slices."""
    for gpu in gpus.gpus:
        for profile, count in gpu.mig_profiles.items():
            m = re.fullmatch(r"(\d)g\.(\d+)gb", profile)
            assert m, profile
            slices, gb = int(m.group(1)), int(m.group(2))
            assert gb <= gpu.memory_gib, (gpu.name, profile)
            assert count >= 1 and slices * count <= 7, (gpu.name, profile, count)


def test_every_named_gpu_model_is_in_the_gpu_catalog(
    instances: CloudCatalog, servers: ServerCatalog, gpus: GpuCatalog
) -> None:
    catalog = {g.name: g for g in gpus.gpus}
    named = [(i.instance_type, i.gpu_model, i.gpu_memory_gib_each) for i in instances.instance_types]
    named += [(s.id, s.gpu_model, s.gpu_memory_gib_each) for s in servers.servers]
    for who, model, memory in named:
        if model is None:
            continue
        assert model in catalog, f"{who} names {model!r}, not a gpus.yaml catalog name"
        assert memory == catalog[model].memory_gib, f"{who}: nominal memory differs from gpus.yaml"


# --- AWS unit prices --------------------------------------------------------------------------


def test_unit_prices_hold_every_item_once(unit_prices: UnitPrices) -> None:
    items = [p.item for p in unit_prices.prices]
    assert len(items) == len(set(items)), "duplicate items"
    assert set(items) == UNIT_PRICE_ITEMS
    assert (unit_prices.provider, unit_prices.base_region) == ("aws", "us-east-1")
    for price in unit_prices.prices:
        assert price.usd > 0 and price.source.strip(), price.item
        _real_date(price.date)


@pytest.mark.parametrize(
    ("item", "usd", "unit"),
    [
        ("eks_control_plane", 0.10, "hour"),
        ("nat_gateway_hour", 0.045, "hour"),
        ("nat_gateway_gb", 0.045, "GB"),
        ("s3_standard_gb_month", 0.023, "GB-month"),
        ("ebs_gp3_gb_month", 0.08, "GB-month"),
        ("efs_standard_gb_month", 0.30, "GB-month"),
        ("cloudwatch_logs_ingest_gb", 0.50, "GB"),
        ("cloudwatch_logs_store_gb_month", 0.03, "GB-month"),
    ],
)
def test_unit_price_figures(unit_prices: UnitPrices, item: str, usd: float, unit: str) -> None:
    price = next(p for p in unit_prices.prices if p.item == item)
    assert (price.usd, price.unit) == (usd, unit)
    assert unit_prices.usd(item, "us-east-1") == usd


# Regional figures as read for unit-prices.yaml (sources in the file). None is derived from another.
REGIONAL_USD = {
    ("eks_control_plane", "eu-west-1"): 0.10,
    ("eks_control_plane", "eu-central-1"): 0.10,
    ("nat_gateway_hour", "eu-west-1"): 0.048,
    ("nat_gateway_hour", "eu-central-1"): 0.052,
    ("nat_gateway_gb", "eu-west-1"): 0.048,
    ("nat_gateway_gb", "eu-central-1"): 0.052,
    ("s3_standard_gb_month", "eu-west-1"): 0.023,
    ("s3_standard_gb_month", "eu-central-1"): 0.0245,
    ("ebs_gp3_gb_month", "eu-west-1"): 0.088,
    ("ebs_gp3_gb_month", "eu-central-1"): 0.0952,
    ("efs_standard_gb_month", "eu-west-1"): 0.33,
    ("efs_standard_gb_month", "eu-central-1"): 0.36,
    ("cloudwatch_logs_ingest_gb", "eu-west-1"): 0.57,
    ("cloudwatch_logs_ingest_gb", "eu-central-1"): 0.63,
    ("cloudwatch_logs_store_gb_month", "eu-west-1"): 0.03,
    ("cloudwatch_logs_store_gb_month", "eu-central-1"): 0.0324,
}


def _regional(unit_prices: UnitPrices) -> list[tuple[str, str, Any]]:
    return [(p.item, region, rp) for p in unit_prices.prices for region, rp in p.regions.items()]


def test_regional_prices_name_catalog_regions(unit_prices: UnitPrices, instances: CloudCatalog) -> None:
    """Regional figures exist only for regions the instance catalog prices, never the base region."""
    others = set(instances.regions) - {unit_prices.base_region}
    for item, region, _ in _regional(unit_prices):
        assert region in others, (item, region)


def test_every_regional_figure_has_a_source_and_date(unit_prices: UnitPrices) -> None:
    regional = _regional(unit_prices)
    assert regional, "no regional figures"
    for item, region, rp in regional:
        assert rp.usd > 0, (item, region)
        assert len(rp.source.strip()) > 40, f"{item} {region}: the source must say where it was read"
        assert _real_date(rp.date) <= dt.date.today(), (item, region)


def test_regional_figures_are_the_ones_read(unit_prices: UnitPrices) -> None:
    found = {(item, region): rp.usd for item, region, rp in _regional(unit_prices)}
    assert found == REGIONAL_USD


def test_regional_figures_are_near_the_base_price(unit_prices: UnitPrices) -> None:
    """Within 0.8x-1.5x of us-east-1: catches a per-hour/per-month or GB/TB mix-up."""
    for price in unit_prices.prices:
        for region, rp in price.regions.items():
            ratio = rp.usd / price.usd
            assert 0.8 <= ratio <= 1.5, f"{price.item} {region}: {rp.usd} is {ratio:.2f}x us-east-1"


@pytest.mark.parametrize(("item", "region"), sorted(REGIONAL_USD))
def test_usd_returns_the_regional_figure(unit_prices: UnitPrices, item: str, region: str) -> None:
    assert unit_prices.usd(item, region) == REGIONAL_USD[item, region]
    assert region in unit_prices.price(item).regions


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2", "ap-southeast-2"])
def test_usd_falls_back_to_the_base_price(unit_prices: UnitPrices, region: str) -> None:
    for price in unit_prices.prices:
        assert unit_prices.usd(price.item, region) == price.usd, (price.item, region)
        assert region not in price.regions
    with pytest.raises(KeyError):
        unit_prices.usd("no_such_item", region)


def _priced(regions: dict[str, Any], base_region: str = "us-east-1") -> dict[str, Any]:
    regional = {"usd": 0.12, "source": "a page", "date": "2026-11-25"}
    return {
        "provider": "aws",
        "base_region": base_region,
        "prices": [
            {"item": "a", "usd": 0.10, "unit": "hour", "source": "s", "date": "2026-11-25"},
            {
                "item": "b",
                "usd": 0.10,
                "unit": "hour",
                "source": "s",
                "date": "2026-11-25",
                "regions": {r: regional for r in regions},
            },
        ],
    }


def test_usd_falls_back_per_item() -> None:
    """An item without a figure for a region uses its own base price, whatever other items list."""
    prices = UnitPrices.model_validate(_priced(["eu-west-1"]))
    assert prices.usd("b", "eu-west-1") == 0.12
    assert prices.usd("a", "eu-west-1") == 0.10
    assert prices.usd("b", "eu-central-1") == 0.10


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_priced(["us-east-1"]), "base region"),
        (_priced(["Frankfurt"]), "not a region name"),
        ({**_priced([]), "region_multipliers": {"eu-west-1": 1.1}}, "unknown field 'region_multipliers'"),
    ],
)
def test_bad_unit_prices_are_located(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    from aicommons.catalog.load import load_model_file
    from aicommons.errors import ErrorGroup
    from aicommons.yamlio import dump_yaml

    path = tmp_path / "unit-prices.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    with pytest.raises(ErrorGroup) as caught:
        load_model_file(path, UnitPrices)
    errors = [e for e in caught.value.errors if message in e.message]
    assert len(errors) == 1, caught.value.render()
    location = errors[0].location
    assert location is not None and location.file == str(path) and location.line is not None


def test_regional_price_needs_source_and_date() -> None:
    data = _priced(["eu-west-1"])
    del data["prices"][1]["regions"]["eu-west-1"]["source"]
    with pytest.raises(ValidationError):
        UnitPrices.model_validate(data)


# --- on-prem servers --------------------------------------------------------------------------


def test_servers(servers: ServerCatalog) -> None:
    assert servers.max_pods == 110
    assert 5 <= len(servers.servers) <= 7
    ids = [s.id for s in servers.servers]
    assert len(ids) == len(set(ids)), "duplicate server ids"
    for s in servers.servers:
        assert s.power_watts_typical <= s.power_watts_max, s.id
        assert (s.gpu_model is not None) == (s.gpu_count > 0), s.id
        assert (s.gpu_memory_gib_each is not None) == (s.gpu_count > 0), s.id
        assert "estimate" in s.source.lower(), f"{s.id}: the source must say the figures are estimates"
        _real_date(s.date)


def test_server_range_covers_cpu_and_gpu_options(servers: ServerCatalog) -> None:
    cpu_only = [s for s in servers.servers if s.gpu_count == 0]
    by_gpu = {s.gpu_model: s for s in servers.servers if s.gpu_model}
    assert any(s.rack_units == 1 for s in cpu_only)
    assert {"L4", "L40S", "H100-80GB"} <= set(by_gpu)
    h100 = by_gpu["H100-80GB"]
    assert h100.gpu_count == 8 and h100.power_watts_max >= 8 * 700
