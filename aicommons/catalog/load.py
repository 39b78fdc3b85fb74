"""Read the packaged hardware catalogs (hardware_profiles/) into their models."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from aicommons.catalog.model import CloudCatalog, GpuCatalog, GpuModel, ServerCatalog, UnitPrices
from aicommons.errors import InputError, Location
from aicommons.resources import data_dir
from aicommons.yamlio import load_located_text, read_text_file, safe_load, to_plain

M = TypeVar("M", bound=BaseModel)


def _load(relative: str, model: type[M]) -> M:
    path = data_dir("hardware_profiles") / relative
    return load_model_file(path, model)


def load_model_file(path: Path, model: type[M], what: str = "a YAML file") -> M:
    """Load a data file into a model: fast C parsing, re-read with positions only to report errors."""
    from aicommons.profile.load import validation_errors

    text = read_text_file(path, what)  # a located error for a folder, a binary or non-UTF-8 file
    try:
        return model.model_validate(safe_load(text, str(path)))
    except (InputError, ValidationError):
        pass
    doc = load_located_text(text, str(path))  # the located error for malformed or unbounded YAML
    try:
        return model.model_validate(to_plain(doc.data))
    except ValidationError as exc:
        raise validation_errors(exc, doc, model) from None


@cache
def cloud_catalog(provider: str) -> CloudCatalog:
    return _load(f"{provider}/instances.yaml", CloudCatalog)


@cache
def unit_prices(provider: str) -> UnitPrices:
    return _load(f"{provider}/unit-prices.yaml", UnitPrices)


@cache
def gpu_catalog() -> GpuCatalog:
    return _load("gpus.yaml", GpuCatalog)


@cache
def server_catalog() -> ServerCatalog:
    return _load("onprem/servers.yaml", ServerCatalog)


def find_gpu(name: str) -> GpuModel | None:
    """A GPU model by catalog name or alias, case-insensitively."""
    wanted = name.lower()
    for gpu in gpu_catalog().gpus:
        if wanted == gpu.name.lower() or wanted in (a.lower() for a in gpu.aliases):
            return gpu
    return None


def gpu_names() -> list[str]:
    return sorted(g.name for g in gpu_catalog().gpus)


def require_gpu(name: str, field: str) -> GpuModel:
    gpu = find_gpu(name)
    if gpu is None:
        raise InputError(f"unknown GPU model {name!r}", Location(field=field), ", ".join(gpu_names()))
    return gpu
