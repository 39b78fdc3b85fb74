"""Import the stack programs and the Pulumi SDK modules they use, ahead of a plan.

The provider SDKs load their modules lazily, on first attribute access (`aws.ec2` imports
all of `pulumi_aws.ec2` the first time a program touches it), which is most of a cold plan's
time. The modules to load come from the stack programs' own source: every `alias.a.b` chain
on an imported module is followed while it leads to modules, exactly as the programs will.
"""

from __future__ import annotations

import ast
import importlib
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# A chain on an imported name: the module imported, then the attributes read from it.
Chain = tuple[str, tuple[str, ...]]


def preload_stacks() -> Any:
    """Import the stacks package and every SDK module its programs reach; returns the package."""
    from aicommons.plan.offline import load_stacks_package

    package = load_stacks_package()
    for module, attributes in module_chains(Path(package.__file__).parent):
        _follow(module, attributes)
    return package


def module_chains(package_dir: Path) -> list[Chain]:
    """The attribute chains on imported modules in the package's source, sorted, deduplicated."""
    chains: set[Chain] = set()
    for path in sorted(package_dir.rglob("*.py")):
        chains |= set(_chains(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    return sorted(chains)


def _chains(tree: ast.Module) -> Iterator[Chain]:
    imported = _imported_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        attributes: list[str] = []
        value: ast.expr = node
        while isinstance(value, ast.Attribute):
            attributes.insert(0, value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in imported:
            module, first = imported[value.id]
            yield module, (*first, *attributes)


def _imported_names(tree: ast.Module) -> dict[str, Chain]:
    """Local name -> (module to import, attributes to read from it), for absolute imports."""
    names: dict[str, Chain] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = (alias.name, ())
                else:  # `import a.b` binds `a`
                    names[alias.name.split(".")[0]] = (alias.name.split(".")[0], ())
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = (node.module, (alias.name,))
    return names


def _follow(module: str, attributes: tuple[str, ...]) -> None:
    """Read the attributes in turn while they are modules (reading one loads a lazy module)."""
    try:
        value: Any = importlib.import_module(module)
        for attribute in attributes:
            value = getattr(value, attribute)
            if not isinstance(value, types.ModuleType):
                return
        getattr(value, "__all__", None)  # a lazy module loads on the first read of a plain attribute
    except (ImportError, AttributeError):
        return  # not something an import can prepare; the program will say so itself
