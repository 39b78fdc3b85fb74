"""A city's folder: the one place its profile, register, bundles, engine state and ledger live.

    <city folder>/                      the city's repository (or the folder in it holding the profile)
        profile.yaml                    the sizing profile (`kind: CityProfile`; `aicommons init` names it so)
        projects/<slug>.yaml            the AI project register
        bundles/<city>/                 the rendered bundle (its pulumi/ folder is the Pulumi project)
        .aicommons/ledger.jsonl         the audit ledger
        .aicommons/last-validation.json the validation of the last deploy
        .aicommons/state/               Pulumi's file backend (unless --backend or $PULUMI_BACKEND_URL)
        .aicommons/logs/                one engine log per stack and run

Every command finds it the same way:

- a command given a profile (render, plan, deploy, destroy, status, drift, validate) uses the
  profile's folder;
- a command given none (project, ledger) walks up from the current folder, as git looks for its
  repository, to the nearest folder that holds `.aicommons/` or a profile (a `*.yaml`/`*.yml`
  file with a top-level `kind: CityProfile` line). The walk stops at the top of the git
  repository (a folder holding `.git`): a city's folder is never above its repository.

An explicit option (`--bundle`/`-o`, `--dir`, a ledger path, `--backend`) overrides the default it
names. Several profiles may share a folder (each city's bundle has its own `bundles/<city>/`), but
they then share one ledger and one engine state: give each city its own folder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aicommons.errors import InputError, Location

TOOL_DIR = ".aicommons"
BUNDLES_DIR = "bundles"
PROJECTS_DIR = "projects"
LEDGER_FILE = "ledger.jsonl"
STATE_DIR = "state"
LOGS_DIR = "logs"
BACKEND_VAR = "PULUMI_BACKEND_URL"

# A profile is recognised by its `kind:` line, read as text: the walk must stay cheap and must not
# parse YAML it does not need (the loader, with its limits, reads the profile a command is given).
_PROFILE_KIND = re.compile(rb"^kind:[ \t]*(['\"]?)CityProfile\1[ \t]*(#.*)?$", re.MULTILINE)
_PROFILE_SUFFIXES = (".yaml", ".yml")
_MARKER_READ = 64 * 1024  # a profile's `kind:` line comes after at most a long header comment
_MARKER_MAX_FILE = 1024 * 1024  # larger YAML files are not profiles worth opening here


@dataclass(frozen=True)
class CityFolder:
    """Where each of a city's files lives, under one root."""

    root: Path

    def bundle(self, slug: str) -> Path:
        """The default bundle folder of a city: `bundles/<slug>/`."""
        return self.root / BUNDLES_DIR / slug

    @property
    def projects(self) -> Path:
        return self.root / PROJECTS_DIR

    @property
    def tool_dir(self) -> Path:
        return self.root / TOOL_DIR

    @property
    def ledger(self) -> Path:
        return self.tool_dir / LEDGER_FILE

    @property
    def state(self) -> Path:
        return self.tool_dir / STATE_DIR

    @property
    def logs(self) -> Path:
        return self.tool_dir / LOGS_DIR


def of_profile(profile: Path) -> CityFolder:
    """The folder of a city whose profile is `profile`: the profile's own folder."""
    return CityFolder(profile.parent)


def is_city_folder(folder: Path) -> bool:
    """Whether `folder` holds `.aicommons/` or a city profile."""
    if (folder / TOOL_DIR).is_dir():
        return True
    try:
        candidates = sorted(p for p in folder.iterdir() if p.suffix in _PROFILE_SUFFIXES)
    except OSError:
        return False
    return any(is_profile_file(p) for p in candidates)


def is_profile_file(path: Path) -> bool:
    """A YAML file with a top-level `kind: CityProfile` line (read as text, never parsed)."""
    try:
        if not path.is_file() or path.stat().st_size > _MARKER_MAX_FILE:
            return False
        with path.open("rb") as fh:
            head = fh.read(_MARKER_READ)
    except OSError:
        return False
    return _PROFILE_KIND.search(head) is not None


def find_city_folder(start: Path) -> CityFolder | None:
    """The nearest city folder at or above `start`, not above the top of its git repository."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if is_city_folder(folder):
            return CityFolder(_shown(folder, start))
        if (folder / ".git").exists():  # the repository's top: a folder or, in a worktree, a file
            return None
    return None


def locate(start: Path, *, option: str) -> CityFolder:
    """The city folder at or above `start`, or a bad-input error saying how to name one."""
    found = find_city_folder(start)
    if found is None:
        raise InputError(
            f"no city folder here or above (a folder holding {TOOL_DIR}/ or a profile with "
            "`kind: CityProfile`, up to the top of the git repository)",
            Location(file=str(start.resolve())),
            f"run from the city's folder or a folder in it, or give {option}",
        )
    return found


def backend_url(city: CityFolder, flag: str | None, environ: Mapping[str, str]) -> str:
    """The Pulumi backend of a city's stacks: `--backend`, else $PULUMI_BACKEND_URL (the state CI
    runs share), else the file backend in the city's `.aicommons/state/`."""
    return flag or environ.get(BACKEND_VAR) or city.state.resolve().as_uri()


def _shown(folder: Path, start: Path) -> Path:
    """`folder` as the user would write it: relative to `start` when `start` was relative."""
    if start.is_absolute():
        return folder
    cwd = Path.cwd().resolve()
    if folder == cwd:
        return Path(".")
    if folder.is_relative_to(cwd):
        return folder.relative_to(cwd)
    return folder
