"""Drift: the committed bundle, the deployed stacks and the live controls against what they should be."""

from aicommons.drift.blueprint import (
    LastValidation,
    controls_drift,
    last_validation_path,
    load_last_validation,
    write_last_validation,
)
from aicommons.drift.bundle import bundle_drift, read_bundle_folder
from aicommons.drift.model import BundleDrift, DriftReport, FileDrift, KindResult

__all__ = [
    "BundleDrift",
    "DriftReport",
    "FileDrift",
    "KindResult",
    "LastValidation",
    "bundle_drift",
    "controls_drift",
    "last_validation_path",
    "load_last_validation",
    "read_bundle_folder",
    "write_last_validation",
]
