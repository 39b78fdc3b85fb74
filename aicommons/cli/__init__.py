"""Command-line interface (the imperative shell)."""
