"""One batch, end to end — and the Python API that notebooks and other programs use.

    from matching import Config, run_batch
    result = run_batch("profiles.csv", "positions.csv", out="out/lot1", config=Config())
    result.shortlists  # a DataFrame, one row per shortlist line

Stages: read/validate → normalise skills and titles → embed → score and rank (blockwise) →
explain → write. Nothing here prints: progress goes through an optional callback
``progress(stage, done, total)``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from matching.config import COMPONENTS, Config
from matching.features import Features, Normalized, build_features
from matching.rank import Ranking, rank, score_pairs

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
]

Progress = Callable[[str, int, int], None]


class BatchError(RuntimeError):
    """A batch cannot go on (nothing to match, ...)."""


class RejectedRows(BatchError):
    """Strict mode: some input rows were rejected, so no batch was produced."""


def _noop(stage: str, done: int, total: int) -> None:
    return None


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


def _join(items) -> str:
    return ", ".join(str(x) for x in items if str(x).strip())


def _skill_names(skills) -> list[str]:
    return [s[0] if isinstance(s, (tuple, list)) else str(s) for s in (skills or [])]


def profile_texts(profiles: pd.DataFrame) -> list[str]:
    """The text that represents each engineer for the embedding model (no personal data:
    neither name, e-mail, gender nor birth year)."""
    out = []
    for row in profiles.itertuples(index=False):
        parts = [
            getattr(row, "current_position", "") or "",
            "Compétences : " + _join(_skill_names(getattr(row, "skills", []))),
            getattr(row, "summary", "") or "",
        ]
        out.append(". ".join(p for p in parts if p and p != "Compétences : "))
    return out


def position_texts(positions: pd.DataFrame) -> list[str]:
    """The text that represents each position for the embedding model."""
    out = []
    for row in positions.itertuples(index=False):
        skills = _skill_names(getattr(row, "required_skills", [])) + _skill_names(getattr(row, "desired_skills", []))
        parts = [
            getattr(row, "title", "") or "",
            "Compétences : " + _join(skills) if skills else "",
            getattr(row, "description", "") or "",
            getattr(row, "profile_sought", "") or "",
        ]
        out.append(". ".join(p for p in parts if p))
    return out


@dataclass
class Prepared:
    """Everything computed before scoring, reusable to score many configurations: weights,
    rule switches, thresholds and ranking settings only change the scoring. (The model, the
    normalisation settings, ``scoring.occupations_per_entity`` and ``rules.reference_date``
    shape the features themselves: changing them needs a new :func:`prepare`.)"""

    profiles: pd.DataFrame
    positions: pd.DataFrame
    normalized: Normalized
    features: Features
    encoder_info: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def prepare(
    profiles: pd.DataFrame,
    positions: pd.DataFrame,
    config: Config,
    *,
    encoder=None,
    taxonomy=None,
    progress: Progress = _noop,
) -> Prepared:
    """Normalise, embed and build the features of accepted profiles and positions."""
    from matching.normalize import normalize_entities

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if taxonomy is None:
        from matching.taxonomy import Taxonomy

        taxonomy = Taxonomy.default()
    if encoder is None:
        from matching.embed import load_encoder

        encoder = load_encoder(config.model)
    normalized = normalize_entities(profiles, positions, taxonomy, config, encoder=encoder, progress=progress)
    timings["normalize"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    hits0, miss0 = getattr(encoder, "hits", 0), getattr(encoder, "misses", 0)
    from matching.normalize import expand_for_embedding

    p_texts = [expand_for_embedding(t, taxonomy) for t in profile_texts(profiles)]
    q_texts = [expand_for_embedding(t, taxonomy) for t in position_texts(positions)]
    progress("embed", 0, len(p_texts) + len(q_texts))
    p_emb = encoder.encode(p_texts, role="query") if p_texts else np.zeros((0, encoder.dim), np.float32)
    progress("embed", len(p_texts), len(p_texts) + len(q_texts))
    q_emb = encoder.encode(q_texts, role="passage") if q_texts else np.zeros((0, encoder.dim), np.float32)
    progress("embed", len(p_texts) + len(q_texts), len(p_texts) + len(q_texts))
    timings["embed"] = time.perf_counter() - t0
    encoder_info = {
        "name": getattr(encoder, "name", type(encoder).__name__),
        "fingerprint": getattr(encoder, "fingerprint", ""),
        "fallback_reason": getattr(encoder, "fallback_reason", None),
        "texts_encoded": getattr(encoder, "misses", 0) - miss0,
        "texts_from_cache": getattr(encoder, "hits", 0) - hits0,
    }

    t0 = time.perf_counter()
    features = build_features(profiles, positions, normalized, p_emb, q_emb, config)
    timings["features"] = time.perf_counter() - t0
    return Prepared(profiles, positions, normalized, features, encoder_info, timings)


def score_and_rank(prep: Prepared, config: Config, *, progress: Progress = _noop) -> tuple[Ranking, pd.DataFrame, pd.DataFrame]:
    """Rank with ``config`` and build the shortlist and opportunity tables (with explanations)."""
    from matching.outputs import build_tables

    ranking = rank(prep.features, config, progress=lambda d, t: progress("score", d, t))
    shortlists, opportunities = build_tables(prep, ranking, config)
    return ranking, shortlists, opportunities


@dataclass
class BatchResult:
    batch_id: str
    config: Config
    shortlists: pd.DataFrame
    opportunities: pd.DataFrame
    rejects: pd.DataFrame
    manifest: dict[str, Any]
    prepared: Prepared
    ranking: Ranking
    outdir: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    #: the readers' warnings of both files (``file, row, column, value, message``)
    warnings: pd.DataFrame | None = None

    @property
    def counts(self) -> dict[str, Any]:
        return self.manifest["counts"]


def batch_id_for(input_hashes: list[str], config: Config, model_fingerprint: str, taxonomy_hash: str) -> str:
    """Content-addressed batch id: the same inputs, configuration, model and taxonomy give
    the same id (so a re-run and a replay produce identical files)."""
    h = hashlib.sha256()
    for part in [*input_hashes, config.hash(), model_fingerprint, taxonomy_hash]:
        h.update(part.encode())
        h.update(b"\0")
    return "LOT-" + h.hexdigest()[:12].upper()


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
) -> BatchResult:
    """Run a whole batch. With ``out``, write every deliverable there (atomically)."""
    from matching.manifest import build_manifest, file_sha256, software_versions

    config = (config or Config()).resolved()
    t_start = time.perf_counter()
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    progress("read", 0, 2)
    # both files are read in full (strict mode is applied below), so that every problem of
    # both files is reported at once
    lenient = config.replace(input={"strict": False})
    pr = load_profiles(profiles, lenient)
    progress("read", 1, 2)
    qr = load_positions(positions, lenient)
    progress("read", 2, 2)
    timings["read"] = time.perf_counter() - t0
    rejects = pd.concat([pr.rejects, qr.rejects], ignore_index=True)
    if config.input.strict and len(rejects):
        if out is not None:
            from matching.io.writers import write_csv

            Path(out).mkdir(parents=True, exist_ok=True)
            write_csv(rejects, Path(out) / "rejects.csv")
        raise RejectedRows(
            f"mode strict : {len(rejects)} problème(s) dans les fichiers d'entrée, aucun lot n'a été produit "
            f"(détail dans {Path(out) / 'rejects.csv' if out is not None else 'la commande validate'})."
        )
    if len(qr.frame) == 0:
        raise BatchError(f"{Path(positions).name} : aucun poste accepté, rien à apparier.")
    if len(pr.frame) == 0:
        raise BatchError(f"{Path(profiles).name} : aucun profil accepté, rien à apparier.")

    if taxonomy is None:
        from matching.taxonomy import Taxonomy

        taxonomy = Taxonomy.default()
    if encoder is None:
        from matching.embed import load_encoder

        encoder = load_encoder(config.model)
    prep = prepare(pr.frame, qr.frame, config, encoder=encoder, taxonomy=taxonomy, progress=progress)
    timings.update(prep.timings)

    t0 = time.perf_counter()
    ranking, shortlists, opportunities = score_and_rank(prep, config, progress=progress)
    timings["score_rank"] = time.perf_counter() - t0

    input_hashes = [file_sha256(Path(profiles)), file_sha256(Path(positions))]
    tax_hash = getattr(taxonomy, "sha256", "") or ""
    bid = batch_id or batch_id_for(input_hashes, config, prep.encoder_info["fingerprint"], tax_hash)
    shortlists.insert(0, "batch_id", bid)
    opportunities.insert(0, "batch_id", bid)

    manifest = build_manifest(
        batch_id=bid,
        config=config,
        inputs={"profiles": (Path(profiles), input_hashes[0], pr), "positions": (Path(positions), input_hashes[1], qr)},
        encoder_info=prep.encoder_info,
        taxonomy=taxonomy,
        ranking=ranking,
        shortlists=shortlists,
        opportunities=opportunities,
        rejects=rejects,
        timings=timings,
        versions=software_versions(),
    )
    result = BatchResult(
        batch_id=bid,
        config=config,
        shortlists=shortlists,
        opportunities=opportunities,
        rejects=rejects,
        manifest=manifest,
        prepared=prep,
        ranking=ranking,
        warnings=pd.concat([pr.warnings, qr.warnings], ignore_index=True),
    )
    if out is not None:
        from matching.outputs import write_outputs

        t0 = time.perf_counter()
        progress("write", 0, 1)
        result.outdir = Path(out)
        result.files = write_outputs(result, Path(out))
        progress("write", 1, 1)
        timings["write"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_start
    return result
