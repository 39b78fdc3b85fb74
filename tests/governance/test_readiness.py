"""When a project's sandbox goes live: a sandbox status, approved, assessed, and approved to go live once its
output reaches residents (pilot, evaluation, operational)."""

from __future__ import annotations

from datetime import date

import pytest

from aicommons.governance.readiness import is_live, sandbox_blockers

from .bundles import TODAY, edited, register

APPROVAL = (
    "    approval:\n      by: chief digital officer\n      on: 2025-11-15\n      reference: CDO-DEC-2025-44\n"
)


def test_the_fixture_projects_are_live() -> None:
    assert [(p.slug, sandbox_blockers(p, TODAY)) for p in register()] == [
        ("benefit-triage", []),
        ("bike-demand", []),
    ]


def test_each_missing_step_is_named() -> None:
    unapproved = edited("bike-demand", "  approved: true", "  approved: false")
    assert sandbox_blockers(unapproved, TODAY) == [
        "the sandbox request is not approved (sandbox.quota.approved: false; the platform team sets it)"
    ]
    incomplete = edited("bike-demand", '      risk-data-sources: "no"\n', "")
    assert sandbox_blockers(incomplete, TODAY) == [
        "the impact assessment is incomplete (unanswered: risk-data-sources)"
    ]
    in_use_unapproved = edited("benefit-triage", APPROVAL, "")
    assert sandbox_blockers(in_use_unapproved, TODAY) == [
        "it is 'operational' without a recorded approval to go live (sandbox.safeguards.approval)"
    ]
    # both projects end 2026-12-31: the day after, neither is live
    assert sandbox_blockers(register()[1], date(2027, 1, 1)) == ["it ended on 2026-12-31"]
    assert not is_live(unapproved, TODAY) and is_live(register()[1], date(2026, 12, 31))


@pytest.mark.parametrize(
    ("status", "blockers"),
    [
        ("planned", ["status is 'planned' (a sandbox needs development, pilot, evaluation, operational)"]),
        ("design", ["status is 'design' (a sandbox needs development, pilot, evaluation, operational)"]),
        ("development", []),
        ("pilot", ["it is 'pilot' without a recorded approval to go live (sandbox.safeguards.approval)"]),
        (
            "evaluation",
            ["it is 'evaluation' without a recorded approval to go live (sandbox.safeguards.approval)"],
        ),
        (
            "operational",
            ["it is 'operational' without a recorded approval to go live (sandbox.safeguards.approval)"],
        ),
        ("retired", ["status is 'retired' (a sandbox needs development, pilot, evaluation, operational)"]),
    ],
)
def test_the_status_rule_decides_the_sandbox_and_the_go_live_approval(
    status: str, blockers: list[str]
) -> None:
    """bike-demand (approved, assessed, no go-live approval) in each of the standard's seven statuses."""
    project = edited("bike-demand", "status: development", f"status: {status}")
    assert sandbox_blockers(project, TODAY) == blockers


def test_a_prohibited_practice_gets_no_sandbox() -> None:
    """An unacceptable-risk project is prohibited (AI Act Art. 5): approved and assessed as it is, it
    stays in the register (where AIC-GOV-08 fails on it) and gets no namespace, quota or profile."""
    prohibited = edited("bike-demand", "risk_category: minimal risk", "risk_category: unacceptable")
    assert prohibited.register.risk_category == "unacceptable"
    assert sandbox_blockers(prohibited, TODAY) == [
        "its risk category is 'unacceptable': a prohibited practice (EU AI Act Art. 5, "
        "Prohibited AI practices) gets no sandbox"
    ]
    assert not is_live(prohibited, TODAY)
