"""The analysts' notebooks (jupytext percent files in notebooks/) run end to end on the
shipped sample, with the fast "hashing" encoder and a short tuning, so that they never rot.

The prepared sample is cached (see notebooks/atelier.py): the first notebook prepares it,
the others reuse it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))


@pytest.fixture(scope="module")
def notebook_env(tmp_path_factory):
    out = tmp_path_factory.mktemp("notebooks-out")
    values = {
        "MATCHING_NOTEBOOK_MODEL": "hashing",
        "MATCHING_NOTEBOOK_TRIALS": "25",
        "MATCHING_NOTEBOOK_OUT": str(out),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    yield out
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_there_are_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_explorer_un_lot.py",
        "02_reglage_des_poids.py",
        "03_audit_equite_couverture.py",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, notebook_env):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    if not (REPO / "data" / "sample" / "outcomes.csv").exists():
        pytest.fail("data/sample/outcomes.csv is missing: run data/scripts/build_outcomes.py")
    nb = jupytext.read(path)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError with the failing cell and its traceback
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} draws no plot"
    if path.name.startswith("02_"):
        assert (notebook_env / "configuration_reglee.toml").exists()
