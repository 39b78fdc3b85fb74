"""HiGHS (through scipy) with its console kept clean.

The MIP solver inside scipy sometimes prints a diagnostic line straight to the process's
standard output (e.g. "HighsMipSolverData::transformNewIntegerFeasibleSolution ..."),
bypassing Python; in `aicommons size --format json` that line would corrupt the JSON. The
wrapper points file descriptor 1 at the null device for the length of each solve.
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


def milp(*args: Any, **kwargs: Any) -> Any:
    """`scipy.optimize.milp`, with anything HiGHS prints to standard output discarded."""
    with _quiet_stdout():
        return _milp(*args, **kwargs)
