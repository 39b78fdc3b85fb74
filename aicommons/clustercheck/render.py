"""What the platform stack would ask the cluster to create, from a rendered bundle.

Every Helm release is rendered with its real chart (upstream charts from the caller's
`ChartSource`, the bundle's own charts from the bundle's files) and the bundle's values, with
placeholders where the stack sets infra-stack outputs and secrets. The stack's own objects
(namespaces with their labels, default-deny policies, storage classes, manifests) are built as
the stack builds them (stacks/aicommons_stacks/platform/). Each object gets the wave the stack
creates it in (`Obj.step`, from the stack's own order, stacks/aicommons_stacks/order.py).

A values file the chart's schema rejects is an AIC-OPS-01 finding (Helm refuses the install);
a chart the source lacks makes its release skipped, with the reason.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from aicommons.clustercheck.charts import ChartRef, ChartSource, not_cached
from aicommons.clustercheck.model import ADMISSION, PLATFORM_STACK, ClusterFinding, Obj
from aicommons.clustercheck.stack import (
    PLATFORM_CONFIG,
    creation_steps,
    manifest_ref,
    platform_args,
    set_value,
)
from aicommons.errors import InputError, Location
from aicommons.yamlio import safe_load

PREEXISTING_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
HOOK = "helm.sh/hook"
# Placeholders where the stack sets what is known only at deploy time (never a real value).
PLACEHOLDER_ACCOUNT = "111122223333"
SECRET_PLACEHOLDER = "placeholder"
# Kinds without a namespace (built-in ones; custom kinds take the scope their CRD gives).
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
    }
)

try:  # libyaml when present: the upstream charts render megabytes of CRDs
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, reading YAML 1.1's value key `=` as the string it is to Kubernetes
    (prometheus-operator's AlertmanagerConfig CRD lists `=` among a matcher's enum values)."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


@dataclass(frozen=True)
class RenderedBundle:
    """The objects of a bundle's platform stack, the releases that could not be rendered
    (release -> reason) and the findings of rendering (schema rejections, template errors)."""

    objects: tuple[Obj, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)
    findings: tuple[ClusterFinding, ...] = ()


def stack_output_placeholder(output: str) -> str:
    """A stand-in for an infra-stack output: an IAM role ARN for `...RoleArn`, else a name."""
    if output.endswith("RoleArn"):
        return f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/placeholder-{output}"
    return f"placeholder-{output.lower()}"


def platform_config(files: Mapping[str, bytes]) -> dict[str, Any]:
    if PLATFORM_CONFIG not in files:
        raise InputError("missing from the bundle", Location(file=PLATFORM_CONFIG))
    data = safe_load(files[PLATFORM_CONFIG], PLATFORM_CONFIG) or {}
    config = (data.get("config") or {}).get("aicommons:platform")
    if not isinstance(config, dict):
        raise InputError("has no aicommons:platform configuration", Location(file=PLATFORM_CONFIG))
    return config


def render_platform(files: Mapping[str, bytes], chart_source: ChartSource) -> RenderedBundle:
    """Every object the platform stack of this bundle would create, with its wave."""
    args = platform_args(platform_config(files))
    steps = creation_steps(args)
    objects = _stack_objects(args)
    skipped: dict[str, str] = {}
    findings: list[ClusterFinding] = []
    declared = {ns.name for ns in args.namespaces} | PREEXISTING_NAMESPACES
    for release in args.releases:
        step = steps[f"release {release.name}"]
        if release.namespace not in declared:  # Helm's create_namespace: no labels
            objects.append(
                Obj(release.name, step, _namespace(release.namespace, {}), "helm create_namespace")
            )
        outcome = _render_release(release, files, chart_source, step)
        if isinstance(outcome, str):
            skipped[release.name] = outcome
        elif isinstance(outcome, ClusterFinding):
            findings.append(outcome)
        else:
            objects += outcome
    for manifest in args.manifests:
        ref = manifest_ref(manifest.object)
        objects.append(Obj(PLATFORM_STACK, steps[f"manifest {ref}"], manifest.object, PLATFORM_CONFIG))
    namespaces = {r.name: r.namespace for r in args.releases}
    return RenderedBundle(
        tuple(_with_namespaces(objects, namespaces)), dict(sorted(skipped.items())), tuple(findings)
    )


def _namespace(name: str, labels: Mapping[str, str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = dict(sorted(labels.items()))
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _stack_objects(args: Any) -> list[Obj]:
    """Wave 0: namespaces, their default-deny policies, the storage classes and the image pull
    secrets (as in stacks/aicommons_stacks/platform/namespaces.py, storage.py, pull_secrets.py)."""
    out = []
    for ns in args.namespaces:
        out.append(Obj(PLATFORM_STACK, 0, _namespace(ns.name, ns.labels), PLATFORM_CONFIG))
        if ns.default_deny:
            policy = {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "default-deny", "namespace": ns.name},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
            }
            out.append(Obj(PLATFORM_STACK, 0, policy, PLATFORM_CONFIG))
    for sc in args.storage_classes:
        meta: dict[str, Any] = {"name": sc.name}
        if sc.default:
            meta["annotations"] = {DEFAULT_CLASS: "true"}
        body = {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": meta,
            "provisioner": sc.provisioner,
            "parameters": dict(sorted(sc.parameters.items())),
            "reclaimPolicy": sc.reclaim_policy,
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": True,
        }
        out.append(Obj(PLATFORM_STACK, 0, body, PLATFORM_CONFIG))
    for ps in args.pull_secrets:  # stacks/aicommons_stacks/platform/pull_secrets.py (no data here)
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": ps.name, "namespace": ps.namespace},
            "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": SECRET_PLACEHOLDER},
        }
        out.append(Obj(PLATFORM_STACK, 0, secret, PLATFORM_CONFIG))
    return out


def release_values(release: Any, files: Mapping[str, bytes]) -> dict[str, Any]:
    """The release's values file with placeholders where the stack sets outputs and secrets."""
    if release.values_file not in files:
        raise InputError("missing from the bundle", Location(file=release.values_file))
    values = safe_load(files[release.values_file], release.values_file) or {}
    if not isinstance(values, dict):
        raise InputError("must hold a mapping", Location(file=release.values_file))
    where = f"releases[{release.name}]"
    for path, output in sorted(release.stack_output_values.items()):
        set_value(values, path, stack_output_placeholder(output), f"{where}.stack_output_values")
    for path in sorted(release.secret_values):
        set_value(values, path, SECRET_PLACEHOLDER, f"{where}.secret_values")
    return values


def _render_release(
    release: Any, files: Mapping[str, bytes], chart_source: ChartSource, step: int
) -> list[Obj] | ClusterFinding | str:
    """The release's objects; a finding when Helm would refuse it; a reason when it cannot be
    rendered here."""
    try:
        import helm_python
    except ImportError:
        return "rendering charts needs helm-python-sdk (pip install 'aicommons[helm]')"
    values = release_values(release, files)
    ref = f"HelmRelease/{release.namespace}/{release.name}"
    if release.repository is None:
        archive = _local_archive(files, release.chart)
        if archive is None:
            raise InputError(
                f"local chart {release.chart} is not in the bundle", Location(file=PLATFORM_CONFIG)
            )
        chart = helm_python.Chart.load_archive(archive)
        label = f"{release.chart.rsplit('/', 1)[-1]} {release.version}"
    elif getattr(release, "archive", None) and release.archive in files:
        # vendored into the bundle (`render --vendor-charts`): the very bytes the stack installs
        chart = helm_python.Chart.load_archive(files[release.archive])
        label = f"{release.chart} {release.version}"
    else:
        pin = ChartRef(release.name, release.chart, release.version, release.repository)
        path = chart_source(pin)
        if path is None:
            return not_cached(pin)
        chart = helm_python.Chart.load(path)
        label = f"{release.chart} {release.version}"
    found = chart.version
    if release.repository is not None and found != release.version:
        chart.close()
        return f"the archive of {release.chart} {release.version} holds version {found}"
    with chart:
        try:
            chart.validate_schema(values)
        except helm_python.HelmError as exc:
            return ClusterFinding(
                ADMISSION,
                release.name,
                ref,
                f"the {label} chart's values schema rejects {release.values_file}: {_one_line(exc)}; "
                "Helm refuses the install",
                cause=release.values_file,
                rule="chart.values-schema",
            )
        try:
            rendered = chart.render(values=values, name=release.name, namespace=release.namespace)
        except helm_python.HelmError as exc:
            return ClusterFinding(
                ADMISSION,
                release.name,
                ref,
                f"the {label} chart does not render with {release.values_file}: {_one_line(exc)}",
                cause=release.values_file,
                rule="chart.render",
            )
        crds = [(c.get("filename") or c.get("name") or "crds", c.get("data") or "") for c in chart.crds]
    objects = []
    for source, text in [*crds, *sorted(rendered.items())]:
        if not source.endswith((".yaml", ".yml", ".json")) and "crds" not in source:
            continue  # NOTES.txt and helpers
        for doc in _flattened(yaml.load_all(text, Loader=_Loader)):
            if not isinstance(doc, dict) or not doc.get("kind"):
                continue
            hook = str(((doc.get("metadata") or {}).get("annotations") or {}).get(HOOK, ""))
            if "test" in hook.split(","):
                continue  # `helm test` objects are never installed
            objects.append(Obj(release.name, step, doc, source, waited=release.wait))
    return objects


def _flattened(docs: Any) -> Any:
    """Each document, a `v1` List replaced by its items: Helm builds a release's objects with
    the resource builder's Flatten (helm/helm pkg/kube/client.go `Build`), so a chart's List
    (kube-prometheus-stack's additional ServiceMonitors) creates its items, never a List."""
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "List" and doc.get("apiVersion") == "v1":
            yield from doc.get("items") or []
        else:
            yield doc


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _local_archive(files: Mapping[str, bytes], chart_dir: str) -> bytes | None:
    """The bundle's copy of a local chart (e.g. helm/charts/aicommons-platform) as a .tgz."""
    prefix = chart_dir.rstrip("/") + "/"
    top = prefix.rstrip("/").rsplit("/", 1)[-1]
    members = sorted((rel, blob) for rel, blob in files.items() if rel.startswith(prefix))
    if not members:
        return None
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for rel, blob in members:
            info = tarfile.TarInfo(f"{top}/{rel[len(prefix) :]}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buffer.getvalue()


def _with_namespaces(objects: list[Obj], release_namespaces: Mapping[str, str]) -> list[Obj]:
    """Namespaced objects without a namespace get their release's, as Helm applies them; custom
    kinds are namespaced unless a rendered CRD says `scope: Cluster`."""
    cluster_kinds = set(CLUSTER_SCOPED)
    for o in objects:
        spec = o.doc.get("spec") or {}
        if o.kind == "CustomResourceDefinition" and spec.get("scope") == "Cluster":
            cluster_kinds.add(str((spec.get("names") or {}).get("kind", "")))
    out = []
    for o in objects:
        if o.kind in cluster_kinds or o.namespace or o.release not in release_namespaces:
            out.append(o)
            continue
        doc = dict(o.doc)
        doc["metadata"] = {**(doc.get("metadata") or {}), "namespace": release_namespaces[o.release]}
        out.append(Obj(o.release, o.step, doc, o.source, waited=o.waited))
    return out
