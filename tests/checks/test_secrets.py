"""AIC-SEC-01: no plaintext secret in any rendered file, reported by file and line, masked."""

from __future__ import annotations

import pytest
import yaml

from aicommons.checks.controls.secrets import mask, scan, secret_like
from tests.checks.security_support import check_fixture, fixture_inventory, fixture_paths, run_one

CASES = fixture_paths("AIC-SEC-01")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path):
    check_fixture("AIC-SEC-01", path)


@pytest.mark.parametrize("path", [p for p in CASES if p.name.startswith("fail-")], ids=lambda p: p.stem)
def test_findings_never_show_the_secret(path):
    """Only a masked prefix appears; no secret from the fixture appears whole in any message."""
    case = yaml.safe_load(path.read_text())
    result = run_one("AIC-SEC-01", fixture_inventory(case))
    secrets = [
        "abc123xyz789secretvalue1",
        "AKIAQ3EGVP7KXWMT2JNB",
        "ghp_R2d2C3poBb8Ee1Kk9Ll0Mm7Nn6Oo5Pp4Qq3R",
        "Sup3rS3cret",
        "Riverton2025!db",
        "7d1f0c9e4b2a8f6e3c5d7a9b1e0f2c4d",
        "3f6a1c0e9b8d7a6f5e4d3c2b1a0f9e8d",
        "MIIEpAIBAAKCAQEAtestkeymaterialnotreal",
    ]
    for finding in result.findings:
        assert finding.file and finding.line, finding
        assert not any(s in finding.message for s in secrets), finding.message


def test_mask_shows_at_most_a_quarter():
    assert mask("abc123") == "'a…' (6 characters)"
    assert mask("x") == "'…' (1 characters)"


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("client_secret", True),
        ("clientSecret", True),
        ("hub.config.GenericOAuthenticator.client_secret", True),
        ("apiToken", True),
        ("password", True),
        ("client_secret_env", False),
        ("token_url", False),
        ("secretName", False),
        ("existingSecret", False),
        ("secret_values", False),
        ("client_id", False),
    ],
)
def test_secret_like_keys(key, secret):
    assert secret_like(key) is secret


def test_one_finding_per_line():
    text = b"password: AKIAQ3EGVP7KXWMT2JNB\n"
    assert [line for line, _ in scan("x.yaml", text)] == [1]
