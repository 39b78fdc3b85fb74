"""The version skew rules and EKS support, on cases worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from aicommons.upgrade import kubernetes as k8s


def test_the_control_plane_passes_every_minor_in_turn() -> None:
    # 1.32 -> 1.34 is two updates: 1.33, then 1.34
    assert k8s.control_plane_path("1.32", "v1.34.2") == ["1.33", "1.34"]
    assert k8s.control_plane_path("1.34", "1.34") == []


def test_a_node_group_ahead_of_the_control_plane_or_four_minors_behind_breaks_the_policy() -> None:
    problems = k8s.skew_problems("1.33", {"core": "1.34", "user": "1.29", "gpu": "1.30"})
    # core: 34 > 33, ahead; user: 33 - 29 = 4 > 3 behind; gpu: 33 - 30 = 3, allowed
    assert problems == [
        "node group core at 1.34 is ahead of the control plane at 1.33: upgrade the control plane first",
        "node group user at 1.29 is 4 minors behind the control plane at 1.33 (at most 3)",
    ]


def test_the_autoscaler_matches_the_control_plane_minor() -> None:
    assert k8s.skew_problems("1.34", {}, autoscaler="v1.34.2") == []
    assert k8s.skew_problems("1.34", {}, autoscaler="v1.33.6") == [
        "the cluster autoscaler v1.33.6 does not match the control plane minor 1.34"
    ]


def test_eks_support_ends_fourteen_months_after_release() -> None:
    # 1.34: released 2025-10-02; standard support until 2026-12-02 (14 months)
    assert k8s.support_status("1.34", date(2026, 12, 2)) == "standard support until 2026-12-02"
    assert k8s.support_status("1.34", date(2026, 12, 3)).startswith("extended support")
    for v in k8s.EKS_VERSIONS:
        months = (v.end_of_standard.year - v.released.year) * 12 + v.end_of_standard.month - v.released.month
        assert months == 14, v


def test_a_version_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Kubernetes version"):
        k8s.minor_of("latest")
