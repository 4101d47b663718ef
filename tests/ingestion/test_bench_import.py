"""The import benchmark runs end to end on a small file (the real run is 1,000,000 rows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_import.py"


def test_the_benchmark_runs_on_a_small_file() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--rows", "2000"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "import   : 2,000 imported, 1 skipped in" in result.stdout
    assert "re-import: 0 imported, 2,000 duplicates in" in result.stdout
    assert "ratio import / bare insert time:" in result.stdout
    assert "peak RSS:" in result.stdout
