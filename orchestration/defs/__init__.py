"""Loaded with `dagster.load_defs`: every module below contributes definitions."""
