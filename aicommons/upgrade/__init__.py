"""Planned upgrades: what is behind (charts, Kubernetes, the tool) and the safe steps to catch up."""
