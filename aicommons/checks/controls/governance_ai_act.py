"""AIC-GOV-08..10: the EU AI Act's obligations of a city as a public deployer, per project.

Each project's risk category, status and evidence (the project file's ``obligations:`` section)
come through ``aicommons.governance.obligations.obligation_input``, the one adapter of the
project model; the obligations themselves are data (``ai_act_obligations.yaml``). A finding
names the article, its title and the evidence field that is missing, at that field's line in
``projects/<slug>.yaml`` when the project was read from its file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from aicommons.checks.model import CheckContext, Finding, Skip
from aicommons.checks.registry import check
from aicommons.governance import obligations as ob
from aicommons.governance.model import AIProject
from aicommons.governance.obligations import ObligationInput, OpenObligation


def _assessed(ctx: CheckContext) -> Iterator[tuple[AIProject, ObligationInput]]:
    """(project, its evaluator input) for every project of the register that records a risk category."""
    if ctx.today is None:
        raise Skip("no date to judge the obligations against")
    projects = ctx.inventory.projects
    if not projects:
        raise Skip("the bundle carries no AI project register")
    inputs = [(p, ob.obligation_input(p, ctx.inventory.profile)) for p in projects]
    assessed = [(p, i) for p, i in inputs if i.risk_category is not None]
    if not assessed:
        raise Skip("no project in the register records its AI Act risk category (register.risk_category)")
    return iter(assessed)


def _finding(project: AIProject, item: OpenObligation, status: str | None) -> Finding:
    """At the evidence field in the project's file (``obligations.<field>``), else at its
    ``obligations:`` section, where the field goes, else at ``register.risk_category``, which makes
    it due; a prohibited practice at ``register.status``, the field that retires it."""
    if item.evidence is None:
        line = project.line_of("register", "status")
        need = "set register.status to retired"
    else:
        line = project.line_of("obligations", item.evidence) or project.line_of("register", "risk_category")
        need = f"record obligations.{item.evidence}"
    message = f"{item.cite}, {status or 'no status'}: {item.missing}; {need}"
    return Finding(resource=f"AIProject/{project.slug}", message=message, file=project.file, line=line)


def _due(ctx: CheckContext, category: str) -> Iterable[Finding]:
    for project, inp in _assessed(ctx):
        if inp.risk_category != category:
            continue
        for item in ob.open_obligations(inp, ctx.today):  # type: ignore[arg-type]
            if item.due:
                yield _finding(project, item, inp.status)


@check("AIC-GOV-08", "bundle")
def no_prohibited_practice(ctx: CheckContext) -> Iterable[Finding]:
    """No project of unacceptable risk is planned, built or used (Art. 5) unless it is retired."""
    yield from _due(ctx, "unacceptable")


@check("AIC-GOV-09", "bundle")
def high_risk_deployer_obligations(ctx: CheckContext) -> Iterable[Finding]:
    """A high-risk project in use has the deployer's evidence: FRIA, EU database registration, named
    oversight, logs kept six months, workers and affected people informed."""
    yield from _due(ctx, "high risk")


@check("AIC-GOV-10", "bundle")
def limited_risk_transparency(ctx: CheckContext) -> Iterable[Finding]:
    """A limited-risk project in use records how people are told (Art. 50), or why it does not apply."""
    yield from _due(ctx, "limited risk")
