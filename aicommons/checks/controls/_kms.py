"""Does a KMS key policy let CloudTrail do what CreateTrail needs? A small policy evaluator.

CloudTrail calls KMS with these requests when a trail encrypts with a customer key
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):

- `kms:GenerateDataKey*` with the encryption context `aws:cloudtrail:arn` = the trail's ARN;
- `kms:DescribeKey`, which carries no encryption context;
- `kms:Decrypt` when the bucket uses an S3 Bucket Key, with the bucket's context (`aws:s3:arn`).

Each request also carries `aws:SourceArn` = the trail's ARN. A statement allows a request when
its effect, principal, action and every condition match (IAM's evaluation logic,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
an explicit Deny wins. Only the condition operators key policies for CloudTrail use are
modelled; a statement with another operator is treated as not matching.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CLOUDTRAIL = "cloudtrail.amazonaws.com"
CONTEXT = "kms:EncryptionContext:"


@dataclass(frozen=True)
class Request:
    """One call a service makes to KMS: the action and its request context (condition keys)."""

    what: str  # why CloudTrail makes it, for the finding
    action: str
    context: Mapping[str, str]


def cloudtrail_requests(trail_arn: str, bucket_arn: str | None, bucket_key: bool) -> list[Request]:
    """The calls CreateTrail and log delivery make for a trail with SSE-KMS."""
    source = {"aws:SourceArn": trail_arn}
    requests = [
        Request(
            "to encrypt log files",
            "kms:GenerateDataKey",
            {**source, f"{CONTEXT}aws:cloudtrail:arn": trail_arn},
        ),
        Request("to describe the key (CreateTrail)", "kms:DescribeKey", source),
    ]
    if bucket_key:
        context = {f"{CONTEXT}aws:s3:arn": bucket_arn} if bucket_arn else {}
        requests.append(
            Request("to decrypt with the audit bucket's S3 Bucket Key", "kms:Decrypt", {**source, **context})
        )
    return requests


def allows(policy: Mapping[str, Any], service: str, request: Request) -> bool:
    """Does the key policy allow `service` to make `request` (and no Deny refuse it)?"""
    statements = [s for s in _as_list(policy.get("Statement")) if isinstance(s, Mapping)]
    matching = [s for s in statements if _applies(s, service, request)]
    return any(s.get("Effect") == "Allow" for s in matching) and not any(
        s.get("Effect") == "Deny" for s in matching
    )


def _applies(statement: Mapping[str, Any], service: str, request: Request) -> bool:
    return (
        _principal_matches(statement.get("Principal"), service)
        and any(_like(pattern, request.action) for pattern in _as_list(statement.get("Action")))
        and conditions_hold(statement.get("Condition") or {}, request.context)
    )


def _principal_matches(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return service in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))


def _like(pattern: Any, value: str) -> bool:
    """IAM's case-insensitive match of an action or a StringLike value (`*`, `?`)."""
    return isinstance(pattern, str) and fnmatch.fnmatchcase(value.lower(), pattern.lower())


def conditions_hold(condition: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    """Every operator block holds; within a block every key matches one of its values."""
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            return False
        for key, expected in block.items():
            if not _holds(str(operator), key, _as_list(expected), context):
                return False
    return True


def _holds(operator: str, key: str, expected: list[Any], context: Mapping[str, str]) -> bool:
    if operator == "Null":
        absent = key not in context
        return any(str(v).lower() == str(absent).lower() for v in expected)
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if key not in context:
        return if_exists
    value = context[key]
    if base in ("StringEquals", "ArnEquals"):
        return value in [str(v) for v in expected]
    if base in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(value, str(v)) for v in expected)
    return False  # an operator this model does not know: not counted as allowing


def missing_permissions(
    policy: Mapping[str, Any], trail_arn: str, bucket_arn: str | None, bucket_key: bool
) -> list[str]:
    """What CloudTrail could not do with this key policy, as phrases for a finding."""
    out = []
    for request in cloudtrail_requests(trail_arn, bucket_arn, bucket_key):
        if not allows(policy, CLOUDTRAIL, request):
            out.append(f"{request.action} {request.what}{_hint(policy, request)}")
    return out


def _hint(policy: Mapping[str, Any], request: Request) -> str:
    """Why a statement that names the action still does not allow it (the usual mistake)."""
    for s in _as_list(policy.get("Statement")):
        if not isinstance(s, Mapping) or s.get("Effect") != "Allow":
            continue
        if not any(_like(p, request.action) for p in _as_list(s.get("Action"))):
            continue
        if not _principal_matches(s.get("Principal"), CLOUDTRAIL):
            continue
        keys = sorted(
            k for block in (s.get("Condition") or {}).values() if isinstance(block, Mapping) for k in block
        )
        unmet = [k for k in keys if k.startswith(CONTEXT) and k not in request.context]
        if unmet:
            return f" (statement '{s.get('Sid', '?')}' asks for {', '.join(unmet)}, which that call never carries)"
    return ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
