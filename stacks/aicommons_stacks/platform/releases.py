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
from aicommons_stacks.order import creation_order
from aicommons_stacks.platform.provider import InfraOutputs
from aicommons_stacks.values import parse_path, set_path

CONFIG_NAMESPACE = "aicommons"
PROJECT_DIR = "pulumi"  # the Pulumi project's folder in the bundle (where the engine runs)
PREEXISTING_NAMESPACES = frozenset({"default", "kube-system"})


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
    return [r for r in creation_order(releases, []) if isinstance(r, ReleaseArgs)]


class HelmReleases(pulumi.ComponentResource):
    """The platform's Helm releases; `add` each one after what it waits for (see order.py)."""

    releases: list[kubernetes.helm.v3.Release]

    def __init__(
        self,
        name: str,
        *,
        bundle_root: Path,
        namespaces: dict[str, pulumi.Resource],
        infra: InfraOutputs | None,
        after: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:platform:HelmReleases", name, None, opts)
        self._name = name
        self._bundle_root = bundle_root
        self._namespaces = namespaces
        self._infra = infra
        self._after = list(after or [])
        self._config = pulumi.Config(CONFIG_NAMESPACE)
        self.created: dict[str, kubernetes.helm.v3.Release] = {}
        self.releases = []

    def add(self, release: ReleaseArgs, waits_for: list[pulumi.Resource]) -> kubernetes.helm.v3.Release:
        """The release, after its namespace, the component's `after`, its dependencies (releases
        added before) and `waits_for` (e.g. the manifests it reads)."""
        where = f"releases[{release.name}]"
        values = load_values(self._bundle_root, release, where)
        for path in [*release.stack_output_values, *release.secret_values]:
            parse_path(path)  # a bad path is reported before a missing output or secret
        for path, output in sorted(release.stack_output_values.items()):
            if self._infra is None:
                raise ArgsError(f"{where}.stack_output_values: needs infra_stack")
            set_path(values, path, self._infra.get(output))
        for path, key in sorted(release.secret_values.items()):
            set_path(values, path, self._config.require_secret(key))
        depends: list[pulumi.Resource] = [
            *self._after,
            *(self.created[d] for d in release.depends_on),
            *waits_for,
        ]
        if release.namespace in self._namespaces:
            depends.append(self._namespaces[release.namespace])
        created = kubernetes.helm.v3.Release(
            f"{self._name}-{release.name}",
            name=release.name,
            namespace=release.namespace,
            create_namespace=release.namespace not in self._namespaces.keys() | PREEXISTING_NAMESPACES,
            chart=chart_reference(self._bundle_root, release, where),
            version=release.version,
            repository_opts=repository_options(release),
            values=values,
            max_history=10,
            timeout=900,
            skip_await=not release.wait,
            opts=child(self, depends_on=depends),
        )
        self.created[release.name] = created
        self.releases.append(created)
        return created

    def finish(self) -> None:
        self.register_outputs({"releases": sorted(self.created)})
