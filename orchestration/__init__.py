"""Dagster definitions for bankdash: landing-folder ingestion, the dbt warehouse, publishing.

`orchestration.definitions` only assembles; each area lives in `orchestration/defs/<area>/`.
"""
