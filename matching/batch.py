"""The result of a run: a :class:`Batch`, which knows identifiers, not indices.

A batch is made by :meth:`matching.engine.Matcher.rank` (or ``Matcher.run``), written by
:meth:`Batch.write` into a batch folder (through :class:`matching.io.batch_folder.BatchFolder`,
the only reader and writer of that folder), and loaded again by :meth:`Batch.open` with what
is needed to explain any pair and to re-rank under another configuration, without reading
the inputs again and without embedding anything.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from matching.config import Config
from matching.errors import InputFileError
from matching.io.batch_folder import BatchFolder

__all__ = ["Batch", "Prepared", "Inputs", "PairNotFound", "batch_id_for", "frame_sha256"]

#: profile columns never stored in a batch's state (fairness monitoring reads them from the
#: input files; names and e-mails are kept only for engineers who consented)
_NOT_STORED = ("gender", "birth_year")
_IDENTITY = ("full_name", "email")


def batch_id_for(input_hashes: list[str], config: Config, model_fingerprint: str, taxonomy_hash: str,
                 reference_tables: dict[str, str] | None = None) -> str:
    """Content-addressed batch id: the same inputs, configuration, model, taxonomy and
    reference tables (name -> sha256) give the same id (so a re-run and a replay produce
    identical files)."""
    reference = "".join(f"{k}={v};" for k, v in sorted((reference_tables or {}).items()))
    h = hashlib.sha256()
    for part in [*input_hashes, config.hash(), model_fingerprint, (taxonomy_hash or "") + reference]:
        h.update(part.encode())
        h.update(b"\0")
    return "LOT-" + h.hexdigest()[:12].upper()


def frame_sha256(frame: pd.DataFrame) -> str:
    """A content hash of a canonical frame (for batches prepared from frames, not files)."""
    blob = frame.to_json(orient="split", date_format="iso", default_handler=str).encode()
    return hashlib.sha256(blob).hexdigest()


# --- what the stages hand to each other -----------------------------------------------------
@dataclass
class Inputs:
    """Both input files read and validated: accepted frames, rejects, and where they came from."""

    profiles: Any  # matching.io.readers.ReadResult
    positions: Any
    profiles_path: Path | None = None
    positions_path: Path | None = None
    hashes: tuple[str, str] = ("", "")
    seconds: float = 0.0

    @property
    def rejects(self) -> pd.DataFrame:
        return pd.concat([self.profiles.rejects, self.positions.rejects], ignore_index=True)

    @property
    def warnings(self) -> pd.DataFrame:
        """What the readers guessed or left empty, the rows being kept (``file, row, column,
        value, message``)."""
        parts = [getattr(r, "warnings", None) for r in (self.profiles, self.positions)]
        parts = [p for p in parts if isinstance(p, pd.DataFrame) and len(p)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["file", "row", "column", "value", "message"])


@dataclass
class Prepared:
    """Everything computed before scoring, reusable to score many configurations: weights,
    rule switches, thresholds and ranking settings only change the scoring. (The model, the
    normalisation settings, ``scoring.occupations_per_entity`` and ``rules.reference_date``
    shape the features themselves: changing them needs a new :meth:`Matcher.prepare`.)"""

    profiles: pd.DataFrame
    positions: pd.DataFrame
    normalized: Any  # matching.features.Normalized
    features: Any  # matching.features.Features
    encoder_info: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    inputs: Inputs | None = None
    taxonomy_info: dict[str, Any] = field(default_factory=dict)
    #: sha256 of the two input files, when known without ``inputs`` (a batch opened from its folder)
    hashes: list[str] = field(default_factory=list)
    #: the manifest entries of the two input files (a batch opened from its folder)
    input_entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def profile_index(self, profile_id: str) -> int:
        return _index_of(self.profiles["profile_id"], profile_id, "ingénieur")

    def position_index(self, position_id: str) -> int:
        return _index_of(self.positions["position_id"], position_id, "poste")

    @property
    def input_hashes(self) -> list[str]:
        if self.inputs is not None and all(self.inputs.hashes):
            return list(self.inputs.hashes)
        if self.hashes:
            return list(self.hashes)
        return [frame_sha256(self.profiles), frame_sha256(self.positions)]


class PairNotFound(InputFileError, KeyError):
    """An identifier is not among the accepted profiles or positions."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def _index_of(ids: pd.Series, wanted: str, what: str) -> int:
    hits = np.flatnonzero(ids.astype(str).to_numpy() == str(wanted))
    if not len(hits):
        raise PairNotFound(f"{what} « {wanted} » absent des {what}s acceptés du lot")
    return int(hits[0])


@dataclass
class Batch:
    """One batch: its tables (``shortlists``, ``opportunities``, ``rejects``), its manifest,
    and the prepared data behind them."""

    batch_id: str
    config: Config
    shortlists: pd.DataFrame
    opportunities: pd.DataFrame
    rejects: pd.DataFrame
    manifest: dict[str, Any]
    prepared: Any  # matching.engine.Prepared
    ranking: Any = None  # matching.rank.Ranking (indices and statistics of the ranking)
    folder: BatchFolder | None = None
    files: dict[str, Path] = field(default_factory=dict)
    #: the readers' warnings of both files (``file, row, column, value, message``)
    warnings: pd.DataFrame | None = None
    started: float | None = None  # perf_counter() at the start of the run (for the total time)

    # --- views ----------------------------------------------------------------------------
    @property
    def outdir(self) -> Path | None:
        return self.folder.path if self.folder is not None else None

    @property
    def counts(self) -> dict[str, Any]:
        return self.manifest["counts"]

    def shortlist(self, position_id: str) -> pd.DataFrame:
        """The shortlist of one position, in rank order."""
        return self.shortlists[self.shortlists["position_id"].astype(str) == str(position_id)]

    def contributions(self, table: str = "shortlists") -> pd.DataFrame:
        """Per line of ``shortlists`` (or ``opportunities``): identifiers, score, and for each
        component its value, the weight applied to that pair and its contribution (value x
        weight; the contributions add up to the score)."""
        from matching.components import COMPONENTS
        from matching.rank import score_pairs

        lines = self.shortlists if table == "shortlists" else self.opportunities
        prep = self.prepared
        p_at = {p: k for k, p in enumerate(prep.profiles["profile_id"].astype(str).tolist())}
        q_at = {q: k for k, q in enumerate(prep.positions["position_id"].astype(str).tolist())}
        rows = np.asarray([p_at[str(p)] for p in lines["profile_id"]], dtype=np.int64)
        cols = np.asarray([q_at[str(q)] for q in lines["position_id"]], dtype=np.int64)
        scored = score_pairs(prep.features, rows, cols, self.config)
        out = pd.DataFrame({"position_id": lines["position_id"].to_numpy(), "profile_id": lines["profile_id"].to_numpy(),
                            "rank": lines["rank"].to_numpy(), "score": scored["score"].to_numpy()})
        for c in COMPONENTS:
            out[c] = scored[c].to_numpy()
            out[f"poids_{c}"] = scored[f"w_{c}"].to_numpy()
            out[f"contribution_{c}"] = np.nan_to_num(scored[c].to_numpy()) * scored[f"w_{c}"].to_numpy()
        return out

    # --- the account of one pair -----------------------------------------------------------
    def explain(self, profile_id: str, position_id: str):
        """The full account (CRPA L311-3-1) of one (engineer, position) pair, shortlisted or
        not: a :class:`matching.explain.PairAccount`."""
        from matching.explain import explain_pair

        prep = self.prepared
        i, j = prep.profile_index(profile_id), prep.position_index(position_id)
        listed = self.shortlist(position_id)["profile_id"].astype(str).tolist()
        ids = prep.profiles["profile_id"].astype(str)
        position_of = {p: k for k, p in enumerate(ids.tolist())}
        shortlisted = [position_of[p] for p in listed if p in position_of]
        acc = explain_pair(prep.features, prep.normalized, i, j, self.config,
                           shortlisted_profiles=shortlisted, data_used=self._data_used(i, j))
        acc.further = self.suggestions(profile_id).lines()
        return acc

    def _data_used(self, i: int, j: int) -> dict[str, Any]:
        prep = self.prepared
        P, Q = prep.profiles.iloc[i], prep.positions.iloc[j]
        norm = prep.normalized
        labels = norm.concept_labels
        inputs = self.manifest.get("inputs", {})

        def skills_desc(levels: dict, sources: list, k: int) -> str:
            src = sources[k] if sources else {}
            parts = []
            for key in sorted(levels, key=lambda c: labels.get(c, c).lower()):
                text, method, conf = src.get(key, ("", "", 0.0))
                origin = f"« {text} », {method}, confiance {conf:.2f}" if text else method
                parts.append(f"{labels.get(key, key)} (niveau {levels[key]} ; {origin})")
            return "; ".join(parts) or "aucune"

        def occ(lst) -> str:
            return ", ".join(f"{c} {norm.occupation_labels.get(c, '')} ({w:.2f})" for c, w in lst) or "aucun"

        def source(name: str, row) -> str:
            entry = inputs.get(name) or {}
            return f"{entry.get('name') or '(tableau en mémoire)'}, ligne {int(row.get('source_row', 0) or 0)}"

        model = self.manifest.get("model", {})
        taxonomy = self.manifest.get("taxonomy", {})
        return {
            "lot": self.batch_id,
            "profil : source": source("profiles", P),
            "profil : poste actuel": P.get("current_position", "") or "(non renseigné)",
            "profil : compétences reconnues": skills_desc(norm.profile_skills[i], norm.profile_skill_sources, i),
            "profil : métiers déduits (ROME)": occ(norm.profile_occupations[i]),
            "profil : corps, grade, habilitation, disponibilité": (
                f"{P.get('corps', '')}, {P.get('grade', '')}, {P.get('clearance', '')}, "
                f"{P.get('available_from', '') or 'non renseignée'}"
            ),
            "profil : souhaits": (
                f"ministères {list(P.get('wished_ministries', []) or [])}, lieux {list(P.get('wished_locations', []) or [])}, "
                f"familles {list(P.get('wished_families', []) or [])}"
            ),
            "poste : source": source("positions", Q),
            "poste : intitulé et ministère": f"{Q.get('title', '')} — {Q.get('ministry', '')}",
            "poste : compétences requises": skills_desc(norm.position_required[j], norm.position_skill_sources, j),
            "poste : compétences souhaitées": skills_desc(norm.position_desired[j], norm.position_skill_sources, j),
            "poste : métiers déduits (ROME)": occ(norm.position_occupations[j]),
            "textes comparés par le modèle": (
                "poste actuel, compétences et résumé du profil ; intitulé, compétences, description et profil recherché du poste"
            ),
            "modèle d'embedding": f"{model.get('name')} (empreinte {str(model.get('weights_sha256'))[:12]})",
            "données jamais utilisées pour le score": "nom, courriel, genre, année de naissance",
            "référentiel": f"ROME 4.0 et ESCO, version {taxonomy.get('version')}",
        }

    @classmethod
    def from_ranking(cls, prepared: "Prepared", ranking, config: Config, *, batch_id: str | None = None,
                     rejects: pd.DataFrame | None = None, warnings: pd.DataFrame | None = None,
                     t0: float | None = None) -> "Batch":
        """The :class:`matching.batch.Batch` of a ranking: tables (each line explained),
        pseudonyms, batch id and manifest."""
        from matching.manifest import build_manifest, software_versions
        from matching.outputs import build_tables, with_pseudonyms

        t0 = time.perf_counter() if t0 is None else t0
        shortlists, opportunities = build_tables(prepared, ranking, config)
        seconds = time.perf_counter() - t0
        tax = prepared.taxonomy_info
        bid = batch_id or batch_id_for(prepared.input_hashes, config, prepared.encoder_info["fingerprint"],
                                       tax.get("sha256") or "", tax.get("reference_tables"))
        shortlists.insert(0, "batch_id", bid)
        opportunities.insert(0, "batch_id", bid)
        from matching.deployment import key_fingerprint, pseudonym_key

        key = pseudonym_key()
        shortlists = with_pseudonyms(shortlists, key)
        inputs = prepared.inputs
        if rejects is None:
            rejects = inputs.rejects if inputs is not None else pd.DataFrame(columns=["file", "row", "column", "value", "reason"])
        timings = {"read": inputs.seconds} if inputs is not None else {}
        timings.update(prepared.timings)
        timings["score_rank"] = seconds
        manifest = build_manifest(
            batch_id=bid,
            config=config,
            inputs=_manifest_inputs(prepared),
            encoder_info=prepared.encoder_info,
            taxonomy=prepared.taxonomy_info,
            ranking=ranking,
            shortlists=shortlists,
            opportunities=opportunities,
            rejects=rejects,
            timings=timings,
            versions=software_versions(),
        )
        # which key made the references (a fingerprint: the key itself is never written)
        manifest["pseudonym_key_fingerprint"] = key_fingerprint(key)
        return cls(
            batch_id=bid, config=config, shortlists=shortlists, opportunities=opportunities,
            rejects=rejects, manifest=manifest, prepared=prepared, ranking=ranking,
            warnings=inputs.warnings if inputs is not None else warnings,
        )

    # --- skills in short supply and each engineer's next steps (matching.gap) --------------
    def _lines_by_index(self) -> pd.DataFrame:
        """The shortlist lines as (profile, position) indices with their published score."""
        prep = self.prepared
        p_at = {p: k for k, p in enumerate(prep.profiles["profile_id"].astype(str).tolist())}
        q_at = {q: k for k, q in enumerate(prep.positions["position_id"].astype(str).tolist())}
        sl = self.shortlists
        return pd.DataFrame({
            "profile": np.asarray([p_at[str(p)] for p in sl["profile_id"]], dtype=np.int64),
            "position": np.asarray([q_at[str(q)] for q in sl["position_id"]], dtype=np.int64),
            "score": pd.to_numeric(sl["score"]).to_numpy(dtype=np.float64),
        })

    def skills_gap(self, scope: str | None = None) -> pd.DataFrame:
        """``skills_gap.csv``: required skills in short supply, for the whole community
        (``ensemble``) and each ministry (see :func:`matching.gap.skills_gap_table`);
        ``scope``: only the rows of one scope (``ensemble`` or a ministry as written)."""
        from matching.gap import skills_gap_table

        table = self.__dict__.get("_skills_gap")
        if table is None:
            prep, norm = self.prepared, self.prepared.normalized
            lines = self._lines_by_index()
            related = getattr(norm, "related_skills", None) if self.config.scoring.related_skill_credit > 0 else None
            table = skills_gap_table(norm.profile_skills, norm.position_required,
                                     prep.positions["ministry"].astype(str).tolist(),
                                     (lines["profile"].to_numpy(), lines["position"].to_numpy()),
                                     norm.concept_labels, related=related)
            self.__dict__["_skills_gap"] = table
        if scope is None:
            return table
        return table[table["scope"] == str(scope)].reset_index(drop=True)

    def next_steps(self) -> list:
        """Every engineer's :class:`matching.gap.NextSteps` (skills that would open the most
        shortlists, recomputed exactly; occupations reachable by the ROME mobility links)."""
        from matching.gap import next_steps

        steps = self.__dict__.get("_next_steps")
        if steps is None:
            prep = self.prepared
            steps = next_steps(prep.features, prep.normalized, self.config, self._lines_by_index())
            self.__dict__["_next_steps"] = steps
        return steps

    def suggestions(self, profile_id: str):
        """The :class:`matching.gap.NextSteps` of one engineer."""
        from matching.gap import next_steps

        i = self.prepared.profile_index(profile_id)
        cached = self.__dict__.get("_next_steps")
        if cached is not None:
            return cached[i]
        prep = self.prepared
        return next_steps(prep.features, prep.normalized, self.config, self._lines_by_index(), rows=[i])[0]

    # --- another configuration -------------------------------------------------------------
    def rerank(self, config: Config, *, matcher=None) -> "Batch":
        """The same prepared data ranked under ``config`` (weights, rules, thresholds,
        ranking settings); nothing is read or embedded again."""
        if matcher is not None:
            other = matcher.rank(self.prepared, config, rejects=self.rejects)
            other.warnings = self.warnings
            return other
        from matching.rank import rank as rank_pairs

        config = config.resolved()
        t0 = time.perf_counter()
        return Batch.from_ranking(self.prepared, rank_pairs(self.prepared.features, config), config,
                                  rejects=self.rejects, warnings=self.warnings, t0=t0)

    # --- files -----------------------------------------------------------------------------
    def write(self, folder: str | Path | BatchFolder) -> dict[str, Path]:
        """Write every deliverable, the engine state and (last) the manifest into ``folder``."""
        from matching.outputs import write_outputs

        folder = folder if isinstance(folder, BatchFolder) else BatchFolder(folder)
        t0 = time.perf_counter()
        self.folder = folder
        self.files = write_outputs(self, folder, state=_state_of(self.prepared, self.ranking), started=self.started, t_write=t0)
        return self.files

    @classmethod
    def open(cls, folder: str | Path | BatchFolder) -> "Batch":
        """A finished batch, from its folder: tables, manifest, configuration and the
        prepared data (to explain any pair and re-rank) — no input read, nothing embedded."""
        folder = folder if isinstance(folder, BatchFolder) else BatchFolder(folder)
        manifest = folder.read_manifest(required=("batch_id", "config"))
        config = Config.from_dict(manifest["config"])
        arrays, meta = folder.load_state()
        profiles, positions, normalized, features = _from_state(arrays, meta)
        ranking = _ranking_from_state(arrays, meta)
        prepared = Prepared(
            profiles=profiles, positions=positions, normalized=normalized, features=features,
            encoder_info=dict(meta.get("encoder_info", {})), timings={},
            taxonomy_info=dict(manifest.get("taxonomy", {})),
        )
        prepared.hashes = [str(manifest["inputs"][k]["sha256"]) for k in ("profiles", "positions")]
        prepared.input_entries = {k: dict(manifest["inputs"][k]) for k in ("profiles", "positions")}
        shortlists = _typed(folder.read_csv("shortlists.csv"))
        opportunities = _typed(folder.read_csv("opportunities.csv"))
        rejects = folder.read_csv("rejects.csv") if folder.exists("rejects.csv") else pd.DataFrame()
        warnings = folder.read_csv("warnings.csv") if folder.exists("warnings.csv") else None
        return cls(batch_id=str(manifest["batch_id"]), config=config, shortlists=shortlists,
                   opportunities=opportunities, rejects=rejects, manifest=manifest, prepared=prepared,
                   ranking=ranking, folder=folder, warnings=warnings)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers back to numbers in a table read from the folder (identifiers stay text)."""
    from matching.components import COMPONENTS

    out = frame.copy()
    for col in ("rank", "openings"):
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    for col in ("score", *COMPONENTS):
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce")
    if "above_min_score" in out:
        out["above_min_score"] = out["above_min_score"].str.lower().isin(["true", "1", "oui"])
    return out


# --- the engine state: plain JSON and arrays, never pickles ------------------------------------
def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {"$dict": [[_jsonable(k), _jsonable(x)] for k, x in v.items()]}
    if isinstance(v, tuple):
        return {"$tuple": [_jsonable(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"$set": sorted((_jsonable(x) for x in v), key=repr)}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()]
    if isinstance(v, _dt.datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, _dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, np.generic):
        return v.item()
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def _unjson(v: Any) -> Any:
    if isinstance(v, list):
        return [_unjson(x) for x in v]
    if isinstance(v, dict):
        if "$dict" in v:
            return {_unjson(k): _unjson(x) for k, x in v["$dict"]}
        if "$tuple" in v:
            return tuple(_unjson(x) for x in v["$tuple"])
        if "$set" in v:
            return {_unjson(x) for x in v["$set"]}
        if "$date" in v:
            return _dt.date.fromisoformat(v["$date"])
        if "$datetime" in v:
            return _dt.datetime.fromisoformat(v["$datetime"])
        return {k: _unjson(x) for k, x in v.items()}
    return v


def _frame_state(frame: pd.DataFrame, *, profiles: bool) -> dict[str, Any]:
    frame = frame.drop(columns=[c for c in _NOT_STORED if c in frame.columns]) if profiles else frame
    cols = {}
    if profiles and "consent_share_identity" in frame:
        consent = frame["consent_share_identity"].fillna(False).astype(bool).to_numpy()
        for c in _IDENTITY:
            if c in frame:
                frame = frame.assign(**{c: np.where(consent, frame[c].fillna("").astype(str), "")})
    for c in frame.columns:
        cols[c] = {"dtype": str(frame[c].dtype), "values": _jsonable(frame[c].tolist())}
    return {"columns": list(frame.columns), "data": cols}


def _frame_from_state(state: dict[str, Any]) -> pd.DataFrame:
    data = {}
    for c in state["columns"]:
        entry = state["data"][c]
        values = _unjson(entry["values"])
        dtype = entry["dtype"]
        if dtype == "object" or dtype.startswith("datetime"):
            data[c] = pd.Series(values, dtype=object)
        elif dtype in ("str", "string"):
            data[c] = pd.Series(values, dtype=dtype)
        else:
            data[c] = pd.Series(values).astype(dtype) if values else pd.Series([], dtype=dtype)
    return pd.DataFrame(data, columns=state["columns"])


def _arrays_state(prefix: str, obj: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        key = f"{prefix}.{f.name}"
        if sparse.issparse(v):
            v = sparse.csr_matrix(v)
            arrays[key + ".data"], arrays[key + ".indices"], arrays[key + ".indptr"] = v.data, v.indices, v.indptr
            meta[f.name] = {"kind": "csr", "shape": list(v.shape)}
        elif isinstance(v, np.ndarray) and v.dtype != object:
            arrays[key] = v
            meta[f.name] = {"kind": "array"}
        else:
            meta[f.name] = {"kind": "json", "dtype": "object" if isinstance(v, np.ndarray) else "", "value": _jsonable(v)}
    return meta


def _arrays_from_state(klass, prefix: str, meta: dict[str, Any], arrays: dict[str, np.ndarray]):
    kwargs = {}
    for name, entry in meta.items():
        key = f"{prefix}.{name}"
        if entry["kind"] == "csr":
            kwargs[name] = sparse.csr_matrix(
                (arrays[key + ".data"], arrays[key + ".indices"], arrays[key + ".indptr"]), shape=tuple(entry["shape"])
            )
        elif entry["kind"] == "array":
            kwargs[name] = arrays[key]
        else:
            value = _unjson(entry["value"])
            kwargs[name] = np.asarray(value, dtype=object) if entry.get("dtype") == "object" else value
    return klass(**kwargs)


_RANKING_TABLES = {"shortlist": ("position", "profile", "rank", "score"), "opportunities": ("profile", "position", "rank", "score")}


def _ranking_from_state(arrays: dict[str, np.ndarray], meta: dict[str, Any]):
    from matching.rank import Ranking

    if "ranking_stats" not in meta:
        return None
    tables = {name: pd.DataFrame({c: arrays[f"ranking.{name}.{c}"] for c in cols}) for name, cols in _RANKING_TABLES.items()}
    return Ranking(shortlist=tables["shortlist"], opportunities=tables["opportunities"], stats=_unjson(meta["ranking_stats"]))


def _state_of(prepared, ranking=None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays: dict[str, np.ndarray] = {}
    if ranking is not None:
        for name, cols in _RANKING_TABLES.items():
            table = getattr(ranking, name)
            for c in cols:
                arrays[f"ranking.{name}.{c}"] = table[c].to_numpy()
    f = prepared.features
    meta = {
        "profiles": _frame_state(prepared.profiles, profiles=True),
        "positions": _frame_state(prepared.positions, profiles=False),
        "normalized": {fl.name: _jsonable(getattr(prepared.normalized, fl.name)) for fl in dataclasses.fields(prepared.normalized)},
        "features": {
            "profiles": _arrays_state("p", f.profiles, arrays),
            "positions": _arrays_state("q", f.positions, arrays),
            "concepts": list(f.concepts),
            "occupations": list(f.occupations),
            "families": list(f.families),
            "texts": {k: _jsonable(v) for k, v in (getattr(f, "texts", None) or {}).items()},
        },
        # the model's identity only: counters of the run would make the state differ on a replay
        "encoder_info": {k: prepared.encoder_info.get(k) for k in ("name", "fingerprint", "fallback_reason")},
    }
    if ranking is not None:
        meta["ranking_stats"] = _jsonable(ranking.stats)
    return arrays, meta


def _from_state(arrays: dict[str, np.ndarray], meta: dict[str, Any]):
    from matching.features import Features, Normalized, PositionArrays, ProfileArrays

    profiles = _frame_from_state(meta["profiles"])
    positions = _frame_from_state(meta["positions"])
    normalized = Normalized(**{k: _unjson(v) for k, v in meta["normalized"].items()})
    fm = meta["features"]
    features = Features(
        profiles=_arrays_from_state(ProfileArrays, "p", fm["profiles"], arrays),
        positions=_arrays_from_state(PositionArrays, "q", fm["positions"], arrays),
        concepts=list(fm["concepts"]),
        occupations=list(fm["occupations"]),
        families=list(fm["families"]),
        texts={k: np.asarray(_unjson(v), dtype=object) for k, v in fm.get("texts", {}).items()},
    )
    return profiles, positions, normalized, features


def _manifest_inputs(prepared: Prepared) -> dict[str, tuple[Path | None, str, Any]]:
    inputs = prepared.inputs
    if inputs is not None:
        return {
            "profiles": (inputs.profiles_path, inputs.hashes[0], inputs.profiles),
            "positions": (inputs.positions_path, inputs.hashes[1], inputs.positions),
        }
    if prepared.input_entries:
        return {k: {kk: vv for kk, vv in v.items() if kk != "path_from_outputs"} for k, v in prepared.input_entries.items()}
    hashes = prepared.input_hashes
    return {
        "profiles": (None, hashes[0], _FrameOnly(prepared.profiles)),
        "positions": (None, hashes[1], _FrameOnly(prepared.positions)),
    }


class _FrameOnly:
    """A read result for frames handed over directly (no file, nothing rejected)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.rejects = pd.DataFrame(columns=["file", "row", "column", "value", "reason"])
        self.rows_read = len(frame)
