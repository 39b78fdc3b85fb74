"""Plan a bundle in the plan worker (worker.py), overlapping its imports with the CLI's own work.

    with PlanWorker.start() as worker:   # first thing: the worker starts loading the SDK
        ...                              # size, render, write the bundle
        worker.submit(bundle_root)
        ...                              # static checks, while the worker plans
        plans = worker.plans()

If the worker cannot start, dies, or answers with something other than plans or a project
error, `plans()` runs `plan_bundle` in-process instead: the result is the same plan (or the
same error), only slower. The worker never outlives the `with` block.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aicommons.plan.model import StackPlan

WORKER_COMMAND = (sys.executable, "-m", "aicommons.plan.worker")


class PlanWorker:
    """A started plan worker (or none, when it could not start) and the bundle handed to it."""

    def __init__(self, process: subprocess.Popen[bytes] | None):
        self._process = process
        self._bundle: Path | None = None

    @classmethod
    def start(cls, command: tuple[str, ...] = WORKER_COMMAND) -> PlanWorker:
        """Start the worker; if that fails, the plan will run in-process."""
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # Its own session: Ctrl-C in a terminal reaches the CLI only, which ends the worker.
                start_new_session=os.name == "posix",
            )
        except OSError:
            process = None
        return cls(process)

    def submit(self, bundle_root: Path) -> None:
        """Hand the written bundle to the worker (which plans it while the caller goes on)."""
        from aicommons.plan import wire

        self._bundle = bundle_root
        if self._process is None or self._process.stdin is None:
            return
        try:
            self._process.stdin.write(wire.request(bundle_root).encode("utf-8"))
            self._process.stdin.flush()
        except OSError:
            self.close()

    def plans(self) -> list[StackPlan]:
        """The submitted bundle's plans, one per stack; raises the plan's project error."""
        from aicommons.plan import wire

        if self._bundle is None:
            raise RuntimeError("submit a bundle before asking for its plans")
        reply = self._reply()
        self.close()
        if reply is not None:
            plans, error = reply
            if plans is not None:
                return plans
            rebuilt = wire.decode_error(error or {})
            if rebuilt is not None:
                raise rebuilt
        from aicommons.plan.bundle import plan_bundle

        return plan_bundle(self._bundle)  # no usable reply: plan here (a bug shows as it would)

    def close(self) -> None:
        """End the worker if it still runs and reap it (idempotent)."""
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        if process.poll() is None:
            process.kill()
        process.wait()

    def _reply(self) -> tuple[list[StackPlan] | None, dict[str, Any] | None] | None:
        from aicommons.plan import wire

        if self._process is None or self._process.stdout is None:
            return None
        try:
            return wire.decode_reply(self._process.stdout.readline().decode("utf-8"))
        except (OSError, ValueError):
            return None  # it died, or said something else

    def __enter__(self) -> PlanWorker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
