"""Reading the engine's event stream: changes per resource, counts, errors, the log form."""

from __future__ import annotations

import json

from aicommons.deploy.events import EventCollector, event_dict, fan_out, has_changes, plain, summary_counts
from tests.deploy.standin import load_events


def collect(name: str) -> EventCollector:
    collector = EventCollector()
    for event in load_events(name):
        collector(event)
    return collector


def test_a_first_preview_creates_everything() -> None:
    c = collect("infra-preview-create.jsonl")
    assert c.counts() == {"create": 20, "update": 0, "delete": 0, "replace": 0, "same": 0}
    assert len(c.changes()) == 20 and {ch.op for ch in c.changes()} == {"create"}
    key = next(ch for ch in c.changes() if ch.name == "kms-key")
    assert key.type == "aws:kms/key:Key" and key.protect
    assert key.parent.endswith("aicommons:infra:EncryptionKey::kms")
    audit = next(ch for ch in c.changes() if ch.name == "bucket-audit-bucket")
    assert audit.purpose == "audit"
    assert c.duration_seconds == 4 and c.errors == []


def test_a_replace_is_one_change_however_many_steps() -> None:
    c = collect("infra-preview-replace-projects.jsonl")
    assert [(ch.op, ch.name) for ch in c.changes()] == [
        ("update", "cluster-eks"),
        ("replace", "bucket-projects-bucket"),
    ]
    replace = c.changes()[1]
    assert replace.diffs == ("bucket",) and replace.protect
    assert c.counts()["replace"] == 1 and c.counts()["same"] == 18


def test_reads_and_sames_are_not_changes() -> None:
    c = collect("platform-preview-same.jsonl")
    assert c.changes() == [] and not has_changes(c.counts())


def test_a_failed_update_keeps_the_engine_errors_and_what_completed() -> None:
    c = collect("infra-up-failed.jsonl")
    assert [f.name for f in c.failed] == ["bucket-projects-bucket"]
    assert c.errors[0].startswith("creating S3 Bucket (riverton-commons-projects-123456789012)")
    assert c.errors[-1] == "update failed"
    assert c.done_counts()["create"] == 15


def test_an_interrupted_stream_has_no_summary() -> None:
    c = collect("platform-up-interrupted.jsonl")
    assert c.summary is None and c.done_counts()["create"] == 4


def test_summary_counts_folds_replace_steps_and_ignores_unknown_ops() -> None:
    assert summary_counts({"create-replacement": 1, "replace": 1, "delete-replaced": 1, "same": 2, "read": 3}) == {
        "create": 0, "update": 0, "delete": 0, "replace": 3, "same": 2,
    }  # fmt: skip
    assert summary_counts(None)["create"] == 0


def test_plain_strips_the_engine_colour_tags() -> None:
    assert plain("<{%reset%}>update failed<{%reset%}>\n") == "update failed"
    assert plain("\x1b[31merror\x1b[0m") == "error"


def test_events_as_json_for_the_log() -> None:
    for event in load_events("platform-up-create.jsonl"):
        json.dumps(event_dict(event))  # every event serialises
    pre = next(e for e in load_events("infra-up-create.jsonl") if e.resource_pre_event)
    data = event_dict(pre)
    assert data["resource_pre_event"]["metadata"]["op"] == "create"
    assert "sequence" in data and "summary_event" not in data


def test_fan_out_calls_each_in_turn() -> None:
    seen: list[str] = []
    on_event = fan_out(lambda e: seen.append("a"), None, lambda e: seen.append("b"))
    on_event(object())
    assert seen == ["a", "b"]
