"""The sizing profile: good profiles load, and every bad one gives one located, readable error.

Each bad fixture states what it expects in its header comments (``# expect-column``,
``# expect-field``, ``# expect-message``, ``# expect-allowed``) and marks the line the error
must point at with ``# <- error``, so the expected line number is read from the file itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import pytest
from pydantic import ValidationError

from aicommons.errors import EXIT_BAD_INPUT, ErrorGroup, InputError
from aicommons.profile import CityProfile, load_profile, load_profile_text
from aicommons.profile.model import AwsTarget, GpuSpec, KubernetesTarget, OnpremTarget, Users
from tests.conftest import EXAMPLES, FIXTURES, TIERS, cpu_workload, gpu_workload, load_dict, make_profile

GOOD = sorted((FIXTURES / "good").glob("*.yaml"))
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
MARKER = "# <- error"


@dataclass
class Expectation:
    line: int
    column: int | None = None
    field: str | None = None
    messages: list[str] = dataclass_field(default_factory=list)
    allowed: str | None = None


def expectation(path: Path) -> Expectation:
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = [i + 1 for i, text in enumerate(lines) if text.rstrip().endswith(MARKER)]
    assert len(marked) == 1, f"{path.name}: mark exactly one line with '{MARKER}'"
    expect = Expectation(line=marked[0])
    for text in lines:
        m = re.match(r"^# expect-(column|field|message|allowed): (.*)$", text)
        if not m:
            continue
        key, value = m.groups()
        if key == "column":
            expect.column = int(value)
        elif key == "field":
            expect.field = value
        elif key == "message":
            expect.messages.append(value)
        else:
            expect.allowed = value
    assert expect.messages, f"{path.name}: give at least one '# expect-message:'"
    return expect


def test_fixture_folders_are_populated() -> None:
    assert len(GOOD) >= 5
    assert len(BAD) >= 20


# --- good profiles -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES + TIERS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_and_tiers_load(path: Path) -> None:
    profile = load_profile(path)
    assert profile.apiVersion == "aicommons.dev/v1"
    assert profile.kind == "CityProfile"
    assert profile.workloads


@pytest.mark.parametrize("path", TIERS, ids=lambda p: p.stem)
def test_each_tier_file_is_its_own_tier(path: Path) -> None:
    profile = load_profile(path)
    assert profile.effective_tier == path.stem
    # the tier implied by the number of users agrees with the file's declared tier
    assert profile.model_copy(update={"tier": None}).effective_tier == path.stem


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_fixtures_load(path: Path) -> None:
    profile = load_profile(path)
    assert isinstance(profile, CityProfile)


def test_quantities_are_parsed_into_cores_and_gib() -> None:
    profile = load_profile(FIXTURES / "good" / "quantities-and-overrides.yaml")
    notebook, analytics = profile.workloads
    assert notebook.cpu.request == pytest.approx(0.5)
    assert notebook.cpu.limit == pytest.approx(2.0)
    assert notebook.memory.request == pytest.approx(1.5)
    assert notebook.memory.limit == pytest.approx(4.0)
    assert analytics.cpu.request == pytest.approx(1.5)
    assert analytics.memory.request == pytest.approx(6e9 / 1024**3)
    assert profile.budget.monthly_usd == pytest.approx(9000 * 1.08)


def test_hourly_schedule_is_used_hour_by_hour() -> None:
    profile = load_profile(FIXTURES / "good" / "hourly-schedule.yaml")
    shares = profile.hour_shares()
    assert len(shares) == 168
    assert shares[9] == 1.0 and shares[8] == 0.5 and shares[3] == 0.0  # Monday 09:00, 08:00, 03:00
    assert max(shares[5 * 24 :]) == 0.0  # nobody at weekends


def test_business_hours_shorthand_expands_to_the_week() -> None:
    profile = load_dict(
        make_profile(
            users={
                "registered": 10,
                "peak_concurrent": 10,
                "schedule": {
                    "business_hours": {"days": ["mon"], "start": 8, "end": 10, "off_hours_share": 0.25}
                },
            }
        )
    )
    shares = profile.hour_shares()
    assert [i for i, s in enumerate(shares) if s == 1.0] == [8, 9]
    assert shares.count(0.25) == 166


def test_no_schedule_means_always_at_peak() -> None:
    assert load_dict(make_profile()).hour_shares() == [1.0] * 168


@pytest.mark.parametrize(
    ("peak", "share", "expected"),
    [(20, 0.8, 16), (25, 0.8, 20), (25, 0.2, 5), (3, 0.1, 1), (7, 0.5, 4), (10, 0.3, 3)],
)
def test_peak_pods_round_shares_up(peak: int, share: float, expected: int) -> None:
    profile = load_dict(make_profile([cpu_workload(share=share)], registered=100, peak=peak))
    assert profile.workloads[0].peak_pods(peak) == expected


def test_effective_tier_follows_peak_users() -> None:
    tiers = {
        peak: load_dict(make_profile(registered=1000, peak=peak)).effective_tier
        for peak in (1, 30, 31, 120, 121, 400, 401)
    }
    assert tiers == {
        1: "pilot",
        30: "pilot",
        31: "small",
        120: "small",
        121: "medium",
        400: "medium",
        401: "large",
    }


def test_models_are_frozen() -> None:
    profile = load_dict(make_profile())
    with pytest.raises(ValidationError, match="frozen"):
        profile.users.registered = 5  # type: ignore[misc]


# --- bad profiles ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixture_gives_a_located_readable_error(path: Path) -> None:
    expect = expectation(path)
    with pytest.raises(InputError) as caught:
        load_profile(path)
    exc = caught.value
    assert exc.exit_code == EXIT_BAD_INPUT
    errors = exc.errors if isinstance(exc, ErrorGroup) else [exc]
    rendered = exc.render()
    assert str(path) in rendered
    for err in errors:  # every error of the group names the file
        assert err.location is not None and err.location.file == str(path)

    def matches(err: InputError) -> bool:
        loc = err.location
        assert loc is not None
        return (
            loc.line == expect.line
            and (expect.column is None or loc.column == expect.column)
            and (expect.field is None or loc.field == expect.field)
            and all(m in err.message for m in expect.messages)
            and (expect.allowed is None or (err.allowed is not None and expect.allowed in err.allowed))
        )

    assert any(matches(err) for err in errors), f"no error matches {expect}; got:\n{rendered}"
    # the rendered text carries file:line(:column), the field path and what is allowed
    where = f"{path}:{expect.line}" + (f":{expect.column}" if expect.column else "")
    assert where in rendered
    if expect.field:
        assert f"{where}: {expect.field}: " in rendered
    if expect.allowed:
        assert "(allowed: " in rendered and expect.allowed in rendered
    assert "Traceback" not in rendered
    assert "\n\n" not in rendered


def _single_unknown(profile: dict, name: str = "p.yaml") -> InputError:
    with pytest.raises(ErrorGroup) as caught:
        load_dict(profile, name)
    unknown = [e for e in caught.value.errors if "unknown field" in e.message]
    assert len(unknown) == 1, caught.value.render()
    return unknown[0]


@pytest.mark.parametrize(
    ("target", "typo", "model"),
    [
        (
            {"provider": "aws", "region": "us-east-1", "availability_zones": ["us-east-1a"], "regoin": "x"},
            "regoin",
            AwsTarget,
        ),
        (
            {
                "provider": "kubernetes",
                "context": "c",
                "node_types": [{"name": "n", "cpu": 4, "memory_gib": 16}],
                "storage_clas": "x",
            },
            "storage_clas",
            KubernetesTarget,
        ),
        ({"provider": "onprem", "site": "DC1", "power_usd_kwh": 0.2}, "power_usd_kwh", OnpremTarget),
    ],
    ids=["aws", "kubernetes", "onprem"],
)
def test_unknown_target_key_lists_the_fields_of_its_own_provider(target: dict, typo: str, model) -> None:
    err = _single_unknown(make_profile(target=target))
    assert err.location is not None and err.location.field == f"target.{typo}"
    assert err.allowed is not None
    assert set(err.allowed.split(", ")) == set(model.model_fields)
    assert "did you mean" in err.message


def test_unknown_key_in_an_aws_target_suggests_and_lists_aws_fields() -> None:
    profile = make_profile()
    profile["target"]["availabilty_zones"] = profile["target"].pop("availability_zones")
    with pytest.raises(ErrorGroup) as caught:
        load_dict(profile)
    unknown = next(e for e in caught.value.errors if "availabilty_zones" in e.message)
    assert "did you mean 'availability_zones'?" in unknown.message
    assert unknown.allowed is not None
    allowed = set(unknown.allowed.split(", "))
    assert {"region", "availability_zones", "existing_vpc"} <= allowed
    assert not allowed & {"node_types", "site", "context"}


def test_unknown_key_under_existing_vpc_lists_its_fields() -> None:
    target = {
        "provider": "aws",
        "region": "us-east-1",
        "availability_zones": ["us-east-1a", "us-east-1b"],
        "existing_vpc": {"vpc_id": "vpc-0123456789abcdef0", "private_subnets": []},
    }
    with pytest.raises(ErrorGroup) as caught:
        load_dict(make_profile(target=target))
    unknown = next(e for e in caught.value.errors if "private_subnets" in e.message)
    assert "did you mean 'private_subnet_ids'?" in unknown.message
    assert unknown.allowed == "private_subnet_ids, vpc_id"


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    profile = make_profile()
    profile["users"]["registered"] = "many"
    profile["workloads"][0]["image"] = "quay.io/jupyter/base-notebook:latest"
    profile["city"]["country"] = "usa"
    with pytest.raises(ErrorGroup) as caught:
        load_dict(profile, "city.yaml")
    fields = {e.location.field for e in caught.value.errors if e.location}
    assert {"users.registered", "workloads[0].image", "city.country"} <= fields
    assert caught.value.render().count("city.yaml:") == len(caught.value.errors)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("- 1\n- 2\n", "a profile is a mapping"),
        ("a: [1, 2\n", "malformed YAML"),
    ],
    ids=["empty", "list", "unclosed"],
)
def test_documents_that_are_not_profiles(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_profile_text(text, "odd.yaml")
    assert message in caught.value.render()
    assert caught.value.render().startswith("odd.yaml")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_profile(tmp_path / "nope.yaml")
    assert "file not found" in caught.value.render()
    assert str(tmp_path / "nope.yaml") in caught.value.render()


def _set(*keys_and_value):  # type: ignore[no-untyped-def]
    """A mutation setting profile[k1][k2]... = value (keys may be list indexes)."""
    *keys, last, value = keys_and_value

    def mutate(profile: dict) -> None:
        node = profile
        for key in keys:
            node = node[key]
        node[last] = value

    return mutate


def _all_default(profile: dict) -> None:
    for workload in profile["workloads"]:
        workload["default"] = True


IMPOSSIBLE = [
    pytest.param(
        _set("workloads", 0, "share", None), "workloads[0]", "exactly one of share", id="no-share-or-peak"
    ),
    pytest.param(
        _set("workloads", 0, "peak", 3), "workloads[0]", "exactly one of share", id="share-and-peak"
    ),
    pytest.param(
        _set("workloads", 1, "name", "notebook"), "workloads", "must be unique", id="duplicate-names"
    ),
    pytest.param(_all_default, "workloads", "at most one workload can be the default", id="two-defaults"),
    pytest.param(
        _set("workloads", 1, "gpu", {"count": 2, "sharing": {"mode": "time-sliced", "replicas": 2}}),
        "workloads[1].gpu",
        "count must be 1",
        id="shared-gpu-count-2",
    ),
    pytest.param(
        _set("workloads", 1, "gpu", "sharing", {"mode": "exclusive", "replicas": 2}),
        "workloads[1].gpu.sharing",
        "replicas applies only to time-sliced",
        id="replicas-on-exclusive",
    ),
    pytest.param(
        _set("workloads", 1, "gpu", "sharing", {"mode": "mig", "mig_profile": "1g.10GB"}),
        "workloads[1].gpu.sharing.mig_profile",
        "has the wrong form",
        id="mig-profile-form",
    ),
    pytest.param(
        _set("workloads", 0, "memory", {"request": "4Gi", "limit": "2Gi"}),
        "workloads[0].memory",
        "below request",
        id="memory-limit-below-request",
    ),
    pytest.param(
        _set("target", "availability_zones", ["us-east-1a", "us-east-1a"]),
        "target",
        "zone twice",
        id="zone-twice",
    ),
    pytest.param(
        _set("target", "region", "us-east"), "target.region", "has the wrong form", id="region-form"
    ),
    pytest.param(_set("budget", "monthly", 0), "budget.monthly", "greater than 0", id="budget-zero"),
    pytest.param(
        _set("users", "schedule", {"hourly": [0.5] * 168}),
        "users.schedule",
        "at least one hour must be 1.0",
        id="hourly-without-peak",
    ),
    pytest.param(
        _set("users", "schedule", {"business_hours": {"start": 18, "end": 8}}),
        "users.schedule.business_hours",
        "must be after start",
        id="business-hours-backwards",
    ),
    pytest.param(
        _set("users", "schedule", {}),
        "users.schedule",
        "exactly one of business_hours or hourly",
        id="empty-schedule",
    ),
    pytest.param(
        _set(
            "identity", {"issuer_url": "https://idp.example.org", "client_id": "x", "allowed_groups": ["g"]}
        ),
        "identity",
        "not a Keycloak realm",
        id="oidc-without-endpoints",
    ),
    pytest.param(
        _set("hub", {"host": "commons.example.org"}), "hub", "needs contact_email", id="letsencrypt-no-email"
    ),
    pytest.param(_set("apiVersion", "aicommons.dev/v2"), "apiVersion", "is not allowed", id="api-version"),
    pytest.param(_set("city", "country", "usa"), "city.country", "has the wrong form", id="country-code"),
]


@pytest.mark.parametrize(("mutate", "field", "fragment"), IMPOSSIBLE)
def test_impossible_values_name_their_field(mutate, field: str, fragment: str) -> None:
    profile = make_profile()
    mutate(profile)
    with pytest.raises(ErrorGroup) as caught:
        load_dict(profile, "p.yaml")
    errors = caught.value.errors
    assert any(e.location and e.location.field == field and fragment in e.message for e in errors), (
        caught.value.render()
    )
    for err in errors:
        assert err.location is not None and err.location.line is not None


def test_gpu_defaults() -> None:
    spec = GpuSpec()
    assert spec.count == 1 and spec.sharing.mode == "exclusive" and spec.min_memory_gib == 0


def test_users_model_rejects_peak_above_registered_directly() -> None:
    with pytest.raises(ValueError, match="cannot exceed registered"):
        Users(registered=5, peak_concurrent=6)


def test_workload_builders_make_valid_profiles() -> None:
    profile = load_dict(make_profile([cpu_workload("a", share=0.5), gpu_workload("b", share=0.5)]))
    assert [w.name for w in profile.workloads] == ["a", "b"]
