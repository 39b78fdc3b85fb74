"""Comment every field of a profile document from the model's own field descriptions.

`aicommons init` writes a profile a city's IT team edits by hand; each key then carries a short
comment saying what it is, taken from the same pydantic descriptions the JSON schema shows.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken

# Fields whose model carries no description (or whose description is too long for a line comment).
_PLAIN: dict[str, str] = {
    "apiVersion": "profile format version",
    "kind": "always CityProfile",
    "city": "who the AI Commons is for",
    "target": "where it runs",
    "users": "who uses it",
    "workloads": "the servers people can start (JupyterHub profiles)",
    "storage": "disks and buckets",
    "backup": "backups of homes, datasets, project volumes and the hub database",
    "retention_days": "days backups are kept, per kind of store",
    "budget": "what the city may spend each month",
    "governance": "blueprint knobs: retention, residency, idle limits",
    "identity": "OIDC sign-in",
    "hub": "the hub's public name and HTTPS",
    "schedule": "when people use it (sets the cost of autoscaled pools)",
    "business_hours": "peak in these hours, a share of it otherwise",
    "name": "short name (lower case, digits, dashes)",
    "display_name": "what people see in the hub's list",
    "image": "container image, pinned to a tag",
    "cpu": "cores: guaranteed request, hard limit",
    "memory": "guaranteed request, hard limit",
    "gpu": "GPU needs of one server",
    "sharing": "how servers share one GPU",
    "share": "share of the peak users who pick this",
    "peak": "servers of this kind running at once, at most",
    "default": "preselected in the hub",
    "description": "one line shown under the name",
    "count": "GPUs per server",
    "min_memory_gib": "GPU memory one server needs (GiB)",
    "models": "GPU models allowed (hardware_profiles/gpus.yaml)",
    "monthly": "monthly cap, in the budget's currency",
    "currency": "ISO 4217 code of the budget",
    "audit_sink": "where audit events are kept (no cloud audit bucket here)",
    "type": "loki or s3",
    "url": "Loki push URL (no credentials in it)",
    "tenant_id": "Loki X-Scope-OrgID",
    "node_types": "the node shapes the cluster offers (allocatable figures)",
    "max_nodes": "how many such nodes the cluster can offer",
    "gpu_count": "GPUs per node",
    "provider": "aws (a new EKS cluster), kubernetes (an existing cluster) or onprem (servers to buy)",
    "audit_retention_days": "days the audit trail is kept",
    "client_id": "the hub's OIDC client id at the identity provider",
    "admin_groups": "groups whose members administer the hub",
    "usd_per_unit": "US dollars per unit of the budget's currency",
    "alert_emails": "who the budget alerts go to",
}

_MAX = 88  # longest comment kept from a description; longer ones are cut at a sentence or a clause


def comment_fields(doc: CommentedMap, model: type[BaseModel], column: int = 40) -> None:
    """Add an end-of-line comment to every key of `doc` that has none (recursively)."""
    for key in list(doc):
        info = model.model_fields.get(str(key))
        if info is None:
            continue
        value = doc[key]
        if not _has_comment(doc, key, value):
            text = _short(info.description) or _PLAIN.get(str(key))
            if text:
                doc.yaml_add_eol_comment(text, key, column=column)
        sub = _model_of(info.annotation, value)
        if sub is None:
            continue
        if isinstance(value, CommentedMap):
            if not value.fa.flow_style():  # a one-line {a: 1, b: 2} keeps its one comment
                comment_fields(value, sub, column)
        elif isinstance(value, CommentedSeq):
            for item in value:
                if isinstance(item, CommentedMap) and not item.fa.flow_style():
                    comment_fields(item, _model_of(info.annotation, item) or sub, column)


def _has_comment(doc: CommentedMap, key: Any, value: Any) -> bool:
    entry = doc.ca.items.get(key)
    if entry and any(isinstance(t, CommentToken) or (isinstance(t, list) and t) for t in entry[2:]):
        return True
    if isinstance(value, CommentedMap | CommentedSeq) and value.ca.comment:
        return bool(value.ca.comment[0]) if isinstance(value.ca.comment, list) else True
    return False


def _short(description: str | None) -> str | None:
    if not description:
        return None
    text = " ".join(description.split())
    for stop in (". ", "; ", ": "):
        if len(text) > _MAX and stop in text:
            text = text.split(stop, 1)[0]
    text = text.rstrip(".")
    return text if len(text) <= _MAX else None


def _model_of(annotation: Any, value: Any) -> type[BaseModel] | None:
    """The model an annotation holds (through lists, optionals and the provider-tagged union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = [m for arg in typing.get_args(annotation) if (m := _model_of(arg, value)) is not None]
    if len(found) > 1 and isinstance(value, dict):
        tagged = [m for m in found if m.model_fields.get("provider") is not None]
        for m in tagged:
            if m.model_fields["provider"].default == value.get("provider"):
                return m
    return found[0] if found else None


__all__ = ["comment_fields"]
