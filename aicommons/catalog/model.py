"""Hardware catalogs: the figures sizing works from, each file carrying its sources and date."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# An AWS region name, e.g. eu-central-1 (the same form a profile's target.region takes).
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
_DATE = r"^\d{4}-\d{2}(-\d{2})?$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Source(Strict):
    """Where a figure comes from."""

    what: str = Field(description="Which columns or figures this source supports.")
    reference: str = Field(description="Repository path, document or page the figures were taken from.")
    date: str = Field(pattern=_DATE, description="When the source was read or generated.")
    note: str | None = None


class InstanceType(Strict):
    """A cloud instance type: raw capacity and on-demand price per region."""

    instance_type: str
    family: str
    vcpu: int = Field(ge=1)
    memory_gib: float = Field(gt=0)
    gpu_count: int = Field(default=0, ge=0)
    gpu_model: str | None = None
    gpu_memory_gib_each: float | None = Field(default=None, gt=0)
    arch: str = "x86_64"
    eni_max_pods: int = Field(ge=4)
    usd_hour: dict[str, float] = Field(
        description="On-demand Linux USD/hour by region; absent = no offering known."
    )


class GpuModel(Strict):
    """A GPU model: usable memory and the MIG profiles it can be split into."""

    name: str = Field(description="Catalog name, e.g. 'A100-40GB'.")
    aliases: list[str] = Field(default_factory=list, description="Other names users write, e.g. 'A100'.")
    memory_gib: float = Field(gt=0, description="Nominal memory.")
    usable_memory_gib: float = Field(gt=0, description="Memory the driver reports (what fit checks use).")
    mig_profiles: dict[str, int] = Field(
        default_factory=dict, description="MIG profile -> instances per GPU (single strategy)."
    )


class RegionalPrice(Strict):
    """One item's price in a region other than the base region, with its own source."""

    usd: float = Field(gt=0)
    source: str = Field(min_length=1, description="Where this region's figure was read.")
    date: str = Field(pattern=_DATE, description="When the figure was read.")


class UnitPrice(Strict):
    item: str
    usd: float = Field(ge=0, description="Price in the base region.")
    unit: str = Field(description="e.g. 'hour', 'GB-month', 'GB'.")
    source: str
    date: str
    regions: dict[str, RegionalPrice] = Field(
        default_factory=dict,
        description="Figures for other regions; a region not listed uses the base-region price.",
    )

    # A field validator (not a model one) so that errors point at this item's `regions:`.
    @field_validator("regions")
    @classmethod
    def _region_names(cls, regions: dict[str, RegionalPrice]) -> dict[str, RegionalPrice]:
        bad = sorted(r for r in regions if not _AWS_REGION.match(r))
        if bad:
            raise ValueError(f"not a region name: {', '.join(bad)} (regions look like eu-central-1)")
        return regions


class CloudCatalog(Strict):
    """One provider's catalog file (hardware_profiles/aws/instances.yaml)."""

    provider: str
    sources: list[Source] = Field(min_length=1)
    regions: list[str] = Field(min_length=1, description="Regions with prices in this file.")
    instance_types: list[InstanceType] = Field(min_length=1)


class UnitPrices(Strict):
    """Non-instance prices for a provider (hardware_profiles/aws/unit-prices.yaml).

    Each item has a base-region price and, optionally, per-region figures; a region an item does
    not list falls back to that item's base-region price (there is no blanket regional factor).
    """

    provider: str
    base_region: str
    prices: list[UnitPrice] = Field(min_length=1)

    # On `prices` (not the model) so that errors point at `prices:` in the file.
    @field_validator("prices")
    @classmethod
    def _items(cls, prices: list[UnitPrice], info: ValidationInfo) -> list[UnitPrice]:
        items = [p.item for p in prices]
        dupes = sorted({i for i in items if items.count(i) > 1})
        if dupes:
            raise ValueError(f"items must be unique: {', '.join(dupes)} repeated")
        base = info.data.get("base_region")
        listed = sorted(p.item for p in prices if base in p.regions)
        if listed:
            raise ValueError(
                f"the base region {base!r} is listed under regions of: {', '.join(listed)} "
                "(its price is the item's `usd`)"
            )
        return prices

    def price(self, item: str) -> UnitPrice:
        for price in self.prices:
            if price.item == item:
                return price
        raise KeyError(item)

    def usd(self, item: str, region: str) -> float:
        """The item's price in ``region``: its regional figure, else the base-region price."""
        price = self.price(item)
        regional = price.regions.get(region)
        return regional.usd if regional is not None else price.usd


class GpuCatalog(Strict):
    sources: list[Source] = Field(min_length=1)
    gpus: list[GpuModel] = Field(min_length=1)


class Server(Strict):
    """An on-premises server configuration a city could buy."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    vendor: str
    model: str
    description: str
    vcpu: int = Field(ge=1, description="Hardware threads.")
    memory_gib: float = Field(gt=0)
    gpu_count: int = Field(default=0, ge=0)
    gpu_model: str | None = None
    gpu_memory_gib_each: float | None = None
    storage_tb: float = Field(ge=0)
    rack_units: int = Field(ge=1)
    power_watts_typical: float = Field(gt=0)
    power_watts_max: float = Field(gt=0)
    list_price_usd: float = Field(gt=0)
    source: str
    date: str


class ServerCatalog(Strict):
    sources: list[Source] = Field(min_length=1)
    max_pods: int = Field(default=110, description="kubelet max pods on these servers.")
    servers: list[Server] = Field(min_length=1)
