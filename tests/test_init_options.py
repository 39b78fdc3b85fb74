"""`aicommons init --name --country --region --currency --usd-per-unit`: the city's own values,
each field commented, and a profile that still validates."""

from __future__ import annotations

import re

import pytest
import yaml

from aicommons.errors import InputError
from aicommons.profile import load_profile_text
from aicommons.profile.starter import StarterOptions, starter_profile


def test_country_region_and_currency_fill_zones_residency_and_rate() -> None:
    text = starter_profile(
        "small",
        "aws",
        options=StarterOptions(
            slug="lakeside", name="Stadt Lakeside", country="DE", currency="EUR", usd_per_unit=1.2
        ),
    )
    profile = load_profile_text(text, "profile.yaml")
    assert profile.city.name == "Stadt Lakeside" and profile.city.country == "DE"
    assert profile.target.region == "eu-central-1"  # type: ignore[union-attr]
    assert profile.target.availability_zones == ["eu-central-1a", "eu-central-1b"]  # type: ignore[union-attr]
    # An EU city's data may stay anywhere in the EU: both EU regions of the catalog.
    assert profile.governance.data_residency_regions == ["eu-west-1", "eu-central-1"]
    # The small tier's 6,000 USD at 1.2 USD per EUR: 6000 / 1.2 = 5000 EUR.
    assert (profile.budget.currency, profile.budget.monthly, profile.budget.usd_per_unit) == (
        "EUR",
        5000,
        1.2,
    )
    assert profile.budget.monthly_usd == pytest.approx(6000)
    assert "lakeside" in profile.hub.host and "small-city" not in text  # type: ignore[union-attr]


def test_every_written_field_has_a_comment() -> None:
    for provider in ("aws", "kubernetes", "onprem"):
        text = starter_profile("large", provider, "my-city")
        keys = [line for line in text.splitlines() if re.match(r"^\s*(- )?[a-z_A-Z]+:", line)]
        bare = [line for line in keys if "#" not in line]
        assert bare == [], provider


def test_a_region_outside_the_country_is_refused() -> None:
    with pytest.raises(InputError, match="us-east-1 lies in US, outside DE"):
        starter_profile("pilot", "aws", options=StarterOptions(country="DE", region="us-east-1"))


def test_a_currency_without_its_rate_is_refused() -> None:
    with pytest.raises(InputError, match="--usd-per-unit"):
        starter_profile("pilot", "aws", options=StarterOptions(currency="EUR"))


def test_init_takes_the_options_on_the_command_line(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import run_main

    code, _, err = run_main(
        monkeypatch, capsys, "init", str(tmp_path / "harbour"), "--tier", "pilot", "--provider", "aws",
        "--name", "Harbour Town", "--country", "ie", "--currency", "EUR", "--usd-per-unit", "1.1",
    )  # fmt: skip
    assert code == 0, err
    data = yaml.safe_load((tmp_path / "harbour" / "profile.yaml").read_text())
    assert data["city"] == {**data["city"], "name": "Harbour Town", "country": "IE"}
    assert data["target"]["region"] == "eu-west-1" and data["budget"]["currency"] == "EUR"
    code, _, err = run_main(monkeypatch, capsys, "init", str(tmp_path / "x"), "--country", "Germany")
    assert code == 2 and "--country" in err and "2-letter" in err


def test_size_shows_money_in_the_budget_currency_with_usd_beside(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import run_main

    path = tmp_path / "profile.yaml"
    path.write_text(
        starter_profile("pilot", "aws", options=StarterOptions(slug="t", currency="EUR", usd_per_unit=1.25))
    )
    code, out, err = run_main(monkeypatch, capsys, "size", str(path))
    assert code == 0, err
    # The pilot's 1,500 USD budget at 1.25 USD per EUR is 1500 / 1.25 = 1,200 EUR.
    assert "budget of 1,200.00 EUR ($1,500.00)" in " ".join(out.split())


def test_a_region_alone_is_where_the_data_lives_and_an_unknown_one_is_refused() -> None:
    text = starter_profile("medium", "aws", options=StarterOptions(region="eu-west-1"))
    profile = load_profile_text(text, "profile.yaml")
    assert profile.governance.data_residency_regions == ["eu-west-1"]
    assert profile.target.availability_zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]  # type: ignore[union-attr]
    with pytest.raises(InputError, match="no prices in the catalog"):
        starter_profile("pilot", "aws", options=StarterOptions(region="ap-south-1"))
    with pytest.raises(InputError, match="--provider aws"):
        starter_profile("pilot", "onprem", options=StarterOptions(region="eu-west-1"))
