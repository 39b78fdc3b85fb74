"""Start, check and stop a test server for each profile, one after another (shell).

The test user's default server is used for every profile in turn, so at most one test server
runs at a time and users' servers limits (one each, no named servers) stay as the city sized
them. Whatever happens (a failed step, a lost hub, an exception, Ctrl-C or SIGTERM) the server
is stopped before the check moves on or exits; while it stops, a further Ctrl-C is held back so
the stop cannot be cut short.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from aicommons.healthcheck import report
from aicommons.healthcheck.hub import HubClient, HubError
from aicommons.healthcheck.kernel import run_cell
from aicommons.healthcheck.probe import AnswerError, Probe, read_answer, server_cell
from aicommons.healthcheck.service import TEST_USER
from aicommons.healthcheck.targets import Target


@dataclass
class Settings:
    user: str = TEST_USER
    server: str = ""  # the default server
    start_timeout: float = 900.0  # z2jh's default start timeout is 300 s; a node may have to boot
    stop_timeout: float = 300.0
    cell_timeout: float = 120.0
    probe_timeout: float = 3.0
    clock: Callable[[], float] = time.monotonic
    say: Callable[[str], None] = field(default=lambda _msg: None)


def run_check(
    client: HubClient, targets: Sequence[Target], probes: Sequence[Probe], settings: Settings
) -> list[report.Outcome]:
    """Every profile's outcomes, in profile order. Raises HubUnreachable when the hub is lost (the
    server of the profile in progress is stopped first, when the hub still answers)."""
    client.whoami()
    client.user(settings.user)
    _stop_leftover(client, settings)
    outcomes: list[report.Outcome] = []
    for target in targets:
        outcomes += check_profile(client, target, probes, settings)
    return outcomes


def check_profile(
    client: HubClient, target: Target, probes: Sequence[Probe], s: Settings
) -> list[report.Outcome]:
    out: list[report.Outcome] = []
    s.say(f"{target.slug}: starting a server for {s.user}")
    begun = s.clock()
    try:
        try:
            client.start(s.user, s.server, {"profile": target.slug})
            model = client.wait_ready(s.user, s.server, begun + s.start_timeout, s.clock)
        except HubError as exc:
            out += [
                report.not_started(target, str(exc), None),
                *report.skipped_after_start(target, probes, "the server did not start"),
            ]
            return out
        out.append(report.started(target, s.clock() - begun))
        s.say(f"{target.slug}: ready; running the checks inside the server")
        cell = server_cell(
            bool(target.gpus),
            f".aicommons-check-{uuid.uuid4().hex[:12]}",
            uuid.uuid4().hex,
            list(probes),
            s.probe_timeout,
        )
        try:
            answer = read_answer(run_cell(client, client.server_url(model), cell, s.cell_timeout))
        except (HubError, AnswerError) as exc:
            out.append(report.Outcome(target.slug, "run checks", "failed", str(exc)))
            out += report.skipped_after_start(target, probes, "the checks could not run in the server")
            return out
        out += report.judge_answer(target, probes, answer)
        return out
    finally:
        out.append(_stop(client, target, s))


def _stop(client: HubClient, target: Target, s: Settings) -> report.Outcome:
    s.say(f"{target.slug}: stopping the server")
    with _sigint_held(s.say):
        try:
            client.stop(s.user, s.server, s.clock() + s.stop_timeout, s.clock)
        except Exception as exc:  # the stop is reported, and must not hide why the check ended
            s.say(
                f"{target.slug}: could NOT stop {s.user}'s server: {exc}; stop it from the hub's admin page"
            )
            return report.not_stopped(target, str(exc))
    return report.stopped(target)


def _stop_leftover(client: HubClient, s: Settings) -> None:
    """A server the test user already has (a run killed with SIGKILL) is stopped first."""
    model = client.server(s.user, s.server)
    if model and (model.get("ready") or model.get("pending")):
        s.say(f"{s.user} already has a server ({model.get('pending') or 'running'}): stopping it first")
        with _sigint_held(s.say):
            client.stop(s.user, s.server, s.clock() + s.stop_timeout, s.clock)


@contextlib.contextmanager
def _sigint_held(say: Callable[[str], None]) -> Iterator[None]:
    """Defer Ctrl-C while a server stops; it is raised once the stop is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        caught.append(signum)
        say("interrupt received: finishing the stop first")

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI job cancelled) runs the same cleanup as Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
