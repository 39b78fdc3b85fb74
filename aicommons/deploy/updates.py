"""Run one stack's update or destroy with live progress and a full log, and say how it ended.

A failed or interrupted run is returned with the error to raise, so that the caller writes
the ledger record first: every update that started leaves a record, whatever its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aicommons.deploy.display import Progress, counts_line
from aicommons.deploy.errors import EngineError, Interrupted
from aicommons.deploy.events import EventCollector, fan_out
from aicommons.deploy.record import StackRun
from aicommons.errors import AicommonsError

if TYPE_CHECKING:
    from aicommons.deploy.engine import Engine
    from aicommons.deploy.logs import EngineLog, Redactor
    from aicommons.deploy.shell import Shell

MAX_ENGINE_ERRORS = 5


@dataclass
class Ran:
    run: StackRun
    error: AicommonsError | None = None


def run_update(
    kind: Literal["up", "destroy"],
    engine: Engine,
    stack: str,
    shell: Shell,
    log: EngineLog,
    redact: Redactor,
    *,
    command: str,
) -> Ran:
    """`engine.up` or `engine.destroy` on `stack`: one progress line per resource operation."""
    collector = EventCollector()
    on_event = fan_out(collector, Progress(shell.console, stack, redact), log.on_event(kind))
    call = engine.up if kind == "up" else engine.destroy
    verb = "update" if kind == "up" else "destroy"
    try:
        counts = call(stack, on_event, log.on_output(kind))
    except KeyboardInterrupt:
        log.write(kind, note="interrupted by the user; cancelling")
        cancel_note = _cancel(engine, stack)
        done = collector.done_counts()
        return Ran(
            StackRun(stack, "cancelled", done, log.path),
            Interrupted(
                f"interrupted: the {verb} of {stack} was cancelled after {sum(done.values())} completed "
                f"operation(s){cancel_note}. Pulumi keeps the state consistent; run `aicommons {command}` "
                f"again to continue from it. The engine log is {log.path}."
            ),
        )
    except EngineError as exc:
        engine_said = [redact(e) for e in collector.errors[-MAX_ENGINE_ERRORS:]]
        detail = "\n".join(f"  {line}" for line in engine_said)
        return Ran(
            StackRun(stack, "failed", collector.done_counts(), log.path),
            EngineError(
                f"the {verb} of {stack} failed" + (f":\n{detail}" if detail else "") + f"\n{exc.message}"
                f"\nthe full engine log is {log.path}",
                allowed=exc.allowed,
            ),
        )
    if collector.summary is not None:
        counts = collector.counts()
    shell.console.print(f"[bold]{stack}[/]: {counts_line(counts, future=False)}")
    return Ran(StackRun(stack, "succeeded", counts, log.path))


def _cancel(engine: Engine, stack: str) -> str:
    try:
        engine.cancel(stack)
    except Exception as exc:  # best effort: the CLI may already have stopped
        first = (getattr(exc, "message", None) or str(exc) or exc.__class__.__name__).splitlines()[0]
        return f" (the engine's cancel said: {first})"
    return ""
