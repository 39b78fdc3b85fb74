"""The standards inventory groups the blueprint's references by framework and clause, deterministically."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aicommons.blueprint.model import Blueprint, Control, StandardRef
from aicommons.blueprint.standards import (
    FRAMEWORK_ORDER,
    inventory_markdown,
    main,
    natural_key,
    select_framework,
    standards_inventory,
)
from aicommons.errors import InputError
from tests.blueprint.conftest import INVENTORY_DOC


def _control(control_id: str, *refs: StandardRef) -> Control:
    return Control(
        id=control_id,
        title=f"{control_id} title",
        severity="high",
        rationale="Why. Really.",
        remediation="Change it.",
        standards=list(refs),
        sources=["bundle"],
    )


def _tiny(*controls: Control) -> Blueprint:
    return Blueprint(
        apiVersion="aicommons.dev/v1",
        kind="Blueprint",
        name="tiny",
        version="0.1.0",
        description="A test blueprint.",
        components={},
        bounds=[],
        allowed_registries=[],
        controls=list(controls),
    )


ISO = {"framework": "ISO/IEC 27001", "version": "2022"}


def test_a_clause_supported_by_two_controls_lists_both_in_blueprint_order() -> None:
    tiny = _tiny(
        _control("AIC-NET-01", StandardRef(**ISO, clause="A.8.20", title="Networks security", note="n")),
        _control("AIC-AAA-01", StandardRef(**ISO, clause="A.8.20", note="n")),
    )
    [iso] = standards_inventory(tiny)
    [clause] = iso.clauses
    assert clause.controls == ["AIC-NET-01", "AIC-AAA-01"]
    assert clause.title == "Networks security"  # the first title given, even if another ref omits it
    assert [(n.note, n.controls) for n in clause.notes] == [("n", ["AIC-NET-01", "AIC-AAA-01"])]


def test_different_notes_stay_attributed_to_their_controls() -> None:
    tiny = _tiny(
        _control("AIC-X-01", StandardRef(**ISO, clause="A.8.15", note="one")),
        _control("AIC-X-02", StandardRef(**ISO, clause="A.8.15", note="two")),
        _control("AIC-X-03", StandardRef(**ISO, clause="A.8.15")),
    )
    [clause] = standards_inventory(tiny)[0].clauses
    assert [(n.note, n.controls) for n in clause.notes] == [("one", ["AIC-X-01"]), ("two", ["AIC-X-02"])]
    assert "AIC-X-01: one<br>AIC-X-02: two" in inventory_markdown(tiny)


def test_clauses_sort_naturally_and_frameworks_in_the_fixed_order() -> None:
    refs = [StandardRef(**ISO, clause=c) for c in ("A.8.15", "A.5.15", "A.8.2")]
    refs += [
        StandardRef(framework="Zeta Guide", version="1", clause="2"),
        StandardRef(framework="Alpha Guide", version="1", clause="1"),
        StandardRef(framework="NIST AI RMF", version="1.0", clause="MANAGE 2.1"),
        StandardRef(framework="NIST AI RMF", version="1.0", clause="MEASURE 2.10"),
        StandardRef(framework="NIST AI RMF", version="1.0", clause="MEASURE 2.7"),
        StandardRef(framework="NIST AI RMF", version="1.0", clause="GOVERN 6.1"),
        StandardRef(framework="NIST AI RMF", version="1.0", clause="MAP 4.1"),
    ]
    inventory = standards_inventory(_tiny(_control("AIC-X-01", *refs)))
    assert [f.framework for f in inventory] == ["NIST AI RMF", "ISO/IEC 27001", "Alpha Guide", "Zeta Guide"]
    assert [c.clause for c in inventory[0].clauses] == [
        "GOVERN 6.1",
        "MAP 4.1",
        "MEASURE 2.7",
        "MEASURE 2.10",
        "MANAGE 2.1",
    ]
    assert [c.clause for c in inventory[1].clauses] == ["A.5.15", "A.8.2", "A.8.15"]


@given(st.lists(st.lists(st.integers(0, 120), min_size=1, max_size=4), min_size=1, max_size=12))
def test_natural_key_orders_dotted_numbers_numerically(numbers: list[list[int]]) -> None:
    clauses = ["A." + ".".join(map(str, n)) for n in numbers]
    assert [natural_key(c) for c in sorted(clauses, key=natural_key)] == [
        natural_key("A." + ".".join(map(str, n))) for n in sorted(numbers)
    ]


def test_the_packaged_inventory(blueprint: Blueprint) -> None:
    inventory = standards_inventory(blueprint)
    names = [f.framework for f in inventory]
    assert names[: len(FRAMEWORK_ORDER)] == list(FRAMEWORK_ORDER)
    assert names[len(FRAMEWORK_ORDER) :] == sorted(names[len(FRAMEWORK_ORDER) :], key=str.casefold)
    iso = select_framework(inventory, "ISO/IEC 27001")
    a815 = next(c for c in iso.clauses if c.clause == "A.8.15")
    assert a815.title == "Logging"
    assert a815.controls == ["AIC-LOG-01", "AIC-LOG-02", "AIC-LOG-03", "AIC-LOG-04"]
    cis = select_framework(inventory, "CIS Kubernetes Benchmark")
    assert next(c for c in cis.clauses if c.clause == "5.3.2").controls == ["AIC-NET-01", "AIC-NET-04"]
    clauses = [c.clause for c in cis.clauses]
    assert clauses.index("5.2.9") < clauses.index("5.2.12")
    # Every reference of every control appears in the inventory, once.
    cited = {(s.framework, s.version, s.clause, c.id) for c in blueprint.controls for s in c.standards}
    listed = {(f.framework, c.version, c.clause, i) for f in inventory for c in f.clauses for i in c.controls}
    assert cited == listed


def test_select_framework_by_name_or_unique_part(blueprint: Blueprint) -> None:
    inventory = standards_inventory(blueprint)
    assert select_framework(inventory, "eu ai act").framework == "EU AI Act"
    assert select_framework(inventory, "42001").framework == "ISO/IEC 42001"
    with pytest.raises(InputError, match="matches several frameworks"):
        select_framework(inventory, "ISO")
    with pytest.raises(InputError, match="not a framework") as err:
        select_framework(inventory, "SOC 2")
    assert "EU AI Act" in (err.value.allowed or "")


def test_markdown_is_deterministic_and_complete(blueprint: Blueprint) -> None:
    first, second = inventory_markdown(blueprint), inventory_markdown(blueprint)
    assert first == second
    assert first.startswith("# Standards inventory: ai-commons-v1 1.0.0\n")
    assert first.endswith("\n") and not first.endswith("\n\n")
    for name in FRAMEWORK_ORDER:
        assert f"\n## {name}\n" in first
    assert "\n## Controls by ID\n" in first
    for control in blueprint.controls:
        assert f"| {control.id} | " in first
    assert "| Clause | Title | Controls | Note |" in first


def test_markdown_for_one_framework(blueprint: Blueprint) -> None:
    text = inventory_markdown(blueprint, "EU AI Act")
    assert "\n## EU AI Act\n" in text and "\n## NIST AI RMF\n" not in text
    assert "| AIC-LOG-03 |" in text and "| AIC-POD-01 |" not in text


def test_the_committed_document_is_current(blueprint: Blueprint) -> None:
    assert INVENTORY_DOC.read_text(encoding="utf-8") == inventory_markdown(blueprint), (
        "docs/standards-inventory.md is stale; regenerate it with "
        "`python -m aicommons.blueprint.standards docs/standards-inventory.md`"
    )


def test_module_main_writes_the_document(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "inventory.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == INVENTORY_DOC.read_text(encoding="utf-8")
    assert main([]) == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")
