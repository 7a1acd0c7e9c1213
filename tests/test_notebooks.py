"""The notebooks execute top to bottom against the recorded fixture runs, so they never rot."""

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.slow  # a Jupyter kernel per notebook: the slow tier (make test runs it)
@pytest.mark.parametrize("name", ["audit", "population"])
def test_notebook_executes(name, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("HACHIMI_REPORT", str(tmp_path / "report"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Traceback" not in outputs
    if name == "audit":
        assert "R1 age-grade" in outputs and "core: enrollment.age=" in outputs
    else:
        assert "16 personas; 16 of 16 cells exactly on quota" in outputs
