"""Deployment targets: each implements the TargetModel protocol in aicommons.targets.base."""
