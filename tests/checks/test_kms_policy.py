"""The key-policy evaluator behind AIC-LOG-04, on cases worked out by hand."""

from __future__ import annotations

from aicommons.checks.controls._kms import CLOUDTRAIL, Request, allows, conditions_hold, missing_permissions

TRAIL = "arn:aws:cloudtrail:eu-central-1:111122223333:trail/city-trail"
BUCKET = "arn:aws:s3:::city-audit"


def statement(action, condition=None, effect="Allow", principal=None):
    s = {
        "Effect": effect,
        "Principal": principal or {"Service": CLOUDTRAIL},
        "Action": action,
        "Resource": "*",
    }
    if condition:
        s["Condition"] = condition
    return s


def test_action_wildcards_match_case_insensitively():
    ask = Request("", "kms:GenerateDataKey", {})
    assert allows({"Statement": [statement("kms:generatedatakey*")]}, CLOUDTRAIL, ask)
    assert allows({"Statement": [statement("kms:*")]}, CLOUDTRAIL, ask)
    assert not allows({"Statement": [statement("kms:Decrypt")]}, CLOUDTRAIL, ask)


def test_a_condition_on_a_key_the_call_lacks_never_holds_unless_if_exists():
    context = {"aws:SourceArn": TRAIL}  # DescribeKey: no encryption context
    needs = {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "*"}}
    assert not conditions_hold(needs, context)
    assert conditions_hold({"StringLikeIfExists": needs["StringLike"]}, context)
    # Null "true": the key must be absent, which it is; "false": present, which it is not.
    assert conditions_hold({"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "true"}}, context)
    assert not conditions_hold({"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}, context)
    assert conditions_hold(
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}, context
    )


def test_an_explicit_deny_wins():
    policy = {"Statement": [statement("kms:*"), statement("kms:Decrypt", effect="Deny")]}
    assert not allows(policy, CLOUDTRAIL, Request("", "kms:Decrypt", {}))
    assert allows(policy, CLOUDTRAIL, Request("", "kms:DescribeKey", {}))


def test_decrypt_is_needed_only_with_a_bucket_key():
    # Encrypt (with the trail's context) and describe: enough without a Bucket Key, one short with.
    policy = {
        "Statement": [
            statement(
                "kms:GenerateDataKey*", {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "*"}}
            ),
            statement("kms:DescribeKey"),
        ]
    }
    assert missing_permissions(policy, TRAIL, BUCKET, bucket_key=False) == []
    (missing,) = missing_permissions(policy, TRAIL, BUCKET, bucket_key=True)
    assert missing.startswith("kms:Decrypt to decrypt with the audit bucket's S3 Bucket Key")


def test_another_principal_does_not_count():
    policy = {"Statement": [statement("kms:*", principal={"Service": "logs.eu-central-1.amazonaws.com"})]}
    assert len(missing_permissions(policy, TRAIL, BUCKET, bucket_key=True)) == 3
    everyone = {"Statement": [statement("kms:*", principal={"AWS": "*"})]}
    assert missing_permissions(everyone, TRAIL, BUCKET, bucket_key=True) == []
