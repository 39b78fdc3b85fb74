"""Reports: turn plans into JSON, Markdown and terminal tables (pure functions)."""
