"""`aicommons deploy`: render, validate, then preview, confirm and update each stack in order.

infra (AWS only) first, then platform. Each stack is previewed and shown as a table before
anyone is asked; a replace or delete of a resource that holds data stops the deploy unless it
is named with --allow-replace (the audit store never). After the platform is up, the live
validation runs and is stored beside the ledger, and one ledger record describes the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicommons.deploy import bundle_prep
from aicommons.deploy.display import change_table
from aicommons.deploy.engine import StackOutput
from aicommons.deploy.errors import DeployRefused, EngineError, NotConfirmed
from aicommons.deploy.events import EventCollector, fan_out, has_changes
from aicommons.deploy.guard import GuardResult, guard_changes, refusal_message
from aicommons.deploy.logs import EngineLog, Redactor, run_stamp
from aicommons.deploy.record import StackRun, validation_counts
from aicommons.deploy.registry_secrets import registry_secrets
from aicommons.deploy.rules import Confirm, confirmation, deploy_order
from aicommons.deploy.settings import PASSPHRASE_VARS, engine_settings, logs_dir, require_secret, smtp_secret
from aicommons.deploy.shell import describe
from aicommons.deploy.updates import run_update
from aicommons.errors import AicommonsError, MissingComponentError
from aicommons.ledger.anchor import ACCOUNT_PLACEHOLDER
from aicommons.render.jupyterhub import OIDC_SECRET_KEY

if TYPE_CHECKING:
    from aicommons.checks.report import Report
    from aicommons.deploy.engine import Engine
    from aicommons.deploy.shell import Shell

AUDIT_BUCKET_OUTPUT = "auditBucket"
OIDC_SECRET = f"aicommons:{OIDC_SECRET_KEY}"  # the stack config key the platform program reads


@dataclass(frozen=True)
class DeployRequest:
    profile: Path
    bundle: Path | None = None
    preview: bool = False
    yes: bool = False
    stack: str | None = None
    backend: str | None = None
    secrets_provider: str | None = None
    allow_replace: tuple[str, ...] = ()
    fail_on: str = "low"  # the gate `validate --fail-on` holds (aicommons.checks.gate)


@dataclass
class DeployOutcome:
    bundle_dir: Path
    stacks: list[str]
    previews: dict[str, dict[str, int]] = field(default_factory=dict)
    guards: dict[str, GuardResult] = field(default_factory=dict)
    runs: list[StackRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validation: Report | None = None
    record: Any = None  # the LedgerRecord appended


def deploy(request: DeployRequest, shell: Shell) -> DeployOutcome:
    prepared = bundle_prep.load_city(request.profile, request.bundle)
    _require_prerequisites(prepared, request, shell)  # before anything is rendered, written or changed
    prepared = bundle_prep.render_and_check(prepared, request.fail_on)
    assert prepared.bundle is not None and prepared.checks is not None
    order = deploy_order(bundle_prep.stacks_in(prepared.bundle.files), request.stack)
    mode = confirmation(
        yes=request.yes, interactive=shell.interactive, preview_only=request.preview, action="deploy"
    )
    secrets: dict[str, str] = {}
    if "platform" in order:
        assert prepared.profile.identity is not None  # render requires it
        secrets[OIDC_SECRET] = require_secret(prepared.profile.identity.client_secret_env, shell.environ)
        secrets.update(smtp_secret(prepared.profile, shell.environ))
        secrets.update(registry_secrets(prepared.profile, shell.environ))
    settings = engine_settings(
        prepared.city_folder, prepared.bundle_dir, request.backend, request.secrets_provider, shell.environ
    )
    redact = Redactor([*secrets.values(), *(shell.environ.get(v) for v in PASSPHRASE_VARS)])
    bundle_prep.write(prepared)
    shell.console.print(f"bundle for {prepared.profile.city.slug} written to {prepared.bundle_dir}")
    if settings.local_state is not None:
        settings.local_state.mkdir(parents=True, exist_ok=True)  # Pulumi's file backend needs the folder
    engine = shell.open_engine(settings, redact)

    outcome = DeployOutcome(bundle_dir=prepared.bundle_dir, stacks=order)
    outputs: dict[str, dict[str, StackOutput]] = {}
    stamp = run_stamp()
    error: AicommonsError | None = None
    on_aws = "infra" in bundle_prep.stacks_in(prepared.bundle.files)
    for position, stack in enumerate(order):
        kubeconfig = _infra_kubeconfig(engine, outputs) if stack == "platform" and on_aws else None
        _preflight(stack, prepared.bundle_dir, shell, kubeconfig)
        engine.prepare(stack, create=True, secrets=secrets if stack == "platform" else None)
        if stack == "infra":  # before any change: one Kubernetes minor at a time
            _check_versions(engine, prepared.bundle_dir, shell)
        with EngineLog(logs_dir(prepared.city_folder), stack, stamp, redact) as log:
            error = _deploy_stack(engine, stack, log, shell, request, mode, redact, outcome, order[:position])
        if error is not None:
            break
        if any(run.stack == stack for run in outcome.runs):
            outputs[stack] = _outputs(engine, stack, outcome)

    if request.preview:
        shell.console.print("preview only: nothing was changed")
        return outcome
    if outcome.runs and "infra" not in outputs and on_aws:
        outputs["infra"] = _outputs(engine, "infra", outcome)  # the audit bucket and the kubeconfig
    if outcome.runs and error is None and "platform" in order:
        outcome.validation = _validate_live(prepared, outputs, shell, outcome)
    if outcome.runs:
        _record(prepared, outcome, outputs, shell)
    if error is not None:
        raise error
    return outcome


def _deploy_stack(
    engine: Engine,
    stack: str,
    log: EngineLog,
    shell: Shell,
    request: DeployRequest,
    mode: Confirm,
    redact: Redactor,
    outcome: DeployOutcome,
    earlier: list[str],
) -> AicommonsError | None:
    """Preview, guard, confirm and update one stack; returns the error to stop with, if any."""
    previewed = _preview(engine, stack, log, shell, request, outcome, earlier)
    if previewed is None or request.preview:
        return None
    counts, guard = previewed
    if mode is Confirm.ASK and has_changes(counts) and not shell.confirm(f"Deploy these changes to {stack}?"):
        return NotConfirmed(f"not confirmed: {stack} was not changed")
    # a resource named with --allow-replace may be protected in the engine's state as well
    engine.set_protect(stack, [b.change.urn for b in guard.allowed if b.change.protect], False)
    ran = run_update("up", engine, stack, shell, log, redact, command="deploy")
    outcome.runs.append(ran.run)
    return ran.error


def _require_prerequisites(prepared: bundle_prep.Prepared, request: DeployRequest, shell: Shell) -> None:
    """`aicommons doctor` for this deploy: every missing prerequisite at once, or nothing happens
    (exit 3). The hub's DNS record is reported, not required: it points at what this deploy makes."""
    from aicommons.deploy.settings import secrets_provider_of
    from aicommons.doctor import blocking, diagnose, profile_needs
    from aicommons.doctor import probe as doctor_probe
    from aicommons.doctor.report import refusal

    needs = profile_needs(
        prepared.profile,
        prepared.plan,
        passphrase=secrets_provider_of(request.secrets_provider) is None,
        stacks=(request.stack,) if request.stack else None,
    )
    snapshot = doctor_probe.take_snapshot(
        needs, doctor_probe.Edges(preflight=shell.preflight, environ=shell.environ)
    )
    checks = diagnose(needs, snapshot)
    missing = blocking(checks)
    if missing:
        raise MissingComponentError(refusal(missing))
    for check in checks:
        if check.status == "missing":  # not blocking: said once, before the engine
            shell.console.print(f"note: {check.name}: {check.detail}; {check.fix}")


def _preflight(stack: str, bundle_dir: Path, shell: Shell, infra_kubeconfig: str | None) -> None:
    """AWS credentials before infra; the cluster before platform (when it exists already)."""
    from aicommons.deploy.live_validation import KubeconfigFile

    if stack == "infra":
        region = bundle_prep.infra_region(bundle_dir)
        who = shell.preflight.aws_identity(region)
        shell.console.print(f"AWS: acting as {who} in {region}")
    elif (context := bundle_prep.kube_context(bundle_dir)) is not None:
        version = shell.preflight.cluster_version(context, None)
        shell.console.print(f"cluster: context {context}, Kubernetes {version}")
    elif infra_kubeconfig:  # AWS: the infra stack's cluster
        with KubeconfigFile(infra_kubeconfig) as path:
            version = shell.preflight.cluster_version(None, path)
        shell.console.print(f"cluster: the infra stack's, Kubernetes {version}")


def _check_versions(engine: Engine, bundle_dir: Path, shell: Shell) -> None:
    """Refuse (exit 2) a Kubernetes jump of more than one minor, or node groups outside the skew
    policy, against the versions the deployed infra stack reports."""
    from aicommons.deploy.version_guard import refuse_version_jump

    infra = bundle_prep.stack_config(bundle_dir, "infra").get("aicommons:infra")
    target = infra.get("kubernetes_version") if isinstance(infra, dict) else None
    if not target:
        return
    try:
        outputs = {k: v.value for k, v in engine.outputs("infra").items()}
    except EngineError:
        return  # not deployed yet: the first deploy creates the cluster at the pinned version
    note = refuse_version_jump(outputs, str(target), str(infra.get("cluster_name", "<cluster>")))
    if note:
        shell.console.print(f"note: {note}")


def _infra_kubeconfig(engine: Engine, outputs: dict[str, dict[str, StackOutput]]) -> str | None:
    """The infra stack's kubeconfig output: from this run, else from the deployed stack."""
    if "infra" not in outputs:
        try:
            outputs["infra"] = engine.outputs("infra")
        except EngineError:
            return None  # infra not deployed yet (a first --preview): nothing to check
    kubeconfig = outputs.get("infra", {}).get("kubeconfig")
    return str(kubeconfig.value) if kubeconfig and kubeconfig.value else None


def _preview(
    engine: Engine,
    stack: str,
    log: EngineLog,
    shell: Shell,
    request: DeployRequest,
    outcome: DeployOutcome,
    earlier: list[str],
) -> tuple[dict[str, int], GuardResult] | None:
    """Preview, show the table, apply the guard. None when a preview-only run cannot preview yet."""
    collector = EventCollector()
    try:
        counts = engine.preview(
            stack, fan_out(collector, log.on_event("preview")), on_output=log.on_output("preview")
        )
    except EngineError as exc:
        pending = [s for s in earlier if has_changes(outcome.previews.get(s, {}))]
        if request.preview and pending:
            # The platform reads the infra stack's outputs: with infra not deployed yet there is nothing to read.
            note = f"{stack}: no preview until {', '.join(pending)} is deployed ({describe(exc)})"
            shell.console.print(f"[yellow]{note}[/]")
            outcome.notes.append(note)
            return None
        raise
    if collector.summary is not None:
        counts = collector.counts()
    guard = guard_changes(stack, collector.changes(), request.allow_replace)
    outcome.previews[stack] = counts
    outcome.guards[stack] = guard
    shell.console.print(change_table(stack, collector.changes(), counts, guard))
    for name in guard.unused_allows:
        shell.console.print(
            f"[yellow]--allow-replace {name}: {stack} replaces or deletes nothing of that name[/]"
        )
    if guard.refused:
        raise DeployRefused(refusal_message(guard.refused))
    for blocked in guard.allowed:
        shell.console.print(f"[yellow]allowed by --allow-replace: {blocked.describe()}[/]")
    return counts, guard


def _outputs(engine: Engine, stack: str, outcome: DeployOutcome) -> dict[str, StackOutput]:
    try:
        return engine.outputs(stack)
    except EngineError as exc:
        outcome.notes.append(f"{stack} outputs unreadable: {describe(exc)}")
        return {}


def _validate_live(
    prepared: bundle_prep.Prepared,
    outputs: dict[str, dict[str, StackOutput]],
    shell: Shell,
    outcome: DeployOutcome,
) -> Report | None:
    from aicommons.deploy.live_validation import KubeconfigFile
    from aicommons.drift import write_last_validation
    from aicommons.ledger import utc_now

    if shell.validate_live is None:
        outcome.notes.append("live validation unavailable (the live adapter is not installed)")
        shell.console.print("[yellow]live validation unavailable: the live adapter is not installed[/]")
        return None
    kubeconfig = None
    context = bundle_prep.kube_context(prepared.bundle_dir)
    if context is None:  # AWS: the cluster is the infra stack's, reached with its kubeconfig output
        infra = outputs.get("infra") or {}
        kubeconfig = infra["kubeconfig"].value if "kubeconfig" in infra else None
    try:
        with KubeconfigFile(kubeconfig) as path:
            report = shell.validate_live(prepared.profile, prepared.plan, context, path)
    except MissingComponentError as exc:
        outcome.notes.append(f"live validation failed: {describe(exc)}")
        shell.console.print(f"[yellow]live validation could not run: {exc.render()}[/]")
        return None
    stored = write_last_validation(prepared.city_folder, report, at=utc_now())
    s = report.summary
    outcome.notes.append(
        f"live validation: {s.passed} passed, {s.failed} failed, {s.skipped} skipped, {s.waived} waived"
    )
    shell.console.print(f"live validation: {s.passed} passed, {s.failed} failed (stored in {stored})")
    return report


def _record(
    prepared: bundle_prep.Prepared,
    outcome: DeployOutcome,
    outputs: dict[str, dict[str, StackOutput]],
    shell: Shell,
) -> None:
    from aicommons.deploy import record
    from aicommons.render.bundle import blueprint_ref, profile_digest

    validation = outcome.validation or prepared.checks
    notes = list(outcome.notes)
    if outcome.validation is None:
        notes.append("validation counts are the static bundle checks")
    anchor = ledger_anchor(prepared, outputs.get("infra") or {}, shell)
    outcome.record = record.append(
        prepared.city_folder,
        action="deploy",
        city=prepared.profile.city.slug,
        profile_digest=profile_digest(prepared.profile),
        blueprint=blueprint_ref(),
        runs=outcome.runs,
        validation=validation_counts(validation),
        notes=notes,
    )
    shell.console.print(f"ledger: record {outcome.record.seq} appended ({outcome.record.sha256[:12]})")
    anchor_record(outcome.record, anchor, shell)


def ledger_anchor(prepared: bundle_prep.Prepared, infra: dict[str, StackOutput], shell: Shell) -> Any:
    """The ledger's anchor (ledger/anchor.py): the audit bucket on AWS (the infra stack's real bucket
    name), the city's configured anchor elsewhere; None when there is none, False (reported) when it
    cannot be used. A local ledger behind its anchor (a CI checkout) is first brought up to it."""
    from aicommons.ledger import ledger_path
    from aicommons.ledger.anchor_store import pull, resolve_anchor

    try:
        spec = resolve_anchor(prepared.profile, prepared.city_folder, shell.environ)
        bucket = infra.get(AUDIT_BUCKET_OUTPUT)
        if spec is not None and spec.kind == "s3" and ACCOUNT_PLACEHOLDER in spec.location:
            # no audit bucket yet when the infra stack did not finish
            spec = spec.with_bucket(str(bucket.value)) if bucket is not None and bucket.value else None
        if spec is not None and (restored := pull(ledger_path(prepared.city_folder), spec)):
            shell.console.print(f"ledger: {restored} record(s) restored from {spec.describe()}")
    except AicommonsError as exc:
        shell.console.print(
            f"[red]the ledger's anchor cannot be used; this record will not be anchored:[/] {exc.render()}"
        )
        return False
    return spec


def anchor_record(ledger_record: Any, spec: Any, shell: Shell) -> str | None:
    """Print the head for the CI log and write the record to the anchor; a failure is reported,
    the local ledger stays."""
    from aicommons.ledger.anchor import head_line
    from aicommons.ledger.anchor_store import anchor_append

    echo = lambda line: shell.console.print(line, highlight=False, markup=False)  # noqa: E731
    if spec is False:
        echo(head_line(ledger_record.seq, ledger_record.sha256))
        return None
    return anchor_append(ledger_record, spec, echo)
