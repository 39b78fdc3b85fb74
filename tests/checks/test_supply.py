"""AIC-SUP-01: images pinned and from allowed registries."""

from __future__ import annotations

import pytest

from aicommons.checks.controls.supply import ImageRef, allowed
from tests.checks.security_support import ALLOWED_REGISTRIES, check_fixture, fixture_paths

CASES = fixture_paths("AIC-SUP-01")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path):
    check_fixture("AIC-SUP-01", path)


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        ("ubuntu:22.04", ("docker.io", "library/ubuntu", "22.04", None)),
        ("jupyter/scipy-notebook", ("docker.io", "jupyter/scipy-notebook", None, None)),
        (
            "quay.io/jupyter/base-notebook:2025-10-20",
            ("quay.io", "jupyter/base-notebook", "2025-10-20", None),
        ),
        ("localhost:5000/nb:1", ("localhost:5000", "nb", "1", None)),
        ("nvcr.io/nvidia/pytorch@sha256:ab", ("nvcr.io", "nvidia/pytorch", None, "sha256:ab")),
        ("index.docker.io/jupyter/base:1@sha256:cd", ("docker.io", "jupyter/base", "1", "sha256:cd")),
    ],
)
def test_image_references_parse_like_a_runtime(ref, parsed):
    image = ImageRef.parse(ref)
    assert (image.registry, image.repository, image.tag, image.digest) == parsed


@pytest.mark.parametrize(
    ("ref", "ok"),
    [
        ("jupyter/scipy-notebook:1", True),
        ("docker.io/jupyter/scipy-notebook:1", True),
        ("jupyterhub/k8s-hub:4", False),  # docker.io/jupyterhub is not docker.io/jupyter
        ("quay.io/anything/at-all:1", True),
        ("quay.io.evil.example/x:1", False),
        ("ghcr.io/fluent/fluent-bit:4", True),
    ],
)
def test_registry_prefixes_match_whole_path_segments(ref, ok):
    assert allowed(ImageRef.parse(ref), ALLOWED_REGISTRIES) is ok
