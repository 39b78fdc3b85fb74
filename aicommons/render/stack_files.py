"""Keep what the engine writes into the bundle's stack files across a re-render.

Pulumi stores a stack's encryption settings (`encryptionsalt`, `secretsprovider`,
`encryptedkey`) and its encrypted secret config (`{secure: v1:...}`, e.g. the OIDC client
secret) in `pulumi/Pulumi.<stack>.yaml`, the same file `render` writes. A re-render would
drop them, and without the salt the stack's secrets could no longer be decrypted; so deploy
reads them before writing the bundle and puts them back after. Only ciphertext is kept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from aicommons.render.files import yaml_bytes

ENGINE_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt")
StackKeys = dict[str, dict[str, Any]]  # stack file name -> what the engine owns in it


def _stack_files(bundle_dir: Path) -> list[Path]:
    return sorted((bundle_dir / "pulumi").glob("Pulumi.*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def engine_owned(data: dict[str, Any]) -> dict[str, Any]:
    """The engine's keys in one stack file's data: encryption settings and secure values."""
    owned: dict[str, Any] = {k: data[k] for k in ENGINE_KEYS if k in data}
    config = data.get("config")
    if isinstance(config, dict):
        secure = {k: v for k, v in config.items() if isinstance(v, dict) and set(v) == {"secure"}}
        if secure:
            owned["config"] = secure
    return owned


def without_engine_keys(blob: bytes) -> bytes:
    """A stack file as `render` writes it: the engine's keys taken out (for bundle drift).

    Compare this with a fresh render's bytes; equal means only the engine touched the file.
    """
    try:
        data = yaml.safe_load(blob.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return blob
    if not isinstance(data, dict) or not engine_owned(data):
        return blob
    owned = engine_owned(data)
    kept = {k: v for k, v in data.items() if k not in ENGINE_KEYS}
    if "config" in owned:
        kept["config"] = {k: v for k, v in data["config"].items() if k not in owned["config"]}
    return yaml_bytes(kept)


def read_engine_keys(bundle_dir: Path) -> StackKeys:
    """What the engine owns in each of the bundle's stack files (empty for a new bundle)."""
    out: StackKeys = {}
    for path in _stack_files(bundle_dir):
        owned = engine_owned(_load(path))
        if owned:
            out[path.name] = owned
    return out


def restore_engine_keys(bundle_dir: Path, keys: StackKeys) -> list[str]:
    """Put the engine's keys back into freshly written stack files; returns the files touched."""
    touched = []
    for name, owned in sorted(keys.items()):
        path = bundle_dir / "pulumi" / name
        if not path.is_file():
            continue  # the stack is gone from the bundle (e.g. the target changed)
        data = _load(path)
        merged = {**data, **{k: v for k, v in owned.items() if k != "config"}}
        if "config" in owned:
            merged["config"] = {**(data.get("config") or {}), **owned["config"]}
        if merged == data:
            continue
        tmp = path.with_name(f".{path.name}.aicommons-tmp")
        tmp.write_bytes(yaml_bytes(merged))
        os.replace(tmp, path)
        touched.append(name)
    return touched


def is_stack_file(rel: str) -> bool:
    return rel.startswith("pulumi/Pulumi.") and rel.endswith(".yaml") and rel.count("/") == 1


def merge_engine_keys(fresh: bytes, existing: bytes) -> bytes:
    """A freshly rendered stack file with the engine's keys (salt, secure values) from the one on disk."""
    owned = engine_owned(_parse(existing))
    if not owned:
        return fresh
    data = _parse(fresh)
    merged = {**data, **{k: v for k, v in owned.items() if k != "config"}}
    if "config" in owned:
        merged["config"] = {**(data.get("config") or {}), **owned["config"]}
    return yaml_bytes(merged)


def _parse(blob: bytes) -> dict[str, Any]:
    try:
        data = yaml.safe_load(blob.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
