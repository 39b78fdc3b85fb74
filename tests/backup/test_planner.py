"""The restore planner: the nearest point before the date, and the hostile inputs it refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aicommons.backup.model import RecoveryPoint, home_claim, restored_claim, restored_mount, user_slug
from aicommons.backup.planner import parse_at, plan_restore, select_points
from aicommons.errors import EXIT_BAD_INPUT, InputError

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def point(day: int, user: str = "alice", hour: int = 3) -> RecoveryPoint:
    return RecoveryPoint(
        id=f"rp-{user}-{day}",
        store="homes",
        created=datetime(2026, 11, day, hour, tzinfo=UTC),
        size_gib=10,
        user=user,
        zone="us-east-1a",
    )


POINTS = [point(1), point(2), point(3), point(2, "bob")]


def test_the_newest_point_at_or_before_the_date_is_chosen() -> None:
    # --at 2026-11-02 means the end of that day: the 2nd's 03:00 point, not the 3rd's
    plan = plan_restore(POINTS, "alice", parse_at("2026-11-02"), NOW, ["alice", "bob"])
    assert plan.point.id == "rp-alice-2"
    # a moment before 03:00 on the 2nd falls back to the 1st
    early = plan_restore(POINTS, "alice", parse_at("2026-11-02T02:59"), NOW, ["alice", "bob"])
    assert early.point.id == "rp-alice-1"


def test_a_restore_mounts_a_new_claim_read_only_and_leaves_the_home_alone() -> None:
    plan = plan_restore(POINTS, "alice", parse_at("2026-11-03"), NOW, ["alice"])
    assert plan.claim == "restored-alice-20261103" and plan.claim != home_claim("alice")
    assert plan.mount_path == "/home/jovyan/restored-2026-11-03"
    assert not plan.replace
    assert any("zone us-east-1a" in s for s in plan.steps)


def test_replace_reuses_the_home_claim_and_says_it_checks_for_a_server() -> None:
    plan = plan_restore(POINTS, "alice", parse_at("2026-11-03"), NOW, ["alice"], replace=True)
    assert plan.claim == "claim-alice" and plan.mount_path is None
    assert plan.steps[0].startswith("check that 'alice' has no running server")


@pytest.mark.parametrize(
    ("user", "at", "field", "words"),
    [
        ("alice", "2026-12-07", "--at", "in the future"),
        ("mallory", "2026-11-02", "--user", "not a user of this hub"),
        ("alice", "2026-10-31", "--at", "before 'alice''s first backup (2026-11-01T03:00:00+00:00)"),
        ("carol", "2026-11-02", "--user", "no backup of their home"),
    ],
)
def test_hostile_inputs_are_located_bad_input(user: str, at: str, field: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        plan_restore(POINTS, user, parse_at(at), NOW, ["alice", "bob", "carol"])
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert caught.value.location is not None and caught.value.location.field == field
    assert words in caught.value.message


def test_an_unparseable_date_is_bad_input() -> None:
    with pytest.raises(InputError, match="is not a date"):
        parse_at("yesterday")


def test_listing_filters_by_user_newest_first() -> None:
    assert [p.id for p in select_points(POINTS, user="alice")] == ["rp-alice-3", "rp-alice-2", "rp-alice-1"]
    projects = [RecoveryPoint("rp-p", "project_volumes", NOW, 5, project="flood-model")]
    assert [p.id for p in select_points(POINTS + projects, project="flood-model")] == ["rp-p"]


def test_names_are_dns_safe_for_any_user_name() -> None:
    assert user_slug("alice") == "alice"
    odd = user_slug("Alice.Smith@city.gov")
    assert odd.startswith("u-") and len(odd) == 14
    assert restored_claim("Alice.Smith@city.gov", date(2026, 11, 2)) == f"restored-{odd}-20261102"
    assert restored_mount(date(2026, 11, 2)) == "/home/jovyan/restored-2026-11-02"
