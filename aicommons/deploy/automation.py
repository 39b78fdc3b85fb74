"""The real engine: Pulumi's Automation API driving the `pulumi` CLI on the bundle's project.

Every Automation API error is turned into a project error here, so nothing above this module
sees a pulumi exception: no CLI or a CLI too old is MissingComponentError, a failed command
is EngineError (both exit 3). Secret values never reach an error message (`redact`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from aicommons.deploy.engine import HistoryEntry, OnOutput, StackOutput
from aicommons.deploy.errors import EngineError
from aicommons.deploy.events import PURPOSE_TAG, OnEvent, plain, summary_counts
from aicommons.deploy.guard import StackResource
from aicommons.deploy.logs import Redactor
from aicommons.deploy.settings import (
    PASSPHRASE_VARS,
    PULUMI_INSTALL,
    EngineSettings,
    city_folder_with_state,
    file_backend_url,
    require_passphrase,
    state_dir,
)
from aicommons.errors import InputError, MissingComponentError
from aicommons.yamlio import safe_load

# The provider plugins each stack needs, pinned to the SDK packages installed with this tool.
PLUGINS: dict[str, tuple[tuple[str, str], ...]] = {
    "infra": (("aws", "pulumi_aws"),),
    "platform": (("kubernetes", "pulumi_kubernetes"),),
}
ERROR_LINES = 12  # the engine's last words kept in an error message


def require_pulumi_cli() -> str:
    """The `pulumi` executable on PATH, or MissingComponentError saying how to install it."""
    found = shutil.which("pulumi")
    if found is None:
        raise MissingComponentError(
            "the pulumi CLI is not installed (or not on PATH); deploy, destroy, status and engine "
            "drift drive it through Pulumi's Automation API",
            allowed=f"install it from {PULUMI_INSTALL} (e.g. curl -fsSL https://get.pulumi.com | sh), "
            "then open a new shell",
        )
    return found


def plugin_pins(stack: str) -> list[tuple[str, str]]:
    """(plugin, version) for the stack, from the installed pulumi_aws / pulumi_kubernetes."""
    pins = []
    for plugin, package in PLUGINS.get(stack, ()):
        try:
            pins.append((plugin, f"v{metadata.version(package)}"))
        except metadata.PackageNotFoundError:
            raise MissingComponentError(
                f"the Python package {package} is not installed, so the {plugin} plugin version is unknown",
                allowed=f"pip install {package.replace('_', '-')}",
            ) from None
    return pins


def open_engine(settings: EngineSettings, redact: Callable[[str], str] = lambda s: s) -> AutomationEngine:
    """An engine on the bundle's Pulumi project; MissingComponentError without a usable CLI."""
    require_pulumi_cli()
    from pulumi import automation as auto
    from pulumi.automation import errors as auto_errors

    env = {"PULUMI_BACKEND_URL": settings.backend_url, "PULUMI_SKIP_UPDATE_CHECK": "true"}
    try:
        workspace = auto.LocalWorkspace(
            work_dir=str(settings.project_dir), env_vars=env, secrets_provider=settings.secrets_provider
        )
    except auto_errors.InvalidVersionError as exc:
        raise MissingComponentError(
            f"the pulumi CLI on PATH cannot be used: {exc}", allowed=f"a current CLI from {PULUMI_INSTALL}"
        ) from None
    except Exception as exc:  # `pulumi version` failed (CalledProcessError, PermissionError, gone since)
        raise MissingComponentError(
            f"the pulumi CLI on PATH does not run ({exc.__class__.__name__}: {exc})",
            allowed=f"reinstall it from {PULUMI_INSTALL}",
        ) from None
    return AutomationEngine(workspace, settings, redact)


def open_engine_for_bundle(bundle_dir: Path, *, backend_url: str | None = None) -> AutomationEngine:
    """An engine for a bundle alone (engine drift): the backend from the argument, the
    environment, or the file backend under the nearest city folder above the bundle."""
    backend = backend_url or os.environ.get("PULUMI_BACKEND_URL")
    city = city_folder_with_state(bundle_dir)
    if backend is None:
        if city is None:
            raise MissingComponentError(
                f"no engine state found for the bundle {bundle_dir} (no .aicommons/state above it)",
                allowed="deploy first, or give the backend URL (--backend / PULUMI_BACKEND_URL)",
            )
        backend = file_backend_url(state_dir(city))
    provider = _stack_secrets_provider(bundle_dir)
    if provider is None:
        require_passphrase(os.environ)
    settings = EngineSettings(
        project_dir=bundle_dir / "pulumi", backend_url=backend, secrets_provider=provider, city_folder=city
    )
    return open_engine(settings, Redactor([os.environ.get(v) for v in PASSPHRASE_VARS]))


def _stack_secrets_provider(bundle_dir: Path) -> str | None:
    for stack in ("platform", "infra"):
        path = bundle_dir / "pulumi" / f"Pulumi.{stack}.yaml"
        try:
            data = safe_load(path.read_bytes(), str(path)) or {}
        except (OSError, InputError):
            continue
        provider = data.get("secretsprovider") if isinstance(data, dict) else None
        if isinstance(provider, str) and provider not in ("passphrase", "default"):
            return provider
    return None


class AutomationEngine:
    """`engine.Engine` over a `LocalWorkspace` whose work_dir is the bundle's pulumi/ folder."""

    def __init__(self, workspace: Any, settings: EngineSettings, redact: Callable[[str], str]):
        self.workspace = workspace
        self.settings = settings
        self.redact = redact
        self._stacks: dict[str, Any] = {}
        self._installed = False

    # --- stacks ---------------------------------------------------------------------------

    def existing_stacks(self) -> list[str]:
        summaries = self._call("list stacks", self.workspace.list_stacks)
        return sorted({s.name.rsplit("/", 1)[-1] for s in summaries})

    def _stack(self, name: str, create: bool = False) -> Any:
        if name not in self._stacks:
            from pulumi import automation as auto

            init = auto.Stack.create_or_select if create else auto.Stack.select
            self._stacks[name] = self._call(f"select stack {name}", init, name, self.workspace)
        return self._stacks[name]

    def prepare(
        self, stack: str, *, create: bool, secrets: Mapping[str, str] | None = None, install: bool = True
    ) -> None:
        from pulumi import automation as auto
        from pulumi.automation import errors as auto_errors

        handle = self._stack(stack, create=create)
        if install and not self._installed:
            # Creates the project's virtualenv from requirements.txt and installs the plugins
            # its packages ask for; then the pins below make sure of the versions we tested.
            self._call("install the project's dependencies", self.workspace.install)
            self._installed = True
        for plugin, version in plugin_pins(stack) if install else []:
            self._call(
                f"install the {plugin} plugin {version}", self.workspace.install_plugin, plugin, version
            )
        for key, value in (secrets or {}).items():
            try:  # set only when it changed: a new ciphertext every run would churn the stack file
                current = handle.get_config(key).value
            except auto_errors.CommandError:
                current = None
            if current != value:
                self._call(f"set {key}", handle.set_config, key, auto.ConfigValue(value=value, secret=True))

    # --- operations -----------------------------------------------------------------------

    def preview(
        self,
        stack: str,
        on_event: OnEvent,
        *,
        on_output: OnOutput | None = None,
        refresh: bool = False,
        expect_no_changes: bool = False,
    ) -> dict[str, int]:
        result = self._call(
            f"preview {stack}",
            self._stack(stack).preview,
            on_event=on_event,
            on_output=on_output,
            refresh=refresh or None,
            expect_no_changes=expect_no_changes or None,
            color="never",
            suppress_progress=True,
        )
        return summary_counts(result.change_summary)

    def up(self, stack: str, on_event: OnEvent, on_output: OnOutput) -> dict[str, int]:
        result = self._call(
            f"update {stack}",
            self._stack(stack).up,
            on_event=on_event,
            on_output=on_output,
            color="never",
            suppress_progress=True,
            show_secrets=False,
        )
        return summary_counts(result.summary.resource_changes)

    def preview_destroy(self, stack: str, on_event: OnEvent) -> dict[str, int]:
        result = self._call(
            f"preview destroying {stack}",
            self._stack(stack).preview_destroy,
            on_event=on_event,
            exclude_protected=True,
            color="never",
            show_secrets=False,
        )
        return summary_counts(result.change_summary)

    def destroy(self, stack: str, on_event: OnEvent, on_output: OnOutput) -> dict[str, int]:
        result = self._call(
            f"destroy {stack}",
            self._stack(stack).destroy,
            on_event=on_event,
            on_output=on_output,
            exclude_protected=True,
            color="never",
            suppress_progress=True,
            show_secrets=False,
        )
        return summary_counts(result.summary.resource_changes)

    def cancel(self, stack: str) -> None:
        self._call(f"cancel the update of {stack}", self._stack(stack).cancel)

    # --- state ----------------------------------------------------------------------------

    def resources(self, stack: str) -> list[StackResource]:
        deployment = self._call(f"read the state of {stack}", self._stack(stack).export_stack).deployment
        out = []
        for res in (deployment or {}).get("resources") or []:
            tags = (res.get("inputs") or {}).get("tags")
            purpose = tags.get(PURPOSE_TAG) if isinstance(tags, dict) else None
            out.append(
                StackResource(
                    urn=res["urn"],
                    type=res["type"],
                    protect=bool(res.get("protect")),
                    parent=res.get("parent") or "",
                    custom=bool(res.get("custom")),
                    purpose=purpose if isinstance(purpose, str) else None,
                )
            )
        return out

    def set_protect(self, stack: str, urns: Sequence[str], protect: bool) -> None:
        if not urns:
            return
        api = self.workspace.cli_api
        command = api.state_protect if protect else api.state_unprotect
        self._stack(stack)
        self._call(
            f"{'protect' if protect else 'unprotect'} {len(urns)} resource(s) in {stack}",
            command,
            *urns,
            stack=stack,
            cwd=str(self.settings.project_dir),
            additional_env=dict(self.workspace.env_vars),
        )

    def outputs(self, stack: str) -> dict[str, StackOutput]:
        values = self._call(f"read the outputs of {stack}", self._stack(stack).outputs)
        return {k: StackOutput(value=v.value, secret=bool(v.secret)) for k, v in sorted(values.items())}

    def history(self, stack: str, limit: int = 1) -> list[HistoryEntry]:
        entries = self._call(
            f"read the history of {stack}", self._stack(stack).history, page_size=limit, show_secrets=False
        )
        return [
            HistoryEntry(
                kind=e.kind,
                result=e.result,
                started=e.start_time,
                ended=e.end_time,
                version=e.version,
                resource_changes=summary_counts(e.resource_changes),
            )
            for e in entries[:limit]
        ]

    # --- errors ---------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from pulumi.automation import errors as auto_errors

        try:
            return fn(*args, **kwargs)
        except FileNotFoundError:
            require_pulumi_cli()  # says how to install it when it is gone
            raise MissingComponentError(f"could not {what}: the pulumi CLI could not be started") from None
        except auto_errors.ConcurrentUpdateError:
            raise EngineError(
                f"could not {what}: another update holds the stack's lock (an interrupted update may "
                "still be finishing)",
                allowed="wait for it and run again; if no pulumi process is running, `pulumi cancel` "
                "(Pulumi Cloud) or `pulumi stack export`/`import` recovers; never delete lock files by hand",
            ) from None
        except auto_errors.StackNotFoundError:
            raise EngineError(
                f"could not {what}: the stack does not exist in {self.settings.backend_url}",
                allowed="deploy it first, or give the backend that holds it (--backend)",
            ) from None
        except auto_errors.CommandError as exc:
            raise EngineError(f"could not {what}:\n{self._last_words(exc)}") from None
        except RuntimeError as exc:  # the SDK's "summary event never found": the engine died early
            raise EngineError(f"could not {what}: {self.redact(str(exc))}") from None

    def _last_words(self, exc: Exception) -> str:
        lines = [plain(line) for line in str(exc).splitlines()]
        kept = [line for line in lines if line and not line.startswith(("code:", "stdout:"))]
        return self.redact("\n".join(f"  {line}" for line in kept[-ERROR_LINES:]))
