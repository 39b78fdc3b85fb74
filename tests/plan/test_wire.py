"""The worker's messages: plans and project errors come back as they left, anything else is named only."""

from __future__ import annotations

import json

import pytest

from aicommons.errors import EXIT_BAD_INPUT, ErrorGroup, InputError, Location, MissingComponentError
from aicommons.plan import wire
from aicommons.plan.model import PlannedResource, StackPlan


def roundtrip(exc: BaseException):  # type: ignore[no-untyped-def]
    return wire.decode_error(json.loads(json.dumps(wire.encode_error(exc))))


def test_a_located_input_error_comes_back_the_same() -> None:
    error = InputError("expected a mapping", Location(file="b/pulumi/Pulumi.yaml", line=3, field="name"), "x")
    back = roundtrip(error)
    assert type(back) is InputError
    assert (back.render(), back.location, back.allowed, back.exit_code) == (
        error.render(),
        error.location,
        "x",
        EXIT_BAD_INPUT,
    )


def test_an_error_group_and_other_project_errors_come_back() -> None:
    group = ErrorGroup([InputError("a", Location(field="f")), InputError("b", Location(file="p.yaml"))])
    back = roundtrip(group)
    assert type(back) is ErrorGroup and back.render() == group.render()
    missing = roundtrip(MissingComponentError("no engine"))
    assert type(missing) is MissingComponentError and missing.exit_code == 3


def test_anything_else_is_not_rebuilt() -> None:
    assert roundtrip(KeyError("boom")) is None
    assert wire.encode_error(KeyError("boom"))["class"] == "builtins:KeyError"
    forged = wire.encode_error(InputError("a"))
    forged["class"] = "builtins:ValueError"
    assert wire.decode_error(forged) is None


def test_plans_travel_unchanged() -> None:
    resource = PlannedResource(
        type="aws:s3/bucket:Bucket",
        name="data",
        stack="infra",
        inputs={"n": 1, "x": 0.1, "big": 1e300, "nested": [{"b": None, "a": True}], "s": "é"},
        urn="urn:pulumi:infra::p::aws:s3/bucket:Bucket::data",
    )
    plan = StackPlan(stack="infra", resources=[resource], outputs={"o": "[secret]"}, secret_outputs=["o"])
    plans, error = wire.decode_reply(wire.plans_reply([plan]))
    assert plans == [plan] and error is None
    assert list(plans[0].resources[0].inputs["nested"][0]) == ["b", "a"]  # key order kept


def test_a_reply_from_other_code_is_refused() -> None:
    line = json.dumps({"aicommons": "/elsewhere/aicommons", "plans": []})
    with pytest.raises(ValueError, match="not a reply"):
        wire.decode_reply(line)
    with pytest.raises(ValueError):
        wire.decode_reply("")
