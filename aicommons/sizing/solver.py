"""HiGHS (through scipy) with its console kept clean.

The MIP solver inside scipy sometimes prints a diagnostic line straight to the process's
standard output (e.g. "HighsMipSolverData::transformNewIntegerFeasibleSolution ..."),
bypassing Python; in `aicommons size --format json` that line would corrupt the JSON. The
wrapper points file descriptor 1 at the null device for the length of each solve.

It also keeps sizing deterministic: every solve is stopped by a count (branch-and-bound nodes,
``node_limit``), never by wall time. A time limit makes the answer depend on the machine's speed
and load (two runs of one profile gave $14,912.86 and $14,578.83 a month, issue 11): the
solves that reached it on a slow machine (the whole-node bound of a level, the mixed pool's
program) returned a different incumbent. A solve stopped by its node limit returns the same
incumbent and the same proven dual bound on every machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scipy.optimize import milp as _milp


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no usable descriptor 1 (embedded use): nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class NondeterministicSolve(ValueError):
    """A solve asked for a wall-clock limit (or no limit at all): its answer could vary by machine."""


def milp(*args: Any, node_limit: int, **kwargs: Any) -> Any:
    """`scipy.optimize.milp` stopped after ``node_limit`` branch-and-bound nodes, quietly.

    ``options`` may carry other HiGHS options (``presolve``, ``mip_rel_gap``) but not
    ``time_limit``; anything HiGHS prints to standard output is discarded.
    """
    options = dict(kwargs.pop("options", None) or {})
    if "time_limit" in options or "node_limit" in options:
        raise NondeterministicSolve("give node_limit as the argument; a time_limit is never allowed")
    if node_limit < 1:
        raise NondeterministicSolve(f"node_limit must be at least 1, got {node_limit}")
    options["node_limit"] = int(node_limit)
    with _quiet_stdout():
        return _milp(*args, options=options, **kwargs)
