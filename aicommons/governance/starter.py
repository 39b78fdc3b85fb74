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
# register: is one registration of the Eurocities Algorithmic Transparency Standard v0.3.1, with the
# standard's field names (docs/governance.md lists them); `aicommons project export` publishes it once
# every required field holds the project's own text. sandbox: is aicommons' own, never published.
# obligations: is the evidence for the EU AI Act (docs/governance.md), also never published.
apiVersion: aicommons.dev/v2
kind: AIProject
slug: {slug}
register_id: {register_id}          # id in the city's public register

register:
  name: "{name}"
  description_short: What the system does, in at most 150 characters.
  organization: {organization}
  department: The department that uses it.
  contact_email: ai-commons@example.org
  area: The geographical area it covers, e.g. the city or a district.
  domain: null                      # one of the standard's domains (docs/governance.md), e.g. traffic and transportation
  website: null                     # page with more information (http(s) URL)
  status: development               # planned | design | development | pilot | evaluation | operational | retired
  decision_making_process: The decisions the system is part of, and who takes them.
  goal: Why the city uses it and the public value it aims at.
  impact: What it means for residents and decisions about them.
  risks: Known risks and how they are handled.
  risk_category: null               # minimal risk | limited risk | high risk | unacceptable (EU AI Act)
  proportionality: Why its use is proportionate; which alternatives were considered.
  lawful_basis: The legal basis of the processing (e.g. GDPR Art. 6(1)(e) and the local statute).
  training_data: The data the system was trained or built on, in words.
  source_data: The data used when it runs, in words.
  connected_data_sources: Other systems or registers it connects to.
  DPIA_description: null            # the DPIA, once done (or DPIA_url: its http(s) link)
  algorithm_type: null              # self-learning | rule-based | hybrid
  description: >-
    How the system works, in plain language, for residents who want to understand it: what goes
    in, what comes out, how the output is used and by whom, how it was built and tested, what it
    cannot do, and how people can check it. The standard asks for 500 to 10,000 characters. Write
    it in the language named by lang below, avoid jargon, and say which parts are done by people
    and which by the system. Replace this paragraph with the project's own explanation before the
    register is published; export refuses to publish it while it still holds this text.
  methods_and_models: Methods and models, e.g. gradient-boosted trees.
  codebase_url: null                # link to the source code, if published
  AIA_description: null             # the algorithm (human-rights) impact assessment, once done (or AIA_url)
  monitoring: How performance and side effects are monitored.
  type: null                        # descriptive | diagnostic | predictive | prescriptive
  human_intervention: Where people check, correct or overrule the output.
  objection_procedure: How residents object to or appeal a decision.
  standard_version: "0.3.1"
  lang: null                        # language of this record, e.g. en, nl, de
  publication_date: null            # date the record is first published
  last_change_date: {begin}
  revision_date: null               # date the record is to be reviewed

sandbox:
  owners: [owner@example.org]
  members: [{slug}-members]         # identity-provider groups
  begin_date: {begin}
  end_date: {end}                 # sandbox closes, personal data deleted by this date
  datasets:
    - name: Example dataset
      classification: internal      # public | internal | confidential | restricted
      personal_data: false
  quota:
    gpus: 0
    cpu: 8
    memory_gib: 32
    storage_gib: 100
    approved: false                 # set by the platform team
  public_endpoint: false            # only for operational projects with an approval

  # impact assessment: `aicommons project assess {slug}` fills this in
  assessment: null

  # safeguards recorded for the impact level's obligations
  safeguards:
    notice: false
    explanation: false
    peer_review: null
    bias_analysis: null
    human_decision_maker: null
    log_retention_days: null
    approval: null                  # required before pilot, evaluation or operational

# Evidence for the EU AI Act's obligations of a public deployer, by register.risk_category.
# A high-risk project (e.g. an Annex III use: benefits, employment, education, access to services)
# needs all six before its status is pilot, evaluation or operational (AIC-GOV-09); a limited-risk
# one needs affected_persons_informed (AIC-GOV-10); minimal risk needs none of them.
obligations:
  fria_url: null                    # fundamental-rights impact assessment, http(s) URL (Art. 27)
  eu_database_id: null              # registration number of the use in the EU database (Art. 49(3))
  oversight: []                     # - {{role: case-work team lead, competence: training or mandate}} (Art. 26(2))
  log_retention_days: null          # at least 183 (six months; Art. 26(6)); sandbox.safeguards' value counts
  workers_informed: null            # {{on: YYYY-MM-DD, reference: minutes}} or {{not_applicable: why}} (Art. 26(7))
  affected_persons_informed: null   # {{how: letter, notice, label}} or {{not_applicable: why}} (Art. 26(11), Art. 50)
"""


NO_CITY = "City of Example"  # the organization when no profile names the city

# Fields whose starter text is an instruction or an example, not an answer.
PLACEHOLDER_FIELDS: tuple[tuple[str | int, ...], ...] = (
    ("register", "description_short"),
    ("register", "organization"),
    ("register", "department"),
    ("register", "contact_email"),
    ("register", "area"),
    ("register", "decision_making_process"),
    ("register", "goal"),
    ("register", "impact"),
    ("register", "risks"),
    ("register", "proportionality"),
    ("register", "lawful_basis"),
    ("register", "training_data"),
    ("register", "source_data"),
    ("register", "connected_data_sources"),
    ("register", "description"),
    ("register", "methods_and_models"),
    ("register", "monitoring"),
    ("register", "human_intervention"),
    ("register", "objection_procedure"),
    ("sandbox", "owners", 0),
    ("sandbox", "datasets", 0, "name"),
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
