"""The landing-folder import: every dropped bank CSV goes through `ingestion.import_bank_file`."""

# No `from __future__ import annotations` here: Dagster reads the decorated functions'
# annotations (context, resources, config) when the definitions are built.

from typing import Any

import dagster as dg

from orchestration.defs.landing.files import FileOutcome, import_landed_file
from orchestration.defs.landing.resources import REJECTED, LandingZone
from orchestration.defs.ops_store.resources import OpsStore

LANDING_KEY = dg.AssetKey(["landing", "bank_files"])
VALIDATION_CHECK = "files_pass_validation"
MAX_ERRORS_SHOWN = 20


@dg.asset(
    key=LANDING_KEY,
    group_name="ingestion",
    kinds={"python", "csv"},
    description=(
        "Imports the bank CSVs dropped in <landing_dir>/<account_id>/ into the ops store (the "
        "API's import code), then moves each to processed/ or rejected/ with an error report. "
        "Re-running is safe: dedupe on source_key makes a re-import add nothing."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            VALIDATION_CHECK,
            asset=LANDING_KEY,
            description="Every landed file passed the pandera schema (rejected files are listed).",
        )
    ],
)
def landing_bank_files(
    context: dg.AssetExecutionContext, landing: LandingZone, ops_store: OpsStore
) -> dg.MaterializeResult:
    outcomes: list[FileOutcome] = []
    for landed in landing.pending_files():
        outcome = import_landed_file(ops_store.engine, landed)
        context.log.info(f"{outcome.file}: {outcome.status} ({outcome.imported} imported)")
        outcomes.append(outcome)
    return dg.MaterializeResult(
        metadata=_import_metadata(outcomes),
        check_results=[_validation_result(outcomes)],
    )


def _import_metadata(outcomes: list[FileOutcome]) -> dict[str, Any]:
    rejected = [outcome for outcome in outcomes if outcome.status == REJECTED]
    return {
        "files": len(outcomes),
        "rows_read": sum(outcome.rows_read for outcome in outcomes),
        "imported": sum(outcome.imported for outcome in outcomes),
        "duplicates": sum(outcome.duplicates for outcome in outcomes),
        "skipped": sum(outcome.skipped for outcome in outcomes),
        "rejected_files": len(rejected),
        "rejected_rows": sum(len(outcome.errors) for outcome in rejected),
        "import_ids": dg.MetadataValue.json(
            [outcome.import_id for outcome in outcomes if outcome.import_id is not None]
        ),
        "per_file": dg.MetadataValue.md(_per_file_table(outcomes)),
    }


def _per_file_table(outcomes: list[FileOutcome]) -> str:
    lines = [
        "| file | status | rows read | imported | duplicates | skipped |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {o.file} | {o.status} | {o.rows_read} | {o.imported} | {o.duplicates} | {o.skipped} |"
        for o in outcomes
    ]
    return "\n".join(lines)


def _validation_result(outcomes: list[FileOutcome]) -> dg.AssetCheckResult:
    """A bad file is the sender's problem, not the pipeline's: WARN, and name every bad row."""
    rejected = [outcome for outcome in outcomes if outcome.status == REJECTED]
    errors = [
        {"file": outcome.file, "detail": outcome.detail, **error}
        for outcome in rejected
        for error in outcome.errors
    ]
    return dg.AssetCheckResult(
        check_name=VALIDATION_CHECK,
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "files_checked": len(outcomes),
            "rejected_files": dg.MetadataValue.json(
                [{"file": o.file, "detail": o.detail, "moved_to": o.moved_to} for o in rejected]
            ),
            "row_errors": len(errors),
            "first_row_errors": dg.MetadataValue.json(errors[:MAX_ERRORS_SHOWN]),
        },
    )
