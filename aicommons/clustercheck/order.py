"""AIC-OPS-03: references exist, in the stack's dependency order, and each release's wait can be met.

The platform stack creates things in waves (`Obj.step`, see stacks/aicommons_stacks/order.py):
a Helm release is created once what it depends on is ready, and it is ready only when Helm's
wait is met (helm/helm pkg/kube/ready.go `ReadyChecker.IsReady`: the pods of Deployments,
StatefulSets and DaemonSets ready, PersistentVolumeClaims bound, LoadBalancer Services with an
address; the stack never sets `skipAwait`, pulumi-kubernetes helm_release.go `client.Wait`).
So a pod that needs an object made in a later wave dead-locks its release. Rules:

- `refs.exist`: every Secret, ConfigMap, ServiceAccount, PersistentVolumeClaim, StorageClass
  and PriorityClass a pod template or claim names exists: an object of the bundle, one
  Kubernetes makes (`operators.built_in`), one an operator makes from an object of the bundle
  (`operators.OPERATORS`), or one the cluster provides (capability `storage-class:<name>`,
  `default-storage-class`).
- `refs.order`: and it exists no later than the wave of the object that needs it.
- `wait.load-balancer`: a LoadBalancer Service needs a controller that gives it an address
  (capability `load-balancer`) unless it has `externalIPs` (ready.go `serviceReady`).
- `wait.claim-binds`: a claim of a release with a `WaitForFirstConsumer` class binds only when
  a pod uses it (kubernetes pkg/controller/volume/persistentvolume, delayed binding), so some
  pod created no later than the claim must mount it.
- `crd.missing`, `crd.before-custom-resource`: an object of a custom kind needs its
  CustomResourceDefinition from an earlier wave or its own release (Helm installs a chart's
  `crds/` first), else the API server has no such kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aicommons.clustercheck.model import ORDER, PLATFORM_STACK, ClusterFinding, ClusterInput, Obj
from aicommons.clustercheck.operators import api_group, built_in, operator_made
from aicommons.clustercheck.references import WAITED_WORKLOADS, Ref, pod_spec, references

# Rules that conclude something is missing: when a release could not be rendered, what they miss
# may be in it, so the entry point drops their findings then (the release is reported skipped).
NEEDS_EVERY_RELEASE = frozenset({"refs.exist", "crd.missing", "wait.claim-binds"})
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
LOAD_BALANCER = "load-balancer"
DEFAULT_STORAGE_CLASS = "default-storage-class"
# API groups the API server serves without a CRD.
BUILT_IN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
    }
)


@dataclass(frozen=True)
class Provider:
    """Where a referenced object comes from, and the wave it exists from."""

    step: int
    what: str  # e.g. "the jupyterhub release", "CloudNativePG from Cluster/jupyterhub/hub-db"
    release: str


def check(cluster: ClusterInput) -> list[ClusterFinding]:
    providers = _providers(cluster)
    findings = [
        *references_in_order(cluster, providers),
        *load_balancers_get_an_address(cluster),
        *claims_bind(cluster),
        *custom_resources_after_their_crd(cluster),
    ]
    return sorted(findings, key=lambda f: (f.release, f.object, f.rule, f.message))


def _providers(cluster: ClusterInput) -> dict[tuple[str, str | None, str], Provider]:
    """The earliest provider of each (kind, namespace, name)."""
    found: dict[tuple[str, str | None, str], Provider] = {}

    def add(key: tuple[str, str | None, str], provider: Provider) -> None:
        if key not in found or provider.step < found[key].step:
            found[key] = provider

    for obj in cluster.objects:
        add((obj.kind, obj.namespace, obj.name), Provider(obj.step, _by(obj), obj.release))
    for made in operator_made(cluster.objects):
        what = f"{made.operator} from {made.source.ref} ({_by(made.source)})"
        add((made.kind, made.namespace, made.name), Provider(made.source.step, what, made.source.release))
    return found


def _by(obj: Obj) -> str:
    return "the platform stack" if obj.release == PLATFORM_STACK else f"the {obj.release} release"


def _waits(obj: Obj) -> str:
    """What waiting for `obj` means for its release (Helm) or the stack (Pulumi)."""
    who = "the platform stack" if obj.release == PLATFORM_STACK else f"the {obj.release} release"
    return f"{who} waits for the {obj.kind}'s pods, so it never becomes ready (dead-lock)"


def references_in_order(
    cluster: ClusterInput, providers: dict[tuple[str, str | None, str], Provider]
) -> Iterator[ClusterFinding]:
    """Rules `refs.exist` and `refs.order`."""
    for obj in cluster.objects:
        for ref in references(obj):
            if ref.kind == "StorageClass":
                found = _storage_class(cluster, ref)
                if found is True:
                    continue
                provider = found or None
            elif built_in(ref.kind, ref.namespace, ref.name):
                continue
            else:
                provider = providers.get((ref.kind, ref.namespace, ref.name))
            if provider is None:
                yield _missing(cluster, obj, ref)
            elif provider.step > obj.step:
                yield _late(obj, ref, provider)


def _storage_class(cluster: ClusterInput, ref: Ref) -> Provider | bool | None:
    """True when the cluster provides the class; its provider when the bundle creates it."""
    if ref.name:
        if f"storage-class:{ref.name}" in cluster.capabilities:
            return True
        obj = next((o for o in cluster.objects if o.kind == "StorageClass" and o.name == ref.name), None)
    else:
        if DEFAULT_STORAGE_CLASS in cluster.capabilities:
            return True
        obj = next((o for o in cluster.objects if o.kind == "StorageClass" and _is_default(o)), None)
    return Provider(obj.step, _by(obj), obj.release) if obj is not None else None


def _is_default(obj: Obj) -> bool:
    annotations = (obj.doc.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(DEFAULT_CLASS, "")).lower() == "true"


def _missing(cluster: ClusterInput, obj: Obj, ref: Ref) -> ClusterFinding:
    what = f"{ref.kind} {ref.name}" if ref.name else "a default StorageClass"
    effect = {
        "start": "its pods cannot start",
        "admit": "the API server refuses it",
        "pull": "the kubelet pulls its images without these credentials",
    }[ref.blocks]
    waits = f"; {_waits(obj)}" if obj.kind in WAITED_WORKLOADS and ref.blocks != "pull" else ""
    return ClusterFinding(
        ORDER,
        obj.release,
        obj.ref,
        f"{obj.kind} {obj.name} needs {what} ({ref.via}), which nothing creates: {effect}{waits}",
        cause=cluster.causes.get(ref.ref, ""),
        rule="refs.exist",
    )


def _late(obj: Obj, ref: Ref, provider: Provider) -> ClusterFinding:
    waits = (
        f"; {_waits(obj)}"
        if obj.waited and obj.kind in WAITED_WORKLOADS and ref.blocks != "pull"
        else "; its pods cannot start until then"
    )
    return ClusterFinding(
        ORDER,
        obj.release,
        obj.ref,
        f"{obj.kind} {obj.name} needs {ref.kind} {ref.name} ({ref.via}), made by {provider.what} "
        f"at step {provider.step}, after {_by(obj)} (step {obj.step}){waits}",
        cause=f"{provider.what} comes after {_by(obj)}",
        rule="refs.order",
    )


def load_balancers_get_an_address(cluster: ClusterInput) -> Iterator[ClusterFinding]:
    """Rule `wait.load-balancer`."""
    if LOAD_BALANCER in cluster.capabilities:
        return
    for obj in cluster.objects:
        spec = obj.doc.get("spec") or {}
        if (
            obj.waited
            and obj.kind == "Service"
            and spec.get("type") == "LoadBalancer"
            and not spec.get("externalIPs")
        ):
            yield ClusterFinding(
                ORDER,
                obj.release,
                obj.ref,
                f"LoadBalancer Service {obj.name} gets no address: the cluster has no load-balancer "
                f"controller, and {_by(obj)} waits for one (Helm's wait), so it never becomes ready",
                cause=cluster.causes.get(obj.ref, "the Service type"),
                rule="wait.load-balancer",
            )


def claims_bind(cluster: ClusterInput) -> Iterator[ClusterFinding]:
    """Rule `wait.claim-binds`: only claims of Helm releases that wait are waited for."""
    classes = {o.name: o for o in cluster.objects if o.kind == "StorageClass"}
    default = next((o for o in classes.values() if _is_default(o)), None)
    # (namespace, claim) -> the earliest wave a pod that mounts it is created in
    first_use: dict[tuple[str | None, str], int] = {}
    for o in cluster.objects:
        if pod_spec(o) is None:
            continue
        for ref in references(o):
            if ref.kind == "PersistentVolumeClaim":
                key = (o.namespace, ref.name)
                first_use[key] = min(first_use.get(key, o.step), o.step)
    for claim in cluster.objects:
        if claim.kind != "PersistentVolumeClaim" or claim.release == PLATFORM_STACK or not claim.waited:
            continue
        name = (claim.doc.get("spec") or {}).get("storageClassName")
        sc = classes.get(str(name)) if name else default
        if sc is None or sc.doc.get("volumeBindingMode") != "WaitForFirstConsumer":
            continue
        used = first_use.get((claim.namespace, claim.name))
        if used is not None and used <= claim.step:
            continue
        yield ClusterFinding(
            ORDER,
            claim.release,
            claim.ref,
            f"PersistentVolumeClaim {claim.name} never binds: StorageClass {sc.name} waits for the "
            f"first pod that uses it (WaitForFirstConsumer) and no pod of the release or before it "
            f"mounts the claim, while {_by(claim)} waits for it to be bound",
            cause=cluster.causes.get(claim.ref, f"StorageClass {sc.name}"),
            rule="wait.claim-binds",
        )


def custom_resources_after_their_crd(cluster: ClusterInput) -> Iterator[ClusterFinding]:
    """Rules `crd.missing` and `crd.before-custom-resource`."""
    crds: dict[tuple[str, str], Obj] = {}
    for o in cluster.objects:
        if o.kind == "CustomResourceDefinition":
            spec = o.doc.get("spec") or {}
            key = (str(spec.get("group", "")), str((spec.get("names") or {}).get("kind", "")))
            if key not in crds or o.step < crds[key].step:
                crds[key] = o
    for obj in cluster.objects:
        group = api_group(obj)
        if group in BUILT_IN_GROUPS or f"crd:{group}" in cluster.capabilities:
            continue
        crd = crds.get((group, obj.kind))
        if crd is None:
            yield ClusterFinding(
                ORDER,
                obj.release,
                obj.ref,
                f"{obj.kind} {obj.name} is a custom kind of {group} whose CustomResourceDefinition "
                "nothing installs: the API server refuses it",
                rule="crd.missing",
            )
        elif crd.step > obj.step or (crd.step == obj.step and crd.release != obj.release):
            yield ClusterFinding(
                ORDER,
                obj.release,
                obj.ref,
                f"{obj.kind} {obj.name} is created at step {obj.step}, before its CustomResourceDefinition "
                f"({crd.name}, {_by(crd)}, step {crd.step}) is ready: the API server refuses it",
                cause=f"{_by(obj)} comes before {_by(crd)}",
                rule="crd.before-custom-resource",
            )
