"""The core pool's floor: how many nodes run the hub and system services, by tier.

What runs there, and what each pod requests, is ``sizing/system_pods.py``.
"""

from __future__ import annotations

from aicommons.profile.model import Tier


def min_core_nodes(tier: Tier) -> int:
    """At least two nodes in two zones above the pilot tier."""
    return 1 if tier == "pilot" else 2
