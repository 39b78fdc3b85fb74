"""The profile's `service` and `users.sessions` sections: defaults, bounds, located errors, old digests."""

from __future__ import annotations

import pytest

from aicommons.errors import ErrorGroup
from aicommons.profile.service import ServiceLevel, Sessions, service_level, sessions
from aicommons.profile.starter import TIERS, starter_profile
from aicommons.render.bundle import profile_digest
from tests.conftest import load_dict, make_profile


def test_unset_sections_take_the_documented_defaults() -> None:
    profile = load_dict(make_profile())
    level = service_level(profile)
    assert (level.start_wait_p95_minutes.cpu, level.start_wait_p95_minutes.gpu) == (5.0, 15.0)
    assert level.max_failed_starts_per_month == 0
    s = sessions(profile)
    assert (s.median_hours, s.spread, s.self_stop_share, s.end_of_day_share) == (1.5, 0.8, 0.3, 0.3)


def test_set_sections_are_read_back() -> None:
    profile = load_dict(
        make_profile(
            users={
                "registered": 100,
                "peak_concurrent": 20,
                "sessions": {
                    "median_hours": 3,
                    "spread": 0.5,
                    "self_stop_share": 0.1,
                    "end_of_day_share": 0.6,
                },
            },
            service={"start_wait_p95_minutes": {"cpu": 2, "gpu": 9}, "max_failed_starts_per_month": 4},
        )
    )
    assert service_level(profile) == ServiceLevel.model_validate(
        {"start_wait_p95_minutes": {"cpu": 2, "gpu": 9}, "max_failed_starts_per_month": 4}
    )
    assert sessions(profile) == Sessions(
        median_hours=3, spread=0.5, self_stop_share=0.1, end_of_day_share=0.6
    )


def test_unset_sections_leave_the_profile_dump_and_digest_as_before() -> None:
    """Lock files of existing cities must not change: no `service` or `sessions` key appears."""
    plain = load_dict(make_profile())
    dumped = plain.model_dump(mode="json")
    assert "service" not in dumped and "sessions" not in dumped["users"]
    with_service = load_dict(make_profile(service={"max_failed_starts_per_month": 0}))
    assert with_service.model_dump(mode="json")["service"]["max_failed_starts_per_month"] == 0
    assert profile_digest(with_service) != profile_digest(plain)  # a set section is an input


@pytest.mark.parametrize(
    ("section", "field", "allowed"),
    [
        (
            {"service": {"start_wait_p95_minutes": {"cpu": 0}}},
            "service.start_wait_p95_minutes.cpu",
            "greater than 0",
        ),
        ({"service": {"start_wait_p95_minutes": {"gpu": 500}}}, "service.start_wait_p95_minutes.gpu", "120"),
        ({"service": {"max_failed_starts_per_month": -1}}, "service.max_failed_starts_per_month", "0"),
        ({"service": {"start_wait_p95": 5}}, "service.start_wait_p95", None),
    ],
)
def test_bad_service_values_give_a_located_error(section: dict, field: str, allowed: str | None) -> None:
    with pytest.raises(ErrorGroup) as caught:
        load_dict(make_profile(**section), "city.yaml")
    errors = caught.value.errors
    assert len(errors) == 1, caught.value.render()
    err = errors[0]
    assert err.location is not None and err.location.field == field
    assert err.location.file == "city.yaml" and err.location.line
    if allowed:
        assert allowed in (err.allowed or "") + err.message


def test_session_shares_over_one_are_refused_where_they_are_written() -> None:
    # 0.7 stop themselves and 0.5 stay until the end of the day: 1.2 of the same users.
    users = {
        "registered": 100,
        "peak_concurrent": 20,
        "sessions": {"self_stop_share": 0.7, "end_of_day_share": 0.5},
    }
    with pytest.raises(ErrorGroup) as caught:
        load_dict(make_profile(users=users), "city.yaml")
    err = caught.value.errors[0]
    assert err.location is not None and err.location.field == "users.sessions"
    assert "1.20" in err.message and "at most 1.0" in err.message


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("provider", ["aws", "kubernetes", "onprem"])
def test_starters_carry_the_service_section_and_validate(tier: str, provider: str) -> None:
    from aicommons.profile import load_profile_text

    text = starter_profile(tier, provider)
    assert "service:" in text and "start_wait_p95_minutes" in text
    profile = load_profile_text(text, "profile.yaml")
    assert service_level(profile) == ServiceLevel()  # the starter writes the defaults out
