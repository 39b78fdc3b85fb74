"""Copy ledger records to an S3 bucket: the city's Object-Locked audit bucket on AWS, or an
S3-compatible anchor bucket elsewhere.

One object per record, named by its seq and hash, holding the record's exact ledger line: on
the audit bucket, Object Lock keeps it unchanged and undeleted for the retention period, which
is what lets `aicommons ledger verify` show that the local file was not rewritten or cut.
"""

from __future__ import annotations

from typing import Any

from aicommons.errors import MissingComponentError
from aicommons.ledger.anchor import ACCOUNT_PLACEHOLDER, object_name, parse_object_name
from aicommons.ledger.chain import canonical_json
from aicommons.ledger.model import LedgerRecord


def record_key(key_prefix: str, record: LedgerRecord) -> str:
    """`<prefix>/<seq, 10 digits>-<sha256>.json`: sorted by seq, unique per content."""
    prefix = key_prefix.strip("/")
    name = object_name(record.seq, record.sha256)
    return f"{prefix}/{name}" if prefix else name


def _boto3() -> tuple[Any, Any, Any]:
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise MissingComponentError(
            "boto3 is not installed; the ledger's anchor bucket cannot be reached",
            allowed="pip install boto3",
        ) from None
    return boto3, BotoCoreError, ClientError


def s3_client(region: str | None, endpoint: str | None = None) -> Any:
    boto3, _, _ = _boto3()
    return boto3.client("s3", region_name=region, endpoint_url=endpoint)


def resolve_bucket(bucket: str, region: str | None, endpoint: str | None = None) -> str:
    """The bucket's name with `{account_id}` filled from the caller's AWS account (STS)."""
    if ACCOUNT_PLACEHOLDER not in bucket:
        return bucket
    boto3, core_error, client_error = _boto3()
    try:
        account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    except (core_error, client_error) as exc:
        raise MissingComponentError(
            f"could not learn the AWS account that names the audit bucket ({bucket}): {exc}",
            allowed="AWS credentials for the city's account (aws sts get-caller-identity)",
        ) from None
    return bucket.replace(ACCOUNT_PLACEHOLDER, str(account))


def upload_record(
    bucket: str, key_prefix: str, record: LedgerRecord, region: str | None, endpoint: str | None = None
) -> str:
    """Write `record` to `s3://bucket/<key>` and return the key.

    Raises MissingComponentError when boto3, credentials or the bucket are missing or S3 refuses.
    """
    _, core_error, client_error = _boto3()
    key = record_key(key_prefix, record)
    body = canonical_json(record.model_dump(mode="json")) + b"\n"
    try:
        s3_client(region, endpoint).put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",  # Object Lock requires an integrity checksum on every write
            Metadata={"aicommons-seq": str(record.seq), "aicommons-sha256": record.sha256},
        )
    except (core_error, client_error) as exc:
        raise MissingComponentError(
            f"could not copy ledger record {record.seq} to s3://{bucket}/{key}: {exc}",
            allowed="credentials that may write to the anchor bucket (s3:PutObject)",
        ) from None
    return key


def anchored_records(
    bucket: str, key_prefix: str, region: str | None, endpoint: str | None = None
) -> list[tuple[int, str]]:
    """(seq, sha256) of every record object under the prefix; other objects are ignored."""
    _, core_error, client_error = _boto3()
    prefix = key_prefix.strip("/")
    found: list[tuple[int, str]] = []
    try:
        pages = s3_client(region, endpoint).get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=bucket, Prefix=f"{prefix}/" if prefix else ""):
            for item in page.get("Contents", []):
                key = item["Key"]
                parent = key.rsplit("/", 1)[0] if "/" in key else ""
                parsed = parse_object_name(key)
                if parsed and parent == prefix:
                    found.append(parsed)
    except (core_error, client_error) as exc:
        raise MissingComponentError(
            f"could not read the ledger's anchor s3://{bucket}/{prefix}: {exc}",
            allowed="credentials that may list the anchor bucket (s3:ListBucket)",
        ) from None
    return sorted(found)


def read_record_line(
    bucket: str, key_prefix: str, seq: int, sha256: str, region: str | None, endpoint: str | None = None
) -> bytes:
    """The exact ledger line the anchor holds for (seq, sha256), without its newline."""
    _, core_error, client_error = _boto3()
    prefix = key_prefix.strip("/")
    key = f"{prefix}/{object_name(seq, sha256)}" if prefix else object_name(seq, sha256)
    try:
        body = s3_client(region, endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
    except (core_error, client_error) as exc:
        raise MissingComponentError(
            f"could not read s3://{bucket}/{key}: {exc}",
            allowed="credentials that may read the anchor bucket (s3:GetObject)",
        ) from None
    return body.rstrip(b"\n")
