"""The anchor: a consistent rewrite of the whole ledger verifies as a chain, and is caught by the
anchor (a folder, an S3-compatible bucket, the AWS audit bucket with Object Lock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aicommons.errors import EXIT_FAILED, EXIT_MISSING_COMPONENT
from aicommons.ledger import append_record, ledger_path, read_ledger, verify_ledger
from aicommons.ledger.anchor import AnchorSyntaxError, compare, parse_anchor
from aicommons.ledger.anchor_store import anchor_append, resolve_anchor
from aicommons.ledger.chain import canonical_json, seal
from aicommons.ledger.model import GENESIS_SHA256
from tests.ledger.conftest import make_entry, run_cli

A, B, C, X = "a" * 64, "b" * 64, "c" * 64, "f" * 64
REGION = "us-east-1"
RIVERTON = Path(__file__).resolve().parents[2] / "examples" / "cities" / "riverton.yaml"


def anchored_city(tmp_path: Path, anchor: str, hours: tuple[int, ...] = (1, 2, 3)) -> Path:
    """A city folder whose every append was anchored, as deploy and drift do."""
    spec = parse_anchor(anchor, tmp_path, "test")
    for hour in hours:
        anchor_append(append_record(ledger_path(tmp_path), make_entry(hour)), spec, lambda _: None)
    return tmp_path


def rewrite_consistently(ledger: Path, seq: int) -> None:
    """Change record `seq` and re-seal it and every record after it: a chain that verifies."""
    records = read_ledger(ledger)
    lines, prev = [], GENESIS_SHA256
    for r in records:
        entry = r.entry()
        if r.seq == seq:
            entry = entry.model_copy(update={"notes": "nothing happened here"})
        record, line = seal(entry, r.seq, prev)
        lines.append(line)
        prev = __import__("hashlib").sha256(line).hexdigest()
    ledger.write_bytes(b"".join(line + b"\n" for line in lines))


# --- compare: cases worked out by hand


def test_compare_matching_and_unanchored_tail() -> None:
    check = compare([(1, A), (2, B), (3, C)], [(1, A), (2, B)])
    assert check.ok and check.anchored_up_to == 2 and check.unanchored == (3,)


def test_compare_a_rewritten_record() -> None:
    check = compare([(1, A), (2, X), (3, C)], [(1, A), (2, B), (3, C)])
    assert not check.ok and check.first_bad_seq == 2 and "rewritten from record 2" in (check.problem or "")


def test_compare_a_rewrite_cannot_hide_by_adding_its_own_copy() -> None:
    # the anchor never loses the original record 2, so a second, different record 2 is a conflict
    check = compare([(1, A), (2, X)], [(1, A), (2, B), (2, X)])
    assert not check.ok and check.first_bad_seq == 2 and "2 different records 2" in (check.problem or "")


def test_compare_records_cut_from_the_end() -> None:
    check = compare([(1, A), (2, B)], [(1, A), (2, B), (3, C)])
    assert (
        not check.ok
        and check.first_bad_seq == 3
        and "up to 3 but the file ends at 2" in (check.problem or "")
    )


def test_anchor_settings() -> None:
    base = Path("/city")
    assert parse_anchor("audit/anchor", base).location == "/city/audit/anchor"  # type: ignore[union-attr]
    assert parse_anchor("file:///mnt/worm", base).location == "/mnt/worm"  # type: ignore[union-attr]
    s3 = parse_anchor("s3://city-audit/ledger/v1?region=eu-west-1&endpoint=https://s3.city.example")
    assert s3 is not None and (s3.kind, s3.location, s3.prefix, s3.region, s3.endpoint) == (
        "s3",
        "city-audit",
        "ledger/v1",
        "eu-west-1",
        "https://s3.city.example",
    )
    assert parse_anchor("none") is None
    for bad in (
        "s3://Bad_Bucket/x",
        "s3://ok-bucket/x?colour=red",
        "https://host/x",
        "s3://ok-bucket?endpoint=ftp://h",
    ):
        with pytest.raises(AnchorSyntaxError):
            parse_anchor(bad)


def test_profile_and_environment_choose_the_anchor(tmp_path: Path) -> None:
    from aicommons.profile import load_profile

    riverton = load_profile(RIVERTON)
    aws = resolve_anchor(riverton, tmp_path, {})
    assert (
        aws is not None and aws.location == "aicommons-riverton-audit-{account_id}" and aws.prefix == "ledger"
    )
    chosen = resolve_anchor(riverton, tmp_path, {"AICOMMONS_LEDGER_ANCHOR": "anchor"})
    assert chosen is not None and chosen.location == str(tmp_path / "anchor")
    assert resolve_anchor(riverton, tmp_path, {"AICOMMONS_LEDGER_ANCHOR": "none"}) is None


def test_the_aws_anchor_is_the_bucket_the_infra_stack_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(RIVERTON.parents[2] / "stacks"))
    from aicommons.profile import load_profile
    from aicommons.render.infra_aws import cluster_name
    from aicommons_stacks.infra.storage import bucket_name

    riverton = load_profile(RIVERTON)
    spec = resolve_anchor(riverton, Path("."), {})
    assert spec is not None
    account = "123456789012"
    assert spec.location.replace("{account_id}", account) == bucket_name(
        cluster_name(riverton), "audit", account
    )


# --- a folder anchor through the CLI


def test_a_consistent_rewrite_verifies_as_a_chain_and_is_caught_by_the_folder_anchor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city = anchored_city(tmp_path, "anchor")
    anchor = str(tmp_path / "anchor")
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city), "--anchor", anchor)
    assert code == 0, err
    assert f"anchor: folder {anchor} (--anchor): holds 3 record(s) up to 3, all match the file" in out

    rewrite_consistently(ledger_path(city), 2)
    assert verify_ledger(ledger_path(city)).ok  # the chain alone cannot tell
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city), "--anchor", anchor)
    assert code == EXIT_FAILED
    assert (
        "record 2 differs from the anchored record 2" in err
        and f"[anchor: folder {anchor} (--anchor)]" in err
    )


def test_records_cut_from_the_end_are_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city = anchored_city(tmp_path, "anchor")
    ledger = ledger_path(city)
    ledger.write_bytes(b"".join(ledger.read_bytes().splitlines(keepends=True)[:2]))
    monkeypatch.setenv("AICOMMONS_LEDGER_ANCHOR", str(tmp_path / "anchor"))
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city))
    assert code == EXIT_FAILED and "the anchor holds records up to 3 but the file ends at 2" in err
    assert "AICOMMONS_LEDGER_ANCHOR" in err  # says which anchor it used


def test_an_unreadable_anchor_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city = anchored_city(tmp_path, "anchor")
    code, _, err = run_cli(
        monkeypatch, capsys, "ledger", "verify", str(city), "--anchor", str(tmp_path / "gone")
    )
    assert code == EXIT_MISSING_COMPONENT and "does not exist" in err


def test_without_an_anchor_verify_says_what_it_cannot_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for hour in (1, 2):
        append_record(ledger_path(tmp_path), make_entry(hour))
    code, out, _ = run_cli(monkeypatch, capsys, "ledger", "verify", str(tmp_path), "--anchor", "none")
    assert code == 0 and "anchor: none" in out and "a rewrite of every record" in out


def test_the_head_printed_at_an_append_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    printed: list[str] = []
    for hour in (1, 2, 3):
        anchor_append(append_record(ledger_path(tmp_path), make_entry(hour)), None, printed.append)
    heads = [line for line in printed if line.startswith("ledger head: ")]
    assert len(heads) == 3
    head = heads[1].removeprefix("ledger head: ")
    code, out, _ = run_cli(
        monkeypatch, capsys, "ledger", "verify", str(tmp_path), "--expect-head", head[:20], "--anchor", "none"
    )
    assert code == 0 and "matches record 2" in out
    rewrite_consistently(ledger_path(tmp_path), 1)
    code, _, err = run_cli(
        monkeypatch, capsys, "ledger", "verify", str(tmp_path), "--expect-head", head, "--anchor", "none"
    )
    assert code == EXIT_FAILED and "is not in the ledger" in err


def test_an_unanchored_tail_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city = anchored_city(tmp_path, "anchor", (1, 2))
    append_record(ledger_path(city), make_entry(3))  # its anchoring failed
    code, out, _ = run_cli(
        monkeypatch, capsys, "ledger", "verify", str(city), "--anchor", str(tmp_path / "anchor")
    )
    assert code == 0 and "record(s) 3 are not in the anchor" in out


# --- S3 (moto): an S3-compatible anchor and the AWS audit bucket with Object Lock


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

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("s3", region_name=REGION, endpoint_url=s3_endpoint)


def locked_bucket(s3, name: str) -> None:  # type: ignore[no-untyped-def]
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}},
        },
    )


def test_an_s3_compatible_anchor_catches_a_rewrite(
    s3, s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    locked_bucket(s3, "city-anchor")
    url = f"s3://city-anchor/aicommons/ledger?region={REGION}&endpoint={s3_endpoint}"
    city = anchored_city(tmp_path, url)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="city-anchor")["Contents"]]
    assert [k.split("/")[-1][:10] for k in keys] == ["0000000001", "0000000002", "0000000003"]
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city), "--anchor", url)
    assert code == 0, err and "all match the file" in out

    rewrite_consistently(ledger_path(city), 3)
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city), "--anchor", url)
    assert code == EXIT_FAILED and "record 3 differs from the anchored record 3" in err
    assert "s3://city-anchor/aicommons/ledger" in err


def test_the_aws_audit_bucket_is_the_default_anchor_of_an_aws_city(
    s3, s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)  # S3 and STS (moto's account 123456789012)
    monkeypatch.delenv("AICOMMONS_LEDGER_ANCHOR", raising=False)
    bucket = "aicommons-riverton-audit-123456789012"
    locked_bucket(s3, bucket)
    from aicommons.profile import load_profile

    profile = tmp_path / "riverton.yaml"
    profile.write_text(RIVERTON.read_text(encoding="utf-8"), encoding="utf-8")
    spec = resolve_anchor(load_profile(profile), tmp_path, {})
    printed: list[str] = []
    for hour in (1, 2):
        anchor_append(append_record(ledger_path(tmp_path), make_entry(hour)), spec, printed.append)
    assert any(f"anchored in s3://{bucket}/ledger/0000000002-" in line for line in printed), printed
    key = s3.list_objects_v2(Bucket=bucket, Prefix="ledger/")["Contents"][0]["Key"]
    assert s3.head_object(Bucket=bucket, Key=key)["ObjectLockMode"] == "COMPLIANCE"
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(profile))
    assert code == 0, err
    assert f"anchor: s3://{bucket}/ledger (the AWS audit bucket" in out

    rewrite_consistently(ledger_path(tmp_path), 1)
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(profile))
    assert code == EXIT_FAILED and "record 1 differs from the anchored record 1" in err


# --- line endings


def test_crlf_line_endings_are_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for hour in (1, 2):
        append_record(ledger_path(tmp_path), make_entry(hour))
    ledger = ledger_path(tmp_path)
    ledger.write_bytes(ledger.read_bytes().replace(b"\n", b"\r\n"))
    result = verify_ledger(ledger)
    assert not result.ok and result.line_endings_changed and result.records == 2
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(tmp_path), "--anchor", "none")
    assert code == EXIT_FAILED
    assert "line endings were changed to Windows ones (CR LF)" in err
    assert "with LF endings restored all 2 record(s) verify" in err and "-text" in err
    assert "tampered" not in err
    with pytest.raises(Exception, match="CR LF"):
        append_record(ledger, make_entry(3))  # nothing is chained onto a converted file


def test_a_crlf_file_with_an_edited_record_says_both(tmp_path: Path) -> None:
    for hour in (1, 2):
        append_record(ledger_path(tmp_path), make_entry(hour))
    ledger = ledger_path(tmp_path)
    edited = ledger.read_bytes().replace(b'"updated":1', b'"updated":0', 1).replace(b"\n", b"\r\n")
    ledger.write_bytes(edited)
    result = verify_ledger(ledger)
    assert not result.ok and result.first_bad_line == 1 and "sha256 does not match" in (result.problem or "")


def test_canonical_line_is_what_the_anchor_holds(tmp_path: Path) -> None:
    anchored_city(tmp_path, "anchor", (1,))
    (file,) = (tmp_path / "anchor").iterdir()
    record = read_ledger(ledger_path(tmp_path))[0]
    assert (
        file.read_bytes()
        == canonical_json(record.model_dump(mode="json")) + b"\n"
        == ledger_path(tmp_path).read_bytes()
    )


def test_the_profile_names_its_anchor_and_a_bad_one_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aicommons.profile import load_profile

    onprem = RIVERTON.parent / "harbourview-onprem.yaml"
    text = onprem.read_text(encoding="utf-8")
    assert "\ngovernance:\n" in text
    profile = tmp_path / "city.yaml"
    profile.write_text(
        text.replace("\ngovernance:\n", "\ngovernance:\n  ledger_anchor: worm/ledger\n"), encoding="utf-8"
    )
    spec = resolve_anchor(load_profile(profile), tmp_path, {})
    assert spec is not None and spec.location == str(tmp_path / "worm" / "ledger")
    assert spec.source == "governance.ledger_anchor in the profile"
    profile.write_text(
        text.replace("\ngovernance:\n", "\ngovernance:\n  ledger_anchor: ftp://host/x\n"), encoding="utf-8"
    )
    append_record(ledger_path(tmp_path), make_entry(1))
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(profile))
    assert code == 2 and f"{profile}:" in err and "ledger_anchor" in err and "not an anchor" in err


def test_verify_of_a_city_folder_reads_the_anchor_from_its_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (RIVERTON.parent / "harbourview-onprem.yaml").read_text(encoding="utf-8")
    anchored = text.replace("\ngovernance:\n", "\ngovernance:\n  ledger_anchor: worm\n")
    (tmp_path / "profile.yaml").write_text(anchored, encoding="utf-8")
    city = anchored_city(tmp_path, "worm")
    rewrite_consistently(ledger_path(city), 3)
    monkeypatch.chdir(city)
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify")
    assert code == EXIT_FAILED and "record 3 differs" in err
    assert f"[anchor: folder {city / 'worm'} (governance.ledger_anchor in the profile)]" in err


# --- a copy of the ledger that is behind its anchor (a CI run's checkout)


def test_pull_restores_the_records_a_copy_lacks_then_appends_follow_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city = anchored_city(tmp_path, "anchor", (1, 2, 3))
    ledger = ledger_path(city)
    full = ledger.read_bytes()
    ledger.write_bytes(b"".join(full.splitlines(keepends=True)[:1]))  # the checkout holds record 1
    anchor = str(tmp_path / "anchor")
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "pull", str(city), "--anchor", anchor)
    assert code == 0, err and "2 record(s) restored" in out
    assert ledger.read_bytes() == full
    code, out, _ = run_cli(monkeypatch, capsys, "ledger", "pull", str(city), "--anchor", anchor)
    assert code == 0 and "0 record(s) restored" in out
    anchor_append(append_record(ledger, make_entry(4)), parse_anchor(anchor), lambda _: None)
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city), "--anchor", anchor)
    assert code == 0 and "holds 4 record(s) up to 4" in out


def test_pull_refuses_a_copy_that_disagrees_with_the_anchor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city = anchored_city(tmp_path, "anchor", (1, 2, 3))
    ledger = ledger_path(city)
    ledger.write_bytes(b"".join(ledger.read_bytes().splitlines(keepends=True)[:2]))
    rewrite_consistently(ledger, 2)
    before = ledger.read_bytes()
    code, _, err = run_cli(
        monkeypatch, capsys, "ledger", "pull", str(city), "--anchor", str(tmp_path / "anchor")
    )
    assert code == EXIT_FAILED and "record 2 differs" in err and "nothing was restored" in err
    assert ledger.read_bytes() == before


def test_pull_from_s3(
    s3, s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    locked_bucket(s3, "city-anchor-pull")
    url = f"s3://city-anchor-pull/ledger?region={REGION}&endpoint={s3_endpoint}"
    city = anchored_city(tmp_path, url, (1, 2))
    ledger = ledger_path(city)
    full = ledger.read_bytes()
    ledger.unlink()
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "pull", str(city), "--anchor", url)
    assert code == 0, err
    assert ledger.read_bytes() == full
