"""`aicommons project migrate`: a flat v1 project file to the v2 layout (``register:`` + ``sandbox:``,
and ``obligations:`` kept as it is when the old file has it).

Pure text in, text out: the file is read round-trip (ruamel.yaml), so the city's comments stay with
the fields they describe. Every old field lands in the standard's field of the same meaning
(docs/governance.md has the table); nothing is invented. Where the old file cannot answer what the
standard asks (a required field it never had, a category that names no domain of the standard's
list), the migration says so in a located note and leaves the field for the city to write.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, get_args

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from aicommons.governance.load import is_old_layout
from aicommons.governance.model import PROJECT_API_VERSION
from aicommons.governance.registration import STANDARD_VERSION, Domain, field_order, required_fields
from aicommons.yamlio import load_located_text

OLD_STATUS = {"in development": "development", "in use": "operational", "out of use": "retired"}
DOMAINS: tuple[str, ...] = get_args(Domain)
# Old free-text categories that name exactly one of the standard's domains (compared lower-case).
DOMAIN_SYNONYMS = {
    "mobility": "traffic and transportation",
    "transport": "traffic and transportation",
    "transportation": "traffic and transportation",
    "traffic": "traffic and transportation",
    "housing": "housing, living and living environment",
    "health": "health and health care",
    "healthcare": "health and health care",
    "health care": "health and health care",
    "education": "education and science",
    "science": "education and science",
    "safety": "public safety",
    "environment": "environment, spacial planning and water",
    "spatial planning": "environment, spacial planning and water",
    "economy": "economy and entrepreneurship",
    "tax": "taxes",
    "employment": "work and career",
    "work": "work and career",
    "culture": "culture, sports and leisure",
    "sports": "culture, sports and leisure",
    "benefits": "subsidies, benefits and allowances",
    "subsidies": "subsidies, benefits and allowances",
    "immigration": "immigration and integration",
    "integration": "immigration and integration",
}
# Old top-level keys that become sandbox fields, in the v2 order.
SANDBOX_KEYS = (
    "owners",
    "members",
    "begin_date",
    "end_date",
    "datasets",
    "quota",
    "public_endpoint",
    "assessment",
    "safeguards",
)
# Old register keys whose name and meaning the standard keeps.
SAME_NAME = (
    "name",
    "organization",
    "department",
    "description_short",
    "goal",
    "impact",
    "proportionality",
    "lawful_basis",
    "objection_procedure",
    "source_data",
    "methods_and_models",
    "monitoring",
    "human_intervention",
    "risks",
    "risk_category",  # not a v1 field, but a file annotated for the AI Act may carry it
    "revision_date",
)
# Old keys the migration maps by hand (the rest are SAME_NAME and SANDBOX_KEYS).
MOVED = (
    "apiVersion",
    "kind",
    "slug",
    "register_id",
    "status",
    "type",
    "category",
    "dpia",
    "human_rights_assessment",
    "provider",
    "source_code",
    "contact",
)
URL = re.compile(r"^https?://\S+$")
# The new inline comments of fields whose allowed values changed.
NEW_COMMENTS = {
    "status": "planned | design | development | pilot | evaluation | operational | retired",
    "algorithm_type": "self-learning | rule-based | hybrid",
}


@dataclass(frozen=True)
class Note:
    """Something the city must decide or write, at a field of the migrated file."""

    field: str  # dotted path in the new layout, e.g. register.domain
    message: str
    line: int | None = None  # in the migrated text


@dataclass(frozen=True)
class Migration:
    text: str  # the file in the v2 layout
    notes: tuple[Note, ...]
    todo: tuple[str, ...]  # required fields of the standard the old file does not answer


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(URL.match(value.strip()))


def _move(old: CommentedMap, key: str, new: CommentedMap, new_key: str, value: Any = None) -> None:
    """Set new[new_key] (default: the old value) and carry the comments written after the old key."""
    new[new_key] = old[key] if value is None else value
    comment = old.ca.items.get(key)
    if comment is not None:
        new.ca.items[new_key] = comment
    if new_key in NEW_COMMENTS:
        _set_inline(new, new_key, NEW_COMMENTS[new_key])


def _set_inline(node: CommentedMap, key: str, text: str) -> None:
    """Replace the inline comment after `key`'s value, keeping the full-line comments that follow it."""
    entry = node.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        node.yaml_add_eol_comment(text, key)
        return
    _, _, rest = token.value.partition("\n")
    token.value = f"# {text}\n{rest}"


def _domain(categories: Any) -> tuple[str | None, list[str]]:
    """The one domain the old categories name, and the categories that name none."""
    words = [categories] if isinstance(categories, str) else list(categories or [])
    found: set[str] = set()
    unmapped: list[str] = []
    for word in words:
        key = str(word).strip().lower()
        domain = key if key in DOMAINS else DOMAIN_SYNONYMS.get(key)
        if domain is None:
            unmapped.append(str(word))
        else:
            found.add(domain)
    return (found.pop() if len(found) == 1 else None), unmapped


def migrate_text(text: str, name: str) -> Migration | None:
    """The v2 layout of a v1 project file; None when the file already has the v2 layout."""
    load_located_text(text, name)  # bounded, and malformed YAML becomes a located error
    reader = YAML(typ="rt")
    reader.preserve_quotes = True  # "no" and "yes" answers stay strings for every YAML reader
    old = reader.load(text)
    if not is_old_layout(old):
        return None
    notes: list[Note] = []
    remarks: list[str] = []
    new = CommentedMap()
    new.ca.comment = old.ca.comment  # the header comment
    register = CommentedMap()
    sandbox = CommentedMap()
    staged: dict[str, Any] = {}  # standard field -> (old key, value), ordered below as the standard
    for key in ("apiVersion", "kind", "slug", "register_id"):
        if key in old:
            _move(old, key, new, key)
    new["apiVersion"] = PROJECT_API_VERSION
    for key in SAME_NAME:
        if key in old:
            staged[key] = (key, None)
    if "status" in old:
        status = str(old["status"])
        staged["status"] = ("status", OLD_STATUS.get(status, status))
        if status == "in use":
            notes.append(
                Note(
                    "register.status",
                    "'in use' became 'operational'; if the system still runs as a trial, say 'pilot' or "
                    "'evaluation' (each needs a recorded approval to go live)",
                )
            )
    if "type" in old:
        staged["algorithm_type"] = ("type", None)
    if "category" in old:
        domain, unmapped = _domain(old["category"])
        words = old["category"] if isinstance(old["category"], list) else [old["category"]]
        if domain is not None:
            staged["domain"] = ("category", domain)
        else:
            notes.append(
                Note(
                    "register.domain",
                    f"category {list(map(str, words))} names no single domain of the standard; choose one of: "
                    + "; ".join(DOMAINS),
                )
            )
        if unmapped:
            staged["keywords"] = ("category", ", ".join(str(w) for w in words))
    for old_key, url_key, text_key in (
        ("dpia", "DPIA_url", "DPIA_description"),
        ("human_rights_assessment", "AIA_url", "AIA_description"),
    ):
        value = old.get(old_key)
        if value not in (None, ""):
            staged[url_key if _is_url(value) else text_key] = (old_key, None)
    for old_key, url_key, label in (
        ("provider", "product_information", "Provider"),
        ("source_code", "codebase_url", "Source code"),
    ):
        value = old.get(old_key)
        if value in (None, ""):
            continue
        if _is_url(value):
            staged[url_key] = (old_key, None)
        else:
            remarks.append(f"{label}: {value}")
            notes.append(
                Note(
                    "register.remark",
                    f"{old_key} {str(value)!r} is not a URL, so it cannot be {url_key} (a URL in the standard); "
                    f"it is kept in remark",
                )
            )
    contact = old.get("contact")
    if isinstance(contact, dict):
        for old_key, new_key in (
            ("email", "contact_email"),
            ("name", "contact_name"),
            ("website", "website"),
        ):
            value = contact.get(old_key)
            if value in (None, ""):
                continue
            if new_key == "website" and not _is_url(value):
                remarks.append(f"Website: {value}")
                notes.append(
                    Note("register.remark", f"contact.website {value!r} is not a URL; kept in remark")
                )
                continue
            staged[new_key] = ("contact", value)
            if old_key in contact.ca.items:
                register.ca.items[new_key] = contact.ca.items[old_key]
    if remarks:
        staged["remark"] = ("", "\n".join(remarks))
    staged["standard_version"] = ("", Quoted(STANDARD_VERSION))
    for field in field_order():
        if field in staged:
            old_key, value = staged[field]
            if old_key in old and old_key != "contact" and field not in register.ca.items:
                _move(old, old_key, register, field, value)
            else:
                register[field] = old[old_key] if value is None else value
                if field in NEW_COMMENTS:
                    _set_inline(register, field, NEW_COMMENTS[field])
    for key in SANDBOX_KEYS:
        if key in old:
            _move(old, key, sandbox, key)
    todo = tuple(f for f in required_fields() if f not in register)
    new["register"] = register
    new["sandbox"] = sandbox
    if "obligations" in old:  # the AI Act evidence is already a top-level section: it stays one
        _move(old, "obligations", new, "obligations")
    if todo:
        new.yaml_set_comment_before_after_key(
            "register",
            before="TODO: the standard requires these fields, which the old file did not have (write them; "
            "`aicommons project export` refuses until they are filled):\n  " + ", ".join(todo),
        )
    known = {*MOVED, *SAME_NAME, *SANDBOX_KEYS, "obligations"}
    for key in old:
        if key not in known:
            new[key] = old[key]  # an unknown field: loading the new file names it
            notes.append(
                Note(str(key), f"{key!r} is not a field of either layout; kept for you to move or delete")
            )
    out = _dump(new)
    located = load_located_text(out, name)
    return Migration(
        text=out,
        notes=tuple(Note(n.field, n.message, located.locate(n.field.split(".")).line) for n in notes),
        todo=todo,
    )


def _dump(data: CommentedMap) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()
