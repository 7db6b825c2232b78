"""Corps and grades as people write them: one ordered table per corps, levels comparable
across corps.

The tables are ``data/reference/grades.csv`` and ``data/reference/corps.csv`` (see
``data/reference/README.md`` for their sources and how they are maintained).

* **Within a corps** the grades are ordered (``rank``): IA < IPA < ICA < IGA 2e classe
  < IGA 1re classe; IM < ICM < IGM; IPEF < ICPEF < IGPEF; ITPE < ITPE divisionnaire <
  ICTPE...
* **Across corps** every grade carries a ``level`` on one documented scale, increasing
  with the rank inside each corps, so that one number compares any two grades:

  ====  ====================================================================
  1     first grade of a category A corps (attaché, ITPE, IIM)
  2     second grade of a category A corps (attaché principal, ITPE divisionnaire, IDIM)
  3     top grade of a category A corps (attaché hors classe, ICTPE, IHCIM)
  4     first grade of an A+ technical or administrative corps (IM, IPEF, IA,
        administrateur de l'INSEE, administrateur de l'État)
  5     intermediate A+ grade (IPA: ingénieur principal de l'armement)
  6     « en chef » / « hors classe » A+ grades (ICM, ICPEF, ICA, administrateur hors classe)
  7     general grades (IGM, IGPEF, IGA 2e classe, administrateur général, inspecteur général)
  8     upper class of a general grade (IGA 1re classe)
  ====  ====================================================================

  A generic grade without corps ("ingénieur en chef", "ingénieur général",
  "administrateur hors classe") takes the level of the A+ grades of that name.
* **Reading**: case, accents, articles, gender (ingénieure, générale, attachée,
  administratrice), plurals, ordinals (2e, 2ème, deuxième, 2nde; 1re, 1ère, première),
  "HC" (hors classe) and échelons ("5e échelon") do not matter. The abbreviations (ICA,
  IGPEF...) and spelled forms are recognised; the grade of a profile is read with its
  corps ("ingénieur en chef" in the corps ITPE is ICTPE, level 3; in the Mines, ICM,
  level 6). A text that only *begins* with a known grade ("ingénieur en chef depuis
  2019") is read by its beginning, and the reader warns. Anything else is an
  **unknown grade**: never a silent lowest level (the reader warns, and the grade rule
  says "grade inconnu").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from matching.resources import data_path
from matching.textnorm import ARTICLES
from matching.textnorm import fold as _fold

__all__ = [
    "GRADES_CSV",
    "CORPS_CSV",
    "LEVEL_NAMES",
    "Grade",
    "GradeReading",
    "grade_table",
    "read_grade",
    "grade_level",
    "corps_key",
    "known_corps",
    "corps_label",
    "describe_grade",
    "grade_rule_statement",
]

REFERENCE = data_path("reference")
GRADES_CSV = REFERENCE / "grades.csv"
CORPS_CSV = REFERENCE / "corps.csv"

#: the cross-corps scale, in French (for explanations)
LEVEL_NAMES = {
    1: "premier grade de catégorie A",
    2: "grade d'avancement de catégorie A (principal, divisionnaire)",
    3: "grade sommital de catégorie A (hors classe, en chef)",
    4: "premier grade d'un corps A+",
    5: "grade intermédiaire A+ (principal)",
    6: "grade A+ « en chef » ou « hors classe »",
    7: "grade général",
    8: "grade général de 1re classe",
}

_STOP = ARTICLES | {"corps", "h", "f", "hf"}
_WORD_MAP = {
    "ingenieure": "ingenieur", "ingenieurs": "ingenieur", "ingenieures": "ingenieur", "ing": "ingenieur",
    "generale": "general", "generaux": "general", "generales": "general", "gal": "general",
    "principale": "principal", "principaux": "principal", "principales": "principal", "ppal": "principal",
    "cheffe": "chef", "chefs": "chef",
    "attachee": "attache", "attaches": "attache", "attachees": "attache",
    "administratrice": "administrateur", "administrateurs": "administrateur", "administratrices": "administrateur",
    "inspectrice": "inspecteur", "inspecteurs": "inspecteur", "inspectrices": "inspecteur",
    "divisionnaires": "divisionnaire",
    "classes": "classe", "cl": "classe",
    "2e": "2e", "2eme": "2e", "2nde": "2e", "2nd": "2e", "deuxieme": "2e", "seconde": "2e", "second": "2e", "ii": "2e",
    "1re": "1re", "1ere": "1re", "1er": "1re", "premiere": "1re", "premier": "1re",
    "telecom": "telecommunications", "etat": "etat",
}
_ECHELON = re.compile(r"\b(?:\d+\s*(?:e|eme|er|ere)?\s*echelon|echelon\s*(?:n\s*)?\d*|ech\s*\d+)\b")
_PARENS = re.compile(r"\(([^()]*)\)")


fold = _fold  # the engine's one accent folding (matching.textnorm.fold)


def words(text: object) -> tuple[str, ...]:
    """The comparison words of a grade or corps text."""
    s = _ECHELON.sub(" ", fold(text))
    s = re.sub(r"\bh\s*\.?\s*c\b\.?", " hors classe ", s)  # "HC", "H.C."
    out = []
    for w in re.split(r"[^0-9a-z]+", s):
        if not w:
            continue
        w = _WORD_MAP.get(w, w)
        if w in _STOP:
            continue
        out.append(w)
    return tuple(out)


def _key(text: object) -> str:
    return " ".join(words(text))


@dataclass(frozen=True)
class Grade:
    corps: str  # "" for a generic grade
    rank: int
    level: int
    label: str
    abbreviation: str


@dataclass(frozen=True)
class GradeReading:
    """How a grade text was read: the grade, and ``how`` (``exact``, ``corps`` when the corps
    column completed it, ``abbreviation``, ``beginning`` when only the start of the text was
    recognised)."""

    grade: Grade
    how: str

    @property
    def level(self) -> int:
        return self.grade.level


class _Tables:
    def __init__(self) -> None:
        self.grades: list[Grade] = []
        self.full: dict[str, list[Grade]] = {}  # spelled forms and abbreviations
        self.short: dict[tuple[str, str], Grade] = {}  # (corps, short form) -> grade
        self.abbreviations: set[str] = set()
        with open(GRADES_CSV, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                abbrs = [a for a in row["abbreviations"].split("|") if a.strip()]
                g = Grade(row["corps"].strip(), int(row["rank"]), int(row["level"]), row["grade"].strip(), abbrs[0] if abbrs else "")
                self.grades.append(g)
                self.abbreviations.update(_key(a) for a in abbrs)
                for form in [row["grade"], *row["forms"].split("|"), *abbrs]:
                    k = _key(form)
                    if k:
                        lst = self.full.setdefault(k, [])
                        if g not in lst:
                            lst.append(g)
                for form in row["short_forms"].split("|"):
                    k = _key(form)
                    if k and g.corps:
                        self.short.setdefault((g.corps, k), g)
        self.corps_exact: dict[str, str] = {}
        self.corps_names: list[tuple[frozenset[str], int, str]] = []
        self.corps_labels: dict[str, str] = {}
        with open(CORPS_CSV, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                key = row["corps"].strip()
                self.corps_labels[key] = row["label"].strip()
                for form in [key, row["label"], *row["abbreviations"].split("|")]:
                    if _key(form):
                        self.corps_exact.setdefault(_key(form), key)
                for form in [row["label"], *row["forms"].split("|")]:
                    ws = words(form)
                    if ws:
                        self.corps_exact.setdefault(" ".join(ws), key)
                        self.corps_names.append((frozenset(ws), len(ws), key))
        # longest forms first: "industrie mines" (IIM) before "mines"
        self.corps_names.sort(key=lambda t: -t[1])


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables()


def grade_table() -> list[Grade]:
    """Every grade of the table, in file order."""
    return list(_tables().grades)


def known_corps() -> dict[str, str]:
    """corps key -> French label."""
    return dict(_tables().corps_labels)


def corps_label(key: str) -> str:
    return _tables().corps_labels.get(key, key)


@lru_cache(maxsize=4096)
def _corps_lookup(text: str) -> str | None:
    t = _tables()
    k = _key(text)
    if not k:
        return None
    if k in t.corps_exact:
        return t.corps_exact[k]
    ws = set(k.split())
    for form, _n, key in t.corps_names:
        if form <= ws:
            return key
    for inner in _PARENS.findall(text):
        found = _corps_lookup(inner)
        if found:
            return found
    return None


def corps_key(text: object, *, fallback: bool = True) -> str:
    """Canonical key of a corps ("Corps des mines", "Ingénieurs des mines", "Télécom" →
    ``mines``; "Ingénieurs de l'industrie et des mines" → ``iim``). Unknown corps: the sorted
    comparison words of the text (``fallback=True``) or ``""``."""
    text = str(text or "").strip()
    if not text:
        return ""
    found = _corps_lookup(text)
    if found:
        return found
    return " ".join(sorted(set(words(text)))) if fallback else ""


def _pick(cands: list[Grade], corps: str) -> Grade:
    for g in cands:
        if g.corps == corps:
            return g
    for g in cands:
        if g.corps == "":
            return g
    return cands[0]


@lru_cache(maxsize=8192)
def _read(text: str, corps: str) -> GradeReading | None:
    t = _tables()
    k = _key(text)
    if not k:
        return None
    if corps and (corps, k) in t.short:
        return GradeReading(t.short[(corps, k)], "corps")
    if k in t.full:
        return GradeReading(_pick(t.full[k], corps), "exact")
    # "Ingénieur en chef des mines (ICM)": the text without, then within, parentheses
    inner = _PARENS.findall(text)
    if inner:
        outside = _PARENS.sub(" ", text)
        for part in [outside, *inner]:
            r = _read(part, corps)
            if r is not None and r.how != "beginning":
                return GradeReading(r.grade, "abbreviation" if part in inner else r.how)
    # the grade then a comment: "ICA, chef de bureau", "ingénieur en chef depuis 2019"
    ws = k.split()
    for n in range(len(ws) - 1, 0, -1):
        head = " ".join(ws[:n])
        if n < 2 and head not in t.abbreviations:
            continue  # "Ingénieur d'études" is not "ingénieur": two words or an abbreviation
        if corps and (corps, head) in t.short:
            return GradeReading(t.short[(corps, head)], "beginning")
        if head in t.full:
            return GradeReading(_pick(t.full[head], corps), "beginning")
    return None


def read_grade(text: object, corps: object = "") -> GradeReading | None:
    """The grade a text designates (with the corps of the same row, if any), or ``None``."""
    text = str(text or "").strip()
    if not text:
        return None
    ck = corps_key(corps, fallback=False) if corps else ""
    return _read(text, ck)


def grade_level(text: object, corps: object = "", unknown: int = -1) -> int:
    """Cross-corps level (1–8) of a grade; ``unknown`` when empty or not recognised."""
    r = read_grade(text, corps)
    return unknown if r is None else r.grade.level


def describe_grade(text: object, corps: object = "") -> str:
    """« ICA » (ingénieur en chef de l'armement, niveau 6), or « xyz » (grade inconnu)."""
    text = str(text or "").strip()
    if not text:
        return "non renseigné"
    r = read_grade(text, corps)
    if r is None:
        return f"« {text} » (grade inconnu)"
    return f"« {text} » ({r.grade.label}, niveau {r.grade.level})"


def grade_rule_statement(profile_grade: object, profile_corps: object, position_grade: object, base: str = "") -> str:
    """The grade rule's sentence for one pair: the grade read on both sides with its level."""
    head = base or "le grade de l'ingénieur est inférieur au grade minimal du poste"
    have = describe_grade(profile_grade, profile_corps)
    need = describe_grade(position_grade)
    extra = ""
    if str(position_grade or "").strip() and read_grade(position_grade) is None:
        extra = " ; grade minimal inconnu : la règle ne s'applique pas à ce poste"
    elif str(position_grade or "").strip() and read_grade(profile_grade, profile_corps) is None:
        extra = " ; grade de l'ingénieur inconnu ou absent : il ne peut pas être comparé au grade minimal"
    return f"{head} — grade lu pour l'ingénieur : {have} ; grade minimal du poste : {need}{extra}"
