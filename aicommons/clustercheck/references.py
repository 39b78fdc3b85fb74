"""What an object needs to exist before its pods can start or it can be admitted: the Secrets,
ConfigMaps, ServiceAccount, PersistentVolumeClaims, StorageClasses and PriorityClass a pod
template names, and the StorageClass of a claim.

The fields are those of the Kubernetes API (k8s.io/api core/v1 `PodSpec`, `Volume`,
`EnvFromSource`, `EnvVarSource`, `ProjectedVolumeSource`; apps/v1 `StatefulSetSpec`
`volumeClaimTemplates`). A reference marked `optional: true` never blocks a pod, so it is left
out. How a missing one bites (kubelet, admission) is in `Ref.blocks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aicommons.clustercheck.model import Obj

# kind -> where its pod template is.
POD_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
# Helm's wait (helm/helm pkg/kube/ready.go, ReadyChecker.IsReady) waits for the pods of these;
# Jobs only with --wait-for-jobs, which the stack does not set (pulumi-kubernetes
# provider/pkg/provider/helm_release.go: WaitForJobs defaults to false).
WAITED_WORKLOADS = frozenset({"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


@dataclass(frozen=True)
class Ref:
    """One object another one needs: kind, namespace (None for cluster-wide kinds) and name."""

    kind: str
    namespace: str | None
    name: str
    via: str  # where it is named, e.g. "env HUB_DB_URI", "volume config"
    # How a missing one bites: "start" (kubelet cannot start the pod), "admit" (the API server
    # refuses the pod or claim), "pull" (the kubelet pulls without the credentials).
    blocks: str = "start"

    @property
    def ref(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)


def pod_spec(obj: Obj) -> Mapping[str, Any] | None:
    path = POD_TEMPLATES.get(obj.kind)
    if path is None:
        return None
    node: Any = obj.doc
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


def references(obj: Obj) -> list[Ref]:
    """Everything `obj` needs that another object provides (unique, in a stable order)."""
    found: list[Ref] = []
    spec = pod_spec(obj)
    if spec is not None and obj.namespace:
        found += pod_references(spec, obj.namespace)
    if obj.kind == "StatefulSet":
        for template in (obj.doc.get("spec") or {}).get("volumeClaimTemplates") or []:
            found += claim_references(template.get("spec") or {}, f"volumeClaimTemplate {_name(template)}")
    if obj.kind == "PersistentVolumeClaim":
        found += claim_references(obj.doc.get("spec") or {}, "spec.storageClassName")
    unique: dict[tuple[str, str | None, str], Ref] = {}
    for ref in found:
        unique.setdefault((ref.kind, ref.namespace, ref.name), ref)
    return list(unique.values())


def claim_references(spec: Mapping[str, Any], via: str) -> list[Ref]:
    """A claim's StorageClass; `""` asks for no class, none asks for the cluster's default."""
    name = spec.get("storageClassName")
    if name == "":
        return []
    return [Ref("StorageClass", None, str(name) if name else "", via, "admit")]


def pod_references(spec: Mapping[str, Any], namespace: str) -> list[Ref]:
    refs: list[Ref] = []
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    refs.append(Ref("ServiceAccount", namespace, str(account), "serviceAccountName", "admit"))
    if spec.get("priorityClassName"):
        refs.append(Ref("PriorityClass", None, str(spec["priorityClassName"]), "priorityClassName", "admit"))
    for secret in spec.get("imagePullSecrets") or []:
        if isinstance(secret, Mapping) and secret.get("name"):
            refs.append(Ref("Secret", namespace, str(secret["name"]), "imagePullSecrets", "pull"))
    for volume in spec.get("volumes") or []:
        refs += list(_volume_refs(volume, namespace))
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        refs += list(_container_refs(container, namespace))
    return refs


def _volume_refs(volume: Mapping[str, Any], namespace: str) -> Iterator[Ref]:
    via = f"volume {volume.get('name', '?')}"
    secret = volume.get("secret")
    if isinstance(secret, Mapping) and not secret.get("optional") and secret.get("secretName"):
        yield Ref("Secret", namespace, str(secret["secretName"]), via)
    config_map = volume.get("configMap")
    if isinstance(config_map, Mapping) and not config_map.get("optional") and config_map.get("name"):
        yield Ref("ConfigMap", namespace, str(config_map["name"]), via)
    claim = volume.get("persistentVolumeClaim")
    if isinstance(claim, Mapping) and claim.get("claimName"):
        yield Ref("PersistentVolumeClaim", namespace, str(claim["claimName"]), via)
    ephemeral = volume.get("ephemeral")
    if isinstance(ephemeral, Mapping):
        template = ephemeral.get("volumeClaimTemplate") or {}
        yield from claim_references(template.get("spec") or {}, via)
    projected = volume.get("projected")
    for source in (projected or {}).get("sources") or [] if isinstance(projected, Mapping) else []:
        for kind, key in (("Secret", "secret"), ("ConfigMap", "configMap")):
            item = source.get(key) if isinstance(source, Mapping) else None
            if isinstance(item, Mapping) and not item.get("optional") and item.get("name"):
                yield Ref(kind, namespace, str(item["name"]), f"{via} (projected)")


def _container_refs(container: Mapping[str, Any], namespace: str) -> Iterator[Ref]:
    name = container.get("name", "?")
    for source in container.get("envFrom") or []:
        for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
            item = source.get(key) if isinstance(source, Mapping) else None
            if isinstance(item, Mapping) and not item.get("optional") and item.get("name"):
                yield Ref(kind, namespace, str(item["name"]), f"container {name} envFrom")
    for env in container.get("env") or []:
        value_from = env.get("valueFrom") if isinstance(env, Mapping) else None
        if not isinstance(value_from, Mapping):
            continue
        for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
            item = value_from.get(key)
            if isinstance(item, Mapping) and not item.get("optional") and item.get("name"):
                yield Ref(kind, namespace, str(item["name"]), f"container {name} env {env.get('name', '?')}")


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", "?"))
