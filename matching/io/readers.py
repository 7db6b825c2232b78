"""Reading what advisors really have: CSV, ``.xlsx``, JSON and JSON Lines → canonical frames.

``read_profiles(path)`` / ``read_positions(path)`` return a :class:`ReadResult`: the
canonical frame (ARCHITECTURE.md), the quarantined rows (``rejects``: one line per
problem, ``file, row, column, value, reason``), the ``warnings`` table (``file, row,
column, value, message``: what was guessed or left out in the rows kept, and the
file-level warnings with an empty ``row``), ``separators``, ``header_suggestions``,
``understood`` and ``info`` (format, encoding, delimiter, counts, file-level warnings).
The invariant ``rows_read == accepted + rejected`` always holds.
Problems that make the whole file unusable raise :class:`InputError`, listing every
problem found at once; no traceback from pandas, openpyxl or json ever reaches the user.

Rules (the data contract of PRODUCT.md, plus these documented decisions):

* **Formats** by extension (``.csv .txt .tsv`` / ``.xlsx .xlsm`` / ``.json`` /
  ``.jsonl .ndjson``), corrected by content (a zip is read as ``.xlsx``, an old OLE ``.xls``
  or password-protected workbook is refused with a clear message).
* **Encodings** (CSV/JSON), decided per file with evidence (``info["encoding"]`` and
  ``info["encoding_evidence"]``): UTF-8 with BOM, UTF-16 with BOM (Excel "texte
  Unicode"), UTF-8; a file valid UTF-8 except a few lines (at least twice as many
  non-ASCII lines valid as invalid) is read as UTF-8, the invalid bytes shown as « � »
  and reported by row and column (also in a BOM file); else cp1252, then latin-1.
  NUL bytes are removed and reported by row and column, wherever they are (a file is
  refused as binary only when its beginning does not read as text). CR-only line
  endings (old Mac) are read as line ends (with a file warning).
* **Delimiters** among ``;`` ``,`` tab ``|``: ``csv.Sniffer`` checked against the
  file (the header and the rows must have the same number of cells), else the candidate
  that gives the most consistent table.
* **Header row**: the first of the first 10 non-empty rows naming at least two known
  columns (title lines above a table are skipped, with a warning); a data row repeating
  the header line (files pasted one after the other) is rejected as such; rows are numbered as
  the spreadsheet shows them (header = 1 in a plain file, first data row = 2). JSON:
  the record number (1-based); JSON Lines: the line number.
* **Blank rows** (every cell empty) are not records: skipped, counted in
  ``info["blank_rows"]``, not in ``rows_read``.
* **Cells**: Unicode NFC; zero-width characters, soft hyphens and control characters
  removed; non-breaking spaces become spaces; spaces collapsed and stripped (new lines
  kept in ``summary``, ``description``, ``profile_sought``). A leading ``'`` guard before
  ``= + - @`` (written by our own outputs or by Excel users) is removed.
* **Rows are rejected only when they cannot be matched at all**: broken record (shifted
  CSV cells, invalid JSON), empty or repeated identifier, empty required value (a
  position's ministry or title), no text at all (profile). A cell that cannot be read in
  an optional field keeps its row: the field is left empty (or takes its default:
  ``open_to_mobility`` yes, ``clearance`` none, ``openings`` 1) and the cell goes to the
  warnings table, saying what was done. Cells too long (``max_cell_chars``) and Excel
  errors are likewise emptied with a warning.
* **xlsx**: the first *visible* sheet (hidden sheets skipped, with a warning); a hidden
  or very hidden sheet only when named (with a warning). Read streaming (openpyxl
  ``read_only``), keeping only the cells holding a value; the extent (A1 to the last
  cell holding a value, merged ranges filled from a value included) is checked against
  ``input.max_sheet_cells`` before any grid is built: past it, the file is refused
  (trailing formatted-but-empty rows and columns cost nothing). Values as Excel stores
  them (cached results of formulas; numbers, dates); merged cells (header or data) take
  the value of their top-left cell.
* **A field written in several columns** (two consent columns, a JSON record naming a
  field twice, « nom » and « nom complet »): compared in each record, whatever the
  column or key order; non-empty values that disagree reject the row, naming every
  column. ``consent_share_identity`` is yes only when every source says yes (an empty
  cell of a table's column or an unreadable one makes it no, with a warning; a key a
  JSON record does not have is not a source). List columns are merged.
* **Lists** split on ``;``, ``|``, new lines and bullets (``•`` ``◦`` ``▪`` ``·`` anywhere,
  ``-`` ``*`` ``–`` at the start of a line), and on **commas** when the column reads as a
  comma-separated list: decided once per file and column (no ``;`` or ``|`` anywhere in
  the column, and the comma pieces look like items: mostly at most 6 words / 60
  characters, rarely starting like a sentence's continuation, "un", "des", "d'"…). Never
  inside parentheses or a decimal number. The separators used per column are in
  ``separators`` (and said by ``validate``); a column read on commas is a file-level
  warning, and a cell whose commas look like separators in a column that uses ``;`` is a
  cell warning (read as one item). Items stripped, empty and repeated items dropped.
* **Skills** ``name:level``: the text after the *last* colon is a level if it is a
  digit or a level word (``Python:3``, ``Python : maîtrise``); a short number out of
  1–4, signed or not (``Python:5``, ``Python:-1``, ``SQL:2.5``) drops the level (the
  skill is kept, with a warning: never read as another level);
  any other text after a colon is part of the name (``https://...``, ``ISO:27001``,
  ``Sécurité: ANSSI``). Repeated skills are merged, keeping the highest level.
* **Dates**: ISO ``yyyy-mm-dd`` (optionally with a time), ``dd/mm/yyyy`` (also ``-`` or
  ``.``, optionally with a time, as in PEP exports), Excel dates; years 1900–2100.
  « Immédiate », « immédiatement », « dès que possible », « ASAP », « de suite »… = the
  batch's reference date (``reference_date``, default today); « septembre 2025 »,
  ``09/2025`` = the first day of that month; both with a warning. Two-digit years are
  never guessed (field left empty, warning).
* **Numbers**: decimal comma accepted, a unit word tolerated (``5 ans``, ``2 jours``);
  with a warning, ``15+`` = 15, ``environ 10 ans`` = 10, ``plus de 20 ans`` = 20,
  ``10-15 ans`` = 10 (the lower bound).
* **Clearance** written as a sentence: the level it names (see :mod:`matching.schema`).
* **Reference tables**: corps, grades (:mod:`matching.grades`) and ministries
  (:mod:`matching.ministries`) that the tables do not know are warnings (the value is
  kept as written); ``understood`` lists what the tables made of the others.
* **Identifiers**: an empty identifier rejects the row; for a repeated identifier the
  first row is kept and each later one is rejected, naming the row it repeats (whether
  or not that first row is itself accepted). Identifiers are compared after cleaning
  (Unicode NFC, so NFC and NFD spellings are one identifier) and case-insensitively
  (``p7`` repeats ``P7``; the message says « à la casse près »).
* **Positions from Place de l'emploi public**: ``reference`` then ``offer_id`` give the
  ``position_id`` when it is empty; ``organisme`` gives the ``employer`` when
  ``direction`` is empty; ``departement`` and ``region`` give the ``location``
  ("Paris (75), Ile-de-France") when it is empty; ``niveau_experience`` gives
  ``experience_years`` (see :mod:`matching.schema`). These source columns and the other
  known PEP fields are kept in ``extra`` without warnings.
* **Unknown columns** are kept in ``extra`` (by their header) and reported as warnings,
  with the closest known column (rapidfuzz on the header keys) in
  ``header_suggestions``. A "Prénom" column joins "Nom": ``full_name`` = "Prénom Nom".
* **Personal data**: every value a message, a reject or a warning shows goes through
  :func:`matching.schema.mask_value`: the values of ``full_name``, ``email``, ``gender``
  and ``birth_year`` are ``"(masqué)"``, e-mail addresses and phone numbers inside any
  other value too, and values are cut to 60 characters. A header that looks like
  personal data (e-mail, phone, over 60 characters) is named by its position
  (« colonne C »); a header row naming no known column (the data's first row) is never
  listed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import json
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matching.errors import InputFileError
from matching.textnorm import fold
from matching.io.writers import unneutralize_cell
from matching.schema import (
    CLEARANCE_LEVELS,
    MASK,
    mask_header,
    mask_value,
    PEP_KEPT_FIELDS,
    read_clearance_sentence,
    PERSONAL_COLUMNS,
    ColumnSpec,
    header_key,
    parse_bool,
    parse_clearance,
    parse_experience_level,
    parse_level,
    specs_for,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matching.config import InputConfig

__all__ = [
    "Problem",
    "InputError",
    "ReadResult",
    "read_profiles",
    "read_positions",
    "read_table",
    "REJECT_COLUMNS",
    "WARNING_COLUMNS",
    "MASK",
]

REJECT_COLUMNS = ("file", "row", "column", "value", "reason")
_HEADER_SCAN = 10


# --- problems -------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One problem, located as the user sees it. ``row``/``column`` are None for the file."""

    file: str
    row: int | None
    column: str | None
    value: str
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        text = f"{', '.join(where)} : {self.reason}"
        if self.value:
            text += f" (valeur : « {self.value} »)"
        return text


class InputError(InputFileError, ValueError):
    """A file (or a strict batch) cannot be used; every problem found, at once.

    ``problems`` lists :class:`Problem`; ``result`` is the partial :class:`ReadResult` when
    the error comes from ``strict`` mode (rows were read but some were rejected).
    """

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return 5 if self.result is not None else 4

    def __init__(self, problems: list[Problem], result: "ReadResult | None" = None):
        self.problems = list(problems)
        self.result = result
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problème(s) dans les données d'entrée :\n{lines}")


WARNING_COLUMNS = ("file", "row", "column", "value", "message")


@dataclass
class ReadResult:
    """What a reader returns. ``info["rows_read"] == info["accepted"] + info["rejected"]``.

    ``warnings`` is a table (``file, row, column, value, message``, French) of what the
    reader had to guess or leave out while keeping the row: one line per cell (row and
    column as the spreadsheet shows them, personal values masked) and one line per
    file-level warning (``row`` empty). ``separators``: per list column, the separators
    used; ``header_suggestions``: per unknown header, the closest known column (or None);
    ``understood``: what the reference tables made of ministries, corps and grades.
    """

    frame: "pd.DataFrame"
    rejects: "pd.DataFrame"
    info: dict[str, Any] = field(default_factory=dict)
    warnings_table: "pd.DataFrame | None" = None

    @property
    def rows_read(self) -> int:
        return int(self.info["rows_read"])

    @property
    def accepted(self) -> int:
        return int(self.info["accepted"])

    @property
    def rejected(self) -> int:
        return int(self.info["rejected"])

    @property
    def warnings(self) -> "pd.DataFrame":
        """Every warning as a table: ``file, row, column, value, message``."""
        if self.warnings_table is None:
            import pandas as pd

            lines = self.warning_lines()
            return pd.DataFrame(
                {"file": pd.Series([self.info.get("file", "")] * len(lines), dtype="str"),
                 "row": pd.Series([None] * len(lines), dtype="Int64"), "column": pd.Series([""] * len(lines), dtype="str"),
                 "value": pd.Series([""] * len(lines), dtype="str"), "message": pd.Series(lines, dtype="str")}
            )
        return self.warnings_table

    def warning_lines(self) -> list[str]:
        """The file-level warnings as sentences (title lines skipped, unknown columns...)."""
        return list(self.info.get("warnings", []))

    @property
    def separators(self) -> dict[str, str]:
        """List column (header as written) -> the separators used, in French."""
        return dict(self.info.get("list_separators", {}))

    @property
    def header_suggestions(self) -> dict[str, str | None]:
        """Unknown header -> the closest canonical column (``None``: no close one)."""
        return dict(self.info.get("header_suggestions", {}))

    @property
    def understood(self) -> dict[str, dict[str, str]]:
        return dict(self.info.get("understood", {}))

    def problems(self) -> list[Problem]:
        """The rejects as :class:`Problem` objects."""
        return [
            Problem(r.file, None if r.row is None or r.row != r.row else int(r.row), r.column or None, r.value, r.reason)
            for r in self.rejects.itertuples(index=False)
        ]


# --- cell cleaning --------------------------------------------------------------------
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u2002\u2003\u3000"), " ")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HSPACE = re.compile(r"[ \t\f\v]+")
_ANY_SPACE = re.compile(r"\s+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


#: any character that the two translation tables above change (a fast test before them)
_SPECIAL = re.compile("[" + "".join(map(chr, {**_ZERO_WIDTH, **_SPACES})) + "]")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """NFC, no zero-width/control characters, spaces collapsed, stripped."""
    s = text
    if not s.isascii():  # every character changed below but the controls is outside ASCII
        s = unicodedata.normalize("NFC", s)
        if _SPECIAL.search(s):
            s = s.translate(_ZERO_WIDTH).translate(_SPACES)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    s = _CONTROL.sub("", s)
    if multiline:
        s = "\n".join(_HSPACE.sub(" ", line).strip() for line in s.split("\n"))
        s = _MANY_NEWLINES.sub("\n\n", s).strip()
    else:
        s = _ANY_SPACE.sub(" ", s).strip()
    return unneutralize_cell(s)


class _XlError(str):
    """An Excel error value (``#N/A``...)."""


def _raw_text(value: Any) -> str:
    """Any cell value (CSV text, xlsx or JSON value) as text, before cleaning."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                parts.append(f"{_raw_text(item[0])}:{_raw_text(item[1])}" if item[1] not in (None, "") else _raw_text(item[0]))
            elif isinstance(item, dict) and "name" in item:
                lvl = item.get("level")
                parts.append(f"{_raw_text(item['name'])}:{_raw_text(lvl)}" if lvl not in (None, "") else _raw_text(item["name"]))
            else:
                parts.append(_raw_text(item))
        return "; ".join(parts)
    return str(value)


def _shown(value: str, canonical: str | None) -> str:
    return mask_value(value, canonical)


# --- raw tables -----------------------------------------------------------------------
@dataclass
class _Raw:
    """A file as rows of cells, before the contract is applied."""

    fmt: str
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    encoding: str | None = None
    #: why this encoding (a French sentence, in ``info["encoding_evidence"]``)
    encoding_evidence: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    warnings: list[str] = field(default_factory=list)
    #: row -> [(column header or None, value, reason)] problems found while loading
    row_problems: dict[int, list[tuple[str | None, str, str]]] = field(default_factory=dict)
    blank_rows: int = 0


def _fail(name: str, reason: str) -> InputError:
    return InputError([Problem(name, None, None, "", reason)])


#: U+FFFD: where the bytes of a line could not be decoded (shown as is, reported by row)
REPLACEMENT = "\ufffd"


def _decode(data: bytes, name: str) -> tuple[str, str, str]:
    """The file as text, the encoding used and the evidence for it (a French sentence).

    UTF-8 / UTF-16 with BOM are taken at their word; invalid bytes in them become « � »
    (reported by row and column later). Without BOM: UTF-8 when the file decodes as UTF-8,
    or when its lines that are not plain ASCII are mostly valid UTF-8 (then the few others
    keep their invalid bytes as « � », reported by row); else cp1252, else latin-1.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
        return text, "utf-8-sig", "marque d'ordre des octets (BOM) UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", "marque d'ordre des octets (BOM) UTF-16"
        except UnicodeDecodeError:
            raise _fail(name, "fichier UTF-16 illisible (octets invalides)") from None
    try:
        return data.decode("utf-8"), "utf-8", "tout le fichier est de l'UTF-8 valide"
    except UnicodeDecodeError:
        pass
    good = bad = 0
    for line in data.splitlines():
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    if good and good >= 2 * bad:
        text = data.decode("utf-8", errors="replace")
        return text, "utf-8", (f"{good} ligne(s) non ASCII en UTF-8 valide contre {bad} ligne(s) aux octets invalides "
                               "(lus comme « � »)")
    try:
        return data.decode("cp1252"), "cp1252", (f"pas de l'UTF-8 ({bad} ligne(s) non ASCII invalides en UTF-8, {good} valide(s)) ; "
                                                 "tous les octets valides en cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", "ni UTF-8 ni cp1252 (octets hors de cp1252) : lu en latin-1"


def _check_text_like(text: str, name: str) -> None:
    sample = text[:8192]
    if not sample:
        return
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\r\n") or 0x7F <= ord(c) <= 0x9F or c == "\ufffd")
    if bad > max(3, len(sample) // 50):
        raise _fail(name, "fichier binaire ou illisible : ce n'est pas un fichier texte (CSV, JSON) ni un classeur .xlsx")


def _sniff_format(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    ext = path.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    if ext in (".xls",):
        return "ole"
    if ext == ".json":
        return "json"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext in (".csv", ".txt", ".tsv"):
        return "csv"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl" if b"\n{" in head else "json"
    return "csv"


def _consistency(text: str, delimiter: str) -> tuple[float, int]:
    """(share of the first rows that have the header's number of cells, that number)."""
    try:
        records = [r for _, r in zip(range(60), csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)) if any(c.strip() for c in r)]
    except csv.Error:
        return 0.0, 0
    if not records:
        return 0.0, 0
    counts: dict[int, int] = {}
    for r in records:
        counts[len(r)] = counts.get(len(r), 0) + 1
    width = max(counts, key=lambda w: (counts[w], w))  # the usual row width (title lines aside)
    if width < 2:
        return 0.0, width
    return counts[width] / len(records), width


def _sniff_delimiter(text: str) -> str | None:
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    candidates = (";", ",", "\t", "|")
    try:
        guess = csv.Sniffer().sniff(sample, delimiters="".join(candidates)).delimiter
    except csv.Error:
        guess = None
    scores = {d: _consistency(sample, d) for d in candidates}
    if guess in scores and scores[guess][0] >= 0.9 and scores[guess][1] >= 2:
        return guess
    best = max(candidates, key=lambda d: (scores[d][0] if scores[d][1] >= 2 else -1, scores[d][1]))
    return best if scores[best][1] >= 2 else None


def _is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _load_csv(data: bytes, name: str) -> _Raw:
    text, encoding, evidence = _decode(data, name)
    if not text.strip():
        raise _fail(name, "fichier vide : aucune ligne d'en-tête ni de données")
    _check_text_like(text, name)
    cr_only = "\r" in text and "\n" not in text
    if cr_only:  # old Mac line endings: each CR ends a line (quoted ones included)
        text = text.replace("\r", "\n")
    delimiter = _sniff_delimiter(text)
    raw = _Raw("csv", encoding=encoding, delimiter=delimiter, encoding_evidence=evidence)
    if cr_only:
        raw.warnings.append("fins de ligne « CR » seules (ancien format Mac) : lues comme des retours à la ligne")
    _raise_csv_limit()
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or "\x1f", strict=False)
        records = list(reader)
    except csv.Error as exc:  # pragma: no cover - csv.reader is lenient with strict=False
        raise _fail(name, f"CSV illisible ({exc})") from None
    raw.rows = [(i, list(r)) for i, r in enumerate(records, start=1)]
    return raw


def _raise_csv_limit() -> None:
    """Let huge cells through the csv module: they are rejected per row, with a reason."""
    limit = min(sys.maxsize, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


_SHEET_STATES = {"hidden": "masquée", "veryHidden": "très masquée (visible seulement par macro)"}


def _load_xlsx(path: Path, name: str, sheet: str | None, max_cells: int) -> _Raw:
    """The chosen sheet, streamed (openpyxl ``read_only``): only the cells holding a value
    are kept, and the sheet's extent (last row and column holding a value, merged ranges
    included) is checked against ``max_cells`` before any grid is built, so that a stray
    cell in XFD1048576 or one huge merged range is refused in a second, not expanded.

    Default sheet: the first *visible* one (hidden sheets skipped, with a warning); a
    hidden sheet is read only when named, with a warning saying it was hidden."""
    import warnings
    import zipfile

    try:
        from openpyxl import load_workbook

        fh = open(path, "rb")
    except OSError as exc:
        raise _fail(name, f"fichier illisible ({exc.strerror or type(exc).__name__})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles/validation it drops
            # a file object: openpyxl then reads a workbook whatever its extension
            wb = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, AttributeError, IndexError, EOFError) as exc:
        fh.close()
        raise _fail(name, f"classeur Excel illisible (fichier abîmé, incomplet ou qui n'est pas un .xlsx : {type(exc).__name__})") from None
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        fh.close()
        raise _fail(name, f"classeur Excel illisible ({type(exc).__name__})") from None
    try:
        sheets = list(wb.worksheets)
        names = [ws.title for ws in sheets]
        if not sheets:
            raise _fail(name, "le classeur ne contient aucune feuille de données")
        notes: list[str] = []
        if sheet:
            matches = [ws for ws in sheets if ws.title == sheet] or [ws for ws in sheets if header_key(ws.title) == header_key(sheet)]
            if not matches:
                raise _fail(name, f"la feuille « {sheet} » n'existe pas ; feuilles du classeur : {', '.join(names)}")
            ws = matches[0]
            if ws.sheet_state in _SHEET_STATES:
                notes.append(f"la feuille « {ws.title} » est {_SHEET_STATES[ws.sheet_state]} dans le classeur : lue parce qu'elle est nommée")
        else:
            visible = [w for w in sheets if w.sheet_state not in _SHEET_STATES]
            if not visible:
                raise _fail(name, f"aucune feuille visible dans le classeur (feuilles masquées : {', '.join(names)}) : "
                                  "nommez celle à lire (option de feuille, ou input.sheet)")
            ws = visible[0]
            skipped = [w.title for w in sheets[: sheets.index(ws)]]
            if skipped:
                notes.append(f"feuille(s) masquée(s) ignorée(s) : « {' », « '.join(skipped)} » ; lue : « {ws.title} », la première feuille visible "
                             "(nommez une feuille masquée pour la lire)")
        raw = _Raw("xlsx", sheet=ws.title)
        raw.warnings.extend(notes)
        grid, merged = _sheet_cells(ws, name, max_cells)
        for rng in merged:
            top = grid.get(rng.min_row, {}).get(rng.min_col)
            if top is None:
                continue
            for r in range(rng.min_row, rng.max_row + 1):
                row = grid.setdefault(r, {})
                for c in range(rng.min_col, rng.max_col + 1):
                    row[c] = top
        if not grid:
            raise _fail(name, f"fichier vide : la feuille « {ws.title} » ne contient aucune cellule")
        width = max(max(cols) for cols in grid.values())
        last = max(grid)
        raw.rows = [
            (r, [grid.get(r, {}).get(c) for c in range(1, width + 1)]) for r in range(1, last + 1)
        ]
        return raw
    finally:
        wb.close()
        fh.close()


def _sheet_cells(ws: Any, name: str, max_cells: int) -> tuple[dict[int, dict[int, Any]], list[Any]]:
    """The cells of a read-only sheet holding a value (row -> column -> value) and its
    merged ranges whose top-left cell holds one; refused past ``max_cells`` (see
    :func:`_load_xlsx`). One streaming pass of openpyxl's own sheet parser: its read-only
    rows would pad every row up to its last cell, and it has no merged ranges."""
    import zipfile

    from openpyxl.utils.cell import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.worksheet.cell_range import CellRange

    wb = ws.parent

    def refuse(rows: int, cols: int, what: str) -> InputError:
        return _fail(name, f"feuille « {ws.title} » trop grande pour être lue : {what} ({rows} ligne(s) × {cols} colonne(s) "
                           f"= {rows * cols} cellules, limite {max_cells}, clé input.max_sheet_cells) ; la dernière cellule est "
                           f"{get_column_letter(min(cols, 18278))}{rows} : supprimez les lignes et colonnes parasites "
                           "(ou les cellules fusionnées trop grandes), ou enregistrez la feuille en CSV")

    grid: dict[int, dict[int, Any]] = {}
    count = 0
    last_row = last_col = 0
    try:
        with ws._get_source() as src:
            parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                     date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            for r, cells in parser.parse():
                for cell in cells:
                    v = cell["value"]
                    if v is None or v == "":
                        continue
                    if cell["data_type"] == "e":
                        v = _XlError(str(v))
                    c = cell["column"]
                    grid.setdefault(r, {})[c] = v
                    count += 1
                    last_row, last_col = max(last_row, r), max(last_col, c)
                    if count > max_cells:
                        raise refuse(last_row, last_col, f"plus de {max_cells} cellules remplies")
            merged = [CellRange(m.ref) for m in (parser.merged_cells.mergeCell if parser.merged_cells else [])]
    except InputError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, IndexError, EOFError, OSError) as exc:
        raise _fail(name, f"classeur Excel illisible (feuille « {ws.title} » abîmée : {type(exc).__name__})") from None
    except Exception as exc:  # the XML parser raises its own errors on damaged sheets
        raise _fail(name, f"classeur Excel illisible (feuille « {ws.title} » : {type(exc).__name__})") from None
    merged = [m for m in merged if grid.get(m.min_row, {}).get(m.min_col) is not None]
    for m in merged:  # the extent once the merged ranges are filled in, before filling them
        last_row, last_col = max(last_row, m.max_row), max(last_col, m.max_col)
    if last_row * last_col > max_cells:
        big = max(merged, key=lambda m: m.size["rows"] * m.size["columns"], default=None)
        what = "étendue de la feuille (de A1 à sa dernière cellule remplie)"
        if big is not None and big.size["rows"] * big.size["columns"] > max_cells // 2:
            what = f"cellules fusionnées {big.coord} ({big.size['rows'] * big.size['columns']} cellules)"
        raise refuse(last_row, last_col, what)
    return grid, merged


def _json_records(value: Any, name: str, kind: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        keys = {
            "profiles": ("profiles", "profils"),
            "positions": ("positions", "postes", "offres", "offers"),
        }[kind] + ("records", "data", "items", "rows")
        for k in keys:
            if isinstance(value.get(k), list):
                return value[k]
        lists = [k for k, v in value.items() if isinstance(v, list)]
        hint = f" ; listes trouvées : {', '.join(lists)}" if lists else ""
        raise _fail(name, f"JSON : un tableau d'objets ou un objet {{\"{kind}\": [...]}} est attendu{hint}")
    raise _fail(name, "JSON : un tableau d'objets est attendu")


def _rows_from_records(raw: _Raw, records: list[tuple[int, Any]]) -> None:
    headers: dict[str, None] = {}
    dicts: list[tuple[int, dict[str, Any] | None]] = []
    for n, rec in records:
        if not isinstance(rec, dict):
            raw.row_problems.setdefault(n, []).append((None, mask_value(_raw_text(rec)), "l'enregistrement n'est pas un objet JSON {…}"))
            dicts.append((n, None))
            continue
        for k in rec:
            headers.setdefault(str(k), None)
        dicts.append((n, rec))
    raw.headers = list(headers)
    for n, rec in dicts:
        if rec is None:
            raw.rows.append((n, [None] * len(raw.headers)))
            continue
        cells = []
        for h in raw.headers:
            v = rec.get(h)
            if isinstance(v, dict):
                raw.row_problems.setdefault(n, []).append((h, "{…}", "valeur imbriquée (objet JSON) non prise en charge dans une cellule"))
                v = None
            cells.append(v)
        if _is_blank([_raw_text(c) for c in cells]) and n not in raw.row_problems:
            raw.row_problems.setdefault(n, []).append((None, "", "enregistrement vide"))
        raw.rows.append((n, cells))


def _load_json(data: bytes, name: str, kind: str) -> _Raw:
    text, encoding, evidence = _decode(data, name)
    if not text.strip():
        raise _fail(name, "fichier vide : aucun enregistrement")
    _check_text_like(text, name)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(name, f"JSON invalide, ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}") from None
    except RecursionError:
        raise _fail(name, "JSON invalide : imbrication trop profonde") from None
    raw = _Raw("json", encoding=encoding, encoding_evidence=evidence)
    _rows_from_records(raw, list(enumerate(_json_records(value, name, kind), start=1)))
    return raw


def _load_jsonl(data: bytes, name: str) -> _Raw:
    text, encoding, evidence = _decode(data, name)
    if not text.strip():
        raise _fail(name, "fichier vide : aucun enregistrement")
    _check_text_like(text, name)
    raw = _Raw("jsonl", encoding=encoding, encoding_evidence=evidence)
    records: list[tuple[int, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            raw.blank_rows += 1
            continue
        try:
            records.append((n, json.loads(line)))
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "imbrication trop profonde"
            raw.row_problems.setdefault(n, []).append((None, "", f"ligne JSON invalide ({msg})"))
            records.append((n, {}))
    _rows_from_records(raw, records)
    return raw


# --- header detection and mapping -----------------------------------------------------
def _column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _known_keys(specs: dict[str, ColumnSpec]) -> dict[str, str]:
    return {k: s.name for s in specs.values() for k in s.keys}


def _find_header(raw: _Raw, specs: dict[str, ColumnSpec], name: str) -> None:
    """For tabular files: pick the header row, set ``raw.headers``, keep the data rows."""
    known = _known_keys(specs)
    nonblank = [(i, r) for i, (n, r) in enumerate(raw.rows) if not _is_blank(r)]
    if not nonblank:
        raise _fail(name, "fichier vide : aucune ligne d'en-tête ni de données")
    chosen = nonblank[0][0]
    for i, cells in nonblank[:_HEADER_SCAN]:
        hits = {known[k] for k in (header_key(_raw_text(c)) for c in cells) if k in known}
        if len(hits) >= 2:
            chosen = i
            break
    header_no, header_cells = raw.rows[chosen]
    skipped = [n for n, r in raw.rows[:chosen] if not _is_blank(r)]
    if skipped:
        raw.warnings.append(
            f"en-tête trouvé ligne {header_no} : ligne(s) {', '.join(map(str, skipped))} au-dessus ignorée(s) (titre ?)"
        )
    raw.header_row = header_no
    raw.headers = [clean_text(_raw_text(c)) for c in header_cells]
    raw.rows = raw.rows[chosen + 1 :]


@dataclass
class _Mapping:
    #: canonical name -> list of column indexes (several only for list kinds)
    columns: dict[str, list[int]]
    #: extra key -> column index (unknown columns and PEP/secondary sources)
    extra: dict[str, int]
    #: column index -> header as the user wrote it
    labels: list[str]
    #: headers of unknown columns (kept in extra, reported as warnings)
    unknown: list[str] = field(default_factory=list)
    #: unknown header -> closest canonical column (or None)
    suggestions: dict[str, str | None] = field(default_factory=dict)


def _map_headers(raw: _Raw, specs: dict[str, ColumnSpec], name: str, kind: str) -> _Mapping:
    known = _known_keys(specs)
    # CSV: cells beyond the header are a quoting error (checked per row); xlsx/JSON: a
    # column without header but with data is a real column, kept in extra
    width = len(raw.headers) if raw.fmt == "csv" else max([len(raw.headers)] + [len(r) for _, r in raw.rows])
    headers = raw.headers + [""] * (width - len(raw.headers))
    labels: list[str] = []
    columns: dict[str, list[int]] = {}
    extra: dict[str, int] = {}
    problems: list[Problem] = []
    unknown: list[str] = []
    for j, h in enumerate(headers):
        # a header that looks like personal data (a data row taken for the header) is
        # named by its position
        label = mask_header(h, f"colonne {_column_letter(j)}") if h else f"colonne {_column_letter(j)}"
        labels.append(label)
        if not h:
            has_data = any(j < len(r) and _raw_text(r[j]).strip() for _, r in raw.rows)
            if has_data:
                extra[label] = j
                unknown.append(label)
            continue
        canon = known.get(header_key(h))
        if canon is None:
            key, n = label, 2
            while key in extra:
                key, n = f"{label} ({n})", n + 1
            extra[key] = j
            if header_key(h) not in PEP_KEPT_FIELDS:
                unknown.append(label)
            continue
        spec = specs[canon]
        if canon in columns:
            first = labels[columns[canon][0]]
            # list columns are merged; other fields named twice (JSON records naming a field
            # differently, two consent columns) are compared row by row: a row where they
            # disagree is rejected (see _sources_agree)
            columns[canon].append(j)
            if raw.fmt not in ("json", "jsonl"):
                if spec.kind in ("skills", "list"):
                    raw.warnings.append(f"colonnes « {first} » et « {label} » réunies dans {canon}")
                else:
                    raw.warnings.append(f"colonnes « {first} » et « {label} » désignent toutes deux {canon} : "
                                        "comparées ligne par ligne (une ligne où elles diffèrent est rejetée)")
            continue
        columns[canon] = [j]
        if spec.target is not None and canon not in PERSONAL_COLUMNS:
            extra[label] = j  # PEP sources are also kept as they were
    if columns:
        written = f"en-têtes du fichier : {', '.join(labels[j] for j, h in enumerate(headers) if h) or 'aucun'}"
    else:  # probably the first data row: its cells are personal values, never listed
        written = "la ligne d'en-tête ne nomme aucune colonne connue : manque-t-elle en haut du fichier ?"
    for spec in specs.values():
        if not spec.required:
            continue
        sources = [spec.name] + [s.name for s in specs.values() if s.target == spec.name]
        if not any(s in columns for s in sources):
            accepted = [spec.name, *spec.aliases] + [s for s in sources[1:]]
            problems.append(
                Problem(
                    name, raw.header_row, spec.name, "",
                    f"colonne obligatoire absente : {spec.name} (en-têtes acceptés : {', '.join(accepted)} ; {written})",
                )
            )
    if kind == "profiles" and not any(c in columns for c in ("skills", "summary", "current_position")):
        problems.append(
            Problem(name, raw.header_row, None, "",
                    "aucune colonne de texte : il faut au moins une des colonnes skills (competences), summary (resume), current_position (poste_actuel)")
        )
    if problems:
        raise InputError(problems)
    suggestions = {u: _suggest_header(u, specs, set(columns)) for u in unknown}
    if unknown:
        shown = [f"{u} (colonne {s} ?)" if s else u for u, s in suggestions.items()]
        raw.warnings.append(f"colonne(s) inconnue(s) conservée(s) dans extra : {', '.join(shown)}")
    return _Mapping(columns, extra, labels, unknown, suggestions)


def _suggest_header(header: str, specs: dict[str, ColumnSpec], taken: set[str]) -> str | None:
    """The canonical column whose name or alias is closest to an unknown header (rapidfuzz),
    preferring the columns the file does not already have; ``None`` when nothing is close."""
    from rapidfuzz import fuzz

    key = header_key(header)
    if len(key) < 3:
        return None
    best: tuple[float, str] | None = None
    for spec in specs.values():
        canon = spec.target or spec.name
        for alias in (spec.name, *spec.aliases):
            k = header_key(alias)
            score = fuzz.ratio(key, k)
            if len(k) >= 5 and (key.startswith(k) or k.startswith(key)):
                score = max(score, 85.0)  # "Compétences techniques" -> competences
            if canon in taken:
                score -= 10
            if best is None or score > best[0]:
                best = (score, canon)
    if best is None or best[0] < 75:
        return None
    return best[1]


# --- cell parsers ---------------------------------------------------------------------
class _Bad(Exception):
    """A cell that breaks the contract; the message is the reason (French)."""


#: a level-like number after a skill's last colon: signed (``Python:-1``), short, maybe decimal
_SHORT_NUMBER = re.compile(r"[+\-\u2212\u2013]?\s*\d{1,2}(?:[.,]\d+)?")
_NUMBER = re.compile(r"([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?:ans?|ann[ée]es?|years?|jours?|j|days?|jours?/semaine|j/sem)?\.?", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_FR_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}[:h]\d{2}(?::\d{2})?)?")
_LIST_SPLIT = re.compile(r"[;|\n\u2022\u25e6\u25aa\u25cf\u2023\u2043\u25a0]|(?<!\w)\u00b7|\u00b7(?!\w)")
_LINE_BULLET = re.compile(r"^[-*\u2013\u2014>]+\s*")
_BULLETS = "\u2022\u25e6\u25aa\u25cf\u2023\u2043\u25a0\u00b7"
#: words that start a sentence's continuation, not a list item ("…, une application")
_CONTINUATION = frozenset(
    "un une des de du d le la les l et ou en a au aux pour avec dont qui que sur dans par ainsi notamment".split()
)


def _top_level_commas(text: str) -> list[str]:
    """Split on commas outside parentheses/brackets, never inside a number (``2,5``)."""
    if "," not in text:
        return [text]
    parts, depth, cur = [], 0, []
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0 and not (0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()):
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def _raw_items(text: str, comma: bool = False) -> list[str]:
    items = []
    for line in _LIST_SPLIT.split(text):
        line = _LINE_BULLET.sub("", line.strip()).strip()
        if not line:
            continue
        items.extend(_top_level_commas(line) if comma else [line])
    return [i.strip() for i in items if i.strip()]


def _split_list(text: str, comma: bool = False) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for item in _raw_items(text, comma):
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def _looks_like_list(pieces: list[str]) -> bool:
    """Comma pieces that read as list items: mostly short, rarely a sentence's continuation."""
    if len(pieces) < 2:
        return False
    short = [p for p in pieces if len(p) <= 60 and len(p.split()) <= 6]
    cont = [p for p in pieces if p.split()[0].casefold().rstrip("'\u2019") in _CONTINUATION or p[:2].casefold() in ("d'", "l'", "d\u2019", "l\u2019")]
    return len(short) >= 0.75 * len(pieces) and len(cont) <= 0.2 * len(pieces)


def _list_mode(texts: list[str]) -> tuple[bool, list[str], str | None, list[int]]:
    """How the cells of one list column separate their items, decided for the whole column.

    Returns ``(split on commas, separators seen (French names), a note or None, indexes of
    the cells read as one item although their commas look like separators)``. Commas
    separate items when no cell of the column uses ``;`` or ``|`` and the comma pieces
    (outside parentheses) look like list items: at least 75 % of at most 6 words and 60
    characters, at most 20 % starting like a sentence's continuation ("un", "des", "d'"...).
    """
    cells = [t for t in texts if t]
    used: list[str] = []
    if any(";" in t for t in cells):
        used.append("point-virgule")
    if any("|" in t for t in cells):
        used.append("barre verticale")
    if any("\n" in t.strip() for t in cells):
        used.append("retour à la ligne")
    if any(c in t for t in cells for c in _BULLETS) or any(_LINE_BULLET.match(line.strip()) for t in cells for line in t.split("\n") if len(t.split("\n")) > 1):
        used.append("puces")
    comma_idx = [i for i, t in enumerate(texts) if t and any(len(_top_level_commas(line)) > 1 for line in _LIST_SPLIT.split(t))]
    note = None
    comma = False
    suspects: list[int] = []
    if comma_idx:
        pieces = [p for i in comma_idx for p in _raw_items(texts[i], comma=True)]
        several = len(comma_idx) >= 2 or len(comma_idx) == len(cells)
        if "point-virgule" in used or "barre verticale" in used:
            # cells written without any ';' while the rest of the column uses it
            suspects = [i for i in comma_idx if not any(c in texts[i] for c in ";|\n") and _looks_like_list(_raw_items(texts[i], comma=True))]
        elif _looks_like_list(pieces):
            comma = True
            used.append("virgule")
            where = f"{len(comma_idx)} cellule(s)" if several else "une seule cellule"
            note = f"éléments séparés par des virgules (aucun point-virgule dans la colonne, virgules dans {where})"
    return comma, used, note, suspects


def split_skill(item: str) -> tuple[str, int | None]:
    """``"Python:3"`` → ``("Python", 3)``; ``"https://x"`` → ``("https://x", None)``.

    Raises ``ValueError`` (French message) for a number out of 1–4 after the last colon.
    """
    idx = item.rfind(":")
    if idx == -1:
        return _trailing_level(item)
    name, tail = item[:idx].strip(), item[idx + 1 :].strip()
    if not name:
        return item, None
    if not tail:
        return name, None
    if _SHORT_NUMBER.fullmatch(tail):
        if tail.isdigit() and 1 <= int(tail) <= 4:
            return name, int(tail)
        raise ValueError(f"niveau « {mask_value(tail)} » invalide pour « {mask_value(name)} » : 1 à 4 attendu "
                         "(1 notions, 2 pratique, 3 maîtrise, 4 expert)")
    level = parse_level(tail)
    if level is not None:
        return name, level
    return _trailing_level(item)


def _trailing_level(item: str) -> tuple[str, int | None]:
    """A level written after the skill (« SQL (expert) », « Python - avancé »): taken off the
    name, read with the one level vocabulary (:func:`matching.textnorm.split_level`)."""
    from matching.textnorm import split_level

    name, level = split_level(item, prefix=False)
    return (name, level) if level is not None and name.strip() else (item, None)


#: a sentence boundary inside a cell: a period, spaces, then a capital letter
_SENTENCE_END = re.compile(r"(?<=[\w)»]{2})\.\s+(?=[A-ZÀ-ÖØ-Ý«])")


def _sentences_as_items(text: str) -> tuple[str, bool]:
    """A skills cell written as sentences (« Maîtrise de la sécurité des SI. Gestion des
    risques (EBIOS RM). ») and no other separator: one item per sentence."""
    if _LIST_SPLIT.search(text) or len(_SENTENCE_END.findall(text)) < 1:
        return text, False
    parts = [p.strip().rstrip(".").strip() for p in _SENTENCE_END.split(text)]
    if len(parts) < 2 or any(not p or len(p.split()) > 12 for p in parts):
        return text, False
    return "; ".join(parts), True


def _parse_skills(text: str, comma: bool = False) -> tuple[list[tuple[str, int | None]], list[str]]:
    """Skills and the notes of what was done (an invalid level is dropped, the skill kept)."""
    out: dict[str, list[Any]] = {}
    notes = []
    text, by_sentence = _sentences_as_items(text)
    if by_sentence:
        notes.append("phrases lues comme autant de compétences (une par phrase)")
    for item in _split_list(text, comma):
        try:
            name, level = split_skill(item)
        except ValueError as exc:
            idx = item.rfind(":")
            name, level = item[:idx].strip(), None
            notes.append(f"{exc} : niveau ignoré, compétence gardée")
        key = name.casefold()
        if key in out:
            old = out[key][1]
            if level is not None and (old is None or level > old):
                out[key][1] = level
        else:
            out[key] = [name, level]
    return [(n, lvl) for n, lvl in out.values()], notes


def _parse_number(value: Any, spec: ColumnSpec, *, integer: bool = False) -> float | int | None:
    if isinstance(value, bool):
        raise _Bad("nombre attendu, pas un booléen")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
    else:
        text = clean_text(_raw_text(value)).replace(" ", "")
        if not text:
            return None
        m = _NUMBER.fullmatch(text)
        if not m:
            x = _lenient_number(value)
            if x is None:
                raise _Bad("nombre attendu" + (" entier" if integer else ""))
            _check_bounds(x, spec, integer)
            raise _Lenient(int(x) if integer else x, f"lu comme {x:g}")
        x = float(m.group(1).replace(",", "."))
    if math.isnan(x) or math.isinf(x):
        raise _Bad("nombre attendu")
    _check_bounds(x, spec, integer)
    return int(x) if integer else x


def _check_bounds(x: float, spec: ColumnSpec, integer: bool) -> None:
    lo, hi = spec.bounds
    if integer and not x.is_integer():
        raise _Bad("nombre entier attendu")
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        raise _Bad(f"nombre hors limites : entre {lo:g} et {hi:g} attendu")


_APPROX_WORDS = frozenset(
    "environ env plus de d au moins pres presque ans an annee annees et years year jours jour j par semaine sem "
    "experience ou mois approximativement".split()
)
_NUM_IN_TEXT = re.compile(r"\d+(?:[.,]\d+)?")


def _lenient_number(value: Any) -> float | None:
    """A number written with words around it: ``15+`` → 15, ``environ 10 ans`` → 10,
    ``plus de 20 ans`` → 20, ``10-15 ans`` / ``10 à 15 ans`` → 10 (the lower bound)."""
    text = fold(clean_text(_raw_text(value)))
    nums = _NUM_IN_TEXT.findall(text)
    if not nums or len(nums) > 2:
        return None
    rest = _NUM_IN_TEXT.sub(" ", text)
    words = [w for w in re.split(r"[^a-z]+", rest) if w]
    if any(w not in _APPROX_WORDS and w != "a" for w in words):
        return None
    if len(nums) == 2 and not re.search(r"\d\s*(?:-|a|à|\u2013)\s*\d", text):
        return None
    return float(nums[0].replace(",", "."))


def _make_date(y: int, m: int, d: int) -> _dt.date:
    if not 1900 <= y <= 2100:
        raise _Bad("date hors limites (années 1900 à 2100)")
    try:
        return _dt.date(y, m, d)
    except ValueError:
        raise _Bad("date impossible (jour ou mois invalide ; format jj/mm/aaaa ou aaaa-mm-jj attendu)") from None


_IMMEDIATE = re.compile(
    r"(?:disponible |disponibilite )?(?:immediate(?:ment)?|immediat|des que possible|des maintenant|des a present|asap|"
    r"de suite|tout de suite|maintenant|sans delai|au plus tot|a tout moment|libre|disponible|aujourd hui|deja disponible)"
)
_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6,
    "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_MONTH_YEAR = re.compile(r"(?:debut |courant |a partir de |des |en )?([a-z]+|\d{1,2}) (\d{4})")


def _parse_date(value: Any, fmt: str, reference_date: _dt.date | None = None) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return _make_date(value.year, value.month, value.day)
    if isinstance(value, _dt.date):
        return _make_date(value.year, value.month, value.day)
    if fmt == "xlsx" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 73051:  # Excel serial numbers 1900-01-01 .. 2099-12-31
            from openpyxl.utils.datetime import from_excel

            d = from_excel(value)
            return _make_date(d.year, d.month, d.day)
        raise _Bad("date attendue (jj/mm/aaaa ou aaaa-mm-jj), pas un nombre")
    text = clean_text(_raw_text(value))
    if not text:
        return None
    m = _ISO_DATE.fullmatch(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _FR_DATE.fullmatch(text)
    if m:
        return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    folded = " ".join(re.split(r"[^0-9a-z]+", fold(text))).strip()
    if _IMMEDIATE.fullmatch(folded):
        ref = reference_date or _dt.date.today()
        raise _Lenient(ref, f"lu comme la date de référence du lot ({ref.isoformat()})")
    m = _MONTH_YEAR.fullmatch(folded)
    if m:
        month = _MONTHS.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else None)
        if month and 1 <= month <= 12:
            d = _make_date(int(m.group(2)), month, 1)
            raise _Lenient(d, f"lu comme le premier jour du mois ({d.isoformat()})")
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", text):
        raise _Bad("année à deux chiffres : jj/mm/aaaa attendu (l'année n'est jamais devinée)")
    raise _Bad("date illisible : jj/mm/aaaa ou aaaa-mm-jj attendu")


class _Lenient(Exception):
    """A value read by a documented rule rather than as written: ``value`` and a note."""

    def __init__(self, value: Any, note: str):
        super().__init__(note)
        self.value = value
        self.note = note


def _parse_cell(spec: ColumnSpec, value: Any, fmt: str, *, comma: bool = False,
                reference_date: _dt.date | None = None, profile: bool = True) -> tuple[Any, list[str]]:
    """The parsed cell and the notes of what was read by a rule (``_Bad`` when unreadable)."""
    try:
        return _parse_cell_strict(spec, value, fmt, comma=comma, reference_date=reference_date, profile=profile)
    except _Lenient as exc:
        return exc.value, [exc.note]


def _parse_cell_strict(spec: ColumnSpec, value: Any, fmt: str, *, comma: bool, reference_date: _dt.date | None,
                       profile: bool) -> tuple[Any, list[str]]:
    kind = spec.kind
    if kind == "date":
        return _parse_date(value, fmt, reference_date), []
    if kind == "float":
        x = _parse_number(value, spec)
        return (math.nan if x is None else x), []
    if kind == "int":
        return _parse_number(value, spec, integer=True), []
    if kind == "openings":
        x = _parse_number(value, spec, integer=True)
        return (spec.default if x is None else x), []
    if kind == "bool":
        if isinstance(value, bool):
            return value, []
        text = clean_text(_raw_text(value))
        if not text:
            return spec.default, []
        b = parse_bool(text)
        if b is None:
            raise _Bad("oui/non attendu (oui, non, vrai, faux, 1, 0, x)")
        return b, []
    text = clean_text(_raw_text(value), multiline=kind in ("longtext", "skills", "list"))
    if kind == "clearance":
        c = parse_clearance(text)
        if c is None:
            found = read_clearance_sentence(text, held=profile)
            if found is not None:
                raise _Lenient(found[0], found[1])
            raise _Bad(f"habilitation inconnue : une de {', '.join(CLEARANCE_LEVELS)} (ou aucune, confidentiel défense, secret défense, très secret) attendue")
        return c, []
    if kind == "experience_level":
        if not text:
            return None, []
        years = parse_experience_level(text)
        if years is None:
            try:
                years = float(_parse_number(text, ColumnSpec("x", "float", bounds=(0, 70))))  # type: ignore[arg-type]
            except _Bad:
                raise _Bad("niveau d'expérience inconnu : Débutant, Intermédiaire, Confirmé, Senior, Expert ou un nombre d'années attendu") from None
        return years, []
    if kind == "skills":
        return _parse_skills(text, comma)
    if kind == "list":
        return _split_list(text, comma), []
    return text, []


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, list)):
        return len(value) == 0
    return False


# --- the reader -----------------------------------------------------------------------
def read_profiles(path: str | Path, *, config: "InputConfig | None" = None, sheet: str | None = None,
                  reference_date: "str | _dt.date | None" = None) -> ReadResult:
    """Read an engineers' profiles file into the canonical profiles frame."""
    return read_table(path, "profiles", config=config, sheet=sheet, reference_date=reference_date)


def read_positions(path: str | Path, *, config: "InputConfig | None" = None, sheet: str | None = None,
                   reference_date: "str | _dt.date | None" = None) -> ReadResult:
    """Read a positions file (also a Place de l'emploi public export) into the canonical frame."""
    return read_table(path, "positions", config=config, sheet=sheet, reference_date=reference_date)


def read_table(path: str | Path, kind: str, *, config: "InputConfig | None" = None, sheet: str | None = None,
               reference_date: "str | _dt.date | None" = None) -> ReadResult:
    """Read ``kind`` (``"profiles"`` or ``"positions"``) from ``path``.

    ``reference_date`` (ISO text or date; default today): the date that « immédiate »,
    « dès que possible »... mean (the batch's ``rules.reference_date``).
    Raises :class:`InputError` for file-level problems, and in ``config.strict`` mode
    when any row is rejected (``exc.result`` then holds the full result).
    """
    if isinstance(reference_date, str):
        reference_date = _dt.date.fromisoformat(reference_date) if reference_date.strip() else None
    if config is None:
        from matching.config import InputConfig

        config = InputConfig()
    specs = specs_for(kind)
    path = Path(path)
    name = path.name
    sheet = sheet or config.sheet or None
    raw = _load(path, name, kind, sheet, config.max_sheet_cells)
    if raw.fmt in ("csv", "xlsx"):
        _find_header(raw, specs, name)
    mapping = _map_headers(raw, specs, name, kind)
    result = _apply_contract(raw, mapping, specs, kind, name, config.max_cell_chars, reference_date)
    if result.info["rows_read"] == 0:
        raise InputError(
            [Problem(name, None, None, "", "aucune ligne de données : le fichier ne contient que l'en-tête (un lot ne peut pas partir d'un fichier vide)")]
        )
    if config.strict and result.rejected:
        raise InputError(result.problems(), result=result)
    return result


def _load(path: Path, name: str, kind: str, sheet: str | None, max_cells: int) -> _Raw:
    try:
        if not path.exists():
            raise _fail(name, "fichier introuvable")
        if path.is_dir():
            raise _fail(name, "c'est un dossier, pas un fichier")
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _fail(name, f"fichier illisible ({exc.strerror or type(exc).__name__})") from None
    fmt = _sniff_format(path, head)
    if fmt == "ole":
        raise _fail(name, "format Excel 97-2003 (.xls) ou classeur protégé par mot de passe : non pris en charge ; enregistrez-le en .xlsx (sans mot de passe) ou en CSV UTF-8")
    if fmt == "xlsx":
        if not head:
            raise _fail(name, "fichier vide")
        return _load_xlsx(path, name, sheet, max_cells)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(name, f"fichier illisible ({exc.strerror or type(exc).__name__})") from None
    if not data.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise _fail(name, "fichier vide : aucune ligne d'en-tête ni de données")
    if fmt == "json":
        return _load_json(data, name, kind)
    if fmt == "jsonl":
        return _load_jsonl(data, name)
    return _load_csv(data, name)


def _apply_contract(raw: _Raw, mapping: _Mapping, specs: dict[str, ColumnSpec], kind: str, name: str, max_chars: int,
                    reference_date: _dt.date | None = None) -> ReadResult:
    import pandas as pd

    id_col = "profile_id" if kind == "profiles" else "position_id"
    labels = mapping.labels
    width = len(labels)
    accepted: list[dict[str, Any]] = []
    rejects: list[tuple[str, int | None, str, str, str]] = []
    warns: list[tuple[str, int | None, str, str, str]] = []
    rejected_rows = 0
    rows_read = 0
    #: identifier (NFC, case-folded) -> (row, identifier as written) of its first row
    first_seen: dict[str, tuple[int, str]] = {}
    canon_of = {j: c for c, js in mapping.columns.items() for j in js}
    primary = [s for s in specs.values() if s.target is None]
    secondary = [s for s in specs.values() if s.target is not None]
    # list columns: one separator decision per file and column
    comma_cols: dict[int, bool] = {}
    suspect_cells: dict[int, list[int]] = {}  # row -> list columns read on commas in that row only
    separators: dict[str, str] = {}
    file_warnings: list[tuple[str | None, str]] = []  # (column label, message)
    for spec in primary:
        if spec.kind not in ("skills", "list"):
            continue
        for j in mapping.columns.get(spec.name, []):
            texts = [clean_text(_raw_text(r[j]), multiline=True) if j < len(r) and not isinstance(r[j], _XlError) else "" for _, r in raw.rows]
            comma, used, note, suspects = _list_mode(texts)
            comma_cols[j] = comma
            for i in suspects:
                suspect_cells.setdefault(raw.rows[i][0], []).append(j)
            separators[labels[j]] = ", ".join(used) if used else "aucun (un élément par cellule)"
            if note:
                file_warnings.append((labels[j], f"colonne « {labels[j]} » : {note}"))
    bad_rows: list[int] = []  # rows with bytes the encoding could not decode
    header_keys = [header_key(h) for h in raw.headers] if raw.fmt in ("csv", "xlsx") else []
    for row_no, cells in raw.rows:
        if _is_blank(cells) and row_no not in raw.row_problems:
            raw.blank_rows += 1
            continue
        rows_read += 1
        if header_keys and _repeats_header(cells, header_keys, canon_of):
            rejected_rows += 1
            rejects.append((name, row_no, "", "", f"ligne d'en-tête répétée dans les données (celle de la ligne {raw.header_row}) : "
                                                  "ce n'est pas un enregistrement (fichiers mis bout à bout ?)"))
            continue
        problems: list[tuple[str, str, str]] = []  # (column label, shown value, reason): reject the row
        cell_notes: list[tuple[str, str, str]] = []  # (column label, shown value, message): keep the row
        for col, value, reason in raw.row_problems.get(row_no, []):
            if col:
                cell_notes.append((col, value, f"{reason} : cellule ignorée"))
            else:
                problems.append(("", value, reason))
        if len(cells) > width and not _is_blank(cells[width:]):
            problems.append(("", "", f"la ligne a {len(cells)} cellules mais l'en-tête n'en a que {width} (séparateur dans une cellule sans guillemets ?)"))
        if problems:
            # the record itself is broken (invalid JSON, shifted CSV cells): its cells
            # mean nothing, so say only that
            rejected_rows += 1
            rejects.extend((name, row_no, col, value, reason) for col, value, reason in problems)
            continue
        cells = list(cells[:width]) + [None] * max(0, width - len(cells))
        # cell size and Excel errors, on every cell
        for j, v in enumerate(cells):
            if not isinstance(v, str):
                pass
            elif not v.isascii() or "\x00" in v:
                if "\x00" in v:
                    cell_notes.append((labels[j], _shown(clean_text(v), canon_of.get(j)),
                                       f"{v.count(chr(0))} caractère(s) nul(s) (octet 0x00) dans la cellule : supprimé(s)"))
                if REPLACEMENT in v and raw.fmt != "xlsx":
                    bad_rows.append(row_no)
                    cell_notes.append((labels[j], _shown(clean_text(v), canon_of.get(j)),
                                       f"octets invalides en {raw.encoding} : remplacés par « {REPLACEMENT} » "
                                       "(corrigez le texte, ou enregistrez le fichier en UTF-8)"))
            if isinstance(v, str) and len(v) > max_chars:
                cell_notes.append((labels[j], _shown(v, canon_of.get(j)), f"cellule trop longue : {len(v)} caractères (limite {max_chars}) : cellule ignorée"))
                cells[j] = ""
            elif isinstance(v, _XlError) and j in canon_of:
                cell_notes.append((labels[j], "" if canon_of[j] in PERSONAL_COLUMNS else str(v), f"erreur Excel « {v} » dans la cellule (formule en erreur) : cellule ignorée"))
                cells[j] = None
        record: dict[str, Any] = {}
        for spec in primary + secondary:
            js = mapping.columns.get(spec.name, [])
            if not js:
                record[spec.name] = _default(spec)
                continue
            if len(js) > 1 and spec.kind not in ("skills", "list"):
                record[spec.name] = _one_value(spec, js, cells, labels, raw.fmt, cell_notes, problems,
                                               reference_date=reference_date, profile=kind == "profiles")
                continue
            parsed: list[Any] = []
            for j in js:
                try:
                    # a cell without any ';' whose commas separate list-like items is read on
                    # its commas even where the rest of the column uses ';' (said in a warning)
                    split_commas = comma_cols.get(j, False) or j in suspect_cells.get(row_no, ())
                    value, notes = _parse_cell(spec, cells[j], raw.fmt, comma=split_commas,
                                               reference_date=reference_date, profile=kind == "profiles")
                    parsed.append(value)
                    for note in notes:
                        cell_notes.append((labels[j], _shown(clean_text(_raw_text(cells[j])), spec.name), note))
                except _Bad as exc:
                    default = _default(spec)
                    done = _what_was_done(spec, default)
                    cell_notes.append((labels[j], _shown(clean_text(_raw_text(cells[j])), spec.name), f"{exc} : {done}"))
                    parsed.append(default)
            if len(parsed) == 1:
                record[spec.name] = parsed[0]
            else:  # several list columns merged
                merged: list[Any] = []
                for p in parsed:
                    merged.extend(x for x in p if x not in merged)
                record[spec.name] = merged
        for j in suspect_cells.get(row_no, []):
            cell_notes.append((labels[j], _shown(clean_text(_raw_text(cells[j])), canon_of.get(j)),
                               "virgules lues comme séparateurs d'éléments (ailleurs dans la colonne, c'est le point-virgule) : "
                               "vérifiez la liste lue, ou séparez les éléments par « ; »"))
        _fill_secondary(record, specs)
        extra = {}
        for key, j in mapping.extra.items():
            text = clean_text(_raw_text(cells[j]), multiline=True)
            if text:
                extra[key] = text
        # required values
        ident = record.get(id_col) or ""
        id_label = _label_for(mapping, labels, specs, id_col)
        if not ident:
            problems.append((id_label, "", "identifiant vide"))
        elif ident.casefold() in first_seen:
            first_row, first_ident = first_seen[ident.casefold()]
            how = "" if first_ident == ident else " (à la casse près)"
            problems.append((id_label, _shown(ident, id_col), f"identifiant en double{how} : déjà utilisé ligne {first_row} (seule la première occurrence est gardée)"))
        else:
            first_seen[ident.casefold()] = (row_no, ident)
        for spec in primary:
            if spec.required and spec.name != id_col and not record.get(spec.name):
                problems.append((_label_for(mapping, labels, specs, spec.name), "", f"valeur obligatoire vide : {spec.name}"))
        if kind == "profiles" and not (record["skills"] or record["summary"] or record["current_position"]):
            cols = " / ".join(_label_for(mapping, labels, specs, c) for c in ("skills", "summary", "current_position") if c in mapping.columns)
            problems.append((cols, "", "aucun texte utilisable : compétences, résumé et poste actuel sont tous vides"))
        if problems:
            rejected_rows += 1
            # the cell problems explain the reject (e.g. the only text cell was too long)
            for col, value, reason in cell_notes + problems:
                rejects.append((name, row_no, col, value, reason))
            continue
        for col, value, message in cell_notes + _reference_notes(record, kind, mapping, labels, specs):
            warns.append((name, row_no, col, value, message))
        out = {spec.name: record[spec.name] for spec in primary}
        out["source_row"] = row_no
        out["extra"] = extra
        accepted.append(out)
    frame = _build_frame(accepted, primary)
    rejects_df = _problem_frame(rejects, "reason")
    if bad_rows:
        rows = sorted(set(bad_rows))
        shown_rows = ", ".join(map(str, rows[:20])) + (f" … et {len(rows) - 20} autre(s)" if len(rows) > 20 else "")
        file_warnings.append((None, f"fichier lu en {raw.encoding} ({raw.encoding_evidence}) ; octets invalides remplacés par "
                                    f"« {REPLACEMENT} » dans {len(rows)} ligne(s) : {shown_rows}"))
    warnings = list(raw.warnings) + [m for _, m in file_warnings]
    if raw.blank_rows:
        warnings.append(f"{raw.blank_rows} ligne(s) vide(s) ignorée(s)")
    file_rows = [(name, None, "", "", w) for w in list(raw.warnings)]
    file_rows += [(name, None, col or "", "", m) for col, m in file_warnings]
    warnings_df = _problem_frame(file_rows + warns, "message")
    info = {
        "file": name,
        "kind": kind,
        "format": raw.fmt,
        "encoding": raw.encoding,
        "encoding_evidence": raw.encoding_evidence,
        "delimiter": raw.delimiter,
        "sheet": raw.sheet,
        "header_row": raw.header_row,
        "rows_read": rows_read,
        "accepted": len(accepted),
        "rejected": rejected_rows,
        "problems": len(rejects),
        "blank_rows": raw.blank_rows,
        "columns": {labels[js[0]]: c for c, js in mapping.columns.items()},
        "unknown_columns": list(mapping.unknown),
        "header_suggestions": dict(mapping.suggestions),
        "list_separators": separators,
        "understood": _understood(frame, kind),
        "warnings": warnings,
        "cell_warnings": len(warns),
    }
    if kind == "positions" and len(frame):
        # one name per ministry (its table name; what was written is in info["understood"]):
        # one employer file and one package per ministry, however each fiche spelt it
        from matching.ministries import read_ministry

        names = {t: (m.name if (m := read_ministry(t)) is not None else t) for t in set(frame["ministry"])}
        frame["ministry"] = [names[t] for t in frame["ministry"]]
    return ReadResult(frame=frame, rejects=rejects_df, info=info, warnings_table=warnings_df)


def _repeats_header(cells: list[Any], header_keys: list[str], canon_of: dict[int, str]) -> bool:
    """A data row that repeats the header line (two exports pasted one after the other):
    at least two known columns, and most named columns, hold their own header."""
    probe = min(canon_of, default=None)  # one cell first: most rows stop here
    if probe is None or probe >= len(cells) or header_key(_raw_text(cells[probe])) != header_keys[probe]:
        return False
    named = [j for j, k in enumerate(header_keys) if k]
    same = [j for j in named if j < len(cells) and header_key(_raw_text(cells[j])) == header_keys[j]]
    return len([j for j in same if j in canon_of]) >= 2 and len(same) * 2 > len(named)


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    return bool(a == b)


def _one_value(spec: ColumnSpec, js: list[int], cells: list[Any], labels: list[str], fmt: str,
               cell_notes: list[tuple[str, str, str]], problems: list[tuple[str, str, str]], *,
               reference_date: _dt.date | None, profile: bool) -> Any:
    """One field written in several columns of a record (two consent columns, a JSON record
    naming a field twice): the value they agree on, whatever their order.

    Empty cells say nothing; non-empty cells that disagree reject the row (naming every
    column and what each says). ``consent_share_identity`` is yes only when every column
    says yes: an unreadable one, or an empty cell of a table's column, makes it no (with a
    warning)."""
    readable: list[tuple[int, Any]] = []
    unreadable: list[int] = []
    filled = [j for j in js if clean_text(_raw_text(cells[j]))]
    for j in filled:
        shown = _shown(clean_text(_raw_text(cells[j])), spec.name)
        try:
            value, notes = _parse_cell(spec, cells[j], fmt, reference_date=reference_date, profile=profile)
        except _Bad as exc:
            cell_notes.append((labels[j], shown, f"{exc} : {_what_was_done(spec, _default(spec))}"))
            unreadable.append(j)
            continue
        cell_notes.extend((labels[j], shown, note) for note in notes)
        readable.append((j, value))
    distinct = [v for i, (_, v) in enumerate(readable) if not any(_same_value(v, w) for _, w in readable[:i])]
    if len(distinct) > 1:
        said = " ; ".join(f"« {labels[j]} » = {_shown(clean_text(_raw_text(cells[j])), spec.name) or '(vide)'}" for j in filled)
        problems.append((" / ".join(labels[j] for j in filled), "",
                         f"valeurs contradictoires pour {spec.name} dans une même ligne ({said}) : corrigez l'une des colonnes"))
        return _default(spec)
    # a JSON record without the key (null) does not use that name; an empty cell of a
    # table's column is a source that does not say yes
    sources = filled if fmt in ("json", "jsonl") else js
    if spec.name == "consent_share_identity" and readable and readable[0][1] is True and len(readable) < len(sources):
        silent = [labels[j] for j in sources if j not in dict(readable)]
        cell_notes.append((" / ".join(labels[j] for j in js), "",
                           f"consentement à partager l'identité donné dans une colonne mais pas dans « {' », « '.join(silent)} » : "
                           "non retenu (oui seulement quand toutes les colonnes disent oui)"))
        return False
    if readable:
        return readable[0][1]
    return _default(spec)


def _problem_frame(rows: list[tuple[Any, ...]], last: str) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame(
        {
            "file": pd.Series([r[0] for r in rows], dtype="str"),
            "row": pd.Series([r[1] for r in rows], dtype="Int64"),
            "column": pd.Series([r[2] for r in rows], dtype="str"),
            "value": pd.Series([r[3] for r in rows], dtype="str"),
            last: pd.Series([r[4] for r in rows], dtype="str"),
        }
    )


def _what_was_done(spec: ColumnSpec, default: Any) -> str:
    if spec.kind == "bool":
        return f"valeur par défaut appliquée ({'oui' if default else 'non'})"
    if spec.kind == "clearance":
        return "valeur par défaut appliquée (aucune)"
    if spec.kind == "openings":
        return f"valeur par défaut appliquée ({default})"
    return "champ laissé vide"


#: what people write in « corps éligibles » to say that every corps may apply
_ALL_CORPS = frozenset({"tous", "tous corps", "tous les corps", "tout corps", "indifferent", "sans condition",
                        "ouvert a tous", "ouvert a tous les corps", "tous corps techniques", "aucune restriction"})


def _eligible_corps(items: list[str]) -> list[str]:
    """The eligible corps as written, with « Mines / Armement / IPEF » split on its slashes,
    and an empty list (no restriction) when a cell says « tous corps »."""
    from matching.textnorm import normalize

    out: list[str] = []
    for item in items:
        if normalize(item) in _ALL_CORPS:
            return []
        parts = [p.strip() for p in re.split(r"\s*/\s*", item) if p.strip()]
        out.extend(parts if len(parts) > 1 and all(len(p) >= 2 for p in parts) else [item])
    return out


def _reference_notes(record: dict[str, Any], kind: str, mapping: _Mapping, labels: list[str],
                     specs: dict[str, ColumnSpec]) -> list[tuple[str, str, str]]:
    """Warnings for corps, grades and ministries that the reference tables do not know; the
    eligible corps as a list (« tous corps » = no restriction, « Mines / IPEF » = two corps)."""
    from matching.grades import corps_key, read_grade
    from matching.ministries import read_ministry

    out: list[tuple[str, str, str]] = []

    def label(canon: str) -> str:
        return _label_for(mapping, labels, specs, canon)

    def corps_note(canon: str, text: str) -> None:
        if text and not corps_key(text, fallback=False):
            out.append((label(canon), _shown(text, canon), "corps inconnu du référentiel (data/reference/corps.csv) : comparé tel quel"))

    def ministry_note(canon: str, text: str) -> None:
        if text and read_ministry(text) is None:
            out.append((label(canon), _shown(text, canon), "ministère inconnu du référentiel (data/reference/ministries.csv) : comparé mot à mot"))

    def grade_note(canon: str, text: str, corps: str, unknown: str) -> None:
        if not text:
            return
        r = read_grade(text, corps)
        if r is None:
            out.append((label(canon), _shown(text, canon), f"grade inconnu du référentiel (data/reference/grades.csv) : {unknown}"))
            return
        if r.how == "beginning":
            out.append((label(canon), _shown(text, canon), f"grade lu d'après le début du texte : {r.grade.label} (niveau {r.grade.level})"))
        ck = corps_key(corps, fallback=False) if corps else ""
        if ck and r.grade.corps and r.grade.corps != ck:
            out.append((label(canon), _shown(text, canon), f"grade d'un autre corps ({r.grade.label}) que le corps indiqué : son niveau ({r.grade.level}) est utilisé"))

    if kind == "profiles":
        corps_note("corps", record.get("corps") or "")
        grade_note("grade", record.get("grade") or "", record.get("corps") or "",
                   "aucun niveau attribué ; l'ingénieur ne peut pas être retenu pour un poste qui exige un grade minimal")
        ministry_note("current_ministry", record.get("current_ministry") or "")
        for w in record.get("wished_ministries") or []:
            ministry_note("wished_ministries", w)
    else:
        ministry_note("ministry", record.get("ministry") or "")
        written = list(record.get("eligible_corps") or [])
        record["eligible_corps"] = _eligible_corps(written)
        if written and not record["eligible_corps"]:
            out.append((label("eligible_corps"), _shown("; ".join(written), "eligible_corps"),
                        "lu comme : tous les corps sont éligibles (pas de restriction)"))
        elif len(record["eligible_corps"]) > len(written):
            out.append((label("eligible_corps"), _shown("; ".join(written), "eligible_corps"),
                        "barres obliques lues comme séparateurs : " + " ; ".join(record["eligible_corps"])))
        for c in record["eligible_corps"]:
            corps_note("eligible_corps", c)
        grade_note("grade_min", record.get("grade_min") or "", "", "la règle du grade minimal ne s'applique pas à ce poste")
    return out


def _understood(frame: "pd.DataFrame", kind: str) -> dict[str, dict[str, str]]:
    """What the reference tables made of the values that are not written canonically:
    ``{"ministères": {"Minarm": "Ministère des Armées"}, "grades": {...}, "corps": {...}}``."""
    from matching.grades import corps_key, corps_label, read_grade
    from matching.ministries import read_ministry

    out: dict[str, dict[str, str]] = {"ministères": {}, "grades": {}, "corps": {}}
    if kind == "profiles":
        ministries = list(frame["current_ministry"]) + [w for ws in frame["wished_ministries"] for w in ws]
        corps = list(frame["corps"])
        grades = list(zip(frame["grade"], frame["corps"]))
    else:
        ministries = list(frame["ministry"])
        corps = [c for cs in frame["eligible_corps"] for c in cs]
        grades = [(g, "") for g in frame["grade_min"]]
    for text in dict.fromkeys(ministries):
        m = read_ministry(text) if text else None
        if m is not None and m.name != text:
            out["ministères"][text] = m.name
    for text in dict.fromkeys(corps):
        k = corps_key(text, fallback=False) if text else ""
        if k and corps_label(k) != text:
            out["corps"][text] = corps_label(k)
    for text, c in dict.fromkeys(grades):
        r = read_grade(text, c) if text else None
        if r is not None:
            out["grades"][text if not c else f"{text} ({c})"] = f"{r.grade.label}, niveau {r.grade.level}"
    return {k: v for k, v in out.items() if v}


def _label_for(mapping: _Mapping, labels: list[str], specs: dict[str, ColumnSpec], canon: str) -> str:
    js = mapping.columns.get(canon)
    if js:
        return labels[js[0]]
    for s in specs.values():
        if s.target == canon and s.name in mapping.columns:
            return labels[mapping.columns[s.name][0]]
    return canon


def _default(spec: ColumnSpec) -> Any:
    if spec.kind in ("skills", "list"):
        return []
    if spec.kind == "float":
        return math.nan
    if spec.kind in ("date", "int", "experience_level"):
        return None
    if spec.default is not None:
        return spec.default
    return ""


def _fill_secondary(record: dict[str, Any], specs: dict[str, ColumnSpec]) -> None:
    """Place de l'emploi public sources fill their canonical column when it is empty;
    a first-name column joins the name ("Prénom" + "Nom" = "Prénom Nom")."""
    if "position_id" not in specs:
        first = record.get("first_name") or ""
        if first:
            record["full_name"] = f"{first} {record.get('full_name') or ''}".strip()
        return
    if not record["position_id"]:
        record["position_id"] = record.get("reference") or record.get("offer_id") or ""
    if not record["employer"]:
        record["employer"] = record.get("organisme") or ""
    if not record["location"]:
        record["location"] = ", ".join(x for x in (record.get("departement"), record.get("region")) if x)
    if _empty(record["experience_years"]) and record.get("niveau_experience") is not None:
        record["experience_years"] = record["niveau_experience"]


_DTYPES = {
    "id": "str",
    "text": "str",
    "longtext": "str",
    "clearance": "str",
    "float": "float64",
    "int": "Int64",
    "bool": "bool",
    "openings": "int64",
}


def _build_frame(records: list[dict[str, Any]], primary: list[ColumnSpec]) -> "pd.DataFrame":
    import pandas as pd

    data = {}
    for spec in primary:
        values = [r[spec.name] for r in records]
        dtype = _DTYPES.get(spec.kind, "object")
        data[spec.name] = pd.Series(values, dtype=dtype)
    data["source_row"] = pd.Series([r["source_row"] for r in records], dtype="int64")
    data["extra"] = pd.Series([r["extra"] for r in records], dtype="object")
    return pd.DataFrame(data)
