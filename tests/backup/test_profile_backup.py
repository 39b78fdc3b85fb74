"""The profile's backup section: schedules as each consumer reads them, and refused input."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aicommons.profile.backup import Backup, aws_cron, seconds_cron


def test_shorthands_and_their_three_spellings() -> None:
    daily = Backup(schedule="daily")
    assert daily.cron == "0 3 * * *"
    assert aws_cron(daily.cron) == "cron(0 3 * * ? *)"  # '?' in day-of-week when every day
    assert seconds_cron(daily.cron) == "0 0 3 * * *"  # CloudNativePG: seconds first
    assert Backup(schedule="hourly").cron == "0 * * * *"


def test_day_of_week_moves_to_aws_numbering() -> None:
    # cron counts Sunday 0, AWS Backup Sunday 1: Monday 1 -> 2, Friday 5 -> 6, Sunday 0 -> 1
    assert aws_cron("30 2 * * 1") == "cron(30 2 ? * 2 *)"
    assert aws_cron("0 1 * * 1-5") == "cron(0 1 ? * 2-6 *)"
    assert aws_cron("0 1 * * 0") == "cron(0 1 ? * 1 *)"


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("weekly", "not daily, hourly or a five-field cron"),
        ("0 3 * *", "not daily, hourly or a five-field cron"),
        ("0 3 1 * 1", "both a day of month and a day of week"),
    ],
)
def test_bad_schedules_are_refused(schedule: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Backup(schedule=schedule)


def test_retention_bounds_and_the_shortest() -> None:
    backup = Backup.model_validate({"retention_days": {"homes": 14, "hub_database": 60}})
    assert backup.min_retention() == 14  # homes 14, the others 30 and 60
    with pytest.raises(ValidationError):
        Backup.model_validate({"retention_days": {"homes": 0}})


def test_the_store_refuses_credentials_in_its_endpoint() -> None:
    with pytest.raises(ValidationError):
        Backup.model_validate({"store": {"endpoint": "https://key:secret@minio.city", "bucket": "b-backups"}})
