"""The landing folder: banks' CSV exports dropped as `<landing_dir>/<account_id>/*.csv`.

Producers must place files atomically (write `name.csv.part`, then rename to `name.csv`): only
`*.csv` is picked up, so a file is never read half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.config import setting

PROCESSED = "processed"
REJECTED = "rejected"


@dataclass(frozen=True)
class LandedFile:
    path: Path
    account_folder: str  # should be an account id; checked at import time

    @property
    def fingerprint(self) -> str:
        """Identifies this drop of this file: the same name dropped again is a new file."""
        stat = self.path.stat()
        return f"{self.account_folder}/{self.path.name}:{stat.st_size}:{stat.st_mtime_ns}"


class LandingZone(dg.ConfigurableResource):
    landing_dir: str

    @property
    def root(self) -> Path:
        return Path(self.landing_dir)

    def pending_files(self) -> list[LandedFile]:
        """Every CSV waiting in an account folder, oldest name first (deterministic order)."""
        if not self.root.is_dir():
            return []
        return [
            LandedFile(path=path, account_folder=folder.name)
            for folder in sorted(p for p in self.root.iterdir() if p.is_dir())
            for path in sorted(folder.glob("*.csv"))
            if path.is_file()
        ]


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"landing": LandingZone(landing_dir=setting("landing_dir"))})
