"""Impact assessment scoring, on worked examples computed by hand from the AIA's method.

The small questionnaire below (SMALL) keeps the arithmetic easy to follow:

  risk:   r1 {0,1,2,4}  r2 {0,2,6}  r3 {0,5,10}      max raw = 4 + 6 + 10 = 20
  design: d1 {0,1,3}    d2 {0,1,2}                  max mitigation (design) = 3 + 2 = 5
  impl:   i1 {0,5}      i2 {0,3,5}                  max mitigation (implementation) = 5 + 5 = 10

Level bands over max raw 20: I <= 5 (25%), II <= 10 (50%), III <= 15 (75%), IV >= 16.
Reduction: when mitigation >= 80% of the branch's maximum (design: 4 of 5, implementation:
8 of 10) the raw score becomes raw x 0.85 rounded to the nearest integer, halves up.
"""

from __future__ import annotations

import pytest

from aicommons.governance.assessment import (
    Questionnaire,
    answer_errors,
    default_questionnaire,
    level_for,
    reduce_by_15_percent,
    score,
)
from aicommons.governance.model import Assessment

OBLIGATIONS = {
    "notice": False,
    "explanation": False,
    "peer_review": False,
    "bias_analysis": False,
    "human_decision_maker": False,
    "approval": "owner",
    "log_retention_days": 30,
}


def _q(qid: str, kind: str, scores: list[int], branch: str = "both") -> dict:
    return {
        "id": qid,
        "kind": kind,
        "area": "test",
        "branch": branch,
        "text": qid,
        "answers": [{"id": f"s{s}", "text": str(s), "score": s} for s in scores],
    }


SMALL = Questionnaire.model_validate(
    {
        "name": "small",
        "version": "1",
        "questions": [
            _q("r1", "risk", [0, 1, 2, 4]),
            _q("r2", "risk", [0, 2, 6]),
            _q("r3", "risk", [0, 5, 10]),
            _q("d1", "mitigation", [0, 1, 3], "design"),
            _q("d2", "mitigation", [0, 1, 2], "design"),
            _q("i1", "mitigation", [0, 5], "implementation"),
            _q("i2", "mitigation", [0, 3, 5], "implementation"),
        ],
        "levels": {level: OBLIGATIONS for level in ("I", "II", "III", "IV")},
    }
)


def design(r1: int, r2: int, r3: int, d1: int = 0, d2: int = 0) -> Assessment:
    return Assessment(
        branch="design",
        answers={"r1": f"s{r1}", "r2": f"s{r2}", "r3": f"s{r3}", "d1": f"s{d1}", "d2": f"s{d2}"},
    )


def implementation(r1: int, r2: int, r3: int, i1: int = 0, i2: int = 0) -> Assessment:
    return Assessment(
        branch="implementation",
        answers={"r1": f"s{r1}", "r2": f"s{r2}", "r3": f"s{r3}", "i1": f"s{i1}", "i2": f"s{i2}"},
    )


def test_maxima_are_per_branch() -> None:
    assert SMALL.max_raw == 20
    assert SMALL.max_mitigation("design") == 5
    assert SMALL.max_mitigation("implementation") == 10


@pytest.mark.parametrize(
    ("answers", "raw", "level"),
    [
        # 0 + 0 + 5 = 5; 5 <= 20 x 25% = 5 -> I (at the boundary)
        ((0, 0, 5), 5, "I"),
        # 1 + 0 + 5 = 6 > 5 -> II
        ((1, 0, 5), 6, "II"),
        # 0 + 0 + 10 = 10 <= 20 x 50% = 10 -> II (at the boundary)
        ((0, 0, 10), 10, "II"),
        # 1 + 0 + 10 = 11 > 10 -> III
        ((1, 0, 10), 11, "III"),
        # 4 + 6 + 5 = 15 <= 20 x 75% = 15 -> III (at the boundary)
        ((4, 6, 5), 15, "III"),
        # 0 + 6 + 10 = 16 > 15 -> IV
        ((0, 6, 10), 16, "IV"),
        # 4 + 6 + 10 = 20, the maximum -> IV
        ((4, 6, 10), 20, "IV"),
        # nothing risky: 0 -> I
        ((0, 0, 0), 0, "I"),
    ],
)
def test_levels_at_each_boundary_without_mitigation(
    answers: tuple[int, int, int], raw: int, level: str
) -> None:
    result = score(SMALL, design(*answers))
    assert (result.raw, result.reduced, result.total, result.level) == (raw, False, raw, level)
    assert result.complete


@pytest.mark.parametrize(
    ("raw", "reduced"),
    [
        (0, 0),
        (1, 1),  # 0.85 -> 1
        (3, 3),  # 2.55 -> 3
        (6, 5),  # 5.1 -> 5
        (7, 6),  # 5.95 -> 6
        (10, 9),  # 8.5 -> 9: a half rounds up
        (30, 26),  # 25.5 -> 26: a half rounds up
        (50, 43),  # 42.5 -> 43 (Python's round(42.5) would give 42)
        (38, 32),  # 32.3 -> 32
    ],
)
def test_reduction_rounds_halves_up(raw: int, reduced: int) -> None:
    assert reduce_by_15_percent(raw) == reduced


def test_mitigation_just_below_80_percent_does_not_reduce() -> None:
    # design mitigation 3 + 0 = 3 of 5 = 60% < 80%; raw 0 + 6 + 10 = 16 stays 16 -> IV
    result = score(SMALL, design(0, 6, 10, d1=3, d2=0))
    assert (result.mitigation, result.max_mitigation, result.reduced) == (3, 5, False)
    assert (result.total, result.level) == (16, "IV")


def test_mitigation_at_80_percent_reduces_by_15_percent() -> None:
    # design mitigation 3 + 1 = 4 of 5 = 80%; raw 16 x 0.85 = 13.6 -> 14 -> III (14 <= 15)
    result = score(SMALL, design(0, 6, 10, d1=3, d2=1))
    assert (result.mitigation, result.reduced, result.total, result.level) == (4, True, 14, "III")


def test_reduction_can_round_a_score_back_over_a_boundary() -> None:
    # raw 1 + 6 + 0 = 7 (II); with full mitigation 7 x 0.85 = 5.95 -> 6 (> 5) -> still II
    result = score(SMALL, design(1, 6, 0, d1=3, d2=2))
    assert (result.raw, result.total, result.level) == (7, 6, "II")
    # raw 1 + 0 + 5 = 6 (II); reduced 6 x 0.85 = 5.1 -> 5 -> I
    result = score(SMALL, design(1, 0, 5, d1=3, d2=2))
    assert (result.raw, result.total, result.level) == (6, 5, "I")


def test_half_rounds_up_in_a_full_assessment() -> None:
    # raw 0 + 0 + 10 = 10; 10 x 0.85 = 8.5 -> 9 (II, since 9 <= 10)
    result = score(SMALL, design(0, 0, 10, d1=3, d2=1))
    assert (result.total, result.level) == (9, "II")


def test_implementation_branch_uses_its_own_maximum() -> None:
    # implementation mitigation 5 + 3 = 8 of 10 = 80% -> reduced; raw 20 x 0.85 = 17 -> IV
    result = score(SMALL, implementation(4, 6, 10, i1=5, i2=3))
    assert (result.mitigation, result.max_mitigation, result.reduced, result.total) == (8, 10, True, 17)
    assert result.level == "IV"
    # 5 + 0 = 5 of 10 = 50%: not reduced, although 5 would be 100% of the design branch's maximum
    result = score(SMALL, implementation(0, 6, 10, i1=5, i2=0))
    assert (result.reduced, result.total, result.level) == (False, 16, "IV")


def test_answers_of_the_other_branch_are_errors_and_do_not_count() -> None:
    mixed = Assessment(branch="design", answers={**design(0, 6, 10).answers, "i1": "s5", "i2": "s5"})
    problems = answer_errors(SMALL, mixed)
    assert [p[0] for p in problems] == ["i1", "i2"]
    assert "implementation branch" in problems[0][1]
    result = score(SMALL, mixed)
    assert (result.mitigation, result.reduced) == (0, False)


def test_unknown_question_and_choice_are_errors() -> None:
    bad = Assessment(branch="design", answers={"r9": "s0", "r1": "s3"})
    assert answer_errors(SMALL, bad) == [
        ("r1", "'s3' is not an answer", "s0, s1, s2, s4"),
        ("r9", "unknown question 'r9'", "r1, r2, r3, d1, d2"),
    ]


def test_unanswered_questions_are_reported() -> None:
    result = score(SMALL, Assessment(branch="design", answers={"r1": "s4"}))
    assert result.unanswered == ("r2", "r3", "d1", "d2")
    assert not result.complete
    assert result.raw == 4


def test_level_for_is_exact_at_fractional_boundaries() -> None:
    # max raw 38: 25% = 9.5, 50% = 19, 75% = 28.5
    assert [level_for(t, 38) for t in (9, 10, 19, 20, 28, 29)] == ["I", "II", "II", "III", "III", "IV"]


def test_shipped_questionnaire() -> None:
    q = default_questionnaire()
    assert q.max_raw == 38
    # the branches mirror each other: each reaches half of all mitigation points, as in the AIA
    all_mitigation = sum(x.max_score for x in q.questions if x.kind == "mitigation")
    assert q.max_mitigation("design") == q.max_mitigation("implementation") == all_mitigation // 2 == 10
    assert {x.area for x in q.risk_questions()} == {"system", "algorithm", "decision", "impact", "data"}
    assert {x.area for x in q.mitigation_questions("design")} == {
        "consultation",
        "data-quality",
        "procedural-fairness",
        "privacy",
    }
    levels = q.levels
    assert [levels[lv].log_retention_days for lv in ("I", "II", "III", "IV")] == [90, 180, 365, 730]
    assert levels["III"].human_decision_maker and levels["III"].peer_review
    assert not levels["I"].human_decision_maker


def test_questionnaire_rejects_duplicate_ids() -> None:
    data = SMALL.model_dump(mode="json")
    data["questions"].append(data["questions"][0])
    with pytest.raises(ValueError, match="more than once: r1"):
        Questionnaire.model_validate(data)
