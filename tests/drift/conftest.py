"""A city's repository in a temporary folder: the riverton profile and its committed bundle."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aicommons.errors import MissingComponentError
from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.write import write_bundle
from aicommons.sizing.simulated import size_on_model
from tests.conftest import ROOT
from tests.ledger.conftest import run_cli  # noqa: F401  (the drift tests' entry point)

RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"


@pytest.fixture(scope="session")
def riverton_files() -> dict[str, bytes]:
    profile = load_profile(RIVERTON)
    return render_bundle(profile, size_on_model(profile).plan).files  # as `render` writes it


@pytest.fixture
def city(tmp_path: Path, riverton_files: dict[str, bytes]) -> Path:
    """`<tmp>/profile.yaml` with its bundle rendered and committed in `<tmp>/bundles/riverton`."""
    profile = tmp_path / "profile.yaml"
    shutil.copy(RIVERTON, profile)
    write_bundle(riverton_files, tmp_path / "bundles" / "riverton")
    return profile


def bundle_of(profile: Path) -> Path:
    return profile.parent / "bundles" / "riverton"


@dataclass
class StandInPreview:
    """Stands in for `aicommons.deploy.engine.preview_expect_no_changes`: canned results per stack."""

    changes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # stack -> [(op, urn)]
    missing: str | None = None
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def __call__(self, bundle_dir: Path, stack: str, *, backend_url: str | None):  # type: ignore[no-untyped-def]
        from aicommons.deploy.engine import EngineDriftResult
        from aicommons.deploy.events import ResourceChange

        self.calls.append((stack, backend_url))
        if self.missing:
            raise MissingComponentError(self.missing)
        found = [
            ResourceChange(op=op, urn=urn, type=urn.split("::")[-2])
            for op, urn in self.changes.get(stack, [])
        ]
        summary = {"same": 40}
        for change in found:
            summary[change.op] = summary.get(change.op, 0) + 1
        return EngineDriftResult(stack=stack, changes=tuple(found), summary=summary)


@pytest.fixture(autouse=True)
def ledger_anchor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder anchor: drift tests never reach AWS for the audit bucket."""
    folder = tmp_path / "ledger-anchor"
    monkeypatch.setenv("AICOMMONS_LEDGER_ANCHOR", str(folder))
    return folder
