"""Project errors: every error a user can cause carries where it happened and what is allowed.

The CLI turns these into one readable message and an exit code; nothing below the CLI
prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1  # checks failed or drift found
EXIT_BAD_INPUT = 2  # bad input or usage
EXIT_MISSING_COMPONENT = 3  # engine, cluster or credentials missing


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file with line and column, and/or a field path."""

    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # dotted path, e.g. workloads[1].gpu.count

    def __str__(self) -> str:
        parts = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


class AicommonsError(Exception):
    """Base class for errors the CLI reports without a traceback."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, location: Location | None = None, allowed: str | None = None):
        self.message = message
        self.location = location
        self.allowed = allowed
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.location}: {self.message}" if self.location and str(self.location) else self.message
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text


class InputError(AicommonsError):
    """The user's input (a profile, a bundle, a flag) is wrong."""

    exit_code = EXIT_BAD_INPUT


class ErrorGroup(InputError):
    """Several located input errors found in one pass, reported together."""

    def __init__(self, errors: list[AicommonsError]):
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)


class MissingComponentError(AicommonsError):
    """An external component (engine, cluster, credentials) is missing or failing."""

    exit_code = EXIT_MISSING_COMPONENT
