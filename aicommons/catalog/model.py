"""Hardware catalogs: the figures sizing works from, each file carrying its sources and date."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a figure comes from."""

    what: str = Field(description="Which columns or figures this source supports.")
    reference: str = Field(description="Repository path, document or page the figures were taken from.")
    date: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$", description="When the source was read or generated.")
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


class UnitPrice(Strict):
    item: str
    usd: float = Field(ge=0)
    unit: str = Field(description="e.g. 'hour', 'GB-month', 'GB'.")
    source: str
    date: str


class CloudCatalog(Strict):
    """One provider's catalog file (hardware_profiles/aws/instances.yaml)."""

    provider: str
    sources: list[Source] = Field(min_length=1)
    regions: list[str] = Field(min_length=1, description="Regions with prices in this file.")
    instance_types: list[InstanceType] = Field(min_length=1)


class UnitPrices(Strict):
    """Non-instance prices for a provider (hardware_profiles/aws/unit-prices.yaml)."""

    provider: str
    region_multipliers: dict[str, float] = Field(
        default_factory=dict, description="Price factor of other regions relative to the base region."
    )
    base_region: str
    prices: list[UnitPrice] = Field(min_length=1)

    def usd(self, item: str, region: str) -> float:
        for price in self.prices:
            if price.item == item:
                return price.usd * self.region_multipliers.get(region, 1.0)
        raise KeyError(item)


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
