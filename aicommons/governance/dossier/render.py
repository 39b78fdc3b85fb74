"""Write the dossier as Markdown, self-contained HTML (inline CSS, no external asset, every text
escaped) or JSON. Deterministic: the same dossier gives the same bytes."""

from __future__ import annotations

from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from aicommons.governance.dossier.model import Dossier

Format = Literal["md", "html", "json"]


def _md(value: object) -> str:
    """Text safe in a Markdown table cell or line: no pipe, no newline, no HTML."""
    text = " ".join(str(value).split())
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(char, escaped)
    return text


def _standards(refs: list[dict[str, Any]]) -> list[str]:
    """A control's standards grouped by framework, in the blueprint's order:
    ['ISO/IEC 27001 A.5.15, A.8.5', 'EU AI Act Art. 27']."""
    grouped: dict[str, list[str]] = {}
    for ref in refs:
        grouped.setdefault(str(ref["framework"]), []).append(str(ref["clause"]))
    return [f"{framework} {', '.join(clauses)}" for framework, clauses in grouped.items()]


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("aicommons.governance.dossier", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = _md
    env.filters["standards"] = _standards
    return env


def render_dossier(dossier: Dossier, format: Format) -> str:
    """The document in `format`."""
    if format == "json":
        return dossier.model_dump_json(indent=2) + "\n"
    name = {"md": "dossier.md.j2", "html": "dossier.html.j2"}[format]
    template = _environment(autoescape=format == "html").get_template(name)
    return template.render(
        d=dossier, v=dossier.validation, s=dossier.validation.summary, ledger=dossier.ledger
    )
