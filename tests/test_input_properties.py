"""No input ever ends in an internal error: mutated profiles exit 0, 1 or 2, never 70, and in bounded time.

Hypothesis starts from the example cities and the starter profiles `init` writes (4 tiers x 3
providers) and mutates them: leaves get other types and extreme numbers (NaN, infinity, huge and
negative), keys are dropped, renamed or added, mappings become lists and scalars become mappings,
lists grow, and the text is re-encoded, truncated or given bytes YAML does not allow. `size` and
`validate` run in-process on each mutant; a crash (any exception that is not a project error)
or a run over the deadline fails the test, with the mutant shown.

Runs are deterministic (``derandomize=True``, no example database), so a failure reproduces.
Each crash found this way is fixed at its depth and kept as a fixed case in
``tests/test_input_regressions.py``.
"""

from __future__ import annotations

import copy
import math
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, AicommonsError
from aicommons.profile.starter import TIERS, starter_profile
from tests.conftest import EXAMPLES

PROVIDERS = ("aws", "kubernetes", "onprem")
SEEDS: dict[str, Any] = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES} | {
    f"init-{tier}-{provider}": yaml.safe_load(starter_profile(tier, provider))
    for tier in TIERS
    for provider in PROVIDERS
}
DEADLINE_SECONDS = 60  # per run, on a shared CI machine; a hang (alias bomb) would never return
EXIT_CRASH = 70
RUNNER = CliRunner()

SETTINGS = settings(
    derandomize=True,  # the same mutants on every run: deterministic
    database=None,
    deadline=None,  # time is bounded per run by DEADLINE_SECONDS instead
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- Mutations -------------------------------------------------------------------------------------

NUMBERS = st.sampled_from(
    [0, -1, 1, -0.0, 0.5, 2**31, 2**63, 10**30, 10**400, -(10**30), 1e308, -1e308, 5e-324, 1e-9]
    + [math.nan, math.inf, -math.inf]
)
TEXT = st.one_of(
    st.sampled_from(["", " ", "500m", "4Gi", "-1", "1e3", "nan", "inf", ".inf", "null", "yes", "x" * 300]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
)
SCALARS = st.one_of(NUMBERS, TEXT, st.booleans(), st.none())
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(TEXT, SCALARS, max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside the document (not the root itself)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated_document(draw: st.DrawFn) -> tuple[str, Any]:
    """(seed name, mutated document): one to three structural or value mutations."""
    examples = sorted(n for n in SEEDS if not n.startswith("init-"))
    name = draw(st.sampled_from(examples) | st.sampled_from(sorted(SEEDS)))  # examples half the time
    doc = copy.deepcopy(SEEDS[name])
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        paths = sorted(_paths(doc), key=repr)
        if not paths:
            break
        op = draw(
            st.sampled_from(
                ["value", "number", "number", "drop", "rename", "add", "to-list", "to-map", "grow"]
            )
        )
        numeric = [p for p in paths if _is_number(_parent(doc, p)[p[-1]])]
        path = draw(st.sampled_from(numeric if op == "number" and numeric else paths))
        parent, key = _parent(doc, path), path[-1]
        value = parent[key]
        if op == "value":
            parent[key] = draw(VALUES)
        elif op == "number":
            parent[key] = draw(NUMBERS) if draw(st.booleans()) else _scaled(draw, value)
        elif op == "drop":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(TEXT | st.sampled_from([str(key) + "s", str(key).upper(), 1, None]))] = parent.pop(
                key
            )
        elif op == "add" and isinstance(value, dict):
            value[draw(TEXT)] = draw(VALUES)
        elif op == "to-list":
            parent[key] = list(value.values()) if isinstance(value, dict) else [value]
        elif op == "to-map":
            parent[key] = {str(value): value} if not isinstance(value, list | dict) else {"items": value}
        elif op == "grow" and isinstance(value, list) and value:
            parent[key] = value * draw(st.sampled_from([2, 20, 200]))
    return name, doc


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scaled(draw: st.DrawFn, value: Any) -> Any:
    """The number scaled: nearby values that still validate reach sizing and rendering, extreme ones the models."""
    factor = draw(st.sampled_from([2, 0.5, 10, 0.001, 1000, -1, 0, 10**6, 10**-6, 10**300]))
    if not _is_number(value):
        return factor
    try:
        result = value * factor
    except OverflowError:  # an integer already too large for a float
        return value
    return int(result) if isinstance(value, int) and isinstance(factor, int) else result


@st.composite
def mutated_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """A mutated document written as YAML, then perhaps re-encoded or damaged as text."""
    name, doc = draw(mutated_document())
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    damage = draw(
        st.sampled_from(["none"] * 9 + ["utf-16", "latin-1", "bom", "crlf", "cut", "nul", "tab", "alias"])
    )
    if damage == "utf-16":
        return name, text.encode("utf-16")
    if damage == "latin-1":
        return name, ("city_note: café\n" + text).encode("latin-1", errors="replace")
    if damage == "bom":
        return name, b"\xef\xbb\xbf" + text.encode()
    if damage == "crlf":
        return name, text.replace("\n", "\r\n").encode()
    at = draw(st.integers(0, len(text)))
    if damage == "cut":
        return name, text[:at].encode()
    if damage == "nul":
        return name, (text[:at] + "\x00" + text[at:]).encode()
    if damage == "tab":
        return name, (text[:at] + "\n\t" + text[at:]).encode()
    if damage == "alias":
        return name, ("x: &x [1, 2]\n" + text.replace(": ", ": *x #", 1)).encode()
    return name, text.encode()


# --- Running the CLI ------------------------------------------------------------------------------


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (TimeoutError) when the block runs longer than `seconds`: a hang must not hang the suite."""

    def _expired(*_: Any) -> None:
        raise TimeoutError(f"a run took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def exit_code(result: Any) -> int:
    """The exit code the console entry point (`aicommons.cli.main.run`) gives for this result."""
    exc = result.exception
    if exc is None or isinstance(exc, SystemExit):
        return int(result.exit_code)
    if isinstance(exc, AicommonsError):
        return exc.exit_code
    return EXIT_CRASH


def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str, float]:
    """(exit code, what a user would read, seconds) of one in-process run."""
    started = time.monotonic()
    with deadline(DEADLINE_SECONDS):
        result = RUNNER.invoke(app, list(args), env=env)
    seconds = time.monotonic() - started
    code = exit_code(result)
    if code == EXIT_CRASH:
        import traceback

        detail = "".join(traceback.format_exception(*result.exc_info))
        return code, detail, seconds
    shown = result.exception.render() if isinstance(result.exception, AicommonsError) else result.output
    return code, shown, seconds


def assert_handled(code: int, shown: str, seconds: float, where: str) -> None:
    assert code in (EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT), f"{where}: exit {code}\n{shown}"
    assert "Traceback" not in shown, shown
    if code == EXIT_BAD_INPUT:
        assert shown.strip(), f"{where}: exit 2 without a message"
    assert seconds < DEADLINE_SECONDS


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("mutants")
    cache = folder / "empty-chart-cache"  # the cluster check reports charts missing; no network, no state
    cache.mkdir()
    return folder, {"COLUMNS": "120", "AICOMMONS_CHART_CACHE": str(cache)}


@settings(SETTINGS, max_examples=200)
@given(mutant=mutated_bytes())
def test_size_never_crashes_on_a_mutated_profile(workdir: tuple[Path, dict[str, str]], mutant: Any) -> None:
    folder, env = workdir
    name, blob = mutant
    profile = folder / "profile.yaml"
    profile.write_bytes(blob)
    code, shown, seconds = run_cli("size", str(profile), "--format", "json", env=env)
    assert_handled(code, shown, seconds, f"size of a mutant of {name}")


@settings(SETTINGS, max_examples=60)
@given(mutant=mutated_bytes())
def test_validate_never_crashes_on_a_mutated_profile(
    workdir: tuple[Path, dict[str, str]], mutant: Any
) -> None:
    folder, env = workdir
    name, blob = mutant
    profile = folder / "profile.yaml"
    profile.write_bytes(blob)
    code, shown, seconds = run_cli("validate", str(profile), "--format", "json", "--no-plan", env=env)
    assert_handled(code, shown, seconds, f"validate of a mutant of {name}")


# --- Every number of every example, set to a value that once crashed or hung -------------------------

EXTREMES = (math.inf, math.nan, 10**30, 10**12)  # infinity/NaN (exit 70), overflow (exit 70), a hang


def _numeric_paths(doc: Any) -> list[tuple[Any, ...]]:
    return [p for p in _paths(doc) if _is_number(_parent(doc, p)[p[-1]])]


@pytest.mark.parametrize("name", sorted(n for n in SEEDS if not n.startswith("init-")))
def test_every_number_of_an_example_set_to_an_extreme_is_handled(
    workdir: tuple[Path, dict[str, str]], name: str
) -> None:
    """A sweep, not a sample: each numeric field of each example city, with each extreme value."""
    folder, env = workdir
    profile = folder / f"sweep-{name}"
    for path in _numeric_paths(SEEDS[name]):
        for value in EXTREMES:
            doc = copy.deepcopy(SEEDS[name])
            _parent(doc, path)[path[-1]] = value
            profile.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            where = f"size of {name} with {'.'.join(map(str, path))} = {value!r}"
            assert_handled(*run_cli("size", str(profile), "--format", "json", env=env), where)
            if value is math.inf and name == "riverton.yaml":  # validate once crashed on an infinite budget
                where = where.replace("size", "validate")
                assert_handled(*run_cli("validate", str(profile), "-f", "json", "--no-plan", env=env), where)
