"""Rendering the examples gives exactly the committed golden bundles (run `make golden` to update)."""

from __future__ import annotations

import difflib

import pytest

from tests.render.golden import GOLDEN, example_names, render_example


@pytest.mark.parametrize("name", example_names())
def test_bundle_matches_golden(name: str) -> None:
    fresh = render_example(name)
    folder = GOLDEN / name
    committed = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert sorted(fresh) == sorted(committed), "files added or removed: run `make golden` and review"
    for rel, blob in fresh.items():
        if blob != committed[rel]:
            diff = "\n".join(
                difflib.unified_diff(
                    committed[rel].decode().splitlines(),
                    blob.decode().splitlines(),
                    rel,
                    rel,
                    lineterm="",
                    n=1,
                )
            )
            pytest.fail(
                f"{rel} differs from the golden bundle (run `make golden` and review):\n{diff[:3000]}"
            )
