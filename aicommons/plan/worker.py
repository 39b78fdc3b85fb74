"""The plan worker: a child process that loads the Pulumi SDK while the CLI sizes and renders.

`python -m aicommons.plan.worker` imports the stack programs and every SDK module they use
(see preload.py), then reads one request line on stdin (the bundle to plan), runs
`plan_bundle` on it and writes one reply line (wire.py) to its stdout. It exits when the
reply is written or when stdin closes. Ctrl-C is the CLI's to handle: the worker ignores it,
and the CLI ends the worker on every way out.
"""

from __future__ import annotations

import gc
import os
import signal
import sys


def main() -> int:
    """Serve one plan request; the exit code is 0 unless the reply could not be written."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The reply goes to the original stdout; anything the programs print goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        _preload()
        line = sys.stdin.readline()
        if line:
            replies.write(_answer(line))
            replies.flush()
        return 0
    except OSError:
        return 1  # the CLI went away (a broken pipe)


def _preload() -> None:
    from aicommons.plan.preload import preload_stacks

    # The SDK's modules are a large heap of long-lived objects that every full collection
    # would walk again: load them with the collector off, then freeze them out of its sight
    # (this halves the mock run's time and cuts the imports' by a fifth).
    gc.disable()
    try:
        preload_stacks()
    except Exception:  # noqa: BLE001 - the plan meets the same error and reports it
        pass
    finally:
        gc.freeze()
        gc.enable()


def _answer(line: str) -> str:
    from aicommons.plan import wire

    try:
        from aicommons.plan.bundle import plan_bundle

        return wire.plans_reply(plan_bundle(wire.bundle_of(line)))
    except Exception as exc:  # noqa: BLE001 - every error goes back to the CLI
        return wire.error_reply(exc)


if __name__ == "__main__":
    # Run under its import name (not __main__), as the CLI would import it, then leave without
    # the interpreter's teardown: the reply is written and flushed, nothing else is owed.
    from aicommons.plan import worker

    code = worker.main()
    sys.stderr.flush()
    os._exit(code)
