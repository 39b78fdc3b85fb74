"""The platform stack's own argument parsing, values paths and creation order, loaded from the
stack programs (`stacks/aicommons_stacks`, Pulumi-free modules only) so the cluster check
follows exactly the order the stack creates things in."""

from __future__ import annotations

import importlib
import sys
from functools import cache
from types import ModuleType
from typing import Any

from aicommons.errors import InputError, Location
from aicommons.resources import data_dir

PLATFORM_CONFIG = "pulumi/Pulumi.platform.yaml"


@cache
def stack_module(name: str) -> ModuleType:
    """`aicommons_stacks.<name>` (args, order, values): plain Python, no Pulumi import."""
    root = str(data_dir("stacks"))
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(f"aicommons_stacks.{name}")


def platform_args(config: dict[str, Any]) -> Any:
    """The typed PlatformArgs of a bundle's `aicommons:platform` configuration."""
    args = stack_module("args")
    try:
        return args.parse(args.PlatformArgs, config, "platform")
    except args.ArgsError as exc:
        raise InputError(str(exc), Location(file=PLATFORM_CONFIG)) from None


def creation_steps(platform: Any) -> dict[str, int]:
    """`release <name>` / `manifest <Kind/ns/name>` -> the wave the stack creates it in."""
    order = stack_module("order")
    try:
        return dict(order.creation_steps(platform.releases, platform.manifests))
    except stack_module("args").ArgsError as exc:
        raise InputError(str(exc), Location(file=PLATFORM_CONFIG)) from None


def set_value(values: dict[str, Any], path: str, value: Any, where: str) -> None:
    """Place `value` at a values path, as the stack places stack outputs and secrets."""
    try:
        stack_module("values").set_path(values, path, value)
    except stack_module("args").ArgsError as exc:
        raise InputError(str(exc), Location(file=PLATFORM_CONFIG, field=where)) from None


def manifest_ref(body: Any) -> str:
    return str(stack_module("order").manifest_ref(body, "manifests"))
