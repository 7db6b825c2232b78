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
from pathlib import Path

import numpy as np
import pandas as pd

from matching.components import COMPONENTS
from matching.config import Config
from matching.explain import ADVISORS_DECIDE, METHOD_NOTICE_PATH, SHORT_LABELS, line_sentences, pair_skill_lists
from matching.gap import GAP_HEADERS, GAP_SHEET, NEXT_STEP_COLUMNS, NEXT_STEP_HEADERS, next_steps_table
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
#: canonical column -> French header of the advisors' workbook (lot.xlsx)
ADVISOR_HEADERS = {
    **EMPLOYER_HEADERS,
    "profile_id": "Identifiant de l'ingénieur",
    "above_min_score": "Au-dessus du score minimal",
    "file": "Fichier",
    "row": "Ligne",
    "column": "Colonne",
    "value": "Valeur",
    "reason": "Motif",
    "message": "Ce qui a été fait",
    **NEXT_STEP_HEADERS,
}
ADVISOR_WORKBOOK = "lot.xlsx"
EMPLOYER_DIR = "employeurs"
EMPLOYER_NOTICE = f"{ADVISORS_DECIDE} Méthode : voir {Path(METHOD_NOTICE_PATH).name}."


def pseudonym(key: bytes, profile_id: str) -> str:
    """The pseudonymous candidate reference of an engineer: an HMAC of the identifier under
    the deployment's secret key (:func:`matching.deployment.pseudonym_key`), stable across the
    deployment's batches; it cannot be recomputed without the key."""
    digest = hmac.new(key, str(profile_id).encode(), hashlib.sha256).hexdigest()
    return "CAND-" + digest[:10].upper()


def ministry_slug(name: str) -> str:
    """The file name (stem) of a ministry's employer file and package: safe on every system,
    see :func:`matching.ministries.ministry_file_stem`."""
    from matching.ministries import ministry_file_stem

    return ministry_file_stem(name)


def _pair_details(prep, pairs: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Components, matched/missing skills and the explanation sentence of each pair, for all
    the pairs at once (see :func:`matching.explain.pair_skill_lists` and
    :func:`matching.explain.line_sentences`)."""
    norm = prep.normalized
    p_idx, q_idx = pairs["profile"].to_numpy(), pairs["position"].to_numpy()
    scored = score_pairs(prep.features, p_idx, q_idx, config)
    related = getattr(norm, "related_skills", None) if config.scoring.related_skill_credit > 0 else None
    skills = pair_skill_lists(norm.profile_skills, norm.position_required, norm.concept_labels, p_idx, q_idx, related)
    notes = _occupation_notes(norm, p_idx, q_idx, config.scoring.occupations_per_entity)
    sentences = line_sentences(
        {c: scored[c].to_numpy() for c in COMPONENTS}, {c: scored[f"w_{c}"].to_numpy() for c in COMPONENTS},
        scored["score"].to_numpy(), skills, notes,
    )
    out = scored[list(COMPONENTS)].round(4)
    out["matched_skills"] = skills.joined("matched", "; ")
    out["missing_skills"] = skills.joined("missing", "; ")
    out["explanation"] = sentences
    return out


def _occupation_codes(lists, top: int, vocab: dict) -> np.ndarray:
    """(entities, top) ids of each entity's first ``top`` occupation codes, -1 past its list."""
    codes = np.full((len(lists), top), -1, dtype=np.int64)
    for e, lst in enumerate(lists):
        for r, (c, _) in enumerate(lst[:top]):
            codes[e, r] = vocab.setdefault(c, len(vocab))
    return codes


def _occupation_notes(norm, p_idx: np.ndarray, q_idx: np.ndarray, top: int) -> list[str]:
    """The 'same occupation' / 'adjacent occupation' clause of the explanation sentence of
    every pair: the first of the position's ``top`` occupations that is among the profile's
    ``top`` ones ("même métier"), else the first (position occupation, profile occupation)
    linked by an official ROME mobility link, in the order of the position's then the
    profile's occupations ("métier proche"), else ""."""
    n = len(p_idx)
    if n == 0:
        return []
    vocab: dict = {}
    P = _occupation_codes(norm.profile_occupations, top, vocab)[p_idx]
    Q = _occupation_codes(norm.position_occupations, top, vocab)[q_idx]
    codes = np.empty(len(vocab), dtype=object)
    for c, k in vocab.items():
        codes[k] = c
    same_text = np.array([f"même métier ({c} {norm.occupation_labels.get(c, '')})"
                          if norm.occupation_labels.get(c, "") else f"même métier ({c})" for c in codes.tolist()],
                         dtype=object)
    notes = np.full(n, "", dtype=object)
    done = np.zeros(n, dtype=bool)
    for r in range(top):  # the position's occupations in order
        q = Q[:, r]
        hit = ~done & (q >= 0) & (P == q[:, None]).any(axis=1)
        notes[hit] = same_text[q[hit]]
        done |= hit
    # official mobility links between the codes seen here, as sorted (from, to) keys
    V = max(len(vocab), 1)
    links = [vocab[pc] * V + vocab[c] for pc in codes.tolist() for c in set(norm.adjacency.get(pc, ())) if c in vocab]
    links = np.unique(np.asarray(links, dtype=np.int64))
    if len(links):
        for r in range(top):
            for s in range(top):  # for each of the position's codes, the profile's in order
                q, p = Q[:, r], P[:, s]
                key = p * V + q
                at = np.minimum(np.searchsorted(links, key), len(links) - 1)
                hit = ~done & (q >= 0) & (p >= 0) & (links[at] == key)
                if hit.any():
                    notes[hit] = ("métier proche (" + codes[p[hit]] + " vers " + codes[q[hit]]
                                  + ", passerelle de mobilité du ROME)")
                    done |= hit
    return notes.tolist()


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


WARNING_COLUMNS = ["file", "row", "column", "value", "message"]


def warnings_table(result) -> pd.DataFrame:
    """The readers' warnings of both files (``file, row, column, value, message``)."""
    warnings = getattr(result, "warnings", None)
    if warnings is None or not len(warnings):
        return pd.DataFrame(columns=WARNING_COLUMNS)
    return warnings


def with_pseudonyms(shortlists: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The shortlist table with its pseudonymous candidate references filled in."""
    out = shortlists.copy()
    out["candidate_ref"] = [pseudonym(key, p) for p in out["profile_id"]]
    return out


def write_outputs(result, folder, *, state=None, started: float | None = None, t_write: float | None = None) -> dict[str, Path]:
    """Write every deliverable of ``result`` (a :class:`matching.batch.Batch`) into ``folder``
    (a :class:`matching.io.batch_folder.BatchFolder`), each file atomically; then the engine
    state (``state``: arrays and metadata, see :mod:`matching.batch`) and, last, the manifest
    with the write and total timings."""
    import time

    from matching.io.batch_folder import BatchFolder

    folder = folder if isinstance(folder, BatchFolder) else BatchFolder(folder)
    t_write = time.perf_counter() if t_write is None else t_write
    folder.ensure()
    outdir = folder.path
    files: dict[str, Path] = {}
    from matching.deployment import pseudonym_key

    key = pseudonym_key()
    sl = result.shortlists
    if (sl["candidate_ref"] == "").any():
        sl = result.shortlists = with_pseudonyms(sl, key)
    files["shortlists"] = folder.write_csv("shortlists.csv", sl[SHORTLIST_COLUMNS])
    if hasattr(result, "next_steps"):
        result.opportunities = with_next_steps(result.opportunities, next_steps_table(result.next_steps()))
    extra = [c for c in NEXT_STEP_COLUMNS if c in result.opportunities.columns]
    files["opportunities"] = folder.write_csv("opportunities.csv", result.opportunities[OPPORTUNITY_COLUMNS + extra])
    if hasattr(result, "skills_gap"):
        files["skills_gap"] = folder.write_csv("skills_gap.csv", result.skills_gap())
    rejects = result.rejects
    if rejects.empty:
        rejects = pd.DataFrame(columns=["file", "row", "column", "value", "reason"])
    files["rejects"] = folder.write_csv("rejects.csv", rejects)
    # what the readers guessed, repaired or left empty, the rows being kept
    files["warnings"] = folder.write_csv("warnings.csv", warnings_table(result))

    # pseudonyms: only in the advisor's folder
    profiles = result.prepared.profiles
    pseudo = pd.DataFrame(
        {
            "candidate_ref": [pseudonym(key, p) for p in profiles["profile_id"]],
            "profile_id": profiles["profile_id"].to_numpy(),
            "consent_share_identity": profiles.get("consent_share_identity", pd.Series(False, index=profiles.index)).to_numpy(),
        }
    ).sort_values("candidate_ref", kind="stable")
    files["pseudonyms"] = folder.write_csv("pseudonymes.csv", pseudo)

    files.update(write_employer_files(result, folder))
    files["advisor_workbook"] = write_advisor_workbook(result, folder)

    # --- advisors' report and per-ministry packages ------------------------------------
    if result.config.output.report:
        from matching.report import REPORT_NAME, write_report

        files.update(write_report(result, folder.file(REPORT_NAME)))
    from matching.package import package_ministries

    employer = {}
    for key, path in files.items():
        kind, _, ministry = key.partition(":")
        if kind in ("employer", "employer_xlsx"):
            employer.setdefault(ministry, []).append(path)
    for ministry, pfolder in package_ministries(folder, zip=True, employer_files=employer).items():
        for path in sorted(pfolder.iterdir()):
            files[f"package:{ministry}:{path.name}"] = path
        zpath = pfolder.with_suffix(".zip")
        if zpath.exists():
            files[f"package_zip:{ministry}"] = zpath

    files["config"] = folder.write_text("config.toml", result.config.to_toml())
    if state is not None:
        arrays, meta = state
        for k, path in enumerate(folder.save_state(arrays, meta)):
            files[f"state:{path.name}"] = path
    from matching.manifest import finalize_manifest

    manifest = finalize_manifest(result.manifest, outdir, files)
    timings = dict(manifest.get("timings_seconds", {}))
    now = time.perf_counter()
    timings["write"] = now - t_write
    if started is not None:
        timings["total"] = now - started
    manifest["timings_seconds"] = timings
    files["manifest"] = folder.write_manifest(manifest)
    result.manifest = manifest
    return files


#: employer-file columns whose text may carry an engineer's free text (skills written by
#: the engineer appear in the matched skills and the sentence): personal data masked there
EMPLOYER_FREE_TEXT = ("matched_skills", "missing_skills", "explanation")


def _mask_free_text(table: pd.DataFrame, names) -> None:
    """Mask, in place, e-mails, phone numbers and ``names`` in the free-text columns of an
    employer table (canonical names), and remove invisible controls from every text column."""
    from matching.io.writers import visible_text
    from matching.privacy import PersonalData

    detector = PersonalData(names)
    for col in table.columns:
        if col in EMPLOYER_FREE_TEXT:
            done: dict[str, str] = {}  # skill lists repeat from line to line
            values = [str(v or "") for v in table[col].tolist()]
            table[col] = [done[v] if v in done else done.setdefault(v, visible_text(detector.mask(v))) for v in values]
        elif not pd.api.types.is_numeric_dtype(table[col].dtype) or pd.api.types.is_object_dtype(table[col].dtype):
            table[col] = [visible_text(v) for v in table[col].tolist()]


def employer_table(result, ministry: str) -> pd.DataFrame:
    """The employer table of one ministry, French headers, identities only with consent.

    The names of the engineers of the file who did not consent never appear in it, nor any
    e-mail address or phone number in the free text (masked, see :mod:`matching.privacy`);
    invisible control characters (bidirectional overrides...) are removed from every text."""
    sl = result.shortlists
    part = sl[sl["ministry"] == ministry]
    P = result.prepared.profiles.set_index("profile_id")
    Q = result.prepared.positions.set_index("position_id")
    consent = P.get("consent_share_identity", pd.Series(False, index=P.index)).reindex(part["profile_id"]).fillna(False).astype(bool).to_numpy()
    names = P.get("full_name", pd.Series("", index=P.index)).reindex(part["profile_id"]).fillna("").astype(str).to_numpy()
    emails = P.get("email", pd.Series("", index=P.index)).reindex(part["profile_id"]).fillna("").astype(str).to_numpy()
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
    _mask_free_text(table, sorted(set(names[~consent])))
    return table.rename(columns=EMPLOYER_HEADERS)


def _decimal_comma(table: pd.DataFrame) -> pd.DataFrame:
    """Float columns as French decimal text with 3 decimals ("0,927"); other columns as is."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = [("" if v != v else f"{v:.3f}".replace(".", ",")) for v in out[col].tolist()]
    return out


def advisor_sheets(result) -> dict[str, pd.DataFrame]:
    """The sheets of the advisors' workbook: a summary, one sheet per ministry (its
    shortlists, by identifier), the opportunities, the warnings and the rejects, with
    French headers. The canonical CSV files stay as they are for programs."""
    c = result.manifest["counts"]
    model = result.manifest.get("model", {})
    warnings = getattr(result, "warnings", None)
    n_warn = 0 if warnings is None else len(warnings)
    summary = pd.DataFrame(
        {
            "Indicateur": [
                "Lot", "Modèle d'embedding", "Profils lus", "Profils acceptés", "Profils rejetés",
                "Postes lus", "Postes acceptés", "Postes rejetés", "Avertissements sur les données",
                "Lignes de listes restreintes", "Postes sans candidat au-dessus du seuil",
                "Ingénieurs sur aucune liste", "Ministères", "Avertissement",
            ],
            "Valeur": [
                result.batch_id, model.get("name", ""), c["profiles_read"], c["profiles_accepted"], c["profiles_rejected"],
                c["positions_read"], c["positions_accepted"], c["positions_rejected"], n_warn,
                c["shortlist_lines"], c["positions_without_candidate"], c["profiles_on_no_shortlist"], c["ministries"],
                ADVISORS_DECIDE,
            ],
        }
    )
    sheets: dict[str, pd.DataFrame] = {"Synthèse": summary}
    sl = result.shortlists
    for ministry in sorted(set(sl["ministry"])):
        part = sl[sl["ministry"] == ministry].drop(columns=["batch_id", "ministry"])
        sheets[ministry] = part.rename(columns=ADVISOR_HEADERS)
    if hasattr(result, "skills_gap"):
        sheets[GAP_SHEET] = skills_gap_sheet(result.skills_gap())
    sheets["Opportunités"] = result.opportunities.drop(columns=["batch_id"]).rename(columns=ADVISOR_HEADERS)
    if warnings is not None and len(warnings):
        sheets["Avertissements"] = warnings.rename(columns=ADVISOR_HEADERS)
    else:
        sheets["Avertissements"] = pd.DataFrame(columns=[ADVISOR_HEADERS[k] for k in ("file", "row", "column", "value", "message")])
    rejects = result.rejects if len(result.rejects.columns) else pd.DataFrame(columns=["file", "row", "column", "value", "reason"])
    sheets["Rejets"] = rejects.rename(columns=ADVISOR_HEADERS)
    return sheets


def with_next_steps(opportunities: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """The opportunities table with each engineer's next steps appended (columns
    :data:`matching.gap.NEXT_STEP_COLUMNS`, the same on every line of the engineer; replaced
    when already there), lines kept in their order."""
    base = opportunities.drop(columns=[c for c in NEXT_STEP_COLUMNS if c in opportunities.columns])
    cells = steps.assign(profile_id=steps["profile_id"].astype(str)).set_index("profile_id")
    ids = base["profile_id"].astype(str)
    out = base.copy()
    for c in NEXT_STEP_COLUMNS:
        out[c] = ids.map(cells[c]).fillna("").to_numpy() if len(cells) else ""
    return out


def skills_gap_sheet(table: pd.DataFrame) -> pd.DataFrame:
    """The skills-gap table with French headers (sheet « Compétences en tension »)."""
    return table.rename(columns=GAP_HEADERS)


def write_advisor_workbook(result, folder) -> Path:
    """``lot.xlsx``: the advisors' workbook (see :func:`advisor_sheets`), deterministic."""
    import io

    from matching.io.writers import FIXED_DATE, build_workbook, deterministic_zip

    wb = build_workbook(advisor_sheets(result), wrap_columns=[ADVISOR_HEADERS["explanation"]],
                        widths={ADVISOR_HEADERS["explanation"]: 80.0, "Valeur": 60.0}, write_only=True)
    wb.properties.title = f"Lot {result.batch_id}"
    wb.properties.creator = "Moteur d'appariement compétences / postes"
    wb.properties.created = wb.properties.modified = FIXED_DATE
    buf = io.BytesIO()
    wb.save(buf)
    return folder.write_bytes(ADVISOR_WORKBOOK, deterministic_zip(buf.getvalue()))


def write_employer_files(result, folder) -> dict[str, Path]:
    """One CSV (and .xlsx when configured) per ministry that has positions in the batch,
    in ``employeurs/`` of the batch folder."""
    folder.ensure(EMPLOYER_DIR)
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
        # French Excel reads ';' files with a decimal comma: "0,927", not "0.927"
        path = folder.write_csv(f"{EMPLOYER_DIR}/{slug}.csv", _decimal_comma(table) if sep == ";" else table, sep=sep, bom=True)
        files[f"employer:{ministry}"] = path
        if result.config.output.employer_xlsx:
            try:
                from matching.employer_xlsx import write_employer_xlsx
            except ImportError:  # written by the deliverables module when present
                continue
            xpath = folder.file(f"{EMPLOYER_DIR}/{slug}.xlsx")
            from matching.io.writers import visible_text

            # the workbook's notice and title show the name: no bidirectional override there
            write_employer_xlsx(table, xpath, ministry=visible_text(ministry), batch_id=result.batch_id)
            files[f"employer_xlsx:{ministry}"] = xpath
    return files
