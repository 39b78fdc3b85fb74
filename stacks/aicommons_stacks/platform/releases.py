"""Helm releases: each pinned to a chart version, values read from the bundle's files.

Values paths (`hub.config.GenericOAuthenticator.client_secret`) are dot-separated, as in
`helm --set`: escape a dot inside a key with a backslash
(`serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn`) and index a list with a number
(`extraEnv.0.value`). A secret is placed at its own path as a Pulumi secret,
so the rest of the values stays readable in plans and the secret never lands in a file.
"""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes
import yaml

from aicommons_stacks.args import ArgsError, ReleaseArgs
from aicommons_stacks.common import child
from aicommons_stacks.platform.provider import InfraOutputs

CONFIG_NAMESPACE = "aicommons"
PROJECT_DIR = "pulumi"  # the Pulumi project's folder in the bundle (where the engine runs)
PREEXISTING_NAMESPACES = frozenset({"default", "kube-system"})


def parse_path(path: str) -> list[str]:
    """Split a values path into keys: `a.b\\.c.d` -> ["a", "b.c", "d"] (backslash escapes a dot)."""
    keys: list[str] = []
    key: list[str] = []
    chars = iter(path)
    for char in chars:
        if char == "\\":
            escaped = next(chars, None)
            if escaped not in (".", "\\"):
                raise ArgsError(f"values path {path!r}: a backslash escapes only '.' or '\\'")
            key.append(escaped)
        elif char == ".":
            keys.append("".join(key))
            key = []
        else:
            key.append(char)
    keys.append("".join(key))
    if any(not k for k in keys):
        raise ArgsError(f"values path {path!r}: empty key")
    return keys


def set_path(values: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path`, creating the mappings on the way."""
    keys = parse_path(path)
    node: Any = values
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ArgsError(f"values path {path!r}: {where} is not an index of a list of {len(node)}")
            if last:
                node[int(key)] = value
            else:
                node = node[int(key)]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
        else:
            raise ArgsError(f"values path {path!r}: {where} is inside a {type(node).__name__}, not a mapping")


def load_values(bundle_root: Path, release: ReleaseArgs, where: str) -> dict[str, Any]:
    """The release's values file (YAML mapping) from the bundle."""
    path = bundle_root / release.values_file
    if not path.is_file():
        raise ArgsError(f"{where}.values_file: {release.values_file} not found in the bundle ({bundle_root})")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ArgsError(f"{where}.values_file: {release.values_file} must hold a mapping")
    return data


def chart_reference(bundle_root: Path, release: ReleaseArgs, where: str) -> str:
    """What Helm installs: a vendored archive or a local chart by its path relative to the project
    folder (portable), else a repository chart by name."""
    if release.archive is not None:
        check_archive(bundle_root, release, where)
        return posixpath.relpath(posixpath.normpath(release.archive), PROJECT_DIR)
    if release.repository is not None:
        return release.chart
    if not (bundle_root / release.chart).is_dir():
        raise ArgsError(f"{where}.chart: local chart {release.chart} not found in the bundle ({bundle_root})")
    return posixpath.relpath(posixpath.normpath(release.chart), PROJECT_DIR)


def check_archive(bundle_root: Path, release: ReleaseArgs, where: str) -> None:
    """The vendored archive is in the bundle with the pinned bytes: what was checked is what installs."""
    path = bundle_root / str(release.archive)
    if not path.is_file():
        raise ArgsError(f"{where}.archive: {release.archive} not found in the bundle ({bundle_root})")
    if release.archive_sha256 is None:
        raise ArgsError(f"{where}.archive_sha256: missing (the digest the archive must have)")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != release.archive_sha256:
        raise ArgsError(
            f"{where}.archive: {release.archive} has sha256 {actual}, not the pinned {release.archive_sha256}"
        )


def repository_options(release: ReleaseArgs) -> kubernetes.helm.v3.RepositoryOptsArgs | None:
    """Where Helm fetches a repository chart; none for a vendored archive or a local chart."""
    if release.archive is not None or release.repository is None:
        return None
    return kubernetes.helm.v3.RepositoryOptsArgs(repo=release.repository)


def install_order(releases: list[ReleaseArgs]) -> list[ReleaseArgs]:
    """Releases with each one after those it depends on (given order otherwise); no cycles."""
    by_name = {r.name: r for r in releases}
    if len(by_name) != len(releases):
        raise ArgsError(f"releases: names must be unique, got {[r.name for r in releases]}")
    ordered: list[ReleaseArgs] = []
    state: dict[str, str] = {}

    def visit(release: ReleaseArgs, chain: list[str]) -> None:
        if state.get(release.name) == "done":
            return
        if state.get(release.name) == "visiting":
            raise ArgsError(f"releases: dependency cycle {' -> '.join([*chain, release.name])}")
        state[release.name] = "visiting"
        for name in release.depends_on:
            if name not in by_name:
                raise ArgsError(f"releases[{release.name}].depends_on: unknown release {name!r}")
            visit(by_name[name], [*chain, release.name])
        state[release.name] = "done"
        ordered.append(release)

    for release in releases:
        visit(release, [])
    return ordered


class HelmReleases(pulumi.ComponentResource):
    """The platform's Helm releases, installed in dependency order."""

    releases: list[kubernetes.helm.v3.Release]

    def __init__(
        self,
        name: str,
        releases: list[ReleaseArgs],
        *,
        bundle_root: Path,
        namespaces: dict[str, pulumi.Resource],
        infra: InfraOutputs | None,
        after: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:platform:HelmReleases", name, None, opts)
        config = pulumi.Config(CONFIG_NAMESPACE)
        created: dict[str, kubernetes.helm.v3.Release] = {}
        for release in install_order(releases):
            where = f"releases[{release.name}]"
            values = load_values(bundle_root, release, where)
            for path in [*release.stack_output_values, *release.secret_values]:
                parse_path(path)  # a bad path is reported before a missing output or secret
            for path, output in sorted(release.stack_output_values.items()):
                if infra is None:
                    raise ArgsError(f"{where}.stack_output_values: needs infra_stack")
                set_path(values, path, infra.get(output))
            for path, key in sorted(release.secret_values.items()):
                set_path(values, path, config.require_secret(key))
            waits_for: list[pulumi.Resource] = [*(after or []), *(created[d] for d in release.depends_on)]
            if release.namespace in namespaces:
                waits_for.append(namespaces[release.namespace])
            created[release.name] = kubernetes.helm.v3.Release(
                f"{name}-{release.name}",
                name=release.name,
                namespace=release.namespace,
                create_namespace=release.namespace not in namespaces.keys() | PREEXISTING_NAMESPACES,
                chart=chart_reference(bundle_root, release, where),
                version=release.version,
                repository_opts=repository_options(release),
                values=values,
                max_history=10,
                timeout=900,
                opts=child(self, depends_on=waits_for),
            )
        self.releases = [created[r.name] for r in releases]
        self.register_outputs({"releases": sorted(created)})
