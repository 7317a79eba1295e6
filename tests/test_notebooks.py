"""The analyst notebook: committed without outputs, and it runs (nbclient, not an nbconvert subprocess).

The kernel is the ``python3`` spec that ipykernel installs into this
environment (``sys.prefix/share/jupyter/kernels``); the tests hide user-level
Jupyter and IPython folders so a kernel registered in someone's home folder
can neither help nor break them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from helpers import REPO, SAMPLES
from pipeline import analyze

NOTEBOOKS = REPO / "notebooks"
ANALYST_TOUR = NOTEBOOKS / "analyst_tour.ipynb"
DEFAULT_CELL_TIMEOUT = 300  # seconds per cell; the whole tour takes ~15 s
KERNEL_NAME = "python3"


@pytest.fixture()
def isolated_jupyter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user-level kernels, config or IPython profile; a headless matplotlib like CI's."""
    for variable in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        folder = tmp_path / variable.lower()
        folder.mkdir()
        monkeypatch.setenv(variable, str(folder))
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")


def test_committed_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(ANALYST_TOUR, as_version=4)

    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], f"cell {cell.id} has outputs: clear them before committing"
        assert cell.execution_count is None, f"cell {cell.id} has an execution count"
    assert notebook.metadata.kernelspec.name == KERNEL_NAME


def test_the_python3_kernel_comes_from_this_environment(isolated_jupyter) -> None:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    specs = KernelSpecManager().find_kernel_specs()

    assert KERNEL_NAME in specs, "no python3 kernel: install ipykernel into this venv (pip install -e '.[notebooks]')"
    assert Path(specs[KERNEL_NAME]).resolve().is_relative_to(Path(sys.prefix).resolve())
    # jupyter_client starts a spec's "python" as the running interpreter: the kernel sees this venv.
    assert KernelManager(kernel_name=KERNEL_NAME).format_kernel_cmd()[0] == sys.executable


@pytest.mark.slow
def test_analyst_tour_runs_without_errors(isolated_jupyter, offline_nlp) -> None:
    from nbclient import NotebookClient

    committed = ANALYST_TOUR.read_bytes()
    notebook = nbformat.read(ANALYST_TOUR, as_version=4)
    client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=DEFAULT_CELL_TIMEOUT,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})

    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    data = [output.get("data", {}) for output in outputs]
    assert any("image/png" in item for item in data), "the quoted-most chart was not drawn"
    html = "\n".join(item.get("text/html", "") for item in data)
    assert 'class="hl-text"' in html and "QUOTE: " in html, "document rendering missing"
    assert "Weserbergland Rallyesport" in html  # the team crosstab / counts
    plain = "\n".join(item.get("text/plain", "") for item in data)
    assert "AnalysisResult(base_model=" in plain and "drivers_summary" in plain
    printed = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    assert "review.html" in printed
    assert ANALYST_TOUR.read_bytes() == committed  # executed in memory only

    # The chart keeps every speaker tied with the tenth, most quotes first, ties by name.
    chart = next(cell for cell in notebook.cells if cell.cell_type == "code" and "TOP = 10" in cell.source)
    shown = [line.rsplit(None, 1) for line in _result_text(chart).splitlines()[1:-1]]
    counts = analyze([SAMPLES], nlp=offline_nlp).quotes["speaker"].fillna("(unbekannt)").value_counts()
    tenth = sorted(counts, reverse=True)[9]
    expected = sorted(((name, count) for name, count in counts.items() if count >= tenth),
                      key=lambda item: (-item[1], item[0]))
    assert [(name, int(count)) for name, count in shown] == expected
    assert len(expected) >= 10


def _result_text(cell) -> str:
    return next(output["data"]["text/plain"] for output in cell.outputs if output.output_type == "execute_result")
