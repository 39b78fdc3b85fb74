"""`aicommons status`: the stacks, their last update and outputs, the last validation and record.

What is read locally (the stored validation, the ledger) is shown even when the engine is
missing; the command then exits 3 after showing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicommons.deploy import bundle_prep
from aicommons.deploy.display import counts_line
from aicommons.deploy.engine import STACK_ORDER
from aicommons.deploy.errors import EngineError
from aicommons.deploy.logs import Redactor
from aicommons.deploy.rules import bundle_stacks
from aicommons.deploy.settings import PASSPHRASE_VARS, engine_settings
from aicommons.deploy.shell import describe
from aicommons.errors import MissingComponentError

if TYPE_CHECKING:
    from aicommons.deploy.engine import Engine
    from aicommons.deploy.shell import Shell


@dataclass(frozen=True)
class StatusRequest:
    profile: Path
    bundle: Path | None = None
    backend: str | None = None
    secrets_provider: str | None = None


def status(request: StatusRequest, shell: Shell) -> tuple[dict[str, Any], MissingComponentError | None]:
    """The status document, and the error to exit with when the engine could not be asked."""
    prepared = bundle_prep.load_city(request.profile, request.bundle)
    profile = prepared.profile
    settings = engine_settings(
        prepared.city_folder,
        prepared.bundle_dir,
        request.backend,
        request.secrets_provider,
        shell.environ,
        need_passphrase=False,
    )
    stacks = bundle_stacks(prepared.bundle_dir) or [
        s for s in STACK_ORDER if s == "platform" or profile.target.provider == "aws"
    ]
    doc: dict[str, Any] = {
        "city": profile.city.slug,
        "profile": str(request.profile),
        "bundle": str(prepared.bundle_dir),
        "backend": settings.backend_url,
        "hub_url": f"https://{profile.hub.host}" if profile.hub else None,
        "engine": "ok",
        "stacks": [],
        "last_validation": _last_validation(prepared.city_folder),
        "last_record": _last_record(prepared.city_folder),
    }
    problem: MissingComponentError | None = None
    if settings.local_state is not None and not settings.local_state.is_dir():
        doc["engine"] = "not consulted: no engine state yet (nothing deployed)"
        doc["stacks"] = [{"name": s, "deployed": False} for s in stacks]
        return doc, problem
    try:
        redact = Redactor([shell.environ.get(v) for v in PASSPHRASE_VARS])
        engine = shell.open_engine(settings, redact)
        existing = set(engine.existing_stacks())
    except MissingComponentError as exc:
        problem = exc
        doc["engine"] = f"unavailable: {exc.render()}"
        doc["stacks"] = [{"name": s, "deployed": None} for s in stacks]
        return doc, problem
    doc["stacks"] = [_stack(engine, s, s in existing) for s in stacks]
    return doc, problem


def _stack(engine: Engine, stack: str, deployed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": stack, "deployed": deployed}
    if not deployed:
        return out
    try:
        last = engine.history(stack, 1)
        if last:
            entry = last[0]
            out["last_update"] = {
                "kind": entry.kind,
                "result": entry.result,
                "started": entry.started.isoformat() if entry.started else None,
                "ended": entry.ended.isoformat() if entry.ended else None,
                "version": entry.version,
                "changes": entry.resource_changes,
            }
        out["outputs"] = {k: v.shown() for k, v in engine.outputs(stack).items()}
    except EngineError as exc:
        out["problem"] = describe(exc)
    return out


def _last_validation(city_folder: Path) -> dict[str, Any] | None:
    from aicommons.drift import load_last_validation

    try:
        last = load_last_validation(city_folder)
    except Exception as exc:  # a damaged file is reported, not fatal to status
        return {"problem": describe(exc)}
    if last is None:
        return None
    s = last.report.summary
    return {
        "at": last.at,
        "source": last.report.source,
        "passed": s.passed,
        "failed": s.failed,
        "skipped": s.skipped,
        "waived": s.waived,
    }


def _last_record(city_folder: Path) -> dict[str, Any] | None:
    from aicommons.ledger import ledger_path, read_ledger

    try:
        records = read_ledger(ledger_path(city_folder))
    except Exception as exc:
        return {"problem": describe(exc)}
    if not records:
        return None
    last = records[-1]
    return {
        "seq": last.seq,
        "action": last.action,
        "at": last.at,
        "actor": last.actor.label(),
        "stacks": {name: s.model_dump() for name, s in last.stacks.items()},
        "notes": last.notes,
    }


def status_renderable(doc: dict[str, Any]) -> Any:
    """The status document as rich tables."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    head = Table.grid(padding=(0, 2))
    head.add_row("city", escape(doc["city"]))
    head.add_row("hub", escape(doc["hub_url"] or "-"))
    head.add_row("bundle", escape(doc["bundle"]))
    head.add_row("state", escape(doc["backend"]))
    head.add_row("engine", escape(doc["engine"]))
    stacks = Table(title="stacks", title_justify="left")
    for col in ("stack", "deployed", "last update", "outputs"):
        stacks.add_column(col, overflow="fold")
    for s in doc["stacks"]:
        deployed = {True: "yes", False: "no", None: "?"}[s["deployed"]]
        last = s.get("last_update")
        when = (
            f"{last['kind']} {last['result']} {last['ended'] or last['started'] or ''}\n"
            f"{counts_line(last['changes'], future=False)}"
            if last
            else ""
        )
        outputs = "\n".join(f"{k} = {_short(v)}" for k, v in (s.get("outputs") or {}).items())
        if s.get("problem"):
            outputs = f"[yellow]{escape(s['problem'])}[/]\n{escape(outputs)}"
        else:
            outputs = escape(outputs)
        stacks.add_row(s["name"], deployed, escape(when), outputs)
    parts: list[Any] = [head, stacks]
    v = doc.get("last_validation")
    if v is None:
        parts.append("last validation: none stored (deploy stores one)")
    elif "problem" in v:
        parts.append(f"last validation: [yellow]{escape(v['problem'])}[/]")
    else:
        parts.append(
            f"last validation ({v['source']}, {v['at'] or 'time unknown'}): {v['passed']} passed, "
            f"{v['failed']} failed, {v['skipped']} skipped, {v['waived']} waived"
        )
    r = doc.get("last_record")
    if r is None:
        parts.append("last ledger record: none")
    elif "problem" in r:
        parts.append(f"last ledger record: [yellow]{escape(r['problem'])}[/]")
    else:
        results = ", ".join(f"{k} {s['result']}" for k, s in r["stacks"].items()) or "no stacks"
        parts.append(
            escape(f"last ledger record: #{r['seq']} {r['action']} at {r['at']} by {r['actor']} ({results})")
        )
    return Group(*parts)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
