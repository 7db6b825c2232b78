"""Shared helpers of the analysts' notebooks (``notebooks/*.py``, jupytext percent format).

Environment variables (all optional):

* ``MATCHING_NOTEBOOK_MODEL``: embedding model (default: the engine's default model;
  the tests set ``hashing``, the fast test encoder);
* ``MATCHING_NOTEBOOK_TRIALS``: configurations tried by the tuning notebook (default 200);
* ``MATCHING_NOTEBOOK_OUT``: folder where notebooks write files (default ``notebooks/sortie``);
* ``MATCHING_CACHE_DIR``: the engine's cache folder; the prepared batch (normalised skills,
  embeddings, features) is kept there, keyed by the input files, the model, the
  normalisation settings, the taxonomy and the engine's source code, so that the three
  notebooks prepare the sample once.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
try:  # the engine installed in the environment (``pip install -e .``) or the repository
    import matching  # noqa: F401
except ImportError:  # pragma: no cover - depends on the installation
    sys.path.insert(0, str(REPO))
SAMPLE = REPO / "data" / "sample"
PROFILES = SAMPLE / "profiles.csv"
POSITIONS = SAMPLE / "positions.csv"
OUTCOMES = SAMPLE / "outcomes.csv"


def model_name() -> str:
    from matching.config import DEFAULT_MODEL

    return os.environ.get("MATCHING_NOTEBOOK_MODEL", "").strip() or DEFAULT_MODEL


def n_trials(default: int = 200) -> int:
    return int(os.environ.get("MATCHING_NOTEBOOK_TRIALS", default))


def out_dir() -> Path:
    folder = Path(os.environ.get("MATCHING_NOTEBOOK_OUT", "").strip() or HERE / "sortie")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def base_config():
    """The default configuration with the notebooks' model."""
    from matching.config import Config

    return Config().replace(model={"name": model_name()})


def _key(config) -> str:
    h = hashlib.sha256()
    for path in (PROFILES, POSITIONS, REPO / "data" / "taxonomy" / "manifest.json"):
        h.update(path.read_bytes() if path.exists() else b"")
    d = config.to_dict()
    h.update(repr((d["model"], d["normalization"], d["input"])).encode())
    for src in sorted((REPO / "matching").rglob("*.py")):
        h.update(src.read_bytes())
    return h.hexdigest()[:20]


def load_prepared(config=None):
    """The sample, read, normalised, embedded and turned into features once: a
    :class:`matching.pipeline.Prepared` (from the cache when it is there)."""
    from matching.e5convert import default_cache_dir
    from matching.evaluation.tuning import prepare_files

    config = config or base_config()
    folder = default_cache_dir() / "notebooks"
    path = folder / f"prepared-{_key(config)}.pkl"
    if path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    prepared = prepare_files(PROFILES, POSITIONS, config=config)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(prepared, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return prepared
