"""Watch the landing folder; one run per batch of newly dropped files."""

# No `from __future__ import annotations` here: Dagster reads the decorated functions'
# annotations (context, resources, config) when the definitions are built.

import hashlib
import json

import dagster as dg

from orchestration.defs.landing.assets import LANDING_KEY
from orchestration.defs.landing.resources import LandingZone

# Two landing runs would race for the same files (the second finds them moved): one at a time.
LANDING_TAG = {"bankdash/landing": "import"}

landing_job = dg.define_asset_job(
    "landing_import",
    selection=dg.AssetSelection.assets(LANDING_KEY),
    tags=LANDING_TAG,
    description="Import every file waiting in the landing folder.",
)


@dg.sensor(
    job=landing_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a landing import when files appear that no earlier tick has seen.",
)
def landing_files_sensor(
    context: dg.SensorEvaluationContext, landing: LandingZone
) -> dg.SensorResult | dg.SkipReason:
    # The cursor holds the fingerprints (name, size, mtime) of the files waiting at the last
    # tick. Imported files leave the folder, so it only ever holds what is still pending.
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    pending = sorted(landed.fingerprint for landed in landing.pending_files())
    new = [fingerprint for fingerprint in pending if fingerprint not in seen]
    if not new:
        return dg.SkipReason(f"no new files ({len(pending)} pending, all seen)")
    run_key = hashlib.sha256("\n".join(new).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags={"bankdash/new_files": str(len(new))})],
        cursor=json.dumps(pending),
    )
