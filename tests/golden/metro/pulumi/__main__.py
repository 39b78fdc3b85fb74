"""Pulumi entry point: the stack name (infra or platform) picks the program."""

from aicommons_stacks.main import main

main()
