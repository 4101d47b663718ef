"""Ingestion: bank files (and later Plaid, OBP, FX) into the ops store. Imports only `ledger`."""

from ingestion.bank_import import import_bank_file
from ingestion.errors import AmbiguousLayout, ImportRejected, ImportReport, RowError
from ingestion.mapping import ImportMapping

__all__ = [
    "AmbiguousLayout",
    "ImportMapping",
    "ImportRejected",
    "ImportReport",
    "RowError",
    "import_bank_file",
]
