"""The feedback file of advisors and employers, read as labelled outcomes.

One CSV line per judgement on one (position, engineer) pair::

    position_id;profile_id;outcome;date;source;comment
    ILL-DNUM-01;ING-0042;entretien;2026-03-02;conseiller;reçu en entretien
    ILL-DNUM-01;ING-0042;nommé;2026-04-15;employeur;

``outcome`` is one of ``retenu``, ``entretien``, ``nommé``, ``non adapté`` (case- and
accent-insensitive; English aliases ``retained``, ``interviewed``, ``appointed``,
``not suitable``). French headers are accepted (``identifiant_poste``, ``identifiant``,
``resultat``, ``date``, ``source``, ``commentaire``); ``date`` (ISO or dd/mm/yyyy),
``source`` and ``comment`` are optional. Separator ``;`` or ``,``; UTF-8 (BOM or not) or
cp1252 — what French Excel writes.

Grades: ``nommé`` 2; ``entretien`` and ``retenu`` 1; ``non adapté`` 0. When a pair has
several lines, the most recent one wins (lines without a date count as older than dated
ones; same date: the later line in the file).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from matching.evaluation.labels_io import LabelsError, read_csv_text
from matching.textnorm import fold

__all__ = ["OUTCOMES", "OUTCOME_GRADES", "FeedbackError", "read_feedback", "feedback_to_labels", "parse_outcome"]

#: canonical outcome (French) -> grade
OUTCOME_GRADES: dict[str, int] = {"nommé": 2, "entretien": 1, "retenu": 1, "non adapté": 0}
OUTCOMES = tuple(OUTCOME_GRADES)

_ALIASES = {
    "nomme": "nommé",
    "nommee": "nommé",
    "appointed": "nommé",
    "entretien": "entretien",
    "interviewed": "entretien",
    "interview": "entretien",
    "retenu": "retenu",
    "retenue": "retenu",
    "retained": "retenu",
    "non adapte": "non adapté",
    "non adaptee": "non adapté",
    "not suitable": "non adapté",
    "unsuitable": "non adapté",
}

_COLUMNS = {
    "position_id": ("position_id", "identifiant_poste", "poste"),
    "profile_id": ("profile_id", "identifiant", "identifiant_profil", "ingenieur"),
    "outcome": ("outcome", "resultat", "issue", "decision"),
    "date": ("date",),
    "source": ("source", "origine"),
    "comment": ("comment", "commentaire", "commentaires"),
}


class FeedbackError(LabelsError):
    """Every problem of a feedback file, each with file, row and column (in French)."""


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", fold(text)).strip()


def parse_outcome(value: str) -> str | None:
    """The canonical outcome of a cell (``"Nommé"``, ``"appointed"``, ``"NON-ADAPTE"``...),
    or None when it is not one."""
    return _ALIASES.get(_fold(value))


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", value)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(value)


def read_feedback(path: str | Path) -> pd.DataFrame:
    """Read a feedback file: columns ``position_id, profile_id, outcome`` (canonical French),
    ``grade`` (int), ``date`` (date or None), ``source``, ``comment``, ``source_row``.

    Raises :class:`FeedbackError` listing every problem (unknown outcome, empty identifier,
    bad date, missing column) with the file, the row and the column.
    """
    path = Path(path)
    name = path.name
    frame = read_csv_text(path)
    found: dict[str, str] = {}
    for canon, names in _COLUMNS.items():
        for n in names:
            folded = {_fold(c).replace(" ", "_"): c for c in frame.columns}
            if n in folded:
                found[canon] = folded[n]
                break
    missing = [c for c in ("position_id", "profile_id", "outcome") if c not in found]
    if missing:
        raise FeedbackError(
            [f"{name} : colonne '{c}' absente (colonnes attendues : position_id, profile_id, outcome, date, source, comment)." for c in missing]
        )
    problems: list[str] = []
    rows = []
    allowed = "retenu, entretien, nommé, non adapté (ou retained, interviewed, appointed, not suitable)"
    for i in range(len(frame)):
        line = i + 2
        cell = {c: str(frame[found[c]].iat[i]).strip() if c in found else "" for c in _COLUMNS}
        if not any(cell.values()):
            continue  # blank line
        for c in ("position_id", "profile_id"):
            if not cell[c]:
                problems.append(f"{name} : ligne {line}, colonne '{found[c]}' : identifiant vide.")
        outcome = parse_outcome(cell["outcome"])
        if outcome is None:
            problems.append(f"{name} : ligne {line}, colonne '{found['outcome']}' : résultat {cell['outcome']!r} inconnu (attendu : {allowed}).")
        date = None
        if cell["date"]:
            try:
                date = _parse_date(cell["date"])
            except ValueError:
                problems.append(f"{name} : ligne {line}, colonne '{found['date']}' : date {cell['date']!r} illisible (attendu : AAAA-MM-JJ ou JJ/MM/AAAA).")
        rows.append(
            {
                "position_id": cell["position_id"],
                "profile_id": cell["profile_id"],
                "outcome": outcome,
                "grade": OUTCOME_GRADES.get(outcome, -1) if outcome else -1,
                "date": date,
                "source": cell["source"],
                "comment": cell["comment"],
                "source_row": line,
            }
        )
    if problems:
        raise FeedbackError(problems)
    out = pd.DataFrame(rows, columns=["position_id", "profile_id", "outcome", "grade", "date", "source", "comment", "source_row"])
    out["grade"] = out["grade"].astype(int)
    return out


def feedback_to_labels(feedback: pd.DataFrame) -> pd.DataFrame:
    """Labels ``position_id, profile_id, grade`` from feedback lines: per pair, the most
    recent line wins (undated lines are older than dated ones; same date: later in file)."""
    if feedback.empty:
        return pd.DataFrame({"position_id": pd.Series(dtype=str), "profile_id": pd.Series(dtype=str), "grade": pd.Series(dtype=int)})
    fb = feedback.copy()
    fb["_has_date"] = fb["date"].notna()
    fb["_day"] = [d.toordinal() if d is not None and d == d else 0 for d in fb["date"]]
    fb = fb.sort_values(["position_id", "profile_id", "_has_date", "_day", "source_row"], kind="stable")
    last = fb.groupby(["position_id", "profile_id"], sort=True).tail(1)
    return last[["position_id", "profile_id", "grade"]].sort_values(["position_id", "profile_id"]).reset_index(drop=True)
