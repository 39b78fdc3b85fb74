"""When a project's sandbox goes live: what still stands in its way.

A project gets a namespace, a quota, a data volume and a hub profile only when all of these
hold on the render date (the date comes from the caller, never the clock):

* its risk category is not "unacceptable" (a prohibited practice, EU AI Act Art. 5: AIC-GOV-08
  fails on the register entry, and no sandbox is built for it);
* its status allows a sandbox (development, pilot, evaluation or operational: the one rule in
  ``governance/status.py``), and its end date has not passed;
* the platform team approved its sandbox request (``sandbox.quota.approved``);
* its impact assessment is complete (every question of its branch answered), so its impact
  level and that level's obligations are known;
* when its output reaches residents' cases (pilot, evaluation, operational), its approval to go
  live is recorded (``sandbox.safeguards.approval``).

Until then it stays in the register (and in ``governance/register.json``) with the reasons.
"""

from __future__ import annotations

from datetime import date

from aicommons.governance.assessment import Questionnaire, default_questionnaire, score
from aicommons.governance.model import AIProject
from aicommons.governance.status import SANDBOX_STATUSES, allows_sandbox, needs_go_live_approval


def sandbox_blockers(
    project: AIProject, today: date, questionnaire: Questionnaire | None = None
) -> list[str]:
    """Why the project has no live sandbox on ``today``, one reason each; empty when it has one."""
    reasons: list[str] = []
    sandbox = project.sandbox
    status = project.register.status
    if project.register.risk_category == "unacceptable":
        reasons.append(
            "its risk category is 'unacceptable': a prohibited practice (EU AI Act Art. 5, "
            "Prohibited AI practices) gets no sandbox"
        )
    if not allows_sandbox(status):
        reasons.append(f"status is {status!r} (a sandbox needs {', '.join(SANDBOX_STATUSES)})")
    elif today > sandbox.end_date:
        reasons.append(f"it ended on {sandbox.end_date}")
    if not sandbox.quota.approved:
        reasons.append(
            "the sandbox request is not approved (sandbox.quota.approved: false; the platform team sets it)"
        )
    if sandbox.assessment is None:
        reasons.append(f"no impact assessment (run `aicommons project assess {project.slug}`)")
    else:
        result = score(questionnaire or default_questionnaire(), sandbox.assessment)
        if not result.complete:
            reasons.append(
                f"the impact assessment is incomplete (unanswered: {', '.join(result.unanswered)})"
            )
    if needs_go_live_approval(status) and sandbox.safeguards.approval is None:
        reasons.append(
            f"it is {status!r} without a recorded approval to go live (sandbox.safeguards.approval)"
        )
    return reasons


def is_live(project: AIProject, today: date) -> bool:
    """Whether the project gets its sandbox (namespace, quota, data volume, hub profile) on ``today``."""
    return not sandbox_blockers(project, today)
