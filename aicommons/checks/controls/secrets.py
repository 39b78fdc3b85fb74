"""Secrets: nothing secret may be written in clear into the rendered bundle.

Two detectors, both reporting file and line and never the secret itself:
- high-signal token formats anywhere in any text file (cloud keys, private keys, chat and
  forge tokens, credentials inside URLs);
- literal values under secret-like keys (`client_secret`, `password`, `token`, ...) in YAML
  and JSON, and in `key = "..."` assignments elsewhere. References are fine: Pulumi
  `secure:` values, `${VAR}`/`{{ template }}` placeholders, Kubernetes secret references,
  and the bundle's own maps from Helm paths to stack-config names (`secret_values`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from aicommons.checks.model import CheckContext, Finding, Skip
from aicommons.checks.registry import check
from aicommons.errors import InputError
from aicommons.yamlio import compose_all

# name, pattern; group "s" (else the whole match) is the secret
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("an AWS access key ID", re.compile(r"\b(?P<s>(?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("a GitHub token", re.compile(r"\b(?P<s>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b")),
    ("a Slack token", re.compile(r"\b(?P<s>xox[abposr]-[A-Za-z0-9-]{10,})")),
    ("a Slack webhook URL", re.compile(r"(?P<s>https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,})")),
    ("a Google API key", re.compile(r"\b(?P<s>AIza[0-9A-Za-z_\-]{35})\b")),
    ("a Stripe live key", re.compile(r"\b(?P<s>[sr]k_live_[0-9A-Za-z]{20,})\b")),
    (
        "a JSON Web Token",
        re.compile(r"\b(?P<s>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"),
    ),
    (
        "a password inside a URL",
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:(?P<s>[^\s@/'\"$<{][^\s@/'\"]*)@"),
    ),
]

_SECRET_WORDS = (
    "secret",
    "password",
    "passwd",
    "passphrase",
    "token",
    "apikey",
    "api_key",
    "secret_key",
    "access_key",
    "private_key",
    "crypto_key",
    "crypt_key",
    "credentials",
)
# Keys that *name* or *point to* a secret rather than hold one.
_REFERENCE_SUFFIXES = (
    "_env",
    "_file",
    "_path",
    "_name",
    "_ref",
    "_url",
    "_uri",
    "_id",
    "_values",
    "_outputs",
)
_CRYPT_KEYS = ("CryptKeeper", "keys")  # JupyterHub's auth-state encryption keys
_REFERENCE_PARENTS = {"secret_values", "stack_output_values", "secretkeyref", "valuefrom", "secretref"}
_PLACEHOLDER = re.compile(
    r"^(\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<[^>]*>|\*+|x+|\.\.\.|changeme|redacted|none|null)$", re.I
)
_SKIP_SUFFIXES = (".png", ".jpg", ".gif", ".ico", ".tgz", ".gz", ".zip", ".pyc")


def snake(key: str) -> str:
    key = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key.rsplit(".", 1)[-1])
    return key.replace("-", "_").lower()


def secret_like(key: str) -> bool:
    name = snake(key)
    if name.startswith("existing") or name.endswith(_REFERENCE_SUFFIXES):
        return False
    return name.endswith(_SECRET_WORDS)


def literal(value: str) -> bool:
    value = value.strip()
    if not value or _PLACEHOLDER.match(value):
        return False
    if value.startswith(("/", "arn:", "secret:", "vault:", "ref+", "$")):
        return False
    return not re.fullmatch(r"[A-Z][A-Z0-9_]{2,}", value)  # an environment variable's name


def mask(secret: str) -> str:
    shown = secret[: min(4, len(secret) // 4)]
    return f"'{shown}…' ({len(secret)} characters)"


# --- Scanners --------------------------------------------------------------------------------


def _pattern_hits(text: str) -> Iterator[tuple[int, str, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        for name, pattern in PATTERNS:
            for m in pattern.finditer(line):
                secret = m.groupdict().get("s") or m.group(0)
                yield number, name, secret


def _yaml_hits(text: str, name: str) -> Iterator[tuple[int, str, str]]:
    """(line, dotted key, value) for literal scalars under secret-like keys; raises on non-YAML."""
    for document in compose_all(text, name):
        yield from _walk(document, ())


def _walk(node: Any, path: tuple[str, ...]) -> Iterator[tuple[int, str, str]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(getattr(key, "value", ""))
            if name == "secure" or snake(name) in _REFERENCE_PARENTS:
                continue  # Pulumi-encrypted, or values that name a secret kept elsewhere
            yield from _walk(value, (*path, name))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, path)
    elif isinstance(node, yaml.ScalarNode) and path and (secret_like(path[-1]) or path[-2:] == _CRYPT_KEYS):
        if node.tag.endswith(":str") and literal(str(node.value)):
            yield node.start_mark.line + 1, ".".join(path), str(node.value)


_ASSIGNMENT = re.compile(
    r"""(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*[:=]\s*(?P<q>["'])(?P<value>[^"']+)(?P=q)"""
)


def _assignment_hits(text: str) -> Iterator[tuple[int, str, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        for m in _ASSIGNMENT.finditer(line):
            if secret_like(m.group("key")) and literal(m.group("value")) and " " not in m.group("value"):
                yield number, m.group("key"), m.group("value")


def scan(path: str, blob: bytes) -> Iterator[tuple[int, str]]:
    """(line, message) for every plaintext secret in one file."""
    if path.endswith(_SKIP_SUFFIXES):
        return
    try:
        text = blob.decode()
    except UnicodeDecodeError:
        return
    seen: set[int] = set()
    for line, name, secret in _pattern_hits(text):
        seen.add(line)
        yield line, f"{path}:{line}: {name} in clear text ({mask(secret)})"
    keyed: Iterable[tuple[int, str, str]]
    if path.endswith((".yaml", ".yml", ".json")):
        try:
            keyed = list(_yaml_hits(text, path))
        except InputError:  # a Helm template, not YAML yet
            keyed = _assignment_hits(text)
    else:
        keyed = _assignment_hits(text)
    for line, key, value in keyed:
        if line not in seen:
            seen.add(line)
            yield line, f"{path}:{line}: {key} holds a plaintext secret ({mask(value)})"


# --- AIC-SEC-01 ------------------------------------------------------------------------------


@check("AIC-SEC-01", "bundle")
def no_plaintext_secrets(ctx: CheckContext) -> Iterable[Finding]:
    """No rendered file holds a secret in clear: secrets travel as Pulumi secrets or Kubernetes Secrets."""
    files = ctx.inventory.files
    if not files:
        raise Skip(f"the {ctx.inventory.source} inventory holds no files to scan")
    for path in sorted(files):
        for line, message in scan(path, files[path]):
            yield Finding(
                resource=f"File/{path}",
                message=f"{message}; pass it as Pulumi secret config (the release's secret_values) or "
                f"reference a Kubernetes Secret, and rotate it",
                file=path,
                line=line,
            )
