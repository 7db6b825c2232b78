"""A batch's ``feedback.csv``: the advisors' review and the employers' verdicts, in one file.

The file is the feedback format that ``evaluate outcomes`` and ``tune`` read (see
:mod:`matching.evaluation.feedback`: ``position_id;profile_id;outcome;date;source;comment``),
kept in the batch folder and written only through :class:`matching.io.batch_folder.BatchFolder`
(atomically). Two writers feed it:

* the advisors' review of the web workspace (keep or strike a shortlist line, with a
  reason): :func:`review_line` — « garder » is ``retenu``, « écarter » is ``non adapté``;
* the employer ``.xlsx`` files sent back with their « Avis de l'employeur » column filled
  in: :func:`import_employer_files` — « retenu pour entretien » is ``entretien``,
  « non retenu » is ``non adapté``, « nommé » is ``nommé``; a line left without a verdict
  is counted, not written.

The employer file names the candidate by its pseudonymous reference; the batch's own
``shortlists.csv`` maps it back to the engineer's identifier (that mapping never leaves the
batch folder). A line already in the file (same pair, verdict, source and comment) is not
written twice, so importing the same returned file again changes nothing.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from matching.employer_xlsx import COMMENT_HEADER, SHEET_LIST, VERDICT_CHOICES, VERDICT_HEADER
from matching.errors import InputFileError
from matching.io.batch_folder import BatchFolder
from matching.outputs import EMPLOYER_HEADERS

__all__ = [
    "FEEDBACK_NAME",
    "FEEDBACK_COLUMNS",
    "EMPLOYER_VERDICTS",
    "REVIEW_DECISIONS",
    "FeedbackImportError",
    "ImportSummary",
    "read_batch_feedback",
    "review_line",
    "import_employer_files",
]

FEEDBACK_NAME = "feedback.csv"
FEEDBACK_COLUMNS = ["position_id", "profile_id", "outcome", "date", "source", "comment"]
#: the employer's verdict (the validated list of the xlsx column) -> canonical outcome
EMPLOYER_VERDICTS: dict[str, str] = dict(zip(VERDICT_CHOICES, ("entretien", "non adapté", "nommé"), strict=True))
#: the advisor's review decision -> canonical outcome
REVIEW_DECISIONS: dict[str, str] = {"garder": "retenu", "écarter": "non adapté"}
SOURCE_ADVISOR = "conseiller"
SOURCE_EMPLOYER = "employeur"
BATCH_HEADER, POSITION_HEADER, REFERENCE_HEADER = (EMPLOYER_HEADERS[c] for c in ("batch_id", "position_id", "candidate_ref"))


class FeedbackImportError(InputFileError):
    """A returned file cannot be imported (message in French: file, row, column, reason)."""


@dataclass
class ImportSummary:
    """What an import did: lines written, lines already there, lines without a verdict."""

    written: int = 0
    already: int = 0
    without_verdict: int = 0
    files: list[str] = field(default_factory=list)


def read_batch_feedback(folder: BatchFolder) -> pd.DataFrame:
    """The batch's ``feedback.csv`` as text columns (``FEEDBACK_COLUMNS``), empty when absent."""
    if not folder.exists(FEEDBACK_NAME):
        return pd.DataFrame(columns=FEEDBACK_COLUMNS)
    from matching.evaluation.feedback import read_feedback

    read_feedback(folder.file(FEEDBACK_NAME))  # the evaluation's own checks: a broken file is refused
    frame = folder.read_csv(FEEDBACK_NAME, sep=";")
    return frame.reindex(columns=FEEDBACK_COLUMNS, fill_value="")


def _append(folder: BatchFolder, lines: list[dict[str, str]]) -> tuple[int, int]:
    """Append ``lines`` to the batch's feedback file, skipping lines already there (same
    pair, outcome, source and comment). Returns (written, already there)."""
    current = read_batch_feedback(folder)
    seen = {tuple(r[c] for c in FEEDBACK_COLUMNS if c != "date") for r in current.to_dict("records")}
    new = []
    for line in lines:
        key = tuple(str(line[c]) for c in FEEDBACK_COLUMNS if c != "date")
        if key in seen:
            continue
        seen.add(key)
        new.append({c: str(line[c]) for c in FEEDBACK_COLUMNS})
    if new:
        table = pd.concat([current, pd.DataFrame(new, columns=FEEDBACK_COLUMNS)], ignore_index=True)
        folder.write_csv(FEEDBACK_NAME, table, sep=";")
    return len(new), len(lines) - len(new)


def _shortlist_pairs(folder: BatchFolder) -> pd.DataFrame:
    return folder.read_csv("shortlists.csv")[["position_id", "profile_id", "candidate_ref"]]


def review_line(folder: BatchFolder, *, position_id: str, profile_id: str, decision: str, reason: str = "",
                today: _dt.date | None = None) -> str:
    """Record an advisor's decision on one shortlist line (``garder`` or ``écarter``, with a
    reason). Returns the outcome written. Refuses a pair that is not on the batch's shortlists."""
    outcome = REVIEW_DECISIONS.get(decision)
    if outcome is None:
        raise FeedbackImportError(f"décision « {decision} » inconnue (attendu : {', '.join(REVIEW_DECISIONS)}).")
    pairs = _shortlist_pairs(folder)
    if not ((pairs["position_id"] == position_id) & (pairs["profile_id"] == profile_id)).any():
        raise FeedbackImportError(f"le couple poste {position_id} / ingénieur {profile_id} n'est pas sur les listes de ce lot.")
    day = (today or _dt.date.today()).isoformat()
    _append(folder, [{"position_id": position_id, "profile_id": profile_id, "outcome": outcome, "date": day,
                      "source": SOURCE_ADVISOR, "comment": " ".join(reason.split())}])
    return outcome


def _employer_lines(path: Path, batch_id: str, refs: dict[tuple[str, str], str], today: str) -> tuple[list[dict], int]:
    from openpyxl import load_workbook

    from matching.io.writers import unneutralize_cell
    from matching.textnorm import fold

    name = path.name
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets one French message
        raise FeedbackImportError(f"{name} : classeur Excel illisible ({type(exc).__name__}).") from None
    if SHEET_LIST not in wb.sheetnames:
        raise FeedbackImportError(f"{name} : feuille « {SHEET_LIST} » absente (est-ce un fichier employeur du moteur ?).")
    rows = list(wb[SHEET_LIST].iter_rows(values_only=True))
    wb.close()
    headers = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    missing = [h for h in (BATCH_HEADER, POSITION_HEADER, REFERENCE_HEADER, VERDICT_HEADER) if h not in headers]
    if missing:
        raise FeedbackImportError(f"{name} : colonne(s) absente(s) : {', '.join(missing)}.")
    at = {h: headers.index(h) for h in headers if h}
    verdicts = {fold(k): v for k, v in EMPLOYER_VERDICTS.items()}
    problems: list[str] = []
    lines: list[dict] = []
    blank = 0
    for r, values in enumerate(rows[1:], start=2):
        cell = lambda h: "" if h not in at or at[h] >= len(values) or values[at[h]] is None else unneutralize_cell(str(values[at[h]]).strip())  # noqa: E731
        if not any(v not in (None, "") for v in values):
            continue
        lot, position, ref, verdict = cell(BATCH_HEADER), cell(POSITION_HEADER), cell(REFERENCE_HEADER), cell(VERDICT_HEADER)
        if lot != batch_id:
            problems.append(f"{name} : ligne {r}, colonne « {BATCH_HEADER} » : lot {lot or '(vide)'} ; ce dossier est le lot {batch_id}.")
            continue
        if not verdict:
            blank += 1
            continue
        outcome = verdicts.get(" ".join(fold(verdict).split()))
        if outcome is None:
            problems.append(f"{name} : ligne {r}, colonne « {VERDICT_HEADER} » : avis « {verdict} » inconnu "
                            f"(attendu : {', '.join(EMPLOYER_VERDICTS)}).")
            continue
        profile = refs.get((position, ref))
        if profile is None:
            problems.append(f"{name} : ligne {r}, colonnes « {POSITION_HEADER} » et « {REFERENCE_HEADER} » : "
                            "ce candidat n'est pas sur la liste de ce poste dans le lot.")
            continue
        lines.append({"position_id": position, "profile_id": profile, "outcome": outcome, "date": today,
                      "source": SOURCE_EMPLOYER, "comment": " ".join(cell(COMMENT_HEADER).split())})
    if problems:
        raise FeedbackImportError("\n".join(problems))
    return lines, blank


def import_employer_files(folder: BatchFolder, files: list[Path], *, today: _dt.date | None = None) -> ImportSummary:
    """Read returned employer ``.xlsx`` files into the batch's ``feedback.csv``. Every file is
    checked before anything is written: one bad file, nothing imported."""
    manifest = folder.read_manifest(required=("batch_id",))
    batch_id = str(manifest["batch_id"])
    pairs = _shortlist_pairs(folder)
    refs = {(q, c): p for q, p, c in zip(pairs["position_id"], pairs["profile_id"], pairs["candidate_ref"])}
    day = (today or _dt.date.today()).isoformat()
    summary = ImportSummary()
    lines: list[dict] = []
    problems: list[str] = []
    for path in files:
        path = Path(path)
        if not path.is_file():
            problems.append(f"{path} : fichier absent.")
            continue
        try:
            got, blank = _employer_lines(path, batch_id, refs, day)
        except FeedbackImportError as exc:
            problems.append(str(exc))
            continue
        lines += got
        summary.without_verdict += blank
        summary.files.append(path.name)
    if problems:
        raise FeedbackImportError("\n".join(problems) + "\nAucun avis n'a été importé.")
    summary.written, summary.already = _append(folder, lines)
    return summary
