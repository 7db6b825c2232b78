"""Functions over the engine object, kept for programs written against the first version.

New code composes :class:`matching.engine.Matcher` and :class:`matching.batch.Batch`
directly; these functions are one-line shells over them::

    from matching import Config, run_batch
    batch = run_batch("profiles.csv", "positions.csv", out="out/lot1", config=Config())
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matching.batch import Batch
from matching.config import Config
from matching.engine import (
    BatchError,
    Matcher,
    Prepared,
    Progress,
    RejectedRows,
    _noop,
    batch_id_for,
    position_texts,
    profile_texts,
)

__all__ = [
    "BatchResult",
    "Prepared",
    "BatchError",
    "RejectedRows",
    "load_profiles",
    "load_positions",
    "prepare",
    "score_and_rank",
    "run_batch",
    "profile_texts",
    "position_texts",
    "batch_id_for",
]

#: the result of a batch (the first version's name of :class:`matching.batch.Batch`)
BatchResult = Batch


def load_profiles(path: str | Path, config: Config | None = None):
    """Read and validate a profiles file (CSV, xlsx, JSON, JSONL): a ``ReadResult``."""
    from matching.io.readers import read_profiles

    config = config or Config()
    return read_profiles(Path(path), config=config.input, reference_date=config.rules.reference_date or None)


def load_positions(path: str | Path, config: Config | None = None):
    """Read and validate a positions file (also Place de l'emploi public exports)."""
    from matching.io.readers import read_positions

    config = config or Config()
    return read_positions(Path(path), config=config.input, reference_date=config.rules.reference_date or None)


def prepare(profiles, positions, config: Config, *, encoder=None, taxonomy=None, progress: Progress = _noop) -> Prepared:
    """:meth:`Matcher.prepare` of accepted profiles and positions (frames)."""
    return Matcher(config, taxonomy=taxonomy, encoder=encoder).prepare(profiles, positions, progress=progress)


def score_and_rank(prep: Prepared, config: Config, *, progress: Progress = _noop) -> tuple[Any, Any, Any]:
    """Rank with ``config``: (ranking, shortlists, opportunities) of :meth:`Matcher.rank`."""
    batch = Matcher(config).rank(prep, config, progress=progress)
    return batch.ranking, batch.shortlists, batch.opportunities


def run_batch(
    profiles: str | Path,
    positions: str | Path,
    *,
    out: str | Path | None = None,
    config: Config | None = None,
    encoder=None,
    taxonomy=None,
    progress: Progress = _noop,
    batch_id: str | None = None,
    replace: bool = False,
) -> Batch:
    """:meth:`Matcher.run`: a whole batch; with ``out``, every deliverable written there."""
    matcher = Matcher(config or Config(), taxonomy=taxonomy, encoder=encoder)
    return matcher.run(profiles, positions, out=out, progress=progress, batch_id=batch_id, replace=replace)
