"""The offline plan: run a stack program under Pulumi's mock runtime and record every resource.

No engine, no credentials, no network. A `RecordingMonitor` (a `MockMonitor` subclass) sees
each `RegisterResource` / `ReadResource` request, so the inventory also carries what
`Mocks.new_resource` is never told (the `protect` option, the parent, the provider), and
inputs are read from the wire form, where a secret is still marked as one at its own level
(the SDK's deserialiser pushes secretness up to the enclosing map, which would hide whole
Helm values). Secrets become "[secret]" and never reach the inventory.

Each run happens in a copy of the caller's `contextvars` context (the SDK keeps its
settings, config and root stack resource in context variables) and on a fresh event loop,
so two runs in one process share nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import json
import logging
import threading
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from aicommons.errors import InputError, Location
from aicommons.plan.mocks import OfflineMocks
from aicommons.plan.model import SECRET, UNKNOWN, PlannedResource, StackPlan  # also importable here

STACK_TYPE = "pulumi:pulumi:Stack"


def run_offline(
    stack: str,
    program: Callable[[], None],
    config: Mapping[str, Any],
    project: str,
    *,
    secret_keys: Iterable[str] = (),
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[PlannedResource]:
    """Run `program` as stack `stack` of `project` under mocks; return its resources, sorted.

    `config` maps full keys (`aicommons:infra`) to values; non-strings are JSON-encoded as the
    CLI does. `secret_keys` are config keys to treat as secrets. `stack_outputs` gives the
    outputs a `pulumi.StackReference` to a named stack sees (see `plan_stack`).
    """
    return plan_stack(
        stack, program, config, project, secret_keys=secret_keys, stack_outputs=stack_outputs
    ).resources


def plan_stack(
    stack: str,
    program: Callable[[], None],
    config: Mapping[str, Any],
    project: str,
    *,
    secret_keys: Iterable[str] = (),
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
) -> StackPlan:
    """Like `run_offline`, also returning the stack's exported outputs (secrets masked).

    Feed one plan's outputs to the next through `stack_outputs`, keyed by the referenced
    stack name (e.g. `{"organization/aicommons-riverton/infra": infra.outputs}`); outputs
    named in the plan's `secret_outputs` stay secrets there. A reference to a stack that is
    not given sees no outputs.
    """
    refs = {name: dict(values) for name, values in (stack_outputs or {}).items()}
    mock = OfflineMocks(stack_outputs=refs)
    monitor = RecordingMonitor(mock, stack)
    flat_config = {key: _config_string(value) for key, value in config.items()}
    diagnostics = _Diagnostics()
    context = contextvars.copy_context()
    context.run(
        _run_isolated, monitor, diagnostics, stack, project, program, flat_config, sorted(secret_keys)
    )
    return StackPlan(
        stack=stack,
        resources=monitor.inventory(),
        outputs=monitor.stack_outputs,
        secret_outputs=monitor.secret_output_names,
        diagnostics=sorted(diagnostics.messages),
    )


def inventory_json(resources: Iterable[PlannedResource]) -> str:
    """Deterministic JSON of an inventory (sorted keys, two-space indent, trailing newline)."""
    items = [r.model_dump(mode="json") for r in resources]
    return json.dumps(items, indent=2, sort_keys=True) + "\n"


def load_stacks_package() -> Any:
    """Import `aicommons_stacks` from the installed data folder `stacks` (idempotent)."""
    import importlib
    import sys

    from aicommons.resources import data_dir

    root = str(data_dir("stacks"))
    if root not in sys.path:
        sys.path.insert(0, root)
    package = importlib.import_module("aicommons_stacks")
    importlib.import_module("aicommons_stacks.main")
    return package


def _config_string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


class _Diagnostics(logging.Handler):
    """Collects what the program logs through the engine (pulumi.log.warn, ...)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.logger = logging.Logger("aicommons.plan.engine")  # unregistered: nothing propagates
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


def _run_isolated(
    monitor: RecordingMonitor,
    diagnostics: _Diagnostics,
    stack: str,
    project: str,
    program: Callable[[], None],
    config: dict[str, str],
    secret_keys: list[str],
) -> None:
    """Configure the runtime in this (copied) context and run the program to completion."""
    settings.ROOT.set(None)
    settings.configure(
        mocks.MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
            engine=mocks.MockEngine(diagnostics.logger),
            project=project,
            stack=stack,
            dry_run=False,  # an "update": every output is known, so applies run
            organization="organization",
            callbacks=None,
            outputs=set(),
            lock=threading.Lock(),
            package_refs={},
            base_providers_by_ref={},
            parallel=None,
            legacy_apply_enabled=False,
            root_directory=None,
        )
    )
    pulumi_config.set_all_config(config, secret_keys)

    previous = _current_loop()
    loop = asyncio.new_event_loop()
    # After a failure the SDK leaves registrations pending and errors unretrieved; the first
    # error is raised below, the echoes are not worth printing.
    loop.set_exception_handler(lambda _loop, _context: None)
    asyncio.set_event_loop(loop)
    try:
        # run_in_stack is what the language host runs: it creates the root Stack, runs the
        # program, then waits for every outstanding RPC and output (wait_for_rpcs) and shuts down.
        _sync_await(run_in_stack(program))
    except Exception as exc:
        _drain(loop)
        error = _input_error(exc, stack)
        if error is None:
            raise  # a bug in a program: keep everything for the traceback
        # A configuration error: drop the program's frames, and with them the coroutines of
        # the abandoned registrations (which would warn, never awaited, at exit).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
            traceback.clear_frames(exc.__traceback__)
            gc.collect()
        raise error from exc
    else:
        _drain(loop)
    finally:
        asyncio.set_event_loop(previous)


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a failed run left pending, stop the executor, close the loop."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None
    return None if loop.is_closed() else loop


def _input_error(exc: Exception, stack: str) -> InputError | None:
    """Bad stack configuration is the user's input: a located InputError (None for other errors)."""
    import sys

    from pulumi.config import ConfigMissingError, ConfigTypeError

    args_module = sys.modules.get("aicommons_stacks.args")
    if args_module is not None and isinstance(exc, args_module.ArgsError):
        return _in_profile_terms(str(exc), stack)
    if isinstance(exc, ConfigMissingError | ConfigTypeError):
        return InputError(str(exc).strip(), Location(field=f"stack {stack}"))
    return None


def _in_profile_terms(message: str, stack: str) -> InputError:
    """A stack's complaint about configuration keys rendered from the profile, told as those fields.

    Only a message whose subject is such keys is translated; one about a bundle edited by hand
    (e.g. `infra.node_pools[0]: unknown keys`) keeps the stack's terms and location.
    """
    import re

    from aicommons.render.infra_aws import PROFILE_FIELDS

    keys = "|".join(sorted(PROFILE_FIELDS, key=len, reverse=True))
    found = re.fullmatch(rf"((?:{keys})(?:, (?:{keys}))*): (.*)", message, re.S)
    if found is None:
        return InputError(message, Location(field=f"stack {stack}"))
    fields = [PROFILE_FIELDS[k] for k in found.group(1).split(", ")]
    rest = re.sub(rf"(?<![\w.])({keys})(?![\w.])", lambda m: PROFILE_FIELDS[m.group(0)], found.group(2))
    return InputError(
        f"{rest} (the bundle's {stack} stack was rendered from the profile: fix the profile and render again)",
        Location(field=", ".join(dict.fromkeys(fields))),
    )


class RecordingMonitor(mocks.MockMonitor):
    """A mock resource monitor that records every registration with its options."""

    def __init__(self, mock: OfflineMocks, stack: str):
        super().__init__(mock)
        self.stack = stack
        self._lock = threading.Lock()
        self._records: dict[str, PlannedResource] = {}
        self.stack_outputs: dict[str, Any] = {}
        self.secret_output_names: list[str] = []

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        if request.type != STACK_TYPE:
            self._record(request, request.object, custom=request.custom, protect=request.protect)
        return super().RegisterResource(request)

    def ReadResource(self, request):  # noqa: N802 - gRPC method name
        self._record(request, request.properties, custom=True, protect=False)
        return super().ReadResource(request)

    def RegisterResourceOutputs(self, request):  # noqa: N802 - gRPC method name
        if _urn_type(request.urn) == STACK_TYPE:
            outputs = plain(request.outputs)
            self.stack_outputs = outputs
            self.secret_output_names = sorted(
                key for key, value in request.outputs.items() if _is_secret(value)
            )
        return super().RegisterResourceOutputs(request)

    def _record(self, request, properties: struct_pb2.Struct, *, custom: bool, protect: bool) -> None:
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = plain(properties)
        resource = PlannedResource(
            type=request.type,
            name=request.name,
            stack=self.stack,
            inputs={k: v for k, v in inputs.items() if not k.startswith("__")},
            urn=urn,
            parent=request.parent if request.parent and _urn_type(request.parent) != STACK_TYPE else None,
            provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
            custom=bool(custom),
            protect=bool(protect),
            dependencies=sorted(set(getattr(request, "dependencies", ()))),
        )
        with self._lock:
            if urn in self._records:
                raise ValueError(f"two resources share the URN {urn}")
            self._records[urn] = resource

    def inventory(self) -> list[PlannedResource]:
        with self._lock:
            records = list(self._records.values())
        return sorted(records, key=lambda r: (r.stack, r.type, r.name, r.urn))


def _urn_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) > 3 else ""


def _is_secret(value: Any) -> bool:
    return (
        isinstance(value, struct_pb2.Struct)
        and rpc._special_sig_key in value
        and value[rpc._special_sig_key] == rpc._special_secret_sig
    )


def plain(value: Any) -> Any:
    """Turn a wire value (protobuf Struct/ListValue/scalars) into plain JSON, masking secrets."""
    if isinstance(value, struct_pb2.Struct):
        if rpc._special_sig_key in value:
            return _special(value)
        return {key: plain(value[key]) for key in sorted(value.keys())}
    if isinstance(value, struct_pb2.ListValue):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return UNKNOWN if value == rpc.UNKNOWN else value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire has only doubles
    return value


def _special(value: struct_pb2.Struct) -> Any:
    sig = value[rpc._special_sig_key]
    if sig == rpc._special_secret_sig:
        return SECRET
    if sig == rpc._special_resource_sig:
        return value["urn"]
    if sig == rpc._special_output_value_sig:
        if value.get("secret"):
            return SECRET
        return plain(value["value"]) if "value" in value else UNKNOWN
    if sig == rpc._special_asset_sig:
        return {"asset": {k: plain(value[k]) for k in ("path", "text", "uri") if k in value}}
    if sig == rpc._special_archive_sig:
        return {"archive": {k: plain(value[k]) for k in ("assets", "path", "uri") if k in value}}
    return {key: plain(value[key]) for key in sorted(value.keys())}
