"""The engine object: one :class:`Matcher` owns a run.

A ``Matcher`` holds the configuration, the taxonomy, the encoder (with its embedding
cache) and the normalisers as instance state, loaded once, on first use. Everything that
runs the engine composes it: the command line, replay, tuning, the benchmarks and the
notebooks::

    from matching import Config, Matcher
    matcher = Matcher(Config())
    batch = matcher.run("profils.csv", "postes.csv")      # read, prepare, rank
    batch.shortlists                                      # ids, not indices
    batch.explain("ING-0003", "ILL-MEF-04")               # the full account of one pair
    batch.write("out/lot")                                # every deliverable
    other = matcher.rank(batch.prepared, Config().replace(weights={"semantic": 1.0}))

Stages: read/validate (:meth:`Matcher.read`) → normalise, embed and build the features
(:meth:`Matcher.prepare`) → score and rank, build the tables (:meth:`Matcher.rank`) →
write (:meth:`matching.batch.Batch.write`). Nothing here prints: progress goes through an
optional callback ``progress(stage, done, total)``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from matching.batch import Batch, Inputs, PairNotFound, Prepared, batch_id_for, frame_sha256  # noqa: F401 - re-exported
from matching.config import Config
from matching.errors import InputFileError, RejectedRowsError

__all__ = [
    "Matcher",
    "PairNotFound",
    "frame_sha256",
    "Prepared",
    "Inputs",
    "BatchError",
    "RejectedRows",
    "profile_texts",
    "position_texts",
    "batch_id_for",
    "STAGE_LABELS",
]

Progress = Callable[[str, int, int], None]
#: the stages a run reports to ``progress``, as advisors read them (console and web)
STAGE_LABELS = {
    "read": "Lecture des fichiers",
    "normalize": "Normalisation des compétences",
    "embed": "Encodage des textes",
    "score": "Calcul des scores",
    "write": "Écriture des livrables",
}


class BatchError(InputFileError):
    """A batch cannot go on (nothing to match, ...)."""


class RejectedRows(RejectedRowsError, BatchError):
    """Strict mode: some input rows were rejected, so no batch was produced."""


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _reference_tables() -> dict[str, str]:
    """sha256 of each shipped reference table (grades, corps, ministries)."""
    from matching.manifest import file_sha256
    from matching.resources import data_path

    folder = data_path("reference")
    return {p.name: file_sha256(p) for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}


# --- the texts the model compares ---------------------------------------------------------
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


# --- the engine ---------------------------------------------------------------------------
class Matcher:
    """The engine of one configuration: ``Matcher(config, *, taxonomy=None, encoder=None)``.

    ``taxonomy`` (a :class:`matching.taxonomy.Taxonomy`) and ``encoder`` (see
    :mod:`matching.embed`) default to the shipped taxonomy and the configured model, loaded
    on first use and kept by this object.
    """

    def __init__(self, config: Config | None = None, *, taxonomy=None, encoder=None):
        self.config = config if config is not None else Config()
        self._taxonomy = taxonomy
        self._encoder = encoder

    def __repr__(self) -> str:
        return f"Matcher(model={self.config.model.name!r}, taxonomy={'chargé' if self._taxonomy else 'à charger'})"

    # --- owned resources ---------------------------------------------------------------
    @property
    def taxonomy(self):
        if self._taxonomy is None:
            from matching.taxonomy import Taxonomy

            self._taxonomy = Taxonomy.load()
        return self._taxonomy

    @property
    def encoder(self):
        if self._encoder is None:
            from matching.embed import load_encoder

            self._encoder = load_encoder(self.config.model)
        return self._encoder

    def with_config(self, config: Config) -> "Matcher":
        """The same taxonomy and encoder under another configuration (the encoder is
        reloaded when the model settings differ)."""
        same_model = config.model == self.config.model
        return Matcher(config, taxonomy=self._taxonomy, encoder=self._encoder if same_model else None)

    # --- stage 1: read and validate ------------------------------------------------------
    def read(self, profiles: str | Path, positions: str | Path, *, progress: Progress = _noop) -> Inputs:
        """Read and validate both files, in full (every problem of both files is reported
        at once; strict mode is applied by :meth:`run`)."""
        from matching.io.readers import read_positions, read_profiles
        from matching.manifest import file_sha256

        t0 = time.perf_counter()
        lenient = self.config.replace(input={"strict": False}).input
        ref = self.config.rules.reference_date or None  # « immédiate » = the batch's date
        progress("read", 0, 2)
        pr = read_profiles(Path(profiles), config=lenient, reference_date=ref)
        progress("read", 1, 2)
        qr = read_positions(Path(positions), config=lenient, reference_date=ref)
        progress("read", 2, 2)
        hashes = (file_sha256(Path(profiles)), file_sha256(Path(positions)))
        return Inputs(pr, qr, Path(profiles), Path(positions), hashes, time.perf_counter() - t0)

    # --- stage 2: normalise, embed, features ------------------------------------------------
    def prepare(self, profiles, positions=None, *, progress: Progress = _noop) -> Prepared:
        """Normalise skills and titles, embed the texts and build the numeric features.

        ``profiles`` and ``positions`` are canonical frames (as the readers return them) or
        file paths; or pass one :class:`Inputs` as ``profiles``.
        """
        from matching.features import build_features
        from matching.normalize import expand_for_embedding, normalize_entities

        inputs = None
        if isinstance(profiles, Inputs):
            inputs, profiles, positions = profiles, profiles.profiles.frame, profiles.positions.frame
        elif isinstance(profiles, (str, Path)):
            inputs = self.read(profiles, positions, progress=progress)
            profiles, positions = inputs.profiles.frame, inputs.positions.frame
        config, taxonomy, encoder = self.config, self.taxonomy, self.encoder
        if hasattr(encoder, "remote"):  # the cache's misses: on the cluster's workers, or here
            encoder.remote = None
            if config.compute.backend == "dask":
                from matching.compute import remote_encoder
                from matching.embed import encode_chunk

                encoder.remote = remote_encoder(encode_chunk, config.model, encoder.fingerprint, config)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        normalized = normalize_entities(profiles, positions, taxonomy, config, encoder=encoder, progress=progress)
        timings["normalize"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        hits0, miss0 = getattr(encoder, "hits", 0), getattr(encoder, "misses", 0)
        p_texts = [expand_for_embedding(t, taxonomy) for t in profile_texts(profiles)]
        q_texts = [expand_for_embedding(t, taxonomy) for t in position_texts(positions)]
        total = len(p_texts) + len(q_texts)
        progress("embed", 0, total)
        p_emb = encoder.encode(p_texts, role="query") if p_texts else np.zeros((0, encoder.dim), np.float32)
        progress("embed", len(p_texts), total)
        q_emb = encoder.encode(q_texts, role="passage") if q_texts else np.zeros((0, encoder.dim), np.float32)
        progress("embed", total, total)
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
        taxonomy_info = {
            "version": getattr(taxonomy, "version", None),
            "sha256": getattr(taxonomy, "sha256", None),
            "path": str(Path(taxonomy.path).resolve()) if getattr(taxonomy, "path", None) else None,
            # the grade and ministry tables shape the rules and the wishes as much as the taxonomy
            "reference_tables": _reference_tables(),
        }
        return Prepared(profiles, positions, normalized, features, encoder_info, timings, inputs, taxonomy_info)

    # --- stage 3: score and rank -------------------------------------------------------------
    def rank(self, prepared: Prepared, config: Config | None = None, *, progress: Progress = _noop,
             batch_id: str | None = None, rejects: pd.DataFrame | None = None):
        """Score every pair and rank, with this matcher's configuration or ``config`` (which
        may change weights, rules, thresholds and ranking settings, not what
        :class:`Prepared` depends on). Returns a :class:`matching.batch.Batch`."""
        from matching.rank import rank as rank_pairs

        config = (config if config is not None else self.config).resolved()
        t0 = time.perf_counter()
        ranking = rank_pairs(prepared.features, config, progress=lambda d, t: progress("score", d, t))
        return Batch.from_ranking(prepared, ranking, config, batch_id=batch_id, rejects=rejects, t0=t0)

    def batch_from(self, prepared: Prepared, ranking, config: Config, **options: Any):
        """:meth:`matching.batch.Batch.from_ranking` (tables, pseudonyms, manifest of a ranking)."""
        return Batch.from_ranking(prepared, ranking, config, **options)

    # --- the whole batch -----------------------------------------------------------------
    def run(self, profiles: str | Path, positions: str | Path, *, out: str | Path | None = None,
            progress: Progress = _noop, batch_id: str | None = None, replace: bool = False):
        """Read, validate, prepare and rank two files; with ``out``, write every deliverable
        there. A folder that is not empty is refused unless ``replace``; the new batch is
        written beside it and swapped in whole (never a mix of two batches, no stale file),
        under the folder's lock, which is taken before any heavy work (a second run into the
        same folder is refused at once). Input files inside ``out`` are refused. Returns a
        :class:`matching.batch.Batch`."""
        import contextlib

        from matching.io.batch_folder import BatchFolder

        t_start = time.perf_counter()
        folder = BatchFolder(out) if out is not None else None
        with contextlib.ExitStack() as held:
            if folder is not None:  # before any heavy work
                folder.check_outside(profiles, positions)
                folder.check_replaceable(replace=replace)  # raises, with what to do
                held.enter_context(folder.lock(create=True))
                folder.check_replaceable(replace=replace)  # the lock may have recovered an older batch
            return self._run(profiles, positions, folder, progress=progress, batch_id=batch_id,
                             replace=replace, t_start=t_start)

    def _run(self, profiles, positions, folder, *, progress: Progress, batch_id: str | None, replace: bool,
             t_start: float):
        config = self.config.resolved()
        matcher = self if config == self.config else self.with_config(config)
        inputs = matcher.read(profiles, positions, progress=progress)
        rejects = inputs.rejects
        warnings = inputs.warnings if config.input.strict and config.input.strict_warnings else rejects.iloc[0:0]
        if config.input.strict and (len(rejects) or len(warnings)):
            where = "la commande validate"
            if folder is not None:
                def write_rejects(staged):
                    written = [staged.write_csv("rejects.csv", rejects)]
                    if len(warnings):
                        written.append(staged.write_csv("warnings.csv", warnings))
                    return written

                written = folder.write_new_batch(write_rejects, replace=replace)
                where = " et ".join(str(folder.path / p.name) for p in written)
            raise RejectedRows(
                f"mode strict : {len(rejects)} ligne(s) rejetée(s) et {len(warnings)} avertissement(s) dans les "
                f"fichiers d'entrée, aucun lot n'a été produit (détail dans {where})."
            )
        if len(inputs.positions.frame) == 0:
            raise BatchError(f"{Path(positions).name} : aucun poste accepté, rien à apparier.")
        if len(inputs.profiles.frame) == 0:
            raise BatchError(f"{Path(profiles).name} : aucun profil accepté, rien à apparier.")
        prepared = matcher.prepare(inputs, progress=progress)
        batch = matcher.rank(prepared, config, progress=progress, batch_id=batch_id)
        batch.started = t_start
        if folder is not None:
            progress("write", 0, 1)
            staged_at: dict[str, Path] = {}

            def write(staged):
                staged_at["root"] = staged.path
                return batch.write(staged)

            files = folder.write_new_batch(write, replace=replace)
            # the files were written in the staging folder, which is now the output folder
            batch.files = {k: folder.path / Path(p).relative_to(staged_at["root"]) for k, p in files.items()}
            batch.folder = folder
            progress("write", 1, 1)
        else:
            batch.manifest["timings_seconds"]["total"] = time.perf_counter() - t_start
        return batch
