"""`python -m aicommons.cli` runs the command line (used by tests and where PATH lacks the script)."""

from aicommons.cli.main import run

run()
