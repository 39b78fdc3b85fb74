"""Adapters: build an Inventory from a rendered bundle, a Pulumi plan, or a live deployment."""
