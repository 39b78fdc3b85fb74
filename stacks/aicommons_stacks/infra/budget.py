"""The monthly AWS Budget: an e-mail at each threshold of the city's cost limit."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError, InfraArgs
from aicommons_stacks.common import child


class CostBudget(pulumi.ComponentResource):
    """A COST budget in USD per month, with ACTUAL-spend alerts at each percentage threshold."""

    def __init__(self, name: str, args: InfraArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aicommons:infra:CostBudget", name, None, opts)
        if args.budget_usd_month <= 0:
            raise ArgsError(f"budget_usd_month: must be positive, got {args.budget_usd_month}")
        if not args.budget_alert_emails or not args.budget_alert_thresholds:
            raise ArgsError("budget_alert_emails, budget_alert_thresholds: at least one each")
        budget = aws.budgets.Budget(
            f"{name}-monthly",
            name=f"{args.cluster_name}-monthly",
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{args.budget_usd_month:.2f}",
            limit_unit="USD",
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    comparison_operator="GREATER_THAN",
                    notification_type="ACTUAL",
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                    subscriber_email_addresses=sorted(args.budget_alert_emails),
                )
                for threshold in sorted(set(args.budget_alert_thresholds))
            ],
            opts=child(self),
        )
        self.register_outputs({"name": budget.name})
