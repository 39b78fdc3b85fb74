"""When a project's sandbox goes live: what still stands in its way.

A project gets a namespace, a quota, a data volume and a hub profile only when all of these
hold on the render date (the date comes from the caller, never the clock):

* it is active: status "in development" or "in use", and its end date has not passed;
* the platform team approved its sandbox request (``quota.approved``);
* its impact assessment is complete (every question of its branch answered), so its impact
  level and that level's obligations are known;
* when it is "in use", its approval to go live is recorded (``safeguards.approval``).

Until then it stays in the register (and in ``governance/register.json``) with the reasons.
"""

from __future__ import annotations

from datetime import date

from aicommons.governance.assessment import Questionnaire, default_questionnaire, score
from aicommons.governance.model import ACTIVE_STATUSES, AIProject


def sandbox_blockers(
    project: AIProject, today: date, questionnaire: Questionnaire | None = None
) -> list[str]:
    """Why the project has no live sandbox on ``today``, one reason each; empty when it has one."""
    reasons: list[str] = []
    if project.status not in ACTIVE_STATUSES:
        reasons.append(f"status is {project.status!r}")
    elif today > project.end_date:
        reasons.append(f"it ended on {project.end_date}")
    if not project.quota.approved:
        reasons.append(
            "the sandbox request is not approved (quota.approved: false; the platform team sets it)"
        )
    if project.assessment is None:
        reasons.append(f"no impact assessment (run `aicommons project assess {project.slug}`)")
    else:
        result = score(questionnaire or default_questionnaire(), project.assessment)
        if not result.complete:
            reasons.append(
                f"the impact assessment is incomplete (unanswered: {', '.join(result.unanswered)})"
            )
    if project.status == "in use" and project.safeguards.approval is None:
        reasons.append("it is 'in use' without a recorded approval to go live (safeguards.approval)")
    return reasons


def is_live(project: AIProject, today: date) -> bool:
    """Whether the project gets its sandbox (namespace, quota, data volume, hub profile) on ``today``."""
    return not sandbox_blockers(project, today)
