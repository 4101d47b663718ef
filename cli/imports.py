"""`bankdash import FILE --account ID`: import a bank export from the command line.

Registered by cli/main.py (`app.command("import")(import_command)`). Same path as the API upload:
`ingestion.import_bank_file`, with a progress bar fed by its progress callback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from ingestion import ImportMapping, ImportRejected, ImportReport, import_bank_file
from ledger.db import default_engine


def import_command(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="The bank export (CSV)."),
    ],
    account: Annotated[int, typer.Option("--account", help="Id of the account to import into.")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            exists=True,
            dir_okay=False,
            help='JSON file telling how to read the layout, e.g. {"date_format": "%d/%m/%Y"}.',
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check everything; store nothing.")
    ] = False,
) -> None:
    """Import a bank file into an account; all-or-nothing, duplicates are skipped."""
    layout = ImportMapping.model_validate_json(mapping.read_text()) if mapping else None
    with tqdm(total=0, unit="rows", desc=file.name, leave=False) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            report = import_bank_file(
                default_engine(),
                account_id=account,
                content=file.read_bytes(),
                filename=file.name,
                mapping=layout,
                dry_run=dry_run,
                progress=progress,
            )
        except ImportRejected as rejected:
            bar.close()
            typer.echo(f"Import refused: {rejected.detail}", err=True)
            for error in rejected.errors:
                column = f", column {error.column!r}" if error.column is not None else ""
                value = f", value {error.value!r}" if error.value is not None else ""
                typer.echo(f"  row {error.row}{column}{value}: {error.message}", err=True)
            raise typer.Exit(code=1) from None
    typer.echo(describe(report))


def describe(report: ImportReport) -> str:
    verb = "would import" if report.dry_run else "imported"
    batch = f" (import {report.import_id})" if report.import_id is not None else " (dry run)"
    return (
        f"{report.rows_read} rows read: {verb} {report.imported}, "
        f"{report.duplicates} already there, {report.skipped} skipped{batch}"
    )
