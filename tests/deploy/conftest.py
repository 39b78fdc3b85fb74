"""Fixtures for the deploy tests: a city folder, its secrets, and the CLI wired to the stand-in engine."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from aicommons.checks.report import Report, Summary
from tests.conftest import ROOT
from tests.deploy.standin import StandInEngine

SECRET = "oidc-Secret-7f2a9c41e0"  # the OIDC client secret the tests set; must never be written
PASSPHRASE = "correct horse battery staple 42"
RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"  # AWS: infra + platform
CLUSTER_CITY = ROOT / "tests" / "fixtures" / "profiles" / "good" / "kubernetes-cluster.yaml"  # platform only
SIGN_IN = {
    "identity": {
        "issuer_url": "https://login.cluster-city.example.nl/realms/staff",
        "client_id": "aicommons-hub",
        "allowed_groups": ["aicommons-users"],
    },
    "hub": {
        "host": "commons.cluster-city.example.nl",
        "https": "letsencrypt",
        "contact_email": "it@cluster-city.example.nl",
    },
}


_RENDERS: dict[str, Any] = {}
_CHECKS: dict[int, Report] = {}


@pytest.fixture(autouse=True)
def _render_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each profile is rendered and checked once per session (the flows are under test, not render)."""
    import aicommons.checks.sources as sources
    import aicommons.render.bundle as bundle

    render, check = bundle.render_bundle, sources.check_files

    def render_bundle(
        profile: Any, plan: Any, projects: Any = (), today: Any = None, chart_source: Any = None
    ) -> Any:
        if chart_source is not None:  # a vendored bundle: its archives are part of what is rendered
            return render(profile, plan, projects, today, chart_source)
        key = profile.model_dump_json() + repr(projects) + repr(today)
        if key not in _RENDERS:
            _RENDERS[key] = render(profile, plan, projects, today)
        return _RENDERS[key]

    def check_files(files: dict[str, bytes], today: Any = None, cluster: Any = None) -> Report:
        key = hash((tuple(sorted(files.items())), repr(cluster)))
        if key not in _CHECKS:
            _CHECKS[key] = check(files, today, cluster=cluster)
        return _CHECKS[key]

    monkeypatch.setattr(bundle, "render_bundle", render_bundle)
    monkeypatch.setattr(sources, "check_files", check_files)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment a city's operator sets: the passphrase and the OIDC client secret."""
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.setenv("AICOMMONS_OIDC_CLIENT_SECRET", SECRET)
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def riverton(tmp_path: Path) -> Path:
    """A city folder holding the riverton profile (AWS)."""
    folder = tmp_path / "riverton"
    folder.mkdir()
    return Path(shutil.copy(RIVERTON, folder / "riverton.yaml"))


@pytest.fixture
def cluster_city(tmp_path: Path) -> Path:
    """A city folder whose profile targets an existing cluster (context city-prod): platform only."""
    folder = tmp_path / "cluster-city"
    folder.mkdir()
    profile = {**yaml.safe_load(CLUSTER_CITY.read_text(encoding="utf-8")), **SIGN_IN}
    # an existing cluster keeps its audit events in a sink of the city's (AIC-LOG-02): without one
    # validate fails, so deploy refuses
    profile["governance"] = {
        **profile.get("governance", {}),
        "audit_sink": {"type": "loki", "url": "https://loki.cluster-city.example.nl"},
    }
    # the hub database's backups go to the city's S3-compatible store (AIC-DATA-05), and alerts reach
    # someone through the city's mail relay (AIC-OPS-04): without them validate fails, so deploy refuses
    profile["backup"] = {
        "store": {
            "endpoint": "https://s3.cluster-city.example.nl",
            "bucket": "cluster-city-aicommons-backups",
            "credentials_secret_name": "aicommons-backup-store",
        }
    }
    profile["monitoring"] = {
        "smtp": {
            "smarthost": "smtp.cluster-city.example.nl:587",
            "from_address": "alerts@cluster-city.example.nl",
        },
        "alert_emails": ["platform@cluster-city.example.nl"],
    }
    path = folder / "cluster-city.yaml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return path


def live_report(failed: int = 0) -> Report:
    return Report(
        blueprint={"name": "ai-commons-v1", "version": "1.0.0"},
        source="live",
        controls=[],
        summary=Summary(
            passed=24 - failed,
            failed=failed,
            skipped=3,
            waived=0,
            failed_by_severity={"critical": 0, "high": failed, "medium": 0, "low": 0},
        ),
    )


@dataclass
class FakePreflight:
    """AWS credentials and a cluster that are there (or raise what the real checks raise)."""

    aws_error: Exception | None = None
    cluster_error: Exception | None = None
    asked: list[str] = field(default_factory=list)

    def aws_identity(self, region: str) -> str:
        self.asked.append(f"aws {region}")
        if self.aws_error:
            raise self.aws_error
        return "arn:aws:iam::123456789012:user/ops"

    def cluster_version(self, context: str | None, kubeconfig: Path | None = None) -> str:
        self.asked.append(f"cluster {context or kubeconfig.read_text()}")
        if self.cluster_error:
            raise self.cluster_error
        return "v1.33.1"


@dataclass
class Wiring:
    """What the CLI was given instead of the real edges, and what it did with them."""

    engine: StandInEngine | None
    preflight: FakePreflight
    answers: list[bool]
    settings: list[Any] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    live_calls: list[tuple[Any, ...]] = field(default_factory=list)
    doctor_needs: list[Any] = field(default_factory=list)  # what deploy's doctor asked for


def all_present(needs: Any) -> Any:
    """A machine and account with every prerequisite `needs` names (the doctor's own tests probe)."""
    from aicommons.deploy.settings import PASSPHRASE_VARS
    from aicommons.doctor.model import Probe, Snapshot

    return Snapshot(
        pulumi_path="/usr/local/bin/pulumi",
        pulumi_version=Probe(value="v3.200.0"),
        env_set=frozenset(
            {*PASSPHRASE_VARS, *([needs.client_secret_env] if needs.client_secret_env else [])}
        ),
        aws_identity=Probe(value="arn:aws:iam::123456789012:user/ops"),
        cluster=Probe(value="v1.33.1"),
        dns=Probe(value="192.0.2.10"),
        quotas={q.code: Probe(value=str(q.vcpus)) for q in needs.quotas},
    )


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch, env: None) -> Callable[..., Wiring]:
    """Replace the engine, the preflight, the terminal and the live validation for the CLI."""

    def apply(
        engine: StandInEngine | None,
        *,
        interactive: bool = False,
        answers: list[bool] | None = None,
        preflight: FakePreflight | None = None,
        live: Callable[..., Report] | None | bool = True,
        doctor: Callable[[Any], Any] = all_present,
    ) -> Wiring:
        from aicommons.deploy import automation, live_validation, shell
        from aicommons.deploy import preflight as preflight_module
        from aicommons.doctor import probe as doctor_probe

        wiring = Wiring(engine, preflight or FakePreflight(), list(answers or []))

        def snapshot(needs: Any, edges: Any) -> Any:
            wiring.doctor_needs.append(needs)
            return doctor(needs)

        monkeypatch.setattr(doctor_probe, "take_snapshot", snapshot)

        def open_engine(settings: Any, redact: Any) -> StandInEngine:
            wiring.settings.append(settings)
            return engine

        def confirm(question: str) -> bool:
            wiring.questions.append(question)
            return wiring.answers.pop(0)

        def validate(profile: Any, plan: Any, context: Any, kubeconfig: Any) -> Report:
            wiring.live_calls.append((profile.city.slug, context, kubeconfig and kubeconfig.read_text()))
            return live_report()

        if engine is not None:  # None: the real Automation API engine (with a fake `pulumi` on PATH)
            monkeypatch.setattr(automation, "open_engine", open_engine)
        monkeypatch.setattr(preflight_module, "RealPreflight", lambda: wiring.preflight)
        monkeypatch.setattr(shell, "stdin_is_tty", lambda: interactive)
        monkeypatch.setattr(shell, "_confirm", confirm)
        if live is True:
            monkeypatch.setattr(live_validation, "live_validator", lambda: validate)
        elif live is None or live is False:
            monkeypatch.setattr(live_validation, "live_validator", lambda: None)
        else:
            monkeypatch.setattr(live_validation, "live_validator", lambda: live)
        return wiring

    return apply


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the real entry point (`aicommons.cli.main:run`): errors become messages and exit codes."""
    from aicommons.cli import main

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["aicommons", *args])
        try:
            main.run()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def written_files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if path.is_file() and "venv" not in path.parts:
            yield path
