"""The pure decisions of `aicommons backup`: which recovery points a listing shows, and what a
restore of one user's home creates. No clock, no network: `now` and the points are given."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from aicommons.backup.model import (
    HUB_NAMESPACE,
    RESTORES_CONFIGMAP,
    RecoveryPoint,
    RestorePlan,
    home_claim,
    restored_claim,
    restored_mount,
)
from aicommons.errors import InputError, Location


def parse_at(text: str) -> datetime:
    """`--at`: a date (YYYY-MM-DD, end of that day UTC) or an ISO date-time (UTC unless it says)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--at {text!r} is not a date", Location(field="--at"), "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select_points(
    points: Iterable[RecoveryPoint], user: str | None = None, project: str | None = None
) -> list[RecoveryPoint]:
    """The points of one user's home or one project's volume (all when neither), newest first."""
    chosen = [
        p
        for p in points
        if (user is None or (p.store == "homes" and p.user == user))
        and (project is None or (p.store == "project_volumes" and p.project == project))
    ]
    return sorted(chosen, key=lambda p: (p.created, p.id), reverse=True)


def plan_restore(
    points: Sequence[RecoveryPoint],
    user: str,
    at: datetime,
    now: datetime,
    known_users: Iterable[str],
    replace: bool = False,
) -> RestorePlan:
    """The restore of `user`'s home as it was at `at`: the newest point at or before it.

    Refused (exit 2, located at the option): a date in the future, a user the hub does not know,
    a date before the user's first backup.
    """
    if at > now:
        raise InputError(
            f"--at {at.isoformat()} is in the future (now {now.isoformat(timespec='seconds')})",
            Location(field="--at"),
            "a moment in the past, covered by a backup",
        )
    users = sorted(set(known_users))
    if user not in users:
        raise InputError(
            f"--user {user!r} is not a user of this hub",
            Location(field="--user"),
            ", ".join(users[:20]) + (" ..." if len(users) > 20 else "")
            if users
            else "no user has a home yet",
        )
    mine = select_points(points, user=user)
    if not mine:
        raise InputError(
            f"--user {user!r} has no backup of their home yet",
            Location(field="--user"),
            "a user with backups",
        )
    before = [p for p in mine if p.created <= at]
    if not before:
        first = min(p.created for p in mine)
        raise InputError(
            f"--at {at.isoformat()} is before {user!r}'s first backup ({first.isoformat()})",
            Location(field="--at"),
            f"{first.isoformat()} or later",
        )
    point = before[0]
    day = point.created.date()
    if replace:
        claim = home_claim(user)
        steps = [
            f"check that {user!r} has no running server (refuse otherwise)",
            f"create a volume from {point.id} ({point.size_gib:g} GiB"
            + (f", zone {point.zone})" if point.zone else ")"),
            f"keep the current home volume (Retain) and delete PVC {HUB_NAMESPACE}/{claim}",
            f"create PVC {HUB_NAMESPACE}/{claim} bound to the restored volume",
        ]
        return RestorePlan(user, at, point, claim, None, True, steps, "replace")
    claim = restored_claim(user, day)
    mount = restored_mount(day)
    steps = [
        f"create a volume from {point.id} ({point.size_gib:g} GiB"
        + (f", zone {point.zone})" if point.zone else ")"),
        f"create PVC {HUB_NAMESPACE}/{claim} (read-only use) bound to it",
        f"add {claim} -> {mount} for {user!r} to ConfigMap {HUB_NAMESPACE}/{RESTORES_CONFIGMAP} "
        f"(mounted read-only on the next server start; nobody else's servers change)",
    ]
    return RestorePlan(user, at, point, claim, mount, False, steps)
