"""Keep what the engine writes into the bundle's stack files across a re-render.

Pulumi stores a stack's encryption settings (`encryptionsalt`, `secretsprovider`,
`encryptedkey`) and its encrypted secret config (`{secure: v1:...}`, e.g. the OIDC client
secret) in `pulumi/Pulumi.<stack>.yaml`, the same file `render` writes. A re-render would
drop them, and without the salt the stack's secrets could no longer be decrypted; so deploy
reads them before writing the bundle and puts them back after. Only ciphertext is kept.
"""

from __future__ import annotations

from typing import Any

from aicommons.errors import InputError
from aicommons.render.files import yaml_bytes
from aicommons.yamlio import safe_load

ENGINE_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt")


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
        data = safe_load(blob, "stack file")
    except InputError:
        return blob
    if not isinstance(data, dict) or not (owned := engine_owned(data)):
        return blob
    kept = {k: v for k, v in data.items() if k not in ENGINE_KEYS}
    if "config" in owned:
        kept["config"] = {k: v for k, v in data["config"].items() if k not in owned["config"]}
    return yaml_bytes(kept)


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
        data = safe_load(blob, "stack file")
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}
