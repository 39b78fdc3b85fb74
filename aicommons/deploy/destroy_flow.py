"""`aicommons destroy`: platform first, then infra; stateful resources only when named.

Before anything is destroyed, every stack's state is read and its destroy previewed: a
resource that holds data (volumes, buckets, databases, keys, log groups, the cluster) must be
named with --allow-delete, or nothing is destroyed. The audit store is always kept: before
the preview it is protected in the engine's state (where it is not already), and every
destroy excludes protected resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicommons.deploy import bundle_prep
from aicommons.deploy.display import teardown_table
from aicommons.deploy.engine import StackOutput
from aicommons.deploy.errors import DeployRefused, EngineError, NotConfirmed
from aicommons.deploy.events import EventCollector, fan_out
from aicommons.deploy.guard import StackTeardown, plan_teardown, teardown_refusal
from aicommons.deploy.logs import EngineLog, Redactor, run_stamp
from aicommons.deploy.record import StackRun
from aicommons.deploy.rules import Confirm, bundle_stacks, confirmation, destroy_order
from aicommons.deploy.settings import PASSPHRASE_VARS, engine_settings, logs_dir
from aicommons.deploy.updates import run_update
from aicommons.render.bundle import LOCK_FILE

if TYPE_CHECKING:
    from aicommons.deploy.shell import Shell


@dataclass(frozen=True)
class DestroyRequest:
    profile: Path
    bundle: Path | None = None
    yes: bool = False
    backend: str | None = None
    secrets_provider: str | None = None
    allow_delete: tuple[str, ...] = ()


@dataclass
class DestroyOutcome:
    stacks: list[str]
    plans: list[StackTeardown] = field(default_factory=list)
    runs: list[StackRun] = field(default_factory=list)
    record: Any = None


def destroy(request: DestroyRequest, shell: Shell) -> DestroyOutcome:
    prepared = bundle_prep.load_city(request.profile, request.bundle)
    if not (prepared.bundle_dir / LOCK_FILE).is_file():  # the project the stacks were deployed from
        # a city may always tear down: only a critical failure stops rendering the project to destroy
        bundle_prep.write(bundle_prep.render_and_check(prepared, "critical", "nothing was destroyed"))
    mode = confirmation(yes=request.yes, interactive=shell.interactive, preview_only=False, action="destroy")
    settings = engine_settings(
        prepared.city_folder, prepared.bundle_dir, request.backend, request.secrets_provider, shell.environ
    )
    identity = prepared.profile.identity
    secret = shell.environ.get(identity.client_secret_env) if identity else None
    redact = Redactor([secret, *(shell.environ.get(v) for v in PASSPHRASE_VARS)])
    order: list[str] = []
    if settings.local_state is None or settings.local_state.is_dir():
        engine = shell.open_engine(settings, redact)
        existing = set(engine.existing_stacks())
        order = [s for s in destroy_order(bundle_stacks(prepared.bundle_dir)) if s in existing]
    outcome = DestroyOutcome(stacks=order)
    if not order:
        shell.console.print(
            f"nothing to destroy: no stacks of {prepared.profile.city.slug} in {settings.backend_url}"
        )
        return outcome

    for stack in order:
        _preflight(stack, prepared.bundle_dir, shell)
        engine.prepare(stack, create=False, install=False)
    infra_outputs: dict[str, StackOutput] = _infra_outputs(engine, order)
    outcome.plans = plan_teardown({s: engine.resources(s) for s in order}, request.allow_delete)
    stamp = run_stamp()
    logs: dict[str, EngineLog] = {}
    error = None
    try:
        for plan in outcome.plans:
            engine.set_protect(plan.stack, plan.protect, True)  # the audit store stays, whatever comes next
            logs[plan.stack] = log = EngineLog(logs_dir(prepared.city_folder), plan.stack, stamp, redact)
            collector = EventCollector()
            counts = engine.preview_destroy(plan.stack, fan_out(collector, log.on_event("preview-destroy")))
            if collector.summary is not None:
                counts = collector.counts()
            shell.console.print(teardown_table(plan, collector.changes(), counts))
        refusal = teardown_refusal(outcome.plans)
        if refusal:
            raise DeployRefused(refusal)
        if mode is Confirm.ASK and not shell.confirm(f"Destroy {' and '.join(order)}?"):
            raise NotConfirmed("not confirmed: nothing was destroyed")
        for plan in outcome.plans:
            engine.set_protect(plan.stack, plan.unprotect, False)
            ran = run_update(
                "destroy", engine, plan.stack, shell, logs[plan.stack], redact, command="destroy"
            )
            outcome.runs.append(ran.run)
            if ran.error is not None:
                error = ran.error
                break
    finally:
        for log in logs.values():
            log.close()
    _record(prepared, outcome, infra_outputs, shell)
    if error is not None:
        raise error
    return outcome


def _preflight(stack: str, bundle_dir: Path, shell: Shell) -> None:
    if stack == "infra":
        shell.preflight.aws_identity(bundle_prep.infra_region(bundle_dir))
    elif (context := bundle_prep.kube_context(bundle_dir)) is not None:
        shell.preflight.cluster_version(context, None)


def _infra_outputs(engine: Any, order: list[str]) -> dict[str, StackOutput]:
    if "infra" not in order:
        return {}
    try:
        return engine.outputs("infra")  # read now: the audit bucket gets the destroy's record
    except EngineError:
        return {}


def _record(
    prepared: bundle_prep.Prepared, outcome: DestroyOutcome, infra: dict[str, StackOutput], shell: Shell
) -> None:
    from aicommons.deploy import record
    from aicommons.deploy.deploy_flow import anchor_record, ledger_anchor
    from aicommons.render.bundle import blueprint_ref, profile_digest

    kept = [f"{p.stack} kept {r.name} ({why})" for p in outcome.plans for r, why in p.kept]
    deleted = [f"{p.stack} deleted {r.name} (--allow-delete)" for p in outcome.plans for r, _ in p.deleted]
    anchor = ledger_anchor(prepared, infra, shell)
    outcome.record = record.append(
        prepared.city_folder,
        action="destroy",
        city=prepared.profile.city.slug,
        profile_digest=profile_digest(prepared.profile),
        blueprint=blueprint_ref(),
        runs=outcome.runs,
        validation=None,
        notes=[*deleted, *kept],
    )
    shell.console.print(f"ledger: record {outcome.record.seq} appended ({outcome.record.sha256[:12]})")
    for plan in outcome.plans:
        for resource, why in plan.kept:
            shell.console.print(f"[cyan]kept[/] {plan.stack} {resource.type} {resource.name}: {why}")
    anchor_record(outcome.record, anchor, shell)
