"""Who acted, when, and from which commit: read from the environment (the imperative shell).

Only the variables named here are read, so nothing else in the environment (tokens,
passphrases, cloud keys) can find its way into a ledger record.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from aicommons.ledger.model import Actor, CiRun

# Every environment variable the ledger may read, and nothing else.
USER_VARS = ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "LOGNAME", "USER", "LNAME", "USERNAME")
CI_VARS = (
    "GITHUB_ACTIONS",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITLAB_CI",
    "CI_PIPELINE_ID",
    "CI_JOB_URL",
    "CI",
)
ALLOWED_ENV = frozenset(USER_VARS + CI_VARS)
GIT_TIMEOUT_SECONDS = 5
_FIELD = re.compile(r"^[\w.@:/+-]{1,200}$")  # names, ids and URLs: nothing with spaces or quotes


def utc_now() -> str:
    """Now, in UTC, to the second: 2025-11-25T01:57:00Z."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def who_when(environ: Mapping[str, str] | None = None) -> Actor:
    """The user, host and CI run acting now; `.at` is the moment (UTC) for the entry's `at`."""
    env = _Allowed(os.environ if environ is None else environ)
    return Actor(user=_user(env), host=socket.gethostname() or "unknown", ci=_ci_run(env), at=utc_now())


def git_commit(folder: Path) -> str | None:
    """HEAD of the git repository holding `folder`, or None (not a repository, no commit, no git)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "--quiet", "HEAD"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    head = done.stdout.strip()
    return head if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", head) else None


class _Allowed:
    """A view of the environment that can only see the allowed names."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def get(self, name: str) -> str | None:
        if name not in ALLOWED_ENV:
            raise KeyError(f"{name} is not an environment variable the ledger may read")
        value = self._environ.get(name)
        return value if value and _FIELD.match(value) else None


def _user(env: _Allowed) -> str:
    for name in USER_VARS:
        if value := env.get(name):
            return value
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return "unknown"


def _ci_run(env: _Allowed) -> CiRun | None:
    if env.get("GITHUB_ACTIONS") == "true":
        run_id = env.get("GITHUB_RUN_ID")
        server, repo = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
        url = f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None
        if url and (attempt := env.get("GITHUB_RUN_ATTEMPT")):
            url += f"/attempts/{attempt}"
        return CiRun(system="github", run_id=run_id, url=url)
    if env.get("GITLAB_CI") == "true":
        return CiRun(system="gitlab", run_id=env.get("CI_PIPELINE_ID"), url=env.get("CI_JOB_URL"))
    if (env.get("CI") or "").lower() in ("true", "1"):
        return CiRun(system="ci", run_id=env.get("CI_PIPELINE_ID"))
    return None
