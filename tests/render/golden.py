"""Golden bundles: the generated files of each example city, committed for review.

Copied trees (the stack program and the project's chart) are left out: they are the
repository's own files, and the lock file records their digests.
"""

from __future__ import annotations

from pathlib import Path

from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.files import FileMap
from aicommons.sizing.simulated import size_on_model

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = ROOT / "examples" / "cities"
COPIED = ("pulumi/aicommons_stacks/", "helm/charts/")


def generated(files: FileMap) -> FileMap:
    return {k: v for k, v in files.items() if not k.startswith(COPIED)}


def render_example(name: str) -> FileMap:
    profile = load_profile(EXAMPLES / f"{name}.yaml")
    # The plan `render` writes: chosen on the running-cluster model (sizing/simulated.py).
    return generated(render_bundle(profile, size_on_model(profile).plan).files)


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def regenerate() -> None:
    for name in example_names():
        folder = GOLDEN / name
        for old in sorted(folder.rglob("*"), reverse=True) if folder.exists() else []:
            old.unlink() if old.is_file() else old.rmdir()
        for rel, blob in render_example(name).items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
        print(f"golden bundle for {name} written to {folder.relative_to(ROOT)}")


if __name__ == "__main__":
    regenerate()
