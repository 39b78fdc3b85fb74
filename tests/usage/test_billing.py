"""The Cost Explorer bill beside the allocation: the request (filtered by the city's tag) and its sum.

moto answers ``ce.get_cost_and_usage`` from a queue of results it is given (moto/ce/models.py) and
keys what it answered by the request body, which shows the filter the code sent.
"""

from __future__ import annotations

import json

import boto3
import pytest
import requests
from moto import mock_aws

from aicommons.errors import MissingComponentError
from aicommons.profile.model import CityProfile
from aicommons.render.infra_aws import cost_tags
from aicommons.usage.billing import CITY_TAG, bill_end, billed, cost_request
from aicommons.usage.build import allocated_until
from tests.conftest import make_profile
from tests.usage import recorded

NOV_1 = 1793491200  # 2026-11-01T00:00:00Z


def test_the_tag_is_the_one_the_stacks_set():
    profile = CityProfile.model_validate(make_profile())
    assert cost_tags(profile)[CITY_TAG] == profile.city.slug


def test_request_is_whole_utc_days_filtered_by_the_city_tag():
    # a month to date cut on 2026-11-06 14:00: the bill runs 1 Nov to 6 Nov (exclusive) 00:00
    end = NOV_1 + 5 * 86400 + 14 * 3600
    assert bill_end(end) == NOV_1 + 5 * 86400
    assert cost_request("riverton", NOV_1, end) == {
        "TimePeriod": {"Start": "2026-11-01", "End": "2026-11-06"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
        "Filter": {"Tags": {"Key": "aicommons:city", "Values": ["riverton"], "MatchOptions": ["EQUALS"]}},
    }


@mock_aws
def test_bill_from_cost_explorer_beside_the_allocation():
    answer = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": "2026-11-01", "End": "2026-12-01"},
                "Total": {"UnblendedCost": {"Amount": "431.2549", "Unit": "USD"}},
                "Groups": [],
                "Estimated": True,
            }
        ],
        "DimensionValueAttributes": [],
    }
    queued = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
        json={"results": [answer]},
        timeout=5,
    )
    assert queued.status_code == 201
    client = boto3.client("ce", region_name="us-east-1")
    bill = billed(client, "riverton", NOV_1, NOV_1 + 30 * 86400, allocated_usd=400.0)
    assert bill is not None
    assert (bill.usd, bill.allocated_usd, bill.difference_usd) == (431.25, 400.0, 31.25)
    assert (bill.start, bill.end, bill.tag) == ("2026-11-01", "2026-12-01", "aicommons:city=riverton")
    from moto.ce.models import ce_backends

    sent = [
        json.loads(body)
        for backend in ce_backends.values()
        for b in backend.values()
        for body in b.cost_usage_results
    ]
    assert sent[0]["Filter"]["Tags"] == {
        "Key": "aicommons:city",
        "Values": ["riverton"],
        "MatchOptions": ["EQUALS"],
    }


def test_no_bill_for_a_window_shorter_than_a_day():
    class Never:
        def get_cost_and_usage(self, **kwargs):  # pragma: no cover - must not be called
            raise AssertionError("called")

    assert billed(Never(), "riverton", NOV_1, NOV_1 + 6 * 3600, 0.0) is None


def test_cost_explorer_failure_is_exit_3_with_the_way_out():
    class Denied:
        def get_cost_and_usage(self, **kwargs):
            raise RuntimeError("AccessDeniedException: not authorized to perform ce:GetCostAndUsage")

    with pytest.raises(MissingComponentError) as err:
        billed(Denied(), "riverton", NOV_1, NOV_1 + 2 * 86400, 0.0)
    assert err.value.exit_code == 3 and "--no-billed" in err.value.render()


def test_allocation_cut_at_the_bills_end():
    # the recorded samples are hours 0-5 of 2026-11-02 (test_allocate.py): up to 03:00 the nodes cost
    # core 3 x 0.10 + user-a 3 x 0.20 + user-b (hour 2) 0.20 + gpu-a 3 x 0.50 = 0.30 + 0.60 + 0.20 + 1.50
    obs = recorded.observations()
    assert allocated_until(obs, recorded.plan(), recorded.START + 3 * 3600) == pytest.approx(2.60)
