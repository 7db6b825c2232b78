"""Shared helpers of the analysts' notebooks (``notebooks/*.py``, jupytext percent format).

Environment variables (all optional):

* ``MATCHING_NOTEBOOK_MODEL``: embedding model (default: the engine's default model;
  the tests set ``hashing``, the fast test encoder);
* ``MATCHING_NOTEBOOK_TRIALS``: configurations tried by the tuning notebook (default 200);
* ``MATCHING_NOTEBOOK_OUT``: folder where notebooks write files (default ``notebooks/sortie``);
* ``MATCHING_CACHE_DIR``: the engine's cache folder; the sample's batch folder is kept there
  (else in the output folder), keyed by the input files, the model, the normalisation
  settings and the engine's source code, so that the three notebooks run the sample once
  and then open it with ``Batch.open``.
"""

from __future__ import annotations

import hashlib
import os
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
    for path in (PROFILES, POSITIONS):
        h.update(path.read_bytes() if path.exists() else b"")
    d = config.to_dict()
    h.update(repr((d["model"], d["normalization"], d["input"])).encode())
    import matching

    h.update(matching.__version__.encode())
    for src in sorted(Path(matching.__file__).parent.rglob("*.py")):
        h.update(src.read_bytes())
    return h.hexdigest()[:20]


def load_batch(config=None):
    """The sample as a finished batch (:class:`matching.Batch`): run once by the engine into
    the cache folder, then opened from there by every notebook (nothing is read or embedded
    again). ``batch.rerank(cfg)`` ranks it under another configuration."""
    import time

    from matching import Batch, Matcher, MatchingError
    from matching.errors import FolderBusyError

    config = config or base_config()
    root = Path(os.environ.get("MATCHING_CACHE_DIR", "").strip() or out_dir())
    folder = root / "carnets" / f"lot-{_key(config)}"
    deadline = time.monotonic() + 1800
    while True:
        if (folder / "manifest.json").is_file():
            try:
                return Batch.open(folder)
            except MatchingError:  # a half-written batch, or one of another engine version: run it again
                pass
        try:
            return Matcher(config).run(PROFILES, POSITIONS, out=folder, replace=True)
        except FolderBusyError:
            # another notebook (or process) is writing this very batch: wait for it, then open it
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


def read_profiles():
    """The profiles file as the readers give it, with the monitoring columns (gender, birth
    year) that a batch never stores: for the fairness audit only."""
    from matching import Matcher

    return Matcher(base_config()).read(PROFILES, POSITIONS).profiles.frame
