"""A fake `pulumi` executable for testing the real Automation API boundary (tests only).

`install_fake_pulumi(folder)` writes a `pulumi` script that runs this file. It answers the
commands `aicommons.deploy.automation` sends through the Automation API the way the CLI does
(exit codes, stderr texts the SDK matches, JSON shapes), writes the recorded events of
tests/deploy/events/ to the `--event-log` file, and appends every call (arguments and
PULUMI_BACKEND_URL) to `calls.jsonl` in its folder. It claims version 3.200.0, so the SDK
reads events from a log file (newer CLIs stream them over gRPC).

Behaviour is set in `fake.json` beside it: {"version": ..., "events": {"<command>-<stack>":
"<file>"}, "fail": {"<command>-<stack>": "<stderr text>"}, "stacks": [...]}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EVENTS = HERE / "events"
SECRET_OUTPUTS = {"kubeconfig"}
OUTPUTS = {
    "infra": {
        "auditBucket": "riverton-commons-audit-123456789012",
        "region": "us-east-1",
        "kubeconfig": '{"apiVersion": "v1"}',
    },
    "platform": {"namespaces": ["aicommons-system", "jupyterhub"]},
}


def install_fake_pulumi(folder: Path, **behaviour: Any) -> Path:
    """A bin folder holding the fake `pulumi`; returns the folder (put it first on PATH)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "pulumi"
    script.write_text(
        f"#!{sys.executable}\nimport os, runpy\nos.environ['FAKE_PULUMI_DIR'] = {str(folder)!r}\n"
        f"runpy.run_path({str(Path(__file__))!r}, run_name='__main__')\n"
    )
    script.chmod(0o755)
    (folder / "fake.json").write_text(json.dumps({"version": "v3.200.0", "stacks": [], **behaviour}))
    return folder


def calls(folder: Path) -> list[list[str]]:
    path = folder / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["args"] for line in path.read_text().splitlines()]


def _flag(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def main() -> int:
    folder = Path(os.environ["FAKE_PULUMI_DIR"])
    conf_path = folder / "fake.json"
    conf = json.loads(conf_path.read_text())
    args = [a for a in sys.argv[1:] if a != "--non-interactive"]
    with (folder / "calls.jsonl").open("a") as fh:
        fh.write(json.dumps({"args": args, "backend": os.environ.get("PULUMI_BACKEND_URL")}) + "\n")
    if args[:1] == ["version"]:
        if conf.get("version_fails"):
            print("segmentation fault", file=sys.stderr)
            return 1
        print(conf["version"])
        return 0
    stack = _flag(args, "--stack")
    command = args[0] if args[0] not in ("stack", "config", "plugin", "state") else f"{args[0]} {args[1]}"
    if args[0] == "destroy" and "--preview-only" in args:
        command = "preview-destroy"
    key = f"{command}-{stack}"
    if key in conf.get("fail", {}):
        print(conf["fail"][key], file=sys.stderr)
        return 255
    stacks = set(conf["stacks"])

    def save() -> None:
        conf["stacks"] = sorted(stacks)
        conf_path.write_text(json.dumps(conf))

    if command == "stack select":
        if stack not in stacks:
            print(f"error: no stack named '{stack}' found", file=sys.stderr)
            return 255
        return 0
    if command == "stack init":
        stacks.add(args[2])
        save()
        return 0
    if command == "stack ls":
        print(json.dumps([{"name": s, "current": False, "resourceCount": 20} for s in sorted(stacks)]))
        return 0
    if command in ("install", "plugin install", "state protect", "state unprotect", "cancel"):
        return 0
    if command == "config get":
        value = conf.get("config", {}).get(f"{stack}:{args[2]}")
        if value is None:
            print(f"error: configuration key '{args[2]}' not found for stack '{stack}'", file=sys.stderr)
            return 255
        print(json.dumps({"value": value, "secret": True}))
        return 0
    if command == "config set":
        conf.setdefault("config", {})[f"{stack}:{args[2]}"] = args[-1]
        save()
        # what the CLI does: the ciphertext and the salt go into the stack's file
        path = Path.cwd() / f"Pulumi.{stack}.yaml"
        text = path.read_text() if path.exists() else "config: {}\n"
        import yaml

        data = yaml.safe_load(text) or {}
        data.setdefault("encryptionsalt", "v1:ZmFrZXNhbHQ=:v1:AAAA:BBBB")
        (data.get("config") or data.setdefault("config", {}))[args[2]] = {"secure": "v1:Y2lwaGVydGV4dA=="}
        path.write_text(yaml.safe_dump(data))
        return 0
    if command == "stack history":
        print(
            json.dumps(
                [
                    {
                        "kind": "update",
                        "startTime": "2025-11-25T01:57:00.000Z",
                        "endTime": "2025-11-25T02:09:11.000Z",
                        "message": "",
                        "environment": {"exec.kind": "auto.local"},
                        "config": {},
                        "result": "succeeded",
                        "version": 4,
                        "resourceChanges": {"same": 19, "update": 1},
                    }
                ]
            )
        )
        return 0
    if command == "stack output":
        outputs = OUTPUTS.get(stack or "", {})
        shown = "--show-secrets" in args
        print(
            json.dumps(
                {k: (v if shown or k not in SECRET_OUTPUTS else "[secret]") for k, v in outputs.items()}
            )
        )
        return 0
    if command == "stack export":
        print((EVENTS / f"{stack}-state.json").read_text())
        return 0
    if command in ("preview", "up", "destroy", "preview-destroy", "refresh"):
        log = _flag(args, "--event-log")
        name = conf.get("events", {}).get(
            key, f"{stack}-{'preview-create' if command == 'preview' else 'up-create'}.jsonl"
        )
        lines = (EVENTS / name).read_text().splitlines()
        if log:
            with open(log, "a") as fh:
                fh.write("".join(line + "\n" for line in lines))
        print(f"{command} of {stack}: {len(lines)} events")
        if "--expect-no-changes" in args and any(
            json.loads(line).get("summaryEvent", {}).get("resourceChanges", {}).keys() - {"same"}
            for line in lines
        ):
            print("error: no changes were expected but changes were proposed", file=sys.stderr)
            return 255
        return 0
    print(f"fake pulumi: unexpected command {args}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
