"""`size --from-usage`: the profile with the measured demand in place of its assumptions (pure).

What a cost report measured (``Demand``) replaces, at the boundary of sizing:

* ``users.schedule``: ``hourly`` shares, the mean concurrent hub servers of each hour of the week
  over all workloads divided by the busiest hour's mean (so the busiest hour is 1.0); an hour the
  report never saw (a month to date) keeps the profile's own share for that hour;
* ``users.peak_concurrent``: the most concurrent hub servers measured (``registered`` is raised
  to it if lower);
* each workload measured: ``peak`` = its most concurrent servers (``share`` dropped); a workload
  with no server in the window keeps the profile's figure;
* ``users.sessions`` median and spread, where the profile model has that section.

Sandbox servers are not in the measured demand: the sizing adds them from approved quotas.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from aicommons.errors import InputError, Location
from aicommons.profile.model import CityProfile, Users
from aicommons.usage.report import CostReport


def from_usage(profile: CityProfile, report: CostReport, where: str) -> tuple[CityProfile, list[str]]:
    """The profile re-stated from the report's measured demand, and notes on what was kept."""
    if report.city != profile.city.slug:
        raise InputError(
            f"the report is for {report.city!r}, the profile for {profile.city.slug!r}",
            Location(file=where, field="city"),
            "a report of this city",
        )
    demand = report.demand
    names = {w.name for w in profile.workloads}
    totals = [
        sum(series[h] for series in demand.hourly_servers.values()) for h in range(len(demand.weeks_covered))
    ]
    busiest = max(totals, default=0.0)
    if busiest <= 0 or demand.peak_total < 1:
        raise InputError(
            "the report measured no hub server",
            Location(file=where, field="demand"),
            "a report of a month with use",
        )
    own = profile.hour_shares()
    seen = [n > 0 for n in demand.weeks_covered]
    hourly = [
        round(t / busiest, 4) if s else own[h] for h, (t, s) in enumerate(zip(totals, seen, strict=True))
    ]
    hourly[totals.index(busiest)] = 1.0
    notes = [f"from usage ({where}, {report.month}): schedule, peak users and workload peaks are measured"]
    unseen = seen.count(False)
    if unseen:
        notes.append(
            f"from usage: {unseen} hours of the week were not measured; they keep the profile's shares"
        )
    other = sorted(set(demand.hourly_servers) - names)
    if other:
        notes.append(
            f"from usage: servers of {', '.join(other)} count in the schedule but match no workload of the profile"
        )
    workloads = []
    for w in profile.workloads:
        peak = demand.peak_servers.get(w.name, 0)
        if peak >= 1:
            workloads.append({**w.model_dump(exclude_unset=True), "peak": peak, "share": None})
        else:
            workloads.append(w.model_dump(exclude_unset=True))
            notes.append(
                f"from usage: workload {w.name} had no server in the window; its peak is the profile's"
            )
    users: dict[str, Any] = {
        **profile.users.model_dump(exclude_unset=True),
        "peak_concurrent": demand.peak_total,
        "registered": max(profile.users.registered, demand.peak_total),
        "schedule": {"hourly": hourly},
    }
    if demand.sessions is not None:
        if "sessions" in Users.model_fields:
            users["sessions"] = {
                **(users.get("sessions") or {}),
                "median_hours": demand.sessions.median_hours,
                "spread": demand.sessions.spread,
            }
        else:
            notes.append(
                f"from usage: sessions measured (median {demand.sessions.median_hours:g} h, spread "
                f"{demand.sessions.spread:g}) but the profile has no users.sessions to take them"
            )
    data = {**profile.model_dump(exclude_unset=True), "users": users, "workloads": workloads}
    try:
        return CityProfile.model_validate(data), notes
    except ValidationError as exc:
        if "sessions" not in users or not all(e["loc"][:2] == ("users", "sessions") for e in exc.errors()):
            raise _misfit(exc, where) from None
    # the profile's sessions section does not take these two figures as measured: keep its own
    users.pop("sessions")
    if profile.users.model_dump(exclude_unset=True).get("sessions") is not None:
        users["sessions"] = profile.users.model_dump(exclude_unset=True)["sessions"]
    assert demand.sessions is not None
    notes.append(
        f"from usage: sessions measured (median {demand.sessions.median_hours:g} h, spread "
        f"{demand.sessions.spread:g}) do not fit users.sessions; the profile's are kept"
    )
    try:
        return CityProfile.model_validate(data), notes
    except ValidationError as exc:
        raise _misfit(exc, where) from None


def _misfit(exc: ValidationError, where: str) -> InputError:
    err = exc.errors()[0]
    return InputError(
        f"the measured demand does not fit the profile: {err['msg']}",
        Location(file=where, field=".".join(str(p) for p in err["loc"])),
    )
