"""The platform stack's offline inventory: namespaces, policies, storage and pinned releases."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from aicommons.errors import InputError
from aicommons.plan import PlannedResource, StackPlan
from tests.stacks import riverton

RELEASE = "kubernetes:helm.sh/v3:Release"


def releases(plan: StackPlan) -> dict[str, PlannedResource]:
    return {r.inputs["name"]: r for r in plan.resources if r.type == RELEASE}


def of_type(plan: StackPlan, type_: str) -> list[PlannedResource]:
    return [r for r in plan.resources if r.type == type_]


def test_namespaces_carry_pod_security_labels(platform: StackPlan) -> None:
    labels = {
        r.inputs["metadata"]["name"]: r.inputs["metadata"]["labels"]
        for r in of_type(platform, "kubernetes:core/v1:Namespace")
    }
    assert sorted(labels) == ["aicommons-system", "jupyter-users", "jupyterhub"]
    assert labels["jupyter-users"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["aicommons-system"]["pod-security.kubernetes.io/enforce"] == "privileged"


def test_every_namespace_starts_with_default_deny(platform: StackPlan) -> None:
    policies = of_type(platform, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    assert sorted(p.inputs["metadata"]["namespace"] for p in policies) == [
        "aicommons-system",
        "jupyter-users",
        "jupyterhub",
    ]
    for p in policies:
        assert p.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_default_deny_can_be_turned_off(bundle: Path, infra: StackPlan) -> None:
    config = riverton.platform_config()
    config["aicommons:platform"]["namespaces"][2]["default_deny"] = False
    plan = riverton.plan_platform(bundle, infra, config)
    namespaces = [
        p.inputs["metadata"]["namespace"] for p in plan.resources if p.type.endswith(":NetworkPolicy")
    ]
    assert "aicommons-system" not in namespaces and len(namespaces) == 2


def test_storage_class_retains_volumes(platform: StackPlan) -> None:
    (sc,) = of_type(platform, "kubernetes:storage.k8s.io/v1:StorageClass")
    assert sc.inputs["reclaimPolicy"] == "Retain"
    assert sc.inputs["parameters"] == {"encrypted": "true", "type": "gp3"}
    assert sc.inputs["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}


def test_releases_are_pinned_and_values_come_from_the_files(platform: StackPlan) -> None:
    found = releases(platform)
    assert sorted(found) == sorted(r["name"] for r in riverton.PLATFORM["releases"])
    for spec in riverton.PLATFORM["releases"]:
        release = found[spec["name"]]
        assert release.inputs["version"] == spec["version"]
        assert release.inputs["namespace"] == spec["namespace"]
        if spec["repository"]:
            assert release.inputs["repositoryOpts"] == {"repo": spec["repository"]}
            assert release.inputs["chart"] == spec["chart"]
    hub = found["jupyterhub"].inputs["values"]
    assert hub["singleuser"] == riverton.VALUES["jupyterhub"]["singleuser"]
    assert hub["hub"]["config"]["GenericOAuthenticator"]["client_id"] == "aicommons-hub"
    assert found["nvidia-device-plugin"].inputs["values"] == riverton.VALUES["nvidia-device-plugin"]


def test_local_chart_is_found_relative_to_the_project(platform: StackPlan) -> None:
    local = releases(platform)["aicommons-platform"].inputs
    assert local["chart"] == "../charts/aicommons-platform"
    assert "repositoryOpts" not in local


def test_secret_value_is_set_as_a_secret_and_never_in_plain_text(platform: StackPlan) -> None:
    hub = releases(platform)["jupyterhub"].inputs["values"]
    assert hub["hub"]["config"]["GenericOAuthenticator"]["client_secret"] == "[secret]"
    dump = platform.model_dump_json()
    assert riverton.OIDC_SECRET not in dump
    assert riverton.OIDC_SECRET[8:20] not in dump


def test_infra_outputs_reach_the_values(platform: StackPlan, infra: StackPlan) -> None:
    found = releases(platform)
    scaler = found["cluster-autoscaler"].inputs["values"]["rbac"]["serviceAccount"]
    assert scaler["annotations"] == {"eks.amazonaws.com/role-arn": infra.outputs["autoscalerRoleArn"]}
    assert scaler["name"] == "cluster-autoscaler"  # the file's keys stay
    shipper = found["fluent-bit"].inputs["values"]["serviceAccount"]["annotations"]
    assert shipper["eks.amazonaws.com/role-arn"] == infra.outputs["logShipperRoleArn"]
    sink = found["aicommons-platform"].inputs["values"]["audit"]["sink"]
    assert sink == {"type": "s3", "s3": {"bucket": infra.outputs["auditBucket"]}}


def test_kubeconfig_comes_from_the_infra_stack_as_a_secret(platform: StackPlan) -> None:
    (ref,) = of_type(platform, "pulumi:pulumi:StackReference")
    assert ref.inputs["name"] == riverton.INFRA_STACK_REF
    (provider,) = of_type(platform, "pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == "[secret]"
    kube = [r for r in platform.resources if r.type.startswith("kubernetes:")]
    assert kube and all(r.provider == provider.urn for r in kube)


def test_existing_cluster_uses_a_kube_context(bundle: Path) -> None:
    config = riverton.platform_config()
    config["aicommons:platform"] |= {"provider": "onprem", "kube_context": "harbourview", "infra_stack": None}
    for release in config["aicommons:platform"]["releases"]:
        release["stack_output_values"] = {}
    plan = riverton.plan_platform(bundle, None, config)
    (provider,) = of_type(plan, "pulumi:providers:kubernetes")
    assert provider.inputs == {"context": "harbourview"}
    assert not of_type(plan, "pulumi:pulumi:StackReference")


def test_releases_wait_for_their_namespace_and_dependencies(platform: StackPlan) -> None:
    found = releases(platform)
    assert found["jupyterhub"].inputs["createNamespace"] is False  # made by the stack, with labels
    assert found["cluster-autoscaler"].inputs["createNamespace"] is False  # kube-system exists


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["releases"][1].update(depends_on=["nope"]), "unknown release 'nope'"),
        (lambda p: p["releases"][0].update(depends_on=["jupyterhub"]), "dependency cycle"),
        (lambda p: p["releases"][0].update(values_file="helm/missing.yaml"), "helm/missing.yaml not found"),
        (lambda p: p.update(kube_context=None, infra_stack=None), "stack_output_values .* need infra_stack"),
        (lambda p: p["releases"][1].update(secret_values={"a..b": "k"}), "values path 'a..b': empty key"),
        (
            lambda p: p["manifests"][0]["object"].update(data={}),
            r"manifests\[0\]\.object: an object with apiVersion",
        ),
        (
            lambda p: p["manifests"][0].update(after=["nope"]),
            r"manifests\[Cluster/jupyterhub/hub-db\]\.after: unknown release 'nope'",
        ),
        (
            lambda p: p["releases"][1].update(after_manifests=["Cluster/jupyterhub/other"]),
            r"releases\[jupyterhub\]\.after_manifests: unknown manifest 'Cluster/jupyterhub/other'",
        ),
        (
            lambda p: p["manifests"][0].update(after=["jupyterhub"]),
            r"dependency cycle .*release jupyterhub -> manifest Cluster/jupyterhub/hub-db -> release jupyterhub",
        ),
    ],
)
def test_bad_platform_arguments_are_input_errors(
    bundle: Path, infra: StackPlan, change, message: str
) -> None:
    config = riverton.platform_config()
    change(config["aicommons:platform"])
    with pytest.raises(InputError, match=message):
        riverton.plan_platform(bundle, infra, copy.deepcopy(config))


def test_missing_infra_output_is_reported(bundle: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"outputs \['auditBucket', 'autoscalerRoleArn', 'kubeconfig', 'logShipperRoleArn'\] are missing",
    ):
        riverton.plan_platform(bundle, None)


def test_the_hub_database_comes_after_its_operator_and_before_the_hub(platform: StackPlan) -> None:
    """Defect 2: the hub reads hub-db-app, which CloudNativePG makes from the Cluster; the
    jupyterhub release waits for the hub, so the Cluster must exist before it, and after the
    cloudnative-pg release that installs its CRD."""
    (db,) = of_type(platform, "kubernetes:postgresql.cnpg.io/v1:Cluster")
    found = releases(platform)
    assert db.urn in found["jupyterhub"].dependencies
    assert found["cloudnative-pg"].urn in db.dependencies
    assert found["jupyterhub"].urn not in db.dependencies
    # releases that do not read the database do not wait for it
    assert db.urn not in found["cluster-autoscaler"].dependencies


def test_manifests_are_typed_objects_after_the_releases(platform: StackPlan) -> None:
    (db,) = of_type(platform, "kubernetes:postgresql.cnpg.io/v1:Cluster")
    assert db.name == "manifests-cluster-jupyterhub-hub-db"
    assert db.inputs["spec"] == {"instances": 2, "storage": {"size": "10Gi"}}
    assert db.inputs["metadata"] == {"name": "hub-db", "namespace": "jupyterhub"}
    assert db.protect  # the hub's database holds state


def test_a_platform_without_manifests_has_none(bundle: Path, infra: StackPlan) -> None:
    config = riverton.platform_config()
    del config["aicommons:platform"]["manifests"]
    config["aicommons:platform"]["releases"][1]["after_manifests"] = []
    plan = riverton.plan_platform(bundle, infra, config)
    assert not [r for r in plan.resources if "Manifests" in r.type or "cnpg" in r.type]
