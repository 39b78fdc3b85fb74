"""The platform stack's creation order: Helm releases and extra manifests, each after what it
names (releases' `depends_on` and `after_manifests`, manifests' `after`).

Pulumi creates a resource once everything it depends on is ready, and a Helm release is ready
only when Helm's wait is met (its Deployments' pods run, its LoadBalancers have an address),
so a release whose pods need an object made later never becomes ready. The offline cluster
check (aicommons.clustercheck) reads the same order from here. No Pulumi import.
"""

from __future__ import annotations

import re
from typing import Any

from aicommons_stacks.args import ArgsError, ManifestArgs, ReleaseArgs

FIELDS = {"apiVersion", "kind", "metadata", "spec"}

Item = ReleaseArgs | ManifestArgs


def manifest_ref(manifest: Any, where: str) -> str:
    """`Kind/namespace/name` of a manifest object (`Kind/name` for a cluster-wide one)."""
    if not isinstance(manifest, dict) or not FIELDS >= set(manifest) >= {"apiVersion", "kind", "metadata"}:
        raise ArgsError(f"{where}: an object with apiVersion, kind, metadata (and spec), nothing else")
    metadata = manifest["metadata"]
    if not isinstance(metadata, dict) or not metadata.get("name"):
        raise ArgsError(f"{where}.metadata.name: missing")
    return "/".join(str(p) for p in (manifest["kind"], metadata.get("namespace"), metadata["name"]) if p)


def manifest_name(manifest: Any, where: str) -> str:
    """A stable logical name: kind, namespace and name, e.g. `cluster-jupyterhub-hub-db`."""
    ref = manifest_ref(manifest, where)
    return re.sub(r"[^a-z0-9]+", "-", ref.replace("/", "-").lower()).strip("-")


def creation_order(releases: list[ReleaseArgs], manifests: list[ManifestArgs]) -> list[Item]:
    """Releases and manifests, each after everything it names (given order otherwise); no cycles."""
    releases_by_name = {r.name: r for r in releases}
    if len(releases_by_name) != len(releases):
        raise ArgsError(f"releases: names must be unique, got {[r.name for r in releases]}")
    manifests_by_ref: dict[str, ManifestArgs] = {}
    for i, m in enumerate(manifests):
        ref = manifest_ref(m.object, f"manifests[{i}].object")
        if ref in manifests_by_ref:
            raise ArgsError(f"manifests[{i}]: a second {ref}")
        manifests_by_ref[ref] = m
    refs = {id(m): ref for ref, m in manifests_by_ref.items()}

    def key(item: Item) -> str:
        return f"release {item.name}" if isinstance(item, ReleaseArgs) else f"manifest {refs[id(item)]}"

    def before(item: Item) -> list[Item]:
        if isinstance(item, ManifestArgs):
            where = f"manifests[{refs[id(item)]}].after"
            names, table, what = item.after, releases_by_name, "release"
        else:
            where = f"releases[{item.name}].depends_on"
            names, table, what = item.depends_on, releases_by_name, "release"
        found: list[Item] = []
        for name in names:
            if name not in table:
                raise ArgsError(f"{where}: unknown {what} {name!r}")
            found.append(table[name])
        if isinstance(item, ReleaseArgs):
            for ref in item.after_manifests:
                if ref not in manifests_by_ref:
                    raise ArgsError(
                        f"releases[{item.name}].after_manifests: unknown manifest {ref!r}; "
                        f"manifests: {sorted(manifests_by_ref)}"
                    )
                found.append(manifests_by_ref[ref])
        return found

    ordered: list[Item] = []
    state: dict[str, str] = {}

    def visit(item: Item, chain: list[str]) -> None:
        k = key(item)
        if state.get(k) == "done":
            return
        if state.get(k) == "visiting":
            raise ArgsError(f"releases: dependency cycle {' -> '.join([*chain, k])}")
        state[k] = "visiting"
        for first in before(item):
            visit(first, [*chain, k])
        state[k] = "done"
        ordered.append(item)

    for item in [*releases, *manifests]:
        visit(item, [])
    return ordered


def creation_steps(releases: list[ReleaseArgs], manifests: list[ManifestArgs]) -> dict[str, int]:
    """The wave each release (`release <name>`) and manifest (`manifest <ref>`) is created in.

    Namespaces and storage classes are wave 0; an item's wave is one more than the latest wave
    of what it waits for. Items of one wave do not wait for each other (Pulumi runs them side
    by side); everything of a later wave may be created only after they are ready.
    """
    steps: dict[str, int] = {}
    for item in creation_order(releases, manifests):
        if isinstance(item, ReleaseArgs):
            waits = [f"release {d}" for d in item.depends_on] + [
                f"manifest {m}" for m in item.after_manifests
            ]
            steps[f"release {item.name}"] = 1 + max((steps[w] for w in waits), default=0)
        else:
            ref = manifest_ref(item.object, "manifests")
            steps[f"manifest {ref}"] = 1 + max((steps[f"release {r}"] for r in item.after), default=0)
    return steps
