"""The commented starter file `aicommons project add` writes."""

from __future__ import annotations

from datetime import date, timedelta

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
organization: City of Example
department: Data Office
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


def starter_project(slug: str, register_id: str, name: str, today: date) -> str:
    return STARTER.format(
        slug=slug,
        register_id=register_id,
        name=name.replace('"', "'"),
        begin=today.isoformat(),
        end=(today + timedelta(days=365)).isoformat(),
    )
