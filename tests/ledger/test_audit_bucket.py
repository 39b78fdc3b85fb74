"""upload_record against moto's S3 server: one immutable object per record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aicommons.errors import MissingComponentError
from aicommons.ledger import append_record, upload_record
from tests.ledger.conftest import make_entry

REGION = "us-east-1"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("s3", region_name=REGION)


def test_records_land_in_the_object_lock_bucket(s3, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s3.create_bucket(Bucket="riverton-audit", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket="riverton-audit",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}},
        },
    )
    ledger = tmp_path / "ledger.jsonl"
    keys = [
        upload_record("riverton-audit", "ledger/", append_record(ledger, make_entry(h)), REGION)
        for h in (1, 2)
    ]
    assert keys[0].startswith("ledger/0000000001-") and keys[1].startswith("ledger/0000000002-")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket="riverton-audit", Prefix="ledger/")["Contents"]]
    assert listed == keys
    bodies = b"".join(s3.get_object(Bucket="riverton-audit", Key=k)["Body"].read() for k in keys)
    assert bodies == ledger.read_bytes()  # the objects hold the ledger's exact lines
    head = s3.head_object(Bucket="riverton-audit", Key=keys[0])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["Metadata"]["aicommons-seq"] == "1"


def test_a_missing_bucket_is_a_missing_component(s3, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = append_record(tmp_path / "ledger.jsonl", make_entry(1))
    with pytest.raises(MissingComponentError, match="could not copy ledger record 1 to s3://no-such-bucket"):
        upload_record("no-such-bucket", "ledger", record, REGION)
