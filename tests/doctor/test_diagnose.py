"""The doctor's core: every prerequisite judged at once from a snapshot, quotas worked out by hand."""

from __future__ import annotations

from pathlib import Path

from aicommons.doctor import blocking, diagnose, exit_code, needs_of, profile_needs
from aicommons.doctor.model import Needs, Probe, Snapshot
from aicommons.doctor.quotas import quota_group, quota_needs
from aicommons.errors import EXIT_MISSING_COMPONENT, EXIT_OK
from aicommons.profile import load_profile
from aicommons.sizing.plan import size
from tests.conftest import ROOT

# riverton's node groups at their maximum (aicommons size examples/cities/riverton.yaml)
RIVERTON_GROUPS = [
    ("t3.large", 1),
    ("m6i.2xlarge", 2),
    ("r6i.xlarge", 2),
    ("m6i.large", 2),
    ("g4dn.xlarge", 4),
]
VCPUS = {"t3.large": 2, "m6i.2xlarge": 8, "r6i.xlarge": 4, "m6i.large": 2, "g4dn.xlarge": 4}
STANDARD, G_AND_VT = "L-1216C47A", "L-DB2E81BA"


def aws_needs() -> Needs:
    quotas, _ = quota_needs(RIVERTON_GROUPS, VCPUS)
    return Needs(
        city="riverton",
        provider="aws",
        region="us-east-1",
        client_secret_env="AICOMMONS_OIDC_CLIENT_SECRET",
        hub_host="commons.riverton.example.gov",
        quotas=tuple(quotas),
    )


def present(needs: Needs, **change) -> Snapshot:  # type: ignore[no-untyped-def]
    base = {
        "pulumi_path": "/usr/local/bin/pulumi",
        "pulumi_version": Probe(value="v3.140.0"),
        "env_set": frozenset({"PULUMI_CONFIG_PASSPHRASE", "AICOMMONS_OIDC_CLIENT_SECRET"}),
        "aws_identity": Probe(value="arn:aws:iam::123456789012:user/ops"),
        "cluster": Probe(value="v1.33.1"),
        "dns": Probe(value="192.0.2.10"),
        "quotas": {q.code: Probe(value=str(float(q.vcpus))) for q in needs.quotas},
    }
    return Snapshot(**{**base, **change})


def test_quota_needs_sum_vcpus_at_max_nodes_per_family_group() -> None:
    quotas, unknown = quota_needs(RIVERTON_GROUPS, VCPUS)
    by_code = {q.code: q for q in quotas}
    # standard (t, m, r): 1 x 2 + 2 x 8 + 2 x 4 + 2 x 2 = 2 + 16 + 8 + 4 = 30 vCPUs
    assert by_code[STANDARD].vcpus == 30
    assert by_code[STANDARD].instance_types == ("m6i.2xlarge", "m6i.large", "r6i.xlarge", "t3.large")
    # G and VT: 4 x g4dn.xlarge x 4 vCPU = 16
    assert by_code[G_AND_VT].vcpus == 16 and by_code[G_AND_VT].detail == "4 x g4dn.xlarge (4 vCPU)"
    assert unknown == []


def test_an_instance_type_draws_on_its_familys_quota() -> None:
    codes = {
        t: (g.code if (g := quota_group(t)) else None) for t in ("p4d.24xlarge", "inf2.xlarge", "i4i.large")
    }
    assert codes == {"p4d.24xlarge": "L-417A185B", "inf2.xlarge": "L-2C3B7624", "i4i.large": STANDARD}
    assert quota_group("mac1.metal") is None
    _, unknown = quota_needs([("mac1.metal", 1), ("m6i.large", 1)], {"m6i.large": 2})
    assert unknown == ["mac1.metal"]


def test_everything_missing_is_reported_at_once_each_with_its_fix() -> None:
    needs = aws_needs()
    found = Snapshot(
        pulumi_path=None,
        env_set=frozenset(),
        aws_identity=Probe(error="no usable AWS credentials for us-east-1: Unable to locate credentials"),
        dns=Probe(error="Name or service not known"),
    )
    checks = diagnose(needs, found)
    status = {c.name: c.status for c in checks}
    assert status == {
        "pulumi CLI": "missing",
        "stack secrets passphrase": "missing",
        "OIDC client secret": "missing",
        "AWS credentials": "missing",
        f"EC2 quota {STANDARD}": "skipped",  # cannot be read without credentials
        f"EC2 quota {G_AND_VT}": "skipped",
        "hub DNS record": "missing",
    }
    assert all(c.fix for c in checks if c.status == "missing")
    assert exit_code(checks) == EXIT_MISSING_COMPONENT
    # the DNS record points at what the deploy makes: reported, not blocking
    assert [c.name for c in blocking(checks)] == [
        "pulumi CLI",
        "stack secrets passphrase",
        "OIDC client secret",
        "AWS credentials",
    ]
    secret = next(c for c in checks if c.name == "OIDC client secret")
    assert "export AICOMMONS_OIDC_CLIENT_SECRET=" in secret.fix


def test_everything_present_exits_0() -> None:
    needs = aws_needs()
    checks = diagnose(needs, present(needs))
    assert {c.status for c in checks} == {"ok"}
    assert exit_code(checks) == EXIT_OK
    aws = next(c for c in checks if c.name == "AWS credentials")
    assert "account 123456789012" in aws.detail


def test_a_new_accounts_gpu_quota_is_missing_with_the_increase_to_ask_for() -> None:
    needs = aws_needs()
    found = present(needs, quotas={STANDARD: Probe(value="32.0"), G_AND_VT: Probe(value="0.0")})
    checks = {c.name: c for c in diagnose(needs, found)}
    assert checks[f"EC2 quota {STANDARD}"].status == "ok"  # 32 >= 30
    gpu = checks[f"EC2 quota {G_AND_VT}"]
    assert gpu.status == "missing" and gpu.blocks_deploy
    assert "0 vCPUs allowed in us-east-1, the plan needs 16" in gpu.detail
    assert "new accounts" in gpu.detail
    assert "--quota-code L-DB2E81BA --desired-value 16" in gpu.fix
    # exactly enough passes: 16 >= 16
    found = present(needs, quotas={STANDARD: Probe(value="30"), G_AND_VT: Probe(value="16")})
    assert exit_code(diagnose(needs, found)) == EXIT_OK


def test_an_unreadable_quota_is_missing_and_says_which_permission() -> None:
    needs = aws_needs()
    found = present(
        needs, quotas={STANDARD: Probe(value="30"), G_AND_VT: Probe(error="AccessDeniedException")}
    )
    gpu = next(c for c in diagnose(needs, found) if c.name == f"EC2 quota {G_AND_VT}")
    assert gpu.status == "missing" and "servicequotas:GetServiceQuota" in gpu.fix


def test_a_pulumi_cli_older_than_the_automation_api_floor_is_missing() -> None:
    needs = Needs(pulumi_min_version="3.1.0")
    old = diagnose(needs, present(needs, pulumi_version=Probe(value="v3.0.5")))[0]
    assert old.status == "missing" and "v3.0.5" in old.detail and "3.1.0 or later" in old.detail
    broken = diagnose(needs, present(needs, pulumi_version=Probe(error="exec format error")))[0]
    assert broken.status == "missing" and "does not run" in broken.detail
    assert diagnose(needs, present(needs, pulumi_version=Probe(value="v3.1.0")))[0].status == "ok"


def test_a_cloud_key_instead_of_a_passphrase_skips_the_passphrase() -> None:
    needs = Needs(passphrase=False)
    check = diagnose(needs, present(needs, env_set=frozenset()))[1]
    assert (check.name, check.status) == ("stack secrets passphrase", "skipped")


def test_an_existing_cluster_needs_its_context_to_answer() -> None:
    needs = Needs(provider="kubernetes", kube_context="city-prod", needs_cluster=True)
    found = present(needs, cluster=Probe(error="the cluster behind context 'city-prod' is not reachable"))
    check = next(c for c in diagnose(needs, found) if c.name == "kubeconfig context")
    assert check.status == "missing" and "city-prod" in check.detail and "kubectl" in check.fix


def test_rivertons_profile_needs_its_plans_quotas() -> None:
    from aicommons.sizing.recorded import plan_for

    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    plan = plan_for(profile)  # the plan doctor and deploy use: chosen on the simulated cluster
    needs = profile_needs(profile, plan)
    assert (needs.provider, needs.region, needs.needs_cluster) == ("aws", "us-east-1", False)
    assert needs.client_secret_env == "AICOMMONS_OIDC_CLIENT_SECRET"
    groups = {g.instance_type: g.nodes.max for pool in plan.pools for g in pool.node_groups}
    assert groups == {"t3.medium": 2, "m6i.large": 12, "g4dn.xlarge": 8}
    # standard: 2 x t3.medium (2) + 12 x m6i.large (2) = 4 + 24 = 28; G and VT: 8 x g4dn.xlarge (4) = 32
    assert {q.code: q.vcpus for q in needs.quotas} == {STANDARD: 28, G_AND_VT: 32}
    # a deploy of the platform alone builds no node: no quota is needed
    assert profile_needs(profile, plan, stacks=("platform",)).quotas == ()


def test_an_existing_clusters_profile_needs_its_context_not_aws() -> None:
    path = Path(ROOT / "tests" / "fixtures" / "profiles" / "good" / "kubernetes-cluster.yaml")
    profile = load_profile(path)
    needs = needs_of(profile, size(profile), {})
    assert (needs.provider, needs.needs_cluster, needs.quotas) == ("kubernetes", True, ())
    assert needs.kube_context == profile.target.context  # type: ignore[union-attr]
    assert not any(c.name == "AWS credentials" for c in diagnose(needs, present(needs)))
