"""The engine log: JSON Lines, private, with every secret value masked."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from aicommons.deploy.logs import EngineLog, Redactor, run_stamp
from tests.deploy.standin import load_events


def test_redactor_masks_values_and_their_json_form() -> None:
    redact = Redactor(['pa"ss\\word', "topsecret", None, "ab"])
    assert redact('{"v": "pa\\"ss\\\\word"} topsecret ab') == '{"v": "[secret]"} [secret] ab'


def test_engine_log(tmp_path: Path) -> None:
    with EngineLog(tmp_path / "logs", "infra", run_stamp(), Redactor(["topsecret"])) as log:
        on_event = log.on_event("preview")
        for event in load_events("infra-preview-create.jsonl"):
            on_event(event)
        log.on_output("preview")("token=topsecret")
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert len(lines) == len(load_events("infra-preview-create.jsonl")) + 1
    assert lines[-1]["output"] == "token=[secret]"
    log.write("up", note="after close is ignored")
