"""The analyst notebooks run top to bottom against a snapshot of the fixture dataset."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.dbt.dataset import published_store

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module", params=["sqlite"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from published_store(request, tmp_path_factory.mktemp("notebooks"))


def run_notebook(name: str) -> list[str]:
    """Execute a notebook in its folder; return the text it printed, cell by cell."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    client.execute()
    return [
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    ]


def test_cash_flow_and_merchants(published, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, dataset, _snapshot = published
    monkeypatch.setenv("SERVING_DIR", str(settings.serving_dir))
    monkeypatch.setenv("BANKDASH_NOTEBOOK_USER_ID", str(dataset.user_ids["alice"]))
    printed = "".join(run_notebook("cash_flow_and_merchants.ipynb"))
    # Alice's USD net per month: 2834.25 + 2770.00 + 2640.00 = 8244.25.
    assert "net USD cash flow over 3 months: 8244.25" in printed
    # Landlord 300.00 > Lidl 120.50 + 80.00 + 60.00 = 260.50 > Amazon 150.00.
    assert "top merchant: Landlord (300.00 USD)" in printed
