"""File-level helpers behind the CLI commands that are not a batch: ``explain`` for any pair,
``skills normalize`` and ``titles normalize``. They return objects; the CLI prints them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from matching.config import Config

__all__ = ["explain_from", "normalize_skills_file", "normalize_titles_file", "read_batch_manifest", "prepare_from_files"]


class PairNotFound(KeyError):
    pass


def read_batch_manifest(batch: Path) -> dict:
    from matching.manifest import read_manifest

    return read_manifest(batch, required=("config", "inputs"))


def prepare_from_files(profiles: Path, positions: Path, config: Config, *, encoder=None, taxonomy=None):
    """Read, normalise and embed two files (the embedding cache makes it fast after a batch)."""
    from matching.pipeline import load_positions, load_profiles, prepare

    pr = load_profiles(profiles, config)
    qr = load_positions(positions, config)
    return prepare(pr.frame, qr.frame, config, encoder=encoder, taxonomy=taxonomy), pr, qr


def explain_from(
    profile_id: str,
    position_id: str,
    *,
    batch: Path | None = None,
    profiles: Path | None = None,
    positions: Path | None = None,
    config_path: Path | None = None,
    encoder=None,
    taxonomy=None,
):
    """The full account of one pair, from a batch folder or from the two input files."""
    from matching.explain import explain_pair

    shortlisted = None
    batch_id = None
    if batch is not None:
        manifest = read_batch_manifest(batch)
        config = Config.from_dict(manifest["config"])
        profiles = Path(manifest["inputs"]["profiles"]["path"])
        positions = Path(manifest["inputs"]["positions"]["path"])
        batch_id = manifest.get("batch_id")
        sl_path = (Path(batch) if Path(batch).is_dir() else Path(batch).parent) / "shortlists.csv"
        if sl_path.exists():
            sl = pd.read_csv(sl_path, dtype={"position_id": str, "profile_id": str}, keep_default_na=False)
            shortlisted = sl.loc[sl["position_id"] == position_id, "profile_id"].tolist()
    else:
        if profiles is None or positions is None:
            raise ValueError("indiquez --batch, ou bien --profiles et --positions")
        config = (Config.from_toml(config_path) if config_path else Config()).resolved()
    prep, pr, qr = prepare_from_files(profiles, positions, config, encoder=encoder, taxonomy=taxonomy)
    p_ids = prep.profiles["profile_id"].astype(str).tolist()
    q_ids = prep.positions["position_id"].astype(str).tolist()
    if profile_id not in p_ids:
        raise PairNotFound(f"ingénieur « {profile_id} » absent des profils acceptés de {Path(profiles).name}")
    if position_id not in q_ids:
        raise PairNotFound(f"poste « {position_id} » absent des postes acceptés de {Path(positions).name}")
    i, j = p_ids.index(profile_id), q_ids.index(position_id)
    sl_idx = [p_ids.index(p) for p in shortlisted if p in p_ids] if shortlisted is not None else None
    data_used = _data_used(prep, i, j, profiles, positions, batch_id, taxonomy=taxonomy)
    acc = explain_pair(prep.features, prep.normalized, i, j, config, shortlisted_profiles=sl_idx, data_used=data_used)
    return acc, config


def _data_used(prep, i: int, j: int, profiles: Path, positions: Path, batch_id, *, taxonomy=None) -> dict:
    P = prep.profiles.iloc[i]
    Q = prep.positions.iloc[j]
    norm = prep.normalized
    labels = norm.concept_labels

    def skills_desc(levels: dict, sources: dict) -> str:
        parts = []
        for key in sorted(levels, key=lambda k: labels.get(k, k).lower()):
            text, method, conf = sources.get(key, ("", "", 0.0))
            origin = f"« {text} », {method}, confiance {conf:.2f}" if text else method
            parts.append(f"{labels.get(key, key)} (niveau {levels[key]} ; {origin})")
        return "; ".join(parts) or "aucune"

    occ = lambda lst: ", ".join(f"{c} {norm.occupation_labels.get(c, '')} ({w:.2f})" for c, w in lst) or "aucun"
    src_p = int(P.get("source_row", 0) or 0)
    src_q = int(Q.get("source_row", 0) or 0)
    out = {
        "lot": batch_id or "(hors lot)",
        "profil : source": f"{Path(profiles).name}, ligne {src_p}",
        "profil : poste actuel": P.get("current_position", "") or "(non renseigné)",
        "profil : compétences reconnues": skills_desc(norm.profile_skills[i], norm.profile_skill_sources[i] if norm.profile_skill_sources else {}),
        "profil : métiers déduits (ROME)": occ(norm.profile_occupations[i]),
        "profil : corps, grade, habilitation, disponibilité": f"{P.get('corps', '')}, {P.get('grade', '')}, {P.get('clearance', '')}, {P.get('available_from', '') or 'non renseignée'}",
        "profil : souhaits": f"ministères {list(P.get('wished_ministries', []) or [])}, lieux {list(P.get('wished_locations', []) or [])}, familles {list(P.get('wished_families', []) or [])}",
        "poste : source": f"{Path(positions).name}, ligne {src_q}",
        "poste : intitulé et ministère": f"{Q.get('title', '')} — {Q.get('ministry', '')}",
        "poste : compétences requises": skills_desc(norm.position_required[j], norm.position_skill_sources[j] if norm.position_skill_sources else {}),
        "poste : compétences souhaitées": skills_desc(norm.position_desired[j], norm.position_skill_sources[j] if norm.position_skill_sources else {}),
        "poste : métiers déduits (ROME)": occ(norm.position_occupations[j]),
        "textes comparés par le modèle": "poste actuel, compétences et résumé du profil ; intitulé, compétences, description et profil recherché du poste",
        "modèle d'embedding": f"{prep.encoder_info.get('name')} (empreinte {str(prep.encoder_info.get('fingerprint'))[:12]})",
        "données jamais utilisées pour le score": "nom, courriel, genre, année de naissance",
    }
    if taxonomy is None:
        from matching.taxonomy import Taxonomy

        taxonomy = Taxonomy.default()
    out["référentiel"] = f"ROME 4.0 et ESCO, version {taxonomy.version}"
    return out


def _strings_from_file(path: Path, kind: str) -> list[str]:
    """Lines of a text file, or the skill / title cells of a profiles or positions file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".txt", ""}:
        return [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    from matching.io.readers import InputError, read_positions, read_profiles

    out: list[str] = []
    try:
        res = read_profiles(path)
        if kind == "skills":
            for items in res.frame["skills"]:
                out += [t for t, _ in items]
        else:
            out += [t for t in res.frame["current_position"] if t]
        return out
    except InputError:
        pass
    res = read_positions(path)
    for row in res.frame.itertuples(index=False):
        if kind == "skills":
            out += [t for t, _ in row.required_skills] + [t for t, _ in row.desired_skills]
        else:
            out.append(row.title)
    return out


def normalize_skills_file(path: Path, config: Config, *, semantic: bool = True) -> pd.DataFrame:
    from matching.skills import SkillNormalizer
    from matching.taxonomy import Taxonomy

    texts = _strings_from_file(path, "skills")
    encoder = None
    if semantic:
        from matching.embed import load_encoder

        encoder = load_encoder(config.model)
    norm = SkillNormalizer(Taxonomy.default(), encoder=encoder, config=config.normalization)
    table = norm.normalize(texts)
    return table[["input", "label", "source_id", "method", "confidence"] + [c for c in table.columns if c not in {"input", "label", "source_id", "method", "confidence"}]]


def normalize_titles_file(path: Path, config: Config, *, top: int = 3, semantic: bool = True) -> pd.DataFrame:
    from matching.taxonomy import Taxonomy
    from matching.titles import TitleNormalizer

    titles = _strings_from_file(path, "titles")
    encoder = None
    if semantic:
        from matching.embed import load_encoder

        encoder = load_encoder(config.model)
    tn = TitleNormalizer(Taxonomy.default(), encoder=encoder, use_crosswalk=config.normalization.use_crosswalk)
    rows = []
    for title, matches in zip(titles, tn.normalize(titles, top=top)):
        if not matches:
            rows.append({"input": title, "rank": 1, "label": "", "source_id": "", "family": "", "method": "unknown", "confidence": 0.0})
        for r, m in enumerate(matches, start=1):
            rows.append(
                {
                    "input": title,
                    "rank": r,
                    "label": m.label,
                    "source_id": m.code_rome,
                    "family": getattr(m, "family", ""),
                    "method": getattr(m, "method", "fused"),
                    "confidence": round(float(m.score), 4),
                }
            )
    return pd.DataFrame(rows)
