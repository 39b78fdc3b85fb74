"""Copy ledger records to the city's audit bucket (S3 with Object Lock) on AWS.

One object per record, named by its seq and hash, holding the record's exact ledger line:
the bucket's Object Lock keeps it unchanged and undeleted for the retention period, which
is what shows an auditor that records were not dropped from the end of the local file.
"""

from __future__ import annotations

from aicommons.errors import MissingComponentError
from aicommons.ledger.chain import canonical_json
from aicommons.ledger.model import LedgerRecord


def record_key(key_prefix: str, record: LedgerRecord) -> str:
    """`<prefix>/<seq, 10 digits>-<sha256>.json`: sorted by seq, unique per content."""
    prefix = key_prefix.strip("/")
    name = f"{record.seq:010d}-{record.sha256}.json"
    return f"{prefix}/{name}" if prefix else name


def upload_record(bucket: str, key_prefix: str, record: LedgerRecord, region: str) -> str:
    """Write `record` to `s3://bucket/<key>` and return the key.

    Raises MissingComponentError when boto3, credentials or the bucket are missing or S3 refuses.
    """
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise MissingComponentError(
            "boto3 is not installed; the ledger record was not copied to the audit bucket",
            allowed="pip install boto3",
        ) from None
    key = record_key(key_prefix, record)
    body = canonical_json(record.model_dump(mode="json")) + b"\n"
    try:
        s3 = boto3.client("s3", region_name=region)
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",  # Object Lock requires an integrity checksum on every write
            Metadata={"aicommons-seq": str(record.seq), "aicommons-sha256": record.sha256},
        )
    except (BotoCoreError, ClientError) as exc:
        raise MissingComponentError(
            f"could not copy ledger record {record.seq} to s3://{bucket}/{key}: {exc}",
            allowed="AWS credentials that may write to the audit bucket (s3:PutObject)",
        ) from None
    return key
