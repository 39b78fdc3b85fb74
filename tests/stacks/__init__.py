"""Tests of the Pulumi stacks under the offline plan (mock runtime)."""
