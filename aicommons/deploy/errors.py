"""The deploy commands' own outcomes, each with its exit code (see aicommons.errors)."""

from __future__ import annotations

from aicommons.errors import EXIT_FAILED, AicommonsError, MissingComponentError

EXIT_INTERRUPTED = 130  # what a shell reports for Ctrl-C


class DeployRefused(AicommonsError):
    """A guard stopped the deploy or destroy before the engine changed anything."""

    exit_code = EXIT_FAILED


class NotConfirmed(AicommonsError):
    """The user answered no; nothing more was changed."""

    exit_code = EXIT_FAILED


class EngineError(MissingComponentError):
    """The engine (the pulumi CLI) failed: a command error, a provider error, a locked stack."""


class Interrupted(AicommonsError):
    """Ctrl-C during an update: the update was cancelled and recorded; running again continues."""

    exit_code = EXIT_INTERRUPTED
