"""The commented starter file `aicommons project add` writes, and how to tell its placeholder
text from a project's own: `aicommons project export` refuses to publish a register record
that still holds any of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

from aicommons.errors import InputError
from aicommons.yamlio import LocatedDocument

STARTER = """\
# AI project {slug}: its public register record and its sandbox.
# Field reference: `aicommons project show {slug}` after editing; register fields follow
# the Eurocities Algorithmic Transparency Standard v0.3.1.
apiVersion: aicommons.dev/v1
kind: AIProject
slug: {slug}
register_id: {register_id}          # id in the city's public register

# --- register record (published by `aicommons project export`)
name: "{name}"
organization: {organization}
department: The department that uses it.
description_short: What the system does, in at most 150 characters.
type: self-learning                 # rule-based | self-learning
category: [research]
status: in development              # in development | in use | out of use
goal: Why the city uses it and the public value it aims at.
impact: What it means for residents and decisions about them.
proportionality: Why its use is proportionate; which alternatives were considered.
provider: The city's own data team
lawful_basis: The legal basis of the processing (e.g. GDPR Art. 6(1)(e) and the local statute).
dpia: null                          # reference of the DPIA, once done
human_rights_assessment: null       # reference of the human-rights impact assessment
objection_procedure: How residents object to or appeal a decision.
source_data: The data used, in words.
methods_and_models: Methods and models, e.g. gradient-boosted trees.
source_code: null                   # link, if published
monitoring: How performance and side effects are monitored.
human_intervention: Where people check, correct or overrule the output.
risks: Known risks and how they are handled.
contact:
  email: ai-commons@example.org
begin_date: {begin}
end_date: {end}                   # sandbox closes, personal data deleted after this date

# --- sandbox
owners: [owner@example.org]
members: [{slug}-members]           # identity-provider groups
datasets:
  - name: Example dataset
    classification: internal        # public | internal | confidential | restricted
    personal_data: false
quota:
  gpus: 0
  cpu: 8
  memory_gib: 32
  storage_gib: 100
  approved: false                   # set by the platform team
public_endpoint: false

# --- impact assessment: `aicommons project assess {slug}` fills this in
assessment: null

# --- safeguards recorded for the impact level's obligations
safeguards:
  notice: false
  explanation: false
  peer_review: null
  bias_analysis: null
  human_decision_maker: null
  log_retention_days: null
  approval: null
"""


NO_CITY = "City of Example"  # the organization when no profile names the city

# Fields whose starter text is an instruction or an example, not an answer.
PLACEHOLDER_FIELDS: tuple[tuple[str | int, ...], ...] = (
    ("organization",),
    ("department",),
    ("description_short",),
    ("goal",),
    ("impact",),
    ("proportionality",),
    ("provider",),
    ("lawful_basis",),
    ("objection_procedure",),
    ("source_data",),
    ("methods_and_models",),
    ("monitoring",),
    ("human_intervention",),
    ("risks",),
    ("contact", "email"),
    ("owners", 0),
    ("datasets", 0, "name"),
)


def starter_project(slug: str, register_id: str, name: str, today: date, organization: str = NO_CITY) -> str:
    """The starter file; ``organization`` is the city's name from its profile."""
    return STARTER.format(
        slug=slug,
        register_id=register_id,
        name=name.replace('"', "'"),
        organization=_yaml_scalar(organization),
        begin=today.isoformat(),
        end=(today + timedelta(days=365)).isoformat(),
    )


def _yaml_scalar(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


@cache
def placeholder_texts() -> dict[tuple[str | int, ...], str]:
    """The starter's text in each placeholder field."""
    import yaml

    data = yaml.safe_load(starter_project("x", "X-1", "x", date(2000, 1, 1)))
    return {path: _at(data, path) for path in PLACEHOLDER_FIELDS}


def placeholder_errors(doc: LocatedDocument) -> list[InputError]:
    """One located error per field that still holds the starter's placeholder text."""
    from aicommons.yamlio import to_plain

    data = to_plain(doc.data)
    errors = []
    for path, text in placeholder_texts().items():
        value = _at(data, path)
        if isinstance(value, str) and value.strip() == text:
            errors.append(
                InputError(
                    f"still holds the starter's placeholder {text!r}; nothing was published",
                    doc.locate(list(path)),
                    "the project's own text",
                )
            )
    return errors
