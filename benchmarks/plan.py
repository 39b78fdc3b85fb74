"""Timing benchmark for the CLI: `--help`, `plan` on each example, and rendering 100 cities.

Targets on the 2-core machine: `aicommons --help` under 0.3 s, `plan` of metro.yaml under 3 s,
100 generated cities rendered under 60 s, `plan` of the largest example (metro) with the
cluster check on every release's real chart under 5 s (median of 5; the chart cache is
$AICOMMONS_CHART_CACHE, else $AICOMMONS_TEST_CHARTS).

    python benchmarks/plan.py [--cities N] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIC = [sys.executable, "-m", "aicommons.cli"]
LARGEST = "metro"  # the example with the most releases and node groups
sys.path.insert(0, str(ROOT / "benchmarks"))


def timed(cmd: list[str], repeat: int = 3) -> float:
    """Median wall time of a command (a fresh process each time, as a user runs it)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def render_cities(count: int, seed: int) -> float:
    """Size and render `count` generated cities in one process; returns seconds."""
    from sizing import generated_profile

    from aicommons.render.bundle import render_bundle
    from aicommons.render.write import write_bundle
    from aicommons.sizing.plan import size

    rng = random.Random(seed)
    profiles = [_with_render_fields(generated_profile(rng, i)) for i in range(count)]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        for profile in profiles:
            bundle = render_bundle(profile, size(profile))
            write_bundle(bundle.files, Path(tmp) / profile.city.slug)
        return time.perf_counter() - started


def _with_render_fields(profile):  # type: ignore[no-untyped-def]
    from aicommons.profile.model import CityProfile

    data = profile.model_dump(mode="json")
    slug = data["city"]["slug"]
    data["hub"] = {
        "host": f"commons.{slug}.example.gov",
        "https": "letsencrypt",
        "contact_email": f"it@{slug}.example.gov",
    }
    if data["target"]["provider"] == "aws":  # budget alerts are required to render an AWS bundle
        data["budget"]["alert_emails"] = data["budget"].get("alert_emails") or [f"finance@{slug}.example.gov"]
        data["budget"]["alert_thresholds"] = data["budget"].get("alert_thresholds") or [0.8, 1.0]
    data["identity"] = {
        "issuer_url": f"https://login.{slug}.example.gov/realms/staff",
        "client_id": "hub",
        "allowed_groups": ["users"],
    }
    return CityProfile.model_validate(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    rows = [("aicommons --help", timed([*AIC, "--help"], repeat=5), 0.3)]
    with tempfile.TemporaryDirectory() as tmp:
        for example in sorted((ROOT / "examples" / "cities").glob("*.yaml")):
            target = 3.0 if example.stem == "metro" else None
            seconds = timed([*AIC, "plan", str(example), "--bundle", f"{tmp}/{example.stem}"], repeat=3)
            rows.append((f"aicommons plan {example.name}", seconds, target))
        charts = os.environ.get("AICOMMONS_CHART_CACHE") or os.environ.get("AICOMMONS_TEST_CHARTS")
        name = f"aicommons plan {LARGEST}.yaml with the cluster check (median of 5)"
        if charts:
            example = ROOT / "examples" / "cities" / f"{LARGEST}.yaml"
            cmd = [*AIC, "plan", str(example), "--bundle", f"{tmp}/{LARGEST}-checked", "--charts", charts]
            rows.append((name, timed(cmd, repeat=5), 5.0))
        else:
            sys.stderr.write(f"{name}: skipped, no chart cache ($AICOMMONS_CHART_CACHE)\n")
    rows.append(
        (f"render {args.cities} generated cities (one process)", render_cities(args.cities, args.seed), 60.0)
    )
    lines = ["| measurement | seconds | target | met |", "|---|---|---|---|"]
    for name, seconds, target in rows:
        met = "" if target is None else ("yes" if seconds < target else "no")
        lines.append(f"| {name} | {seconds:.2f} | {'' if target is None else f'< {target:g}'} | {met} |")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
