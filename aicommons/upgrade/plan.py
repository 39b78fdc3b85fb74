"""The upgrade plan: what is behind, and for each step the bundle diff, the release notes, whether
the new chart's values schema accepts the city's values, and the checks to run after.

Pure: the shell passes the committed bundle's files, the cached repository indexes, the newer
archives it found in the chart cache and today's date.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from aicommons import __version__
from aicommons.charts.indexes import is_newer, newest_release
from aicommons.charts.values_schema import (
    defaults_from_archive,
    schema_errors,
    schema_from_archive,
    with_defaults,
)
from aicommons.drift.bundle import unified_diff
from aicommons.profile.model import CityProfile
from aicommons.render.bundle import LOCK_FILE, render_bundle
from aicommons.render.infra_aws import KUBERNETES_VERSION
from aicommons.render.releases import ChartPin, Release, replaced_pins
from aicommons.sizing.plan import SizingPlan
from aicommons.upgrade import kubernetes as k8s
from aicommons.upgrade.changelogs import EKS_NOTES, KUBERNETES_CHANGELOG, changelog
from aicommons.yamlio import safe_load

INFRA_CONFIG = "pulumi/Pulumi.infra.yaml"
AUTOSCALER_VALUES = "helm/cluster-autoscaler.values.yaml"
DIFF_LINES = 120
NewArchive = Callable[[ChartPin], bytes | None]


@dataclass(frozen=True)
class ChartStep:
    release: str
    chart: str
    pinned: str
    newest: str | None
    status: str  # "behind", "up to date", "no index cached"
    changelog: str = ""
    schema: str = ""
    files_changed: list[str] = field(default_factory=list)
    diff: str = ""
    checks_after: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KubernetesStep:
    what: str  # "control plane", "node groups", "cluster autoscaler"
    from_version: str
    to_version: str
    notes: str
    checks_after: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UpgradePlan:
    city: str
    tool_installed: str
    tool_bundle: str | None
    kubernetes: dict[str, Any]
    kubernetes_steps: list[KubernetesStep]
    charts: list[ChartStep]
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _checks(profile: str) -> list[str]:
    return [
        f"aicommons plan {profile}",
        f"aicommons deploy {profile} --preview",
        f"aicommons validate {profile} --live",
        f"aicommons drift {profile}",
    ]


def _infra_version(files: Mapping[str, bytes] | None) -> str | None:
    if not files or INFRA_CONFIG not in files:
        return None
    config = (safe_load(files[INFRA_CONFIG], INFRA_CONFIG) or {}).get("config") or {}
    version = (config.get("aicommons:infra") or {}).get("kubernetes_version")
    return str(version) if version else None


def _autoscaler_tag(files: Mapping[str, bytes] | None) -> str | None:
    if not files or AUTOSCALER_VALUES not in files:
        return None
    values = safe_load(files[AUTOSCALER_VALUES], AUTOSCALER_VALUES) or {}
    tag = (values.get("image") or {}).get("tag")
    return str(tag) if tag else None


def _bundle_tool(files: Mapping[str, bytes] | None) -> str | None:
    if not files or LOCK_FILE not in files:
        return None
    try:
        return str(json.loads(files[LOCK_FILE]).get("aicommons_version"))
    except (ValueError, AttributeError):
        return None


def kubernetes_section(
    profile_arg: str, committed: Mapping[str, bytes] | None, today: date, on_aws: bool
) -> tuple[dict[str, Any], list[KubernetesStep], list[str]]:
    """The cluster's version (as the committed bundle pins it), what this tool renders, EKS's
    support of each, and the steps between them in the order the skew policy allows."""
    notes: list[str] = []
    if not on_aws:
        notes.append(
            "the cluster is the city's own: upgrade it with its own tooling, one minor at a time, the "
            "control plane before the nodes (Kubernetes version skew policy)"
        )
        return {"target": "existing cluster"}, [], notes
    current = _infra_version(committed) or KUBERNETES_VERSION
    if _infra_version(committed) is None:
        notes.append("no committed bundle: the Kubernetes version is the one a render pins")
    section = {
        "bundle": current,
        "tool_renders": KUBERNETES_VERSION,
        "newest_supported": k8s.newest_supported(),
        "support": {
            current: k8s.support_status(current, today),
            KUBERNETES_VERSION: k8s.support_status(KUBERNETES_VERSION, today),
        },
        "source": f"{k8s.EKS_SOURCE}, checked {k8s.EKS_CHECKED.isoformat()}",
        "autoscaler_image": _autoscaler_tag(committed),
    }
    if k8s.minor_of(k8s.newest_supported()) > k8s.minor_of(KUBERNETES_VERSION):
        notes.append(
            f"EKS offers {k8s.newest_supported()}; this aicommons renders {KUBERNETES_VERSION}: a newer "
            "aicommons release moves the pin after its charts and add-ons are checked against it"
        )
    steps: list[KubernetesStep] = []
    previous = current
    for minor in k8s.control_plane_path(current, KUBERNETES_VERSION):
        release_notes = KUBERNETES_CHANGELOG.format(minor=minor)
        steps += [
            KubernetesStep(
                "control plane", previous, minor, f"one minor at a time; {release_notes}; {EKS_NOTES}",
                _checks(profile_arg),
            ),
            KubernetesStep(
                "node groups", previous, minor,
                "after the control plane (a kubelet is never newer than the API server)",
                _checks(profile_arg),
            ),
            KubernetesStep(
                "cluster autoscaler", previous, minor,
                "its image's minor matches the control plane's (rendered with the bundle)",
                _checks(profile_arg),
            ),
        ]  # fmt: skip
        previous = minor
    return section, steps, notes


def new_pin(pin: ChartPin, entry: Mapping[str, Any]) -> ChartPin:
    digest = str(entry.get("digest") or "")
    return ChartPin(
        name=pin.name,
        repository=pin.repository,
        chart=pin.chart,
        version=str(entry["version"]),
        source="the repository's index.yaml in the chart cache (upgrade plan)",
        sha256=digest if len(digest) == 64 else "0" * 64,
        app_version=str(entry["appVersion"]) if entry.get("appVersion") else None,
    )


def _schema_verdict(release: Release, pin: ChartPin, archive: bytes | None) -> str:
    if archive is None:
        return (
            f"not checked: {pin.archive_name} is not in the chart cache (put it there to check the new "
            "values schema)"
        )
    schema = schema_from_archive(archive, pin.chart)
    if schema is None:
        return f"not checked: {pin.chart} {pin.version} has no values.schema.json"
    errors = schema_errors(schema, with_defaults(defaults_from_archive(archive, pin.chart), release.values))
    if not errors:
        return f"accepted: the current values conform to {pin.chart} {pin.version}'s values.schema.json"
    path, message, _ = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"REJECTED by {pin.chart} {pin.version}'s values.schema.json at {'.'.join(path) or '(values)'}: {message}{more}"


def upgrade_plan(
    profile: CityProfile,
    sizing: SizingPlan,
    profile_arg: str,
    committed: Mapping[str, bytes] | None,
    indexes: Mapping[str, Mapping[str, Any] | None],
    new_archive: NewArchive,
    today: date,
) -> UpgradePlan:
    """Every chart, the Kubernetes version and the tool against what is newer; deterministic."""
    current = render_bundle(profile, sizing)
    charts: list[ChartStep] = []
    for release in sorted(current.releases, key=lambda r: r.name):
        pin = release.pin
        if pin.repository is None:
            continue  # this project's own chart moves with the tool
        index = indexes.get(pin.repository)
        if index is None:
            charts.append(ChartStep(release.name, pin.chart, pin.version, None, "no index cached"))
            continue
        entry = newest_release(dict(index), pin.chart)
        if entry is None or not is_newer(str(entry["version"]), pin.version):
            newest = str(entry["version"]) if entry else None
            charts.append(ChartStep(release.name, pin.chart, pin.version, newest, "up to date"))
            continue
        upgraded = new_pin(pin, entry)
        with replaced_pins({release.name: upgraded}):
            after = render_bundle(profile, sizing).files
        changed = sorted(p for p in set(current.files) | set(after) if current.files.get(p) != after.get(p))
        diff = "".join(
            unified_diff(p, current.files.get(p, b""), after.get(p, b""), DIFF_LINES)[0]
            for p in changed
            if p != LOCK_FILE
        )
        charts.append(
            ChartStep(
                release.name,
                pin.chart,
                pin.version,
                upgraded.version,
                "behind",
                changelog(pin.chart, upgraded.version),
                _schema_verdict(release, upgraded, new_archive(upgraded)),
                changed,
                diff,
                _checks(profile_arg),
            )
        )
    section, steps, notes = kubernetes_section(
        profile_arg, committed, today, profile.target.provider == "aws"
    )
    if any(c.status == "no index cached" for c in charts):
        notes.append(
            "some repositories' indexes are not in the chart cache: run `aicommons charts pull "
            "--refresh-indexes` where there is network access"
        )
    bundle_tool = _bundle_tool(committed)
    if bundle_tool is not None and bundle_tool != __version__:
        notes.append(
            f"the committed bundle was rendered by aicommons {bundle_tool}; this is {__version__}: "
            f"`aicommons drift {profile_arg}` shows what a re-render changes"
        )
    return UpgradePlan(
        city=profile.city.slug,
        tool_installed=__version__,
        tool_bundle=bundle_tool,
        kubernetes=section,
        kubernetes_steps=steps,
        charts=charts,
        notes=notes,
    )
