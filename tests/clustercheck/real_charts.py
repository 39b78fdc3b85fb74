"""A ClusterInput for an example city from its bundle and the real upstream charts.

Until the cluster check's own entry point builds it, tests build it here: the platform
stack's namespaces (step 0), each Helm release rendered with its bundle values in dependency
order (one step each: the project's chart from the bundle, upstream charts from
$AICOMMONS_TEST_CHARTS when cached there), then the manifests the stack creates after the
releases (the hub database's CloudNativePG Cluster).
"""

from __future__ import annotations

import copy
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from aicommons.clustercheck.model import PLATFORM_STACK, ClusterInput, Obj
from aicommons.clustercheck.nodes import node_groups
from aicommons.profile import load_profile
from aicommons.profile.model import CityProfile
from aicommons.render.bundle import Bundle, render_bundle
from aicommons.render.infra_aws import KUBERNETES_VERSION
from aicommons.sizing.plan import SizingPlan, size

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "cities"
GIB = 1024**3


def charts_dir() -> Path | None:
    value = os.environ.get("AICOMMONS_TEST_CHARTS")
    return Path(value) if value and Path(value).is_dir() else None


def chart_archive(chart: str, version: str) -> Path | None:
    folder = charts_dir()
    if folder is None:
        return None
    path = folder / f"{chart}-{version}.tgz"
    return path if path.is_file() else None


def require_chart(chart: str, version: str) -> Path:
    path = chart_archive(chart, version)
    if path is None:
        pytest.skip(
            f"chart {chart}-{version} not cached: set AICOMMONS_TEST_CHARTS (../shared/upstream-charts)"
        )
    return path


def helm() -> Any:
    return pytest.importorskip("helm_python", reason="helm-python-sdk is not installed (dev extra)")


def render_docs(chart: Path | str, values: dict[str, Any], name: str, namespace: str) -> list[dict[str, Any]]:
    """The chart's objects, in template order (helm template)."""
    with helm().Chart.load(str(chart)) as loaded:
        rendered = loaded.render(values=copy.deepcopy(values), name=name, namespace=namespace)
    docs = []
    for template in sorted(rendered):
        if template.endswith((".yaml", ".yml")):
            for d in yaml.load_all(rendered[template], Loader=_LOADER):
                # Helm creates a v1 List's items (pkg/kube/client.go Build flattens it)
                docs += (d.get("items") or []) if d and d.get("kind") == "List" else ([d] if d else [])
    for doc in docs:
        meta = doc.setdefault("metadata", {})
        if doc.get("kind") not in CLUSTER_SCOPED:
            meta.setdefault("namespace", namespace)
    return docs


class _LOADER(yaml.SafeLoader):
    """The safe loader, reading YAML 1.1's value key `=` as a string (prometheus-operator's CRDs)."""


_LOADER.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))

CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass",
    "CustomResourceDefinition", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "RuntimeClass", "PersistentVolume", "APIService", "IngressClass",
}  # fmt: skip


def _set_path(values: dict[str, Any], dotted: str, value: Any) -> None:
    keys = [k.replace("\0", ".") for k in dotted.replace("\\.", "\0").split(".")]
    node = values
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def release_values(bundle: Bundle, name: str) -> dict[str, Any]:
    """The release's values with placeholders where stack secrets and outputs go."""
    rel = next(r for r in bundle.releases if r.name == name)
    values = yaml.safe_load(bundle.files[rel.values_file]) or {}
    for path in (*rel.secret_values, *rel.stack_output_values):
        _set_path(values, path, "placeholder")
    return values


def _local_chart(bundle: Bundle, chart: str, into: Path) -> Path:
    prefix = chart.rstrip("/") + "/"
    for rel, blob in bundle.files.items():
        if rel.startswith(prefix):
            target = into / rel[len(prefix) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
    return into


def _release_order(bundle: Bundle) -> list[str]:
    done: list[str] = []
    pending = {r.name: set(r.depends_on) for r in bundle.releases}
    while pending:
        ready = sorted(n for n, deps in pending.items() if deps <= set(done))
        if not ready:
            raise AssertionError(f"release dependency cycle: {pending}")
        done += ready
        for n in ready:
            del pending[n]
    return done


@cache
def example(name: str) -> tuple[Bundle, SizingPlan]:
    profile = load_profile(EXAMPLES / f"{name}.yaml")
    plan = size(profile)
    return render_bundle(profile, plan), plan


def cluster_input(
    bundle: Bundle,
    plan: SizingPlan,
    values: dict[str, dict[str, Any]] | None = None,
    releases: tuple[str, ...] | None = None,
    versions: dict[str, str] | None = None,
    manifests: list[dict[str, Any]] | None = None,
) -> ClusterInput:
    """The cluster the bundle asks for; ``values`` replaces a release's values and ``manifests``
    the stack's manifests (mutations), ``versions`` a release's chart version; ``releases``
    limits the releases rendered (default: every one whose chart is at hand; a named one
    whose chart is missing skips the test)."""
    objects: list[Obj] = []
    for ns in bundle.platform["namespaces"]:
        doc = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns["name"], "labels": ns["labels"]},
        }
        objects.append(Obj(PLATFORM_STACK, 0, doc, "pulumi/Pulumi.platform.yaml"))
    step = 0
    for name in _release_order(bundle):
        if releases is not None and name not in releases:
            continue
        rel = next(r for r in bundle.releases if r.name == name)
        vals = (values or {}).get(name) or release_values(bundle, name)
        step += 1
        if rel.pin.repository is None:
            with tempfile.TemporaryDirectory() as tmp:
                chart = _local_chart(bundle, f"helm/charts/{rel.pin.chart.rsplit('/', 1)[-1]}", Path(tmp))
                docs = render_docs(chart, vals, name, rel.namespace)
        else:
            version = (versions or {}).get(name, rel.pin.version)
            archive = chart_archive(rel.pin.chart, version)
            if archive is None:
                if releases is not None:
                    require_chart(rel.pin.chart, version)
                continue
            docs = render_docs(archive, vals, name, rel.namespace)
        objects += [Obj(name, step, d, rel.values_file) for d in docs]
    items = bundle.platform["manifests"] if manifests is None else manifests
    for manifest in (m.get("object", m) for m in items):
        objects.append(Obj(PLATFORM_STACK, step + 1, copy.deepcopy(manifest), "pulumi/Pulumi.platform.yaml"))
    return ClusterInput(
        objects=tuple(objects),
        # the sized node groups as the scheduling model sees them (the lock holds the resolved profile)
        node_groups=node_groups(CityProfile.model_validate(bundle.lock["profile"]), plan),
        kubernetes_version=KUBERNETES_VERSION,
        causes={
            "LimitRange/jupyterhub/aicommons-platform-limits": (
                "workloads (default).cpu.request / memory.request: the tenant LimitRange's defaultRequest"
            ),
            "ResourceQuota/jupyterhub/aicommons-platform-quota": "the sizing plan (platform_chart quota)",
        },
    )
