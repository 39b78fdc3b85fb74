"""Rendering: pure functions from a profile and its sizing plan to a deploy bundle (a file map)."""
