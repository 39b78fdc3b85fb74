"""Engine drift at its boundary: the deploy engine's preview stood in, per stack, in deploy order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aicommons.drift.engine import bundle_stacks, engine_drift
from aicommons.drift.run import Edges, run_drift
from tests.drift.conftest import StandInPreview, bundle_of

BUCKET = "urn:pulumi:infra::aicommons-riverton::aws:s3/bucketV2:BucketV2::home-datasets"
NETPOL = (
    "urn:pulumi:platform::aicommons-riverton::kubernetes:networking.k8s.io/v1:NetworkPolicy::default-deny"
)


def test_every_stack_is_previewed_in_deploy_order(city: Path) -> None:
    preview = StandInPreview()
    result = engine_drift(bundle_of(city), preview, backend_url="file:///state")
    assert preview.calls == [("infra", "file:///state"), ("platform", "file:///state")]
    assert result.status == "clean" and result.reason is None
    assert [s.stack for s in result.stacks or []] == ["infra", "platform"]


def test_a_changed_resource_is_drift_with_its_urn(city: Path) -> None:
    preview = StandInPreview(changes={"platform": [("update", NETPOL)], "infra": [("delete", BUCKET)]})
    result = engine_drift(bundle_of(city), preview, backend_url=None)
    assert result.status == "drifted"
    assert result.reason == "infra: 1 to delete; platform: 1 to update"
    infra, platform = result.stacks or []
    assert infra.changes == {"delete": 1, "same": 40} and infra.resources == [f"delete {BUCKET}"]
    assert platform.changed and platform.resources == [f"update {NETPOL}"]


def test_a_bundle_without_infra_has_only_the_platform_stack(city: Path) -> None:
    (bundle_of(city) / "pulumi" / "Pulumi.infra.yaml").unlink()
    assert bundle_stacks(bundle_of(city)) == ["platform"]


def test_a_missing_engine_is_skipped_by_default_and_unavailable_when_asked(city: Path) -> None:
    edges = Edges(
        preview=StandInPreview(missing="no `pulumi` CLI on the PATH"), live_inventory=None, today=date.today()
    )
    by_default = run_drift(city, edges)
    assert [(k.kind, k.status) for k in by_default.kinds] == [
        ("bundle", "clean"),
        ("engine", "skipped"),
        ("blueprint", "skipped"),
    ]
    assert by_default.of("engine").reason == "no `pulumi` CLI on the PATH"  # type: ignore[union-attr]
    asked = run_drift(city, edges, kinds=["engine"])
    assert [(k.kind, k.status, k.reason) for k in asked.kinds] == [
        ("engine", "unavailable", "no `pulumi` CLI on the PATH")
    ]


def test_no_engine_installed_at_all(city: Path) -> None:
    edges = Edges(preview=None, live_inventory=None, today=date.today())
    engine = run_drift(city, edges, kinds=["engine"]).kinds[0]
    assert (engine.status, engine.reason) == ("unavailable", "deploy engine not installed")


def test_the_real_deploy_engine_is_found() -> None:
    from aicommons.deploy.engine import preview_expect_no_changes
    from aicommons.drift.engine import load_preview

    assert load_preview() == (preview_expect_no_changes, "")
