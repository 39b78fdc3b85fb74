"""The governance dossier: one document for a city's decision-makers, built from the same data
as `aicommons validate` (aicommons.cli.validate_cmd.run_validation) and the audit ledger."""

from aicommons.governance.dossier.build import build_dossier
from aicommons.governance.dossier.evidence import ledger_evidence
from aicommons.governance.dossier.model import Dossier
from aicommons.governance.dossier.render import render_dossier

__all__ = ["Dossier", "build_dossier", "ledger_evidence", "render_dossier"]
