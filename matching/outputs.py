"""The deliverables of a batch: tables built from a ranking, and the files written from them.

Advisor-side files sit at the root of the output folder (``shortlists.csv``,
``opportunities.csv``, ``rejects.csv``, ``pseudonymes.csv``, ``manifest.json``,
``config.toml``); employer files, one per ministry, sit in ``employeurs/`` and hold only
that ministry's positions, with a pseudonymous candidate reference unless the engineer
consented to share their identity.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from matching.config import COMPONENTS, Config
from matching.explain import ADVISORS_DECIDE, METHOD_NOTICE_PATH, SHORT_LABELS, line_sentence, skill_lists
from matching.rank import Ranking, score_pairs

__all__ = [
    "SHORTLIST_COLUMNS",
    "OPPORTUNITY_COLUMNS",
    "EMPLOYER_HEADERS",
    "build_tables",
    "write_outputs",
    "pseudonym",
    "ministry_slug",
]

SHORTLIST_COLUMNS = [
    "batch_id",
    "ministry",
    "position_id",
    "position_title",
    "openings",
    "rank",
    "profile_id",
    "candidate_ref",
    "score",
    *COMPONENTS,
    "matched_skills",
    "missing_skills",
    "explanation",
]
OPPORTUNITY_COLUMNS = [
    "batch_id",
    "profile_id",
    "rank",
    "position_id",
    "ministry",
    "employer",
    "position_title",
    "score",
    "above_min_score",
    *COMPONENTS,
    "matched_skills",
    "missing_skills",
    "explanation",
]
#: canonical column -> French header of the employer files
EMPLOYER_HEADERS = {
    "batch_id": "Lot",
    "ministry": "Ministère",
    "employer": "Direction",
    "position_id": "Référence du poste",
    "position_title": "Intitulé du poste",
    "openings": "Nombre de postes",
    "rank": "Rang",
    "candidate_ref": "Référence candidat",
    "candidate_name": "Nom (si consentement)",
    "candidate_email": "Courriel (si consentement)",
    "score": "Score (0 à 1)",
    **{c: f"Composante : {SHORT_LABELS[c]}" for c in COMPONENTS},
    "matched_skills": "Compétences requises détenues",
    "missing_skills": "Compétences requises manquantes",
    "explanation": "Explication",
    "notice": "Avertissement",
}
EMPLOYER_NOTICE = f"{ADVISORS_DECIDE} Méthode : voir {Path(METHOD_NOTICE_PATH).name}."


def pseudonym(batch_id: str, profile_id: str) -> str:
    """A stable pseudonymous candidate reference for one batch (keyed hash of the id)."""
    digest = hmac.new(batch_id.encode(), str(profile_id).encode(), hashlib.sha256).hexdigest()
    return "CAND-" + digest[:8].upper()


def ministry_slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:60] or "sans-ministere"


def _pair_details(prep, pairs: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Components, matched/missing skills and the explanation sentence of each pair."""
    norm, tax_labels = prep.normalized, prep.normalized.concept_labels
    scored = score_pairs(prep.features, pairs["profile"].to_numpy(), pairs["position"].to_numpy(), config)
    matched_col, missing_col, sentences = [], [], []
    for k, (i, j) in enumerate(zip(pairs["profile"].to_numpy(), pairs["position"].to_numpy())):
        matched, missing = skill_lists(norm.profile_skills[i], norm.position_required[j], tax_labels)
        comps = {c: scored[c].iat[k] for c in COMPONENTS}
        weights = {c: scored[f"w_{c}"].iat[k] for c in COMPONENTS}
        note = _occupation_note(prep.normalized, i, j, config.scoring.occupations_per_entity)
        sentences.append(line_sentence(comps, weights, float(scored["score"].iat[k]), matched, missing, note))
        matched_col.append("; ".join(matched))
        missing_col.append("; ".join(missing))
    out = scored[list(COMPONENTS)].round(4)
    out["matched_skills"] = matched_col
    out["missing_skills"] = missing_col
    out["explanation"] = sentences
    return out


def _occupation_note(norm, i: int, j: int, top: int) -> str:
    """'same occupation' / 'adjacent occupation' clause of the explanation sentence."""
    p_codes = [c for c, _ in norm.profile_occupations[i][:top]]
    q_codes = [c for c, _ in norm.position_occupations[j][:top]]
    common = [c for c in q_codes if c in p_codes]
    if common:
        label = norm.occupation_labels.get(common[0], "")
        return f"même métier ({common[0]} {label})" if label else f"même métier ({common[0]})"
    for c in q_codes:
        for pc in p_codes:
            if c in set(norm.adjacency.get(pc, ())):
                return f"métier proche ({pc} vers {c}, passerelle de mobilité du ROME)"
    return ""


def build_tables(prep, ranking: Ranking, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shortlist and opportunity tables (without batch id) from a ranking."""
    P, Q = prep.profiles.reset_index(drop=True), prep.positions.reset_index(drop=True)
    sl = ranking.shortlist
    details = _pair_details(prep, sl, config)
    q_idx, p_idx = sl["position"].to_numpy(), sl["profile"].to_numpy()
    shortlists = pd.DataFrame(
        {
            "ministry": Q["ministry"].to_numpy()[q_idx],
            "position_id": Q["position_id"].to_numpy()[q_idx],
            "position_title": Q["title"].to_numpy()[q_idx],
            "openings": Q["openings"].to_numpy()[q_idx] if "openings" in Q else 1,
            "rank": sl["rank"].to_numpy(),
            "profile_id": P["profile_id"].to_numpy()[p_idx],
            "candidate_ref": "",
            "score": sl["score"].to_numpy().round(6),
        }
    )
    shortlists = pd.concat([shortlists, details], axis=1)
    # order: ministry, position, rank — stable and independent of the input order
    shortlists = shortlists.sort_values(["ministry", "position_id", "rank"], kind="stable").reset_index(drop=True)

    op = ranking.opportunities
    details = _pair_details(prep, op, config)
    p_idx, q_idx = op["profile"].to_numpy(), op["position"].to_numpy()
    opportunities = pd.DataFrame(
        {
            "profile_id": P["profile_id"].to_numpy()[p_idx],
            "rank": op["rank"].to_numpy(),
            "position_id": Q["position_id"].to_numpy()[q_idx],
            "ministry": Q["ministry"].to_numpy()[q_idx],
            "employer": Q["employer"].to_numpy()[q_idx] if "employer" in Q else "",
            "position_title": Q["title"].to_numpy()[q_idx],
            "score": op["score"].to_numpy().round(6),
            "above_min_score": op["score"].to_numpy() >= config.ranking.min_score,
        }
    )
    opportunities = pd.concat([opportunities, details], axis=1)
    opportunities = opportunities.sort_values(["profile_id", "rank"], kind="stable").reset_index(drop=True)
    return shortlists, opportunities


def write_outputs(result, outdir: Path) -> dict[str, Path]:
    """Write every deliverable of ``result`` into ``outdir`` (each file atomically)."""
    from matching.io.writers import atomic_write_text, write_csv

    outdir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    bid = result.batch_id
    sl = result.shortlists.copy()
    sl["candidate_ref"] = [pseudonym(bid, p) for p in sl["profile_id"]]
    result.shortlists = sl
    files["shortlists"] = outdir / "shortlists.csv"
    write_csv(sl[SHORTLIST_COLUMNS], files["shortlists"])
    files["opportunities"] = outdir / "opportunities.csv"
    write_csv(result.opportunities[OPPORTUNITY_COLUMNS], files["opportunities"])
    files["rejects"] = outdir / "rejects.csv"
    rejects = result.rejects
    if rejects.empty:
        rejects = pd.DataFrame(columns=["file", "row", "column", "value", "reason"])
    write_csv(rejects, files["rejects"])
    warnings = getattr(result, "warnings", None)
    if warnings is not None:  # what the readers guessed or left out, rows kept
        files["warnings"] = outdir / "warnings.csv"
        write_csv(warnings, files["warnings"])

    # pseudonyms: only in the advisor's folder
    profiles = result.prepared.profiles
    pseudo = pd.DataFrame(
        {
            "candidate_ref": [pseudonym(bid, p) for p in profiles["profile_id"]],
            "profile_id": profiles["profile_id"].to_numpy(),
            "consent_share_identity": profiles.get("consent_share_identity", pd.Series(False, index=profiles.index)).to_numpy(),
        }
    ).sort_values("candidate_ref", kind="stable")
    files["pseudonyms"] = outdir / "pseudonymes.csv"
    write_csv(pseudo, files["pseudonyms"])

    files.update(write_employer_files(result, outdir / "employeurs"))

    # --- advisors' report and per-ministry packages ------------------------------------
    if result.config.output.report:
        from matching.report import REPORT_NAME, write_report

        files.update(write_report(result, outdir / REPORT_NAME))
    from matching.package import package_ministries

    employer = {}
    for key, path in files.items():
        kind, _, ministry = key.partition(":")
        if kind in ("employer", "employer_xlsx"):
            employer.setdefault(ministry, []).append(path)
    for ministry, folder in package_ministries(outdir, zip=True, employer_files=employer).items():
        for path in sorted(folder.iterdir()):
            files[f"package:{ministry}:{path.name}"] = path
        zpath = folder.with_suffix(".zip")
        if zpath.exists():
            files[f"package_zip:{ministry}"] = zpath


    files["config"] = outdir / "config.toml"
    result.config.save(files["config"])
    from matching.manifest import finalize_manifest

    manifest = finalize_manifest(result.manifest, outdir, files)
    files["manifest"] = outdir / "manifest.json"
    atomic_write_text(files["manifest"], json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")
    result.manifest = manifest
    return files


def employer_table(result, ministry: str) -> pd.DataFrame:
    """The employer table of one ministry, French headers, identities only with consent."""
    sl = result.shortlists
    part = sl[sl["ministry"] == ministry]
    P = result.prepared.profiles.set_index("profile_id")
    Q = result.prepared.positions.set_index("position_id")
    consent = P.get("consent_share_identity", pd.Series(False, index=P.index)).reindex(part["profile_id"]).fillna(False).astype(bool).to_numpy()
    names = P.get("full_name", pd.Series("", index=P.index)).reindex(part["profile_id"]).fillna("").to_numpy()
    emails = P.get("email", pd.Series("", index=P.index)).reindex(part["profile_id"]).fillna("").to_numpy()
    employer = Q.get("employer", pd.Series("", index=Q.index)).reindex(part["position_id"]).fillna("").to_numpy()
    table = pd.DataFrame(
        {
            "batch_id": part["batch_id"].to_numpy(),
            "ministry": part["ministry"].to_numpy(),
            "employer": employer,
            "position_id": part["position_id"].to_numpy(),
            "position_title": part["position_title"].to_numpy(),
            "openings": part["openings"].to_numpy(),
            "rank": part["rank"].to_numpy(),
            "candidate_ref": part["candidate_ref"].to_numpy(),
            "candidate_name": np.where(consent, names, ""),
            "candidate_email": np.where(consent, emails, ""),
            "score": part["score"].round(3).to_numpy(),
            **{c: part[c].round(3).to_numpy() for c in COMPONENTS},
            "matched_skills": part["matched_skills"].to_numpy(),
            "missing_skills": part["missing_skills"].to_numpy(),
            "explanation": part["explanation"].to_numpy(),
            "notice": EMPLOYER_NOTICE,
        }
    )
    return table.rename(columns=EMPLOYER_HEADERS)


def _decimal_comma(table: pd.DataFrame) -> pd.DataFrame:
    """Float columns as French decimal text with 3 decimals ("0,927"); other columns as is."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = [("" if v != v else f"{v:.3f}".replace(".", ",")) for v in out[col].tolist()]
    return out


def write_employer_files(result, folder: Path) -> dict[str, Path]:
    """One CSV (and .xlsx when configured) per ministry that has positions in the batch."""
    from matching.io.writers import write_csv

    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    ministries = sorted(set(result.prepared.positions["ministry"]))
    used: set[str] = set()
    sep = result.config.output.employer_separator
    for ministry in ministries:
        table = employer_table(result, ministry)
        slug = base = ministry_slug(ministry)
        n = 2
        while slug in used:  # two spellings of one name must not share (overwrite) a file
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        path = folder / f"{slug}.csv"
        # French Excel reads ';' files with a decimal comma: "0,927", not "0.927"
        write_csv(_decimal_comma(table) if sep == ";" else table, path, sep=sep, bom=True)
        files[f"employer:{ministry}"] = path
        if result.config.output.employer_xlsx:
            try:
                from matching.employer_xlsx import write_employer_xlsx
            except ImportError:  # written by the deliverables module when present
                continue
            xpath = folder / f"{slug}.xlsx"
            write_employer_xlsx(table, xpath, ministry=ministry, batch_id=result.batch_id)
            files[f"employer_xlsx:{ministry}"] = xpath
    return files
