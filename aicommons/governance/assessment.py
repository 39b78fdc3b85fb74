"""The impact assessment: a questionnaire stored as data and its scoring.

Scoring follows the method of the Government of Canada's Algorithmic Impact Assessment
(https://www.canada.ca/en/government/system/digital-government/digital-government-innovations/responsible-use-ai/algorithmic-impact-assessment.html):

* raw impact score = sum of the chosen answers' risk values;
* when the mitigation score reaches 80% of the maximum mitigation the project can reach,
  the raw score is reduced by 15%, rounded to the nearest integer (halves round up:
  a raw score of 10 becomes 8.5 -> 9);
* the level is I when that total is at most 25% of the maximum raw score, II up to 50%,
  III up to 75% and IV above.

The maximum mitigation is computed over the branch the project answers (design or
implementation), never over the whole questionnaire. All comparisons are exact
integer arithmetic, so a score at a boundary always lands on the lower level.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aicommons.governance.model import Assessment, Level
from aicommons.yamlio import load_located, to_plain

QUESTIONNAIRE = Path(__file__).with_name("aia_questions.yaml")
Branch = Literal["design", "implementation"]
LEVELS: tuple[Level, ...] = ("I", "II", "III", "IV")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Answer(_Strict):
    id: str = Field(min_length=1, description="Answer id, unique within its question.")
    text: str = Field(description="The answer as shown to the person filling in the form.")
    score: int = Field(ge=0, description="Points this answer adds (risk or mitigation).")


class Question(_Strict):
    id: str = Field(min_length=1, description="Question id, unique in the questionnaire.")
    kind: Literal["risk", "mitigation"] = Field(description="risk raises the score; mitigation lowers it.")
    area: str = Field(description="system, algorithm, decision, impact, data; or a mitigation area.")
    branch: Literal["design", "implementation", "both"] = Field(
        "both", description="Mitigation branch the question belongs to (risk questions: both)."
    )
    text: str = Field(description="The question.")
    answers: tuple[Answer, ...] = Field(min_length=2, description="The possible answers.")

    @property
    def max_score(self) -> int:
        return max(a.score for a in self.answers)

    def in_branch(self, branch: Branch) -> bool:
        return self.branch in ("both", branch)

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)


class Obligations(_Strict):
    """What a project at one impact level must have."""

    notice: bool = Field(description="Tell people affected that an algorithm is involved.")
    explanation: bool = Field(description="Give a plain-language explanation of decisions.")
    peer_review: bool = Field(description="An independent peer review is recorded.")
    bias_analysis: bool = Field(description="A bias analysis is recorded.")
    human_decision_maker: bool = Field(description="A named role takes the final decision.")
    approval: str = Field(description="Who must approve going live.")
    log_retention_days: int = Field(ge=0, description="Minimum days decision logs are kept.")


class Questionnaire(_Strict):
    name: str
    version: str
    questions: tuple[Question, ...]
    levels: dict[Level, Obligations]

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids appear more than once: {', '.join(dupes)}")
        if set(self.levels) != set(LEVELS):
            raise ValueError("levels must define exactly I, II, III and IV")
        for q in self.questions:
            if q.kind == "risk" and q.branch != "both":
                raise ValueError(f"{q.id}: risk questions belong to both branches")
        return self

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def risk_questions(self) -> list[Question]:
        return [q for q in self.questions if q.kind == "risk"]

    def mitigation_questions(self, branch: Branch) -> list[Question]:
        return [q for q in self.questions if q.kind == "mitigation" and q.in_branch(branch)]

    def asked(self, branch: Branch) -> list[Question]:
        """The questions a project on this branch answers, in questionnaire order."""
        return [q for q in self.questions if q.kind == "risk" or q.in_branch(branch)]

    @property
    def max_raw(self) -> int:
        return sum(q.max_score for q in self.risk_questions())

    def max_mitigation(self, branch: Branch) -> int:
        return sum(q.max_score for q in self.mitigation_questions(branch))


class Score(_Strict):
    """The outcome of an assessment."""

    branch: Branch
    raw: int = Field(description="Sum of the chosen risk answers.")
    max_raw: int
    mitigation: int = Field(description="Sum of the chosen mitigation answers on the branch.")
    max_mitigation: int = Field(description="Largest mitigation score reachable on the branch.")
    reduced: bool = Field(description="Mitigation reached 80% of its maximum, so raw was cut by 15%.")
    total: int = Field(description="The raw score, after the reduction if any.")
    level: Level
    unanswered: tuple[str, ...] = Field(description="Questions of the branch left unanswered.")

    @property
    def complete(self) -> bool:
        return not self.unanswered


def reduce_by_15_percent(raw: int) -> int:
    """raw x 0.85 rounded to the nearest integer, halves up (10 -> 8.5 -> 9)."""
    return (raw * 85 + 50) // 100


def level_for(total: int, max_raw: int) -> Level:
    if total * 4 <= max_raw:
        return "I"
    if total * 2 <= max_raw:
        return "II"
    if total * 4 <= max_raw * 3:
        return "III"
    return "IV"


def score(questionnaire: Questionnaire, assessment: Assessment) -> Score:
    """Score answers already checked by :func:`answer_errors` (unknown ids count as unanswered)."""
    branch: Branch = assessment.branch
    raw = mitigation = 0
    unanswered: list[str] = []
    for q in questionnaire.asked(branch):
        chosen = q.answer(assessment.answers.get(q.id, ""))
        if chosen is None:
            unanswered.append(q.id)
        elif q.kind == "risk":
            raw += chosen.score
        else:
            mitigation += chosen.score
    max_mit = questionnaire.max_mitigation(branch)
    reduced = max_mit > 0 and mitigation * 5 >= max_mit * 4  # mitigation >= 80% of its maximum
    total = reduce_by_15_percent(raw) if reduced else raw
    return Score(
        branch=branch,
        raw=raw,
        max_raw=questionnaire.max_raw,
        mitigation=mitigation,
        max_mitigation=max_mit,
        reduced=reduced,
        total=total,
        level=level_for(total, questionnaire.max_raw),
        unanswered=tuple(unanswered),
    )


def answer_errors(questionnaire: Questionnaire, assessment: Assessment) -> list[tuple[str, str, str]]:
    """(question id, problem, allowed) for answers to unknown questions, other-branch ones, bad choices."""
    problems: list[tuple[str, str, str]] = []
    for qid, choice in sorted(assessment.answers.items()):
        q = questionnaire.question(qid)
        if q is None:
            known = ", ".join(x.id for x in questionnaire.asked(assessment.branch))
            problems.append((qid, f"unknown question {qid!r}", known))
        elif not q.in_branch(assessment.branch):
            problems.append((qid, f"{qid!r} belongs to the {q.branch} branch, not {assessment.branch}", ""))
        elif q.answer(choice) is None:
            problems.append((qid, f"{choice!r} is not an answer", ", ".join(a.id for a in q.answers)))
    return problems


def load_questionnaire(path: Path) -> Questionnaire:
    doc = load_located(path)
    try:
        return Questionnaire.model_validate(to_plain(doc.data))
    except ValidationError as exc:
        from aicommons.profile.load import validation_errors

        raise validation_errors(exc, doc, Questionnaire) from None


@cache
def default_questionnaire() -> Questionnaire:
    """The questionnaire that ships with aicommons."""
    return load_questionnaire(QUESTIONNAIRE)
