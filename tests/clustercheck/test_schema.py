"""Kubernetes schema validity (kubernetes-validate) at the target version."""

from __future__ import annotations

from aicommons.clustercheck.admission import check, notes
from aicommons.clustercheck.schema import schema_version
from tests.clustercheck.objects import cluster, container, pod_spec, workload


def test_an_unknown_field_is_refused() -> None:
    dep = workload(
        "Deployment", "web", pod_spec(container("app", resource={"cpu": 1}))
    )  # "resource", not "resources"
    [f] = check(cluster(dep))
    assert (f.rule, f.object) == ("schema", "Deployment/team/web")
    assert "spec.template.spec.containers.0" in f.message and "'resource' was unexpected" in f.message


def test_a_removed_api_version_is_refused() -> None:
    pdb = {
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "p", "namespace": "team"},
    }
    [f] = check(cluster(pdb))
    assert "serves no PodDisruptionBudget in policy/v1beta1" in f.message


def test_custom_resources_are_skipped_and_said_so() -> None:
    cr = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "db", "namespace": "team"},
        "spec": {"instances": 1},
    }
    c = cluster(cr)
    assert check(c) == []
    assert notes(c) == [
        "schema: 1 custom resources not validated (no schema): Cluster (postgresql.cnpg.io/v1)"
    ]


def test_a_target_newer_than_the_bundled_schemas_uses_the_newest_and_says_so() -> None:
    assert schema_version("1.34") == ("1.34", "")
    used, note = schema_version("1.99")
    assert note == f"validated against Kubernetes {used}: kubernetes-validate has no 1.99 schema"
    dep = workload("Deployment", "web", pod_spec(container("app", resource={})))
    [f] = check(cluster(dep, version="1.99"))
    assert f"(validated against Kubernetes {used}" in f.message
