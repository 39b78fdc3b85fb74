"""AIC-OPS-03 rules, each on hand-made objects whose order is worked out in the test."""

from __future__ import annotations

from typing import Any

from aicommons.clustercheck.model import PLATFORM_STACK, ClusterInput, Obj
from aicommons.clustercheck.operators import cnpg_cluster
from aicommons.clustercheck.order import check
from aicommons.clustercheck.references import references


def cluster(*objects: Obj, capabilities: frozenset[str] = frozenset()) -> ClusterInput:
    return ClusterInput(objects=objects, node_groups=(), kubernetes_version="1.34", capabilities=capabilities)


def obj(release: str, step: int, kind: str, name: str, namespace: str | None = "hub", **body: Any) -> Obj:
    api = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}.get(kind, "v1")
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return Obj(release, step, {"apiVersion": api, "kind": kind, "metadata": meta, **body})


def deployment(release: str, step: int, name: str, pod: dict[str, Any], kind: str = "Deployment") -> Obj:
    return obj(release, step, kind, name, spec={"template": {"spec": pod}})


def env_secret(secret: str, optional: bool = False) -> dict[str, Any]:
    ref = {"name": secret, "key": "uri", **({"optional": True} if optional else {})}
    return {"containers": [{"name": "app", "env": [{"name": "DB", "valueFrom": {"secretKeyRef": ref}}]}]}


def db_cluster(step: int, **spec: Any) -> Obj:
    body = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "db", "namespace": "hub"},
    }
    return Obj(PLATFORM_STACK, step, {**body, "spec": {"instances": 1, **spec}})


def crd(release: str, step: int, group: str, kind: str) -> Obj:
    body = {"spec": {"group": group, "names": {"kind": kind}, "scope": "Namespaced"}}
    return obj(release, step, "CustomResourceDefinition", f"{kind.lower()}s.{group}", None, **body)


CNPG_CRD = crd("cnpg", 1, "postgresql.cnpg.io", "Cluster")


def rules(findings) -> list[tuple[str, str, str]]:
    return [(f.rule, f.release, f.object) for f in findings]


def test_a_secret_made_in_the_same_release_or_earlier_is_in_order() -> None:
    # secret at step 1 (release a), pods at step 1 (a) and step 2 (b): both 1 <= 1, 1 <= 2
    secret = obj("a", 1, "Secret", "creds")
    assert check(cluster(secret, deployment("a", 1, "one", env_secret("creds")))) == []
    assert check(cluster(secret, deployment("b", 2, "two", env_secret("creds")))) == []


def test_a_secret_made_after_the_waiting_release_dead_locks_it() -> None:
    # the app's release is step 1, the secret comes at step 2 > 1
    found = check(
        cluster(obj("late", 2, "Secret", "creds"), deployment("app", 1, "web", env_secret("creds")))
    )
    assert rules(found) == [("refs.order", "app", "Deployment/hub/web")]
    assert "Secret creds" in found[0].message and "dead-lock" in found[0].message
    assert "step 2, after the app release (step 1)" in found[0].message


def test_a_job_is_not_waited_for_but_still_waits_for_its_secret() -> None:
    found = check(
        cluster(obj("late", 2, "Secret", "s"), deployment("app", 1, "init", env_secret("s"), kind="Job"))
    )
    assert rules(found) == [("refs.order", "app", "Job/hub/init")]
    assert "dead-lock" not in found[0].message and "cannot start until then" in found[0].message


def test_a_missing_reference_is_named_and_an_optional_one_is_not() -> None:
    found = check(cluster(deployment("app", 1, "web", env_secret("nowhere"))))
    assert rules(found) == [("refs.exist", "app", "Deployment/hub/web")]
    assert "Secret nowhere (container app env DB), which nothing creates" in found[0].message
    assert check(cluster(deployment("app", 1, "web", env_secret("nowhere", optional=True)))) == []


def test_every_kind_of_reference_is_read() -> None:
    pod = {
        "serviceAccountName": "runner",
        "priorityClassName": "high",
        "imagePullSecrets": [{"name": "pull"}],
        "volumes": [
            {"name": "a", "secret": {"secretName": "vol-secret"}},
            {"name": "b", "configMap": {"name": "vol-config"}},
            {"name": "c", "persistentVolumeClaim": {"claimName": "data"}},
            {
                "name": "d",
                "projected": {"sources": [{"secret": {"name": "proj"}}, {"configMap": {"name": "pc"}}]},
            },
            {"name": "e", "configMap": {"name": "maybe", "optional": True}},
        ],
        "initContainers": [{"name": "init", "envFrom": [{"configMapRef": {"name": "env-config"}}]}],
        "containers": [{"name": "main", "envFrom": [{"secretRef": {"name": "env-secret"}}]}],
    }
    refs = {r.ref for r in references(deployment("app", 1, "web", pod))}
    assert refs == {
        "ServiceAccount/hub/runner",
        "PriorityClass/high",
        "Secret/hub/pull",
        "Secret/hub/vol-secret",
        "ConfigMap/hub/vol-config",
        "PersistentVolumeClaim/hub/data",
        "Secret/hub/proj",
        "ConfigMap/hub/pc",
        "ConfigMap/hub/env-config",
        "Secret/hub/env-secret",
    }


def test_what_kubernetes_makes_itself_needs_no_object() -> None:
    pod = {
        "priorityClassName": "system-node-critical",
        "volumes": [{"name": "ca", "configMap": {"name": "kube-root-ca.crt"}}],
        "containers": [{"name": "c"}],
    }  # and the `default` ServiceAccount
    assert check(cluster(deployment("agent", 1, "agent", pod))) == []


def test_cloudnative_pg_makes_the_app_secret_from_the_cluster() -> None:
    # Cluster db (step 2, after its CRD at step 1) -> Secret db-app at step 2; the hub at step 3
    hub = deployment("jupyterhub", 3, "hub", env_secret("db-app"))
    assert check(cluster(CNPG_CRD, db_cluster(2), hub)) == []
    # the Cluster after the hub's release (step 4 > 3): defect 2
    (late,) = check(cluster(CNPG_CRD, db_cluster(4), hub))
    assert (late.rule, late.release, late.object) == ("refs.order", "jupyterhub", "Deployment/hub/hub")
    assert "db-app" in late.message and "CloudNativePG from Cluster/hub/db" in late.message


def test_cloudnative_pg_secrets_and_services_follow_the_spec() -> None:
    names = lambda o: sorted(f"{k}/{n}" for k, n in cnpg_cluster(o))  # noqa: E731
    assert names(db_cluster(1)) == ["Secret/db-app", "Service/db-r", "Service/db-ro", "Service/db-rw"]
    superuser = db_cluster(
        1, enableSuperuserAccess=True, managed={"services": {"disabledDefaultServices": ["ro"]}}
    )
    assert names(superuser) == ["Secret/db-app", "Secret/db-superuser", "Service/db-r", "Service/db-rw"]
    own = db_cluster(1, bootstrap={"initdb": {"database": "x", "owner": "x", "secret": {"name": "mine"}}})
    assert "Secret/db-app" not in names(own)


def test_a_load_balancer_needs_a_controller() -> None:
    service = obj(
        "jupyterhub", 2, "Service", "proxy-public", spec={"type": "LoadBalancer", "ports": [{"port": 80}]}
    )
    (found,) = check(cluster(service))
    assert (found.rule, found.object) == ("wait.load-balancer", "Service/hub/proxy-public")
    assert check(cluster(service, capabilities=frozenset({"load-balancer"}))) == []
    fixed_ip = obj("x", 1, "Service", "s", spec={"type": "LoadBalancer", "externalIPs": ["10.0.0.5"]})
    assert check(cluster(fixed_ip)) == []  # ready.go: marked ready with an external IP


def wffc_class(default: bool = True) -> Obj:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    meta = {"name": "gp3", "annotations": annotations}
    body = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta}
    return Obj(PLATFORM_STACK, 0, {**body, "volumeBindingMode": "WaitForFirstConsumer"})


def test_a_claim_of_a_waiting_class_binds_only_with_a_pod_that_mounts_it() -> None:
    claim = obj("data", 1, "PersistentVolumeClaim", "project-data", spec={})
    (found,) = check(cluster(wffc_class(), claim))
    assert (found.rule, found.object) == ("wait.claim-binds", "PersistentVolumeClaim/hub/project-data")
    mounts = {
        "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "project-data"}}],
        "containers": [],
    }
    assert check(cluster(wffc_class(), claim, deployment("data", 1, "user", mounts))) == []
    # a pod of a later release (step 2 > 1) comes only after the claim's release is ready
    assert [f.rule for f in check(cluster(wffc_class(), claim, deployment("later", 2, "u", mounts)))] == [
        "wait.claim-binds"
    ]


def test_a_claim_needs_a_storage_class() -> None:
    claim = obj("data", 1, "PersistentVolumeClaim", "c", spec={"storageClassName": "fast"})
    (found,) = check(cluster(claim))
    assert found.rule == "refs.exist" and "StorageClass fast" in found.message
    assert check(cluster(claim, capabilities=frozenset({"storage-class:fast"}))) == []
    default_claim = obj("data", 1, "PersistentVolumeClaim", "d", spec={})
    (found,) = check(cluster(default_claim))
    assert "a default StorageClass" in found.message
    assert check(cluster(default_claim, capabilities=frozenset({"default-storage-class"}))) == []


def test_a_custom_resource_needs_its_crd_first() -> None:
    assert check(cluster(CNPG_CRD, db_cluster(2))) == []
    (early,) = check(cluster(CNPG_CRD, db_cluster(1)))  # same step, another release: no order
    assert (
        early.rule == "crd.before-custom-resource" and "before its CustomResourceDefinition" in early.message
    )
    (none,) = check(cluster(db_cluster(1)))
    assert none.rule == "crd.missing" and "nothing installs" in none.message
    same_release = Obj("cnpg", 1, db_cluster(1).doc)  # Helm installs the chart's crds/ first
    assert check(cluster(CNPG_CRD, same_release)) == []
