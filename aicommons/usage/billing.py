"""The AWS bill for the city's tagged resources (Cost Explorer), beside the measured allocation.

The infra stack tags everything it creates with ``aicommons:city`` (render/infra_aws.py
``cost_tags``; node instances and volumes through the launch templates' tag specifications). Cost
Explorer filters by a tag only once it is activated as a cost allocation tag in the Billing
console, and its periods are whole UTC days with an exclusive end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aicommons.errors import MissingComponentError
from aicommons.sizing.cost import money
from aicommons.usage.report import Billed

CITY_TAG = "aicommons:city"
METRIC = "UnblendedCost"
TIMEOUT_SECONDS = 30


def _day(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")


def bill_end(end: int) -> int:
    """The bill's exclusive end: midnight UTC at or before the window's end."""
    return end - end % 86400


def cost_request(city: str, start: int, end: int) -> dict[str, Any]:
    """The ``get_cost_and_usage`` arguments: whole days from the window's start to its end's day."""
    return {
        "TimePeriod": {"Start": _day(start), "End": _day(end)},
        "Granularity": "MONTHLY",
        "Metrics": [METRIC],
        "Filter": {"Tags": {"Key": CITY_TAG, "Values": [city], "MatchOptions": ["EQUALS"]}},
    }


def billed_usd(response: dict[str, Any]) -> float:
    """The sum of the answer's periods (a window over a month boundary has two)."""
    total = 0.0
    for period in response.get("ResultsByTime", []):
        amount = period.get("Total", {}).get(METRIC, {})
        unit = amount.get("Unit", "USD")
        if unit != "USD":
            raise MissingComponentError(f"Cost Explorer answered in {unit}, not USD")
        total += float(amount.get("Amount", 0.0))
    return total


def billed(client: Any, city: str, start: int, end: int, allocated_usd: float) -> Billed | None:
    """The bill from a boto3 ``ce`` client, or None when the window is shorter than a whole day."""
    request = cost_request(city, start, end)
    if request["TimePeriod"]["Start"] >= request["TimePeriod"]["End"]:
        return None
    try:
        response = client.get_cost_and_usage(**request)
    except Exception as exc:  # botocore's ClientError and BotoCoreError: no bill to show
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise MissingComponentError(
            f"AWS Cost Explorer did not answer: {first}",
            allowed="credentials with ce:GetCostAndUsage (aws sts get-caller-identity), or --no-billed",
        ) from None
    usd = billed_usd(response)
    return Billed(
        source="aws-cost-explorer",
        tag=f"{CITY_TAG}={city}",
        usd=money(usd),
        start=request["TimePeriod"]["Start"],
        end=request["TimePeriod"]["End"],
        allocated_usd=money(allocated_usd),
        difference_usd=money(usd - allocated_usd),
    )


def cost_explorer_client() -> Any:
    """A boto3 Cost Explorer client (its API lives in us-east-1), with timeouts."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise MissingComponentError(
            "boto3 is not installed", allowed="pip install boto3, or --no-billed"
        ) from None
    config = Config(
        connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS, retries={"max_attempts": 2}
    )
    return boto3.client("ce", region_name="us-east-1", config=config)
