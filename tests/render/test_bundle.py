"""What a rendered bundle must guarantee a city, whatever the example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aicommons.errors import InputError
from aicommons.profile import load_profile, load_profile_text
from aicommons.render.bundle import LOCK_FILE, render_bundle
from aicommons.render.write import write_bundle
from aicommons.resources import data_dir
from aicommons.sizing.plan import size

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "cities").glob("*.yaml"))


def _bundle(path: Path):
    profile = load_profile(path)
    plan = size(profile)
    return profile, plan, render_bundle(profile, plan)


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def rendered(request):
    return _bundle(request.param)


def _values(bundle, release: str) -> dict:
    return yaml.safe_load(bundle.files[f"helm/{release}.values.yaml"])


def test_rendering_twice_is_byte_identical(rendered) -> None:
    profile, plan, bundle = rendered
    again = render_bundle(profile, plan)
    assert again.files == bundle.files


def test_every_profile_selects_a_pool_that_exists_with_its_taints_tolerated(rendered) -> None:
    _, plan, bundle = rendered
    hub = _values(bundle, "jupyterhub")
    groups = (bundle.infra or {}).get("node_pools", [])
    for entry in hub["singleuser"]["profileList"]:
        override = entry["kubespawner_override"]
        pool_name = override["node_selector"]["aicommons.dev/pool"]
        sized = next(p for p in plan.pools if p.name == pool_name)
        assert entry["slug"] in sized.workloads
        if groups:  # AWS: every node group of the pool carries exactly these labels and taints
            mine = [g for g in groups if g["pool"] == pool_name]
            # one EKS group per zone of each of the plan's node groups (core: one for all zones)
            assert sorted({g["group"] for g in mine}) == sorted(g.name for g in sized.node_groups)
            for group in mine:
                assert override["node_selector"].items() <= group["labels"].items()
                tolerated = {(t["key"], t["value"]) for t in override["tolerations"]}
                assert {(t["key"], t["value"]) for t in group["taints"]} <= tolerated


def test_gpu_profiles_request_gpus_and_cpu_profiles_do_not(rendered) -> None:
    _, plan, bundle = rendered
    hub = _values(bundle, "jupyterhub")
    sized = {w.name: w for w in plan.workloads}
    for entry in hub["singleuser"]["profileList"]:
        override = entry["kubespawner_override"]
        gpu = sized[entry["slug"]].gpu
        if gpu:
            assert override["extra_resource_limits"] == {"nvidia.com/gpu": str(gpu)}
            assert override["extra_pod_config"]["activeDeadlineSeconds"] > 0
        else:
            assert "extra_resource_limits" not in override
        assert override["cpu_guarantee"] <= override["cpu_limit"]


def test_hub_is_safe_by_default(rendered) -> None:
    profile, _, bundle = rendered
    hub = _values(bundle, "jupyterhub")
    config = hub["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "generic-oauth"
    assert config["JupyterHub"]["admin_access"] is False
    assert config["GenericOAuthenticator"]["allowed_groups"]
    assert hub["proxy"]["https"]["enabled"] is True
    assert hub["cull"]["enabled"] is True
    assert hub["cull"]["timeout"] == profile.governance.idle_cull_minutes * 60
    rules = hub["singleuser"]["networkPolicy"]["egressAllowRules"]
    assert rules["privateIPs"] is False and rules["cloudMetadataServer"] is False
    assert hub["singleuser"]["extraPodConfig"]["automountServiceAccountToken"] is False


def test_hub_database_is_sqlite_for_pilots_and_postgres_above(rendered) -> None:
    profile, _, bundle = rendered
    hub = _values(bundle, "jupyterhub")
    if profile.effective_tier == "pilot":
        assert hub["hub"]["db"]["type"] == "sqlite-pvc"
        assert not bundle.platform["manifests"]
    else:
        assert hub["hub"]["db"]["type"] == "other"
        assert hub["hub"]["extraEnv"]["HUB_DB_URI"]["valueFrom"]["secretKeyRef"]["name"] == "hub-db-app"
        # the hub database, then its scheduled backups where there is a store to write to (AWS: the
        # backups bucket; elsewhere backup.store)
        backed_up = profile.target.provider == "aws" or profile.backup.store is not None
        kinds = ["Cluster", "ScheduledBackup"] if backed_up else ["Cluster"]
        assert [m["object"]["kind"] for m in bundle.platform["manifests"]] == kinds
        # created after the operator (its CRD) and before the hub that reads hub-db-app (defect 2)
        assert bundle.platform["manifests"][0]["after"] == ["cloudnative-pg"]
        (hub_release,) = [r for r in bundle.platform["releases"] if r["name"] == "jupyterhub"]
        assert hub_release["after_manifests"] == ["Cluster/jupyterhub/hub-db"]


def test_releases_are_pinned_and_listed_in_the_lock(rendered) -> None:
    _, _, bundle = rendered
    lock = json.loads(bundle.files[LOCK_FILE])
    assert {c["release"] for c in lock["charts"]} == {r.name for r in bundle.releases}
    for release in bundle.platform["releases"]:
        assert release["version"]
        assert release["values_file"] in bundle.files
    files = {k for k in bundle.files if k != LOCK_FILE}
    assert set(lock["files"]) == files
    assert lock["profile_digest"].startswith("sha256:")


def test_stack_config_parses_with_the_stack_programs_own_arguments(rendered) -> None:
    _, _, bundle = rendered
    sys.path.insert(0, str(data_dir("stacks")))
    try:
        from aicommons_stacks.args import InfraArgs, PlatformArgs, parse
    finally:
        sys.path.remove(str(data_dir("stacks")))
    platform_yaml = yaml.safe_load(bundle.files["pulumi/Pulumi.platform.yaml"])["config"][
        "aicommons:platform"
    ]
    assert parse(PlatformArgs, platform_yaml).releases
    if bundle.infra is not None:
        infra_yaml = yaml.safe_load(bundle.files["pulumi/Pulumi.infra.yaml"])["config"]["aicommons:infra"]
        infra = parse(InfraArgs, infra_yaml)
        gpu_pools = [p for p in infra.node_pools if p.role == "gpu"]
        assert all(p.min_size == 0 for p in gpu_pools)
        assert all(any(t.key == "nvidia.com/gpu" for t in p.taints) for p in gpu_pools)
        audit = next(b for b in infra.buckets if b.purpose == "audit")
        assert audit.object_lock_days is not None and audit.object_lock_days >= 365


def test_project_chart_accepts_the_rendered_values_with_real_helm(rendered) -> None:
    helm_python = pytest.importorskip("helm_python")
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    profile, plan, bundle = rendered
    values = _values(bundle, "aicommons-platform")
    chart = ROOT / "charts" / "aicommons-platform"
    out = helm_python.Chart.load(str(chart)).render(
        values=values, name="aicommons-platform", namespace="aicommons-system"
    )
    docs = [d for text in out.values() for d in yaml.safe_load_all(text) if d]
    for doc in docs:
        kubernetes_validate.validate(doc, "1.31.0", strict=True)
    quota = next(d for d in docs if d["kind"] == "ResourceQuota")
    gpu_slots = sum(p.allocatable.gpu * p.nodes.max for p in plan.pools if p.role == "gpu")
    assert int(quota["spec"]["hard"]["requests.nvidia.com/gpu"]) == gpu_slots
    provenance = next(
        d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("provenance")
    )
    assert json.dumps(provenance).count(json.loads(bundle.files[LOCK_FILE])["profile_digest"]) == 1
    fluent_bit = _values(bundle, "fluent-bit")
    config_maps = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    assert fluent_bit["existingConfigMap"] in config_maps


def test_no_secret_ever_lands_in_a_rendered_file(tmp_path: Path) -> None:
    secret = "s3cr3t-OIDC-value-7f2b9c"
    env = {**os.environ, "AICOMMONS_OIDC_CLIENT_SECRET": secret}
    out = tmp_path / "bundle"
    result = subprocess.run(
        [sys.executable, "-m", "aicommons.cli", "render", str(EXAMPLES[0]), "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert secret.encode() not in path.read_bytes(), path
    platform = yaml.safe_load((out / "pulumi" / "Pulumi.platform.yaml").read_text())
    hub = next(r for r in platform["config"]["aicommons:platform"]["releases"] if r["name"] == "jupyterhub")
    assert hub["secret_values"] == {"hub.config.GenericOAuthenticator.client_secret": "oidcClientSecret"}


def test_render_needs_identity_and_hub() -> None:
    text = (ROOT / "examples" / "cities" / "riverton.yaml").read_text()
    without = text.split("\nhub:\n")[0] + "\n"
    profile = load_profile_text(without, "riverton.yaml")
    with pytest.raises(InputError) as err:
        render_bundle(profile, size(profile))
    assert "identity" in err.value.render() and "hub" in err.value.render()


class TestWriter:
    def test_replaces_its_own_files_removes_stale_ones_and_keeps_the_citys(self, tmp_path: Path) -> None:
        _, _, bundle = _bundle(EXAMPLES[-1])
        out = tmp_path / "b"
        write_bundle(bundle.files, out)
        (out / "NOTES.md").write_text("the city's own notes")
        fewer = {k: v for k, v in bundle.files.items() if k != "helm/fluent-bit.values.yaml"}
        lock = json.loads(fewer[LOCK_FILE])
        del lock["files"]["helm/fluent-bit.values.yaml"]
        fewer[LOCK_FILE] = json.dumps(lock).encode()
        report = write_bundle(fewer, out)
        assert report.removed == ["helm/fluent-bit.values.yaml"]
        assert not (out / "helm" / "fluent-bit.values.yaml").exists()
        assert (out / "NOTES.md").read_text() == "the city's own notes"

    def test_refuses_a_folder_that_holds_something_else(self, tmp_path: Path) -> None:
        _, _, bundle = _bundle(EXAMPLES[-1])
        (tmp_path / "keep.txt").write_text("precious")
        with pytest.raises(InputError, match="not empty"):
            write_bundle(bundle.files, tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]

    def test_a_city_file_where_the_bundle_puts_one_is_refused_and_nothing_is_written(
        self, tmp_path: Path
    ) -> None:
        _, _, bundle = _bundle(EXAMPLES[-1])
        out, fluent_bit = tmp_path / "b", "helm/fluent-bit.values.yaml"
        write_bundle(_without(bundle.files, fluent_bit), out)  # an earlier bundle without that file
        (out / fluent_bit).write_text("# the city's own values\n")
        (out / "README.md").write_text("changed by hand")  # the lock lists it: aicommons's to replace
        with pytest.raises(InputError) as err:
            write_bundle(bundle.files, out)
        assert f"would replace them: {fluent_bit}; nothing was written" in err.value.render()
        assert "--force" in err.value.render()
        assert (out / fluent_bit).read_text() == "# the city's own values\n"
        assert (out / "README.md").read_text() == "changed by hand"

    def test_force_keeps_the_citys_file_names_it_and_the_lock_leaves_it_out(self, tmp_path: Path) -> None:
        _, _, bundle = _bundle(EXAMPLES[-1])
        out, fluent_bit = tmp_path / "b", "helm/fluent-bit.values.yaml"
        write_bundle(_without(bundle.files, fluent_bit), out)
        (out / fluent_bit).write_text("# the city's own values\n")
        (out / "NOTES.md").write_text("notes")
        report = write_bundle(bundle.files, out, force=True)
        assert report.not_written == [fluent_bit] and report.kept == ["NOTES.md", fluent_bit]
        assert (out / fluent_bit).read_text() == "# the city's own values\n"
        lock = json.loads((out / LOCK_FILE).read_text())
        assert fluent_bit not in lock["files"] and "README.md" in lock["files"]
        # the next render still treats it as the city's: refused without --force, kept with it
        with pytest.raises(InputError, match="fluent-bit.values.yaml"):
            write_bundle(bundle.files, out)
        assert write_bundle(bundle.files, out, force=True).kept == ["NOTES.md", fluent_bit]
        assert (out / fluent_bit).read_text() == "# the city's own values\n"

    def test_force_into_a_folder_without_a_bundle_overwrites_nothing(self, tmp_path: Path) -> None:
        _, _, bundle = _bundle(EXAMPLES[-1])
        (tmp_path / "README.md").write_text("our deployment notes")
        (tmp_path / "pulumi").mkdir()
        (tmp_path / "pulumi" / "Pulumi.yaml").write_bytes(bundle.files["pulumi/Pulumi.yaml"])  # identical
        report = write_bundle(bundle.files, tmp_path, force=True)
        assert (tmp_path / "README.md").read_text() == "our deployment notes"
        assert report.not_written == ["README.md"] and report.kept == ["README.md"]
        assert "pulumi/Pulumi.yaml" in report.unchanged  # the same bytes: nothing is in the way
        assert set(json.loads((tmp_path / LOCK_FILE).read_text())["files"]) == set(bundle.files) - {
            LOCK_FILE,
            "README.md",
        }

    def test_a_tampered_lock_cannot_delete_outside_the_bundle(self, tmp_path: Path) -> None:
        _, _, bundle = _bundle(EXAMPLES[-1])
        out = tmp_path / "b"
        write_bundle(bundle.files, out)
        victim = tmp_path / "victim.txt"
        victim.write_text("outside")
        lock = json.loads((out / LOCK_FILE).read_text())
        lock["files"]["../victim.txt"] = "sha256:0"
        (out / LOCK_FILE).write_text(json.dumps(lock))
        write_bundle(bundle.files, out)
        assert victim.read_text() == "outside"


def _without(files: dict[str, bytes], rel: str) -> dict[str, bytes]:
    """A bundle without one file, its lock not listing it (as an earlier render would have left it)."""
    fewer = {k: v for k, v in files.items() if k != rel}
    lock = json.loads(fewer[LOCK_FILE])
    del lock["files"][rel]
    fewer[LOCK_FILE] = json.dumps(lock).encode()
    return fewer


def test_render_force_keeps_a_hand_written_file_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.ledger.conftest import run_cli

    out = tmp_path / "bundle"
    out.mkdir()
    (out / "README.md").write_text("how we deploy, by hand")
    code, _, err = run_cli(monkeypatch, capsys, "render", str(EXAMPLES[0]), "-o", str(out))
    assert code == 2 and "holds no aicommons bundle; nothing was written" in err
    code, stdout, err = run_cli(monkeypatch, capsys, "render", str(EXAMPLES[0]), "-o", str(out), "--force")
    assert code == 0, err
    assert (out / "README.md").read_text() == "how we deploy, by hand"
    assert (
        "kept 1 file(s) aicommons did not write: README.md (the bundle's own README.md not written" in stdout
    )
    assert (out / LOCK_FILE).is_file() and (out / "pulumi" / "Pulumi.yaml").is_file()


def test_rerender_keeps_what_the_pulumi_engine_wrote_into_stack_files(tmp_path: Path) -> None:
    _, _, bundle = _bundle(EXAMPLES[-1])
    out = tmp_path / "b"
    write_bundle(bundle.files, out)
    stack_file = out / "pulumi" / "Pulumi.platform.yaml"
    data = yaml.safe_load(stack_file.read_text())
    data["encryptionsalt"] = "v1:abc123:salt"
    data["config"]["aicommons:oidcClientSecret"] = {"secure": "v1:ciphertext=="}
    stack_file.write_text(yaml.safe_dump(data))
    report = write_bundle(bundle.files, out)  # an unchanged profile: nothing to do
    assert "pulumi/Pulumi.platform.yaml" in report.unchanged
    changed = {
        **bundle.files,
        "pulumi/Pulumi.platform.yaml": bundle.files["pulumi/Pulumi.platform.yaml"].replace(
            b"kube_context", b"kube_context", 1
        )
        + b"# changed\n",
    }
    write_bundle(changed, out)  # a real change is written, and the engine's keys survive it
    after = yaml.safe_load(stack_file.read_text())
    assert after["encryptionsalt"] == "v1:abc123:salt"
    assert after["config"]["aicommons:oidcClientSecret"] == {"secure": "v1:ciphertext=="}
