"""Reading what advisors really have: CSV, ``.xlsx``, JSON and JSON Lines → canonical frames.

``read_profiles(path)`` / ``read_positions(path)`` return a :class:`ReadResult`: the
canonical frame (ARCHITECTURE.md), the quarantined rows (``rejects``: one line per
problem, ``file, row, column, value, reason``) and ``info`` (format, encoding, delimiter,
counts, warnings). The invariant ``rows_read == accepted + rejected`` always holds.
Problems that make the whole file unusable raise :class:`InputError`, listing every
problem found at once; no traceback from pandas, openpyxl or json ever reaches the user.

Rules (the data contract of PRODUCT.md, plus these documented decisions):

* **Formats** by extension (``.csv .txt .tsv`` / ``.xlsx .xlsm`` / ``.json`` /
  ``.jsonl .ndjson``), corrected by content (a zip is read as ``.xlsx``, an old OLE ``.xls``
  or password-protected workbook is refused with a clear message).
* **Encodings** (CSV/JSON): UTF-8 with BOM, UTF-16 with BOM (Excel "texte Unicode"),
  UTF-8, then cp1252, then latin-1; the one used is reported in ``info["encoding"]``.
* **Delimiters** among ``;`` ``,`` tab ``|``: ``csv.Sniffer`` checked against the
  file (the header and the rows must have the same number of cells), else the candidate
  that gives the most consistent table.
* **Header row**: the first of the first 10 non-empty rows naming at least two known
  columns (title lines above a table are skipped, with a warning); rows are numbered as
  the spreadsheet shows them (header = 1 in a plain file, first data row = 2). JSON:
  the record number (1-based); JSON Lines: the line number.
* **Blank rows** (every cell empty) are not records: skipped, counted in
  ``info["blank_rows"]``, not in ``rows_read``.
* **Cells**: Unicode NFC; zero-width characters, soft hyphens and control characters
  removed; non-breaking spaces become spaces; spaces collapsed and stripped (new lines
  kept in ``summary``, ``description``, ``profile_sought``). A leading ``'`` guard before
  ``= + - @`` (written by our own outputs or by Excel users) is removed.
* **xlsx**: values as Excel stores them (cached results of formulas; numbers, dates);
  merged cells (header or data) take the value of their top-left cell; a cell holding an
  Excel error (``#N/A``...) in a known column rejects its row.
* **Lists** split on ``;``, ``|`` and new lines (not on commas: skill names contain
  commas), items stripped, empty and repeated items dropped.
* **Skills** ``name:level``: the text after the *last* colon is a level if it is a
  digit or a level word (``Python:3``, ``Python : maîtrise``); a short number out of
  1–4 (``Python:5``, ``SQL:2.5``) rejects the row; any other text after a colon is part
  of the name (``https://...``, ``ISO:27001``, ``Sécurité: ANSSI``). Repeated skills are
  merged, keeping the highest level.
* **Dates**: ISO ``yyyy-mm-dd`` (optionally with a time), ``dd/mm/yyyy`` (also ``-`` or
  ``.``, optionally with a time, as in PEP exports), Excel dates; years 1900–2100.
  Two-digit years are refused (never guessed).
* **Numbers**: decimal comma accepted, a unit word tolerated (``5 ans``, ``2 jours``).
* **Identifiers**: an empty identifier rejects the row; for a repeated identifier the
  first row is kept and each later one is rejected, naming the row it repeats (whether
  or not that first row is itself accepted). Identifiers are compared exactly (after
  cleaning).
* **Positions from Place de l'emploi public**: ``reference`` then ``offer_id`` give the
  ``position_id`` when it is empty; ``organisme`` gives the ``employer`` when
  ``direction`` is empty; ``departement`` and ``region`` give the ``location``
  ("Paris (75), Ile-de-France") when it is empty; ``niveau_experience`` gives
  ``experience_years`` (see :mod:`matching.schema`). These source columns and the other
  known PEP fields are kept in ``extra`` without warnings.
* **Unknown columns** are kept in ``extra`` (by their header) and reported as warnings.
* **Personal data**: the values of ``full_name``, ``email``, ``gender`` and
  ``birth_year`` are never echoed (``value`` is ``"(masqué)"``); other values are cut
  to 60 characters.
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
from matching.io.writers import unneutralize_cell
from matching.schema import (
    CLEARANCE_LEVELS,
    PEP_KEPT_FIELDS,
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
    "MASK",
]

REJECT_COLUMNS = ("file", "row", "column", "value", "reason")
MASK = "(masqué)"
_VALUE_CHARS = 60
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


@dataclass
class ReadResult:
    """What a reader returns. ``info["rows_read"] == info["accepted"] + info["rejected"]``."""

    frame: "pd.DataFrame"
    rejects: "pd.DataFrame"
    info: dict[str, Any] = field(default_factory=dict)

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
    def warnings(self) -> list[str]:
        return list(self.info.get("warnings", []))

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


def clean_text(text: str, *, multiline: bool = False) -> str:
    """NFC, no zero-width/control characters, spaces collapsed, stripped."""
    s = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).translate(_SPACES)
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
    if canonical in PERSONAL_COLUMNS and value:
        return MASK
    value = value.replace("\n", " ")
    if len(value) > _VALUE_CHARS:
        return value[: _VALUE_CHARS - 1] + f"… ({len(value)} caractères)"
    return value


# --- raw tables -----------------------------------------------------------------------
@dataclass
class _Raw:
    """A file as rows of cells, before the contract is applied."""

    fmt: str
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    warnings: list[str] = field(default_factory=list)
    #: row -> [(column header or None, value, reason)] problems found while loading
    row_problems: dict[int, list[tuple[str | None, str, str]]] = field(default_factory=dict)
    blank_rows: int = 0


def _fail(name: str, reason: str) -> InputError:
    return InputError([Problem(name, None, None, "", reason)])


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _fail(name, "fichier UTF-16 illisible (octets invalides)") from None
    if b"\x00" in data[:65536]:
        raise _fail(name, "fichier binaire ou illisible : ce n'est pas un fichier texte (CSV, JSON) ni un classeur .xlsx")
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


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
        records = [r for _, r in zip(range(60), csv.reader(io.StringIO(text), delimiter=delimiter)) if any(c.strip() for c in r)]
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
    text, encoding = _decode(data, name)
    if not text.strip():
        raise _fail(name, "fichier vide : aucune ligne d'en-tête ni de données")
    _check_text_like(text, name)
    delimiter = _sniff_delimiter(text)
    raw = _Raw("csv", encoding=encoding, delimiter=delimiter)
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


def _load_xlsx(path: Path, name: str, sheet: str | None) -> _Raw:
    import warnings
    import zipfile

    try:
        from openpyxl import load_workbook

        with warnings.catch_warnings(), open(path, "rb") as fh:
            warnings.simplefilter("ignore")  # openpyxl warns about styles/validation it drops
            # a file object: openpyxl then reads a workbook whatever its extension
            wb = load_workbook(fh, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, AttributeError, IndexError, EOFError) as exc:
        raise _fail(name, f"classeur Excel illisible (fichier abîmé, incomplet ou qui n'est pas un .xlsx : {type(exc).__name__})") from None
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise _fail(name, f"classeur Excel illisible ({type(exc).__name__})") from None
    try:
        names = wb.sheetnames
        if sheet:
            if sheet not in names:
                matches = [n for n in names if header_key(n) == header_key(sheet)]
                if not matches:
                    raise _fail(name, f"la feuille « {sheet} » n'existe pas ; feuilles du classeur : {', '.join(names)}")
                sheet = matches[0]
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        raw = _Raw("xlsx", sheet=ws.title)
        grid: dict[int, dict[int, Any]] = {}
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if v is None:
                    continue
                if cell.data_type == "e":
                    v = _XlError(str(v))
                grid.setdefault(cell.row, {})[cell.column] = v
        for rng in ws.merged_cells.ranges:
            top = grid.get(rng.min_row, {}).get(rng.min_col)
            if top is None:
                continue
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    grid.setdefault(r, {})[c] = top
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
            raw.row_problems.setdefault(n, []).append((None, _raw_text(rec)[:_VALUE_CHARS], "l'enregistrement n'est pas un objet JSON {…}"))
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
    text, encoding = _decode(data, name)
    if not text.strip():
        raise _fail(name, "fichier vide : aucun enregistrement")
    _check_text_like(text, name)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(name, f"JSON invalide, ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}") from None
    except RecursionError:
        raise _fail(name, "JSON invalide : imbrication trop profonde") from None
    raw = _Raw("json", encoding=encoding)
    _rows_from_records(raw, list(enumerate(_json_records(value, name, kind), start=1)))
    return raw


def _load_jsonl(data: bytes, name: str) -> _Raw:
    text, encoding = _decode(data, name)
    if not text.strip():
        raise _fail(name, "fichier vide : aucun enregistrement")
    _check_text_like(text, name)
    raw = _Raw("jsonl", encoding=encoding)
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
        label = h or f"colonne {_column_letter(j)}"
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
            if spec.kind in ("skills", "list") or raw.fmt in ("json", "jsonl"):
                # list columns are merged; JSON records may name a field differently
                columns[canon].append(j)
                if raw.fmt not in ("json", "jsonl"):
                    raw.warnings.append(f"colonnes « {first} » et « {label} » réunies dans {canon}")
                continue
            problems.append(
                Problem(name, raw.header_row, label, "", f"colonne en double : « {first} » et « {label} » désignent toutes deux {canon}")
            )
            continue
        columns[canon] = [j]
        if spec.target is not None:
            extra[label] = j  # PEP sources are also kept as they were
    for spec in specs.values():
        if not spec.required:
            continue
        sources = [spec.name] + [s.name for s in specs.values() if s.target == spec.name]
        if not any(s in columns for s in sources):
            accepted = [spec.name, *spec.aliases] + [s for s in sources[1:]]
            problems.append(
                Problem(
                    name, raw.header_row, spec.name, "",
                    f"colonne obligatoire absente : {spec.name} (en-têtes acceptés : {', '.join(accepted)} ; "
                    f"en-têtes du fichier : {', '.join(h for h in headers if h) or 'aucun'})",
                )
            )
    if kind == "profiles" and not any(c in columns for c in ("skills", "summary", "current_position")):
        problems.append(
            Problem(name, raw.header_row, None, "",
                    "aucune colonne de texte : il faut au moins une des colonnes skills (competences), summary (resume), current_position (poste_actuel)")
        )
    if problems:
        raise InputError(problems)
    if unknown:
        raw.warnings.append(f"colonne(s) inconnue(s) conservée(s) dans extra : {', '.join(unknown)}")
    return _Mapping(columns, extra, labels, unknown)


# --- cell parsers ---------------------------------------------------------------------
class _Bad(Exception):
    """A cell that breaks the contract; the message is the reason (French)."""


_SHORT_NUMBER = re.compile(r"\d{1,2}(?:[.,]\d+)?")
_NUMBER = re.compile(r"([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?:ans?|ann[ée]es?|years?|jours?|j|days?|jours?/semaine|j/sem)?\.?", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_FR_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}[:h]\d{2}(?::\d{2})?)?")
_LIST_SPLIT = re.compile(r"[;|\n]")


def _split_list(text: str) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for item in _LIST_SPLIT.split(text):
        item = item.strip()
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def split_skill(item: str) -> tuple[str, int | None]:
    """``"Python:3"`` → ``("Python", 3)``; ``"https://x"`` → ``("https://x", None)``.

    Raises ``ValueError`` (French message) for a number out of 1–4 after the last colon.
    """
    idx = item.rfind(":")
    if idx == -1:
        return item, None
    name, tail = item[:idx].strip(), item[idx + 1 :].strip()
    if not name:
        return item, None
    if not tail:
        return name, None
    if _SHORT_NUMBER.fullmatch(tail):
        if tail.isdigit() and 1 <= int(tail) <= 4:
            return name, int(tail)
        raise ValueError(f"niveau « {tail} » invalide pour « {name} » : 1 à 4 attendu (1 notions, 2 pratique, 3 maîtrise, 4 expert)")
    level = parse_level(tail)
    if level is not None:
        return name, level
    return item, None


def _parse_skills(text: str) -> list[tuple[str, int | None]]:
    out: dict[str, list[Any]] = {}
    errors = []
    for item in _split_list(text):
        try:
            name, level = split_skill(item)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        key = name.casefold()
        if key in out:
            old = out[key][1]
            if level is not None and (old is None or level > old):
                out[key][1] = level
        else:
            out[key] = [name, level]
    if errors:
        raise _Bad(" ; ".join(errors))
    return [(n, lvl) for n, lvl in out.values()]


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
            raise _Bad("nombre attendu" + (" entier" if integer else ""))
        x = float(m.group(1).replace(",", "."))
    if math.isnan(x) or math.isinf(x):
        raise _Bad("nombre attendu")
    lo, hi = spec.bounds
    if integer and not x.is_integer():
        raise _Bad("nombre entier attendu")
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        raise _Bad(f"nombre hors limites : entre {lo:g} et {hi:g} attendu")
    return int(x) if integer else x


def _make_date(y: int, m: int, d: int) -> _dt.date:
    if not 1900 <= y <= 2100:
        raise _Bad("date hors limites (années 1900 à 2100)")
    try:
        return _dt.date(y, m, d)
    except ValueError:
        raise _Bad("date impossible (jour ou mois invalide ; format jj/mm/aaaa ou aaaa-mm-jj attendu)") from None


def _parse_date(value: Any, fmt: str) -> _dt.date | None:
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
    raise _Bad("date illisible : jj/mm/aaaa ou aaaa-mm-jj attendu")


def _parse_cell(spec: ColumnSpec, value: Any, fmt: str) -> Any:
    kind = spec.kind
    if kind == "date":
        return _parse_date(value, fmt)
    if kind == "float":
        x = _parse_number(value, spec)
        return math.nan if x is None else x
    if kind == "int":
        return _parse_number(value, spec, integer=True)
    if kind == "openings":
        x = _parse_number(value, spec, integer=True)
        return spec.default if x is None else x
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = clean_text(_raw_text(value))
        if not text:
            return spec.default
        b = parse_bool(text)
        if b is None:
            raise _Bad("oui/non attendu (oui, non, vrai, faux, 1, 0, x)")
        return b
    text = clean_text(_raw_text(value), multiline=kind in ("longtext", "skills", "list"))
    if kind == "clearance":
        c = parse_clearance(text)
        if c is None:
            raise _Bad(f"habilitation inconnue : une de {', '.join(CLEARANCE_LEVELS)} (ou aucune, confidentiel défense, secret défense, très secret) attendue")
        return c
    if kind == "experience_level":
        if not text:
            return None
        years = parse_experience_level(text)
        if years is None:
            try:
                years = float(_parse_number(text, ColumnSpec("x", "float", bounds=(0, 70))))  # type: ignore[arg-type]
            except _Bad:
                raise _Bad("niveau d'expérience inconnu : Débutant, Intermédiaire, Confirmé, Senior, Expert ou un nombre d'années attendu") from None
        return years
    if kind == "skills":
        return _parse_skills(text)
    if kind == "list":
        return _split_list(text)
    return text


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, list)):
        return len(value) == 0
    return False


# --- the reader -----------------------------------------------------------------------
def read_profiles(path: str | Path, *, config: "InputConfig | None" = None, sheet: str | None = None) -> ReadResult:
    """Read an engineers' profiles file into the canonical profiles frame."""
    return read_table(path, "profiles", config=config, sheet=sheet)


def read_positions(path: str | Path, *, config: "InputConfig | None" = None, sheet: str | None = None) -> ReadResult:
    """Read a positions file (also a Place de l'emploi public export) into the canonical frame."""
    return read_table(path, "positions", config=config, sheet=sheet)


def read_table(path: str | Path, kind: str, *, config: "InputConfig | None" = None, sheet: str | None = None) -> ReadResult:
    """Read ``kind`` (``"profiles"`` or ``"positions"``) from ``path``.

    Raises :class:`InputError` for file-level problems, and in ``config.strict`` mode
    when any row is rejected (``exc.result`` then holds the full result).
    """
    if config is None:
        from matching.config import InputConfig

        config = InputConfig()
    specs = specs_for(kind)
    path = Path(path)
    name = path.name
    sheet = sheet or config.sheet or None
    raw = _load(path, name, kind, sheet)
    if raw.fmt in ("csv", "xlsx"):
        _find_header(raw, specs, name)
    mapping = _map_headers(raw, specs, name, kind)
    result = _apply_contract(raw, mapping, specs, kind, name, config.max_cell_chars)
    if result.info["rows_read"] == 0:
        raise InputError(
            [Problem(name, None, None, "", "aucune ligne de données : le fichier ne contient que l'en-tête (un lot ne peut pas partir d'un fichier vide)")]
        )
    if config.strict and result.rejected:
        raise InputError(result.problems(), result=result)
    return result


def _load(path: Path, name: str, kind: str, sheet: str | None) -> _Raw:
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
        return _load_xlsx(path, name, sheet)
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


def _apply_contract(raw: _Raw, mapping: _Mapping, specs: dict[str, ColumnSpec], kind: str, name: str, max_chars: int) -> ReadResult:
    import pandas as pd

    id_col = "profile_id" if kind == "profiles" else "position_id"
    labels = mapping.labels
    width = len(labels)
    accepted: list[dict[str, Any]] = []
    rejects: list[tuple[str, int | None, str, str, str]] = []
    rejected_rows = 0
    rows_read = 0
    first_seen: dict[str, int] = {}
    canon_of = {j: c for c, js in mapping.columns.items() for j in js}
    primary = [s for s in specs.values() if s.target is None]
    secondary = [s for s in specs.values() if s.target is not None]
    for row_no, cells in raw.rows:
        if _is_blank(cells) and row_no not in raw.row_problems:
            raw.blank_rows += 1
            continue
        rows_read += 1
        problems: list[tuple[str, str, str]] = []  # (column label, shown value, reason)
        for col, value, reason in raw.row_problems.get(row_no, []):
            problems.append((col or "", value, reason))
        if len(cells) > width and not _is_blank(cells[width:]):
            problems.append(("", "", f"la ligne a {len(cells)} cellules mais l'en-tête n'en a que {width} (séparateur dans une cellule sans guillemets ?)"))
        if any(not col for col, _, _ in problems):
            # the record itself is broken (invalid JSON, shifted CSV cells): its cells
            # mean nothing, so say only that
            rejected_rows += 1
            rejects.extend((name, row_no, col, value, reason) for col, value, reason in problems)
            continue
        cells = list(cells[:width]) + [None] * max(0, width - len(cells))
        # cell size and Excel errors, on every cell
        for j, v in enumerate(cells):
            if isinstance(v, str) and len(v) > max_chars:
                problems.append((labels[j], _shown(v, canon_of.get(j)), f"cellule trop longue : {len(v)} caractères (limite {max_chars})"))
                cells[j] = ""
            elif isinstance(v, _XlError) and j in canon_of:
                problems.append((labels[j], "" if canon_of[j] in PERSONAL_COLUMNS else str(v), f"erreur Excel « {v} » dans la cellule (formule en erreur)"))
                cells[j] = None
        record: dict[str, Any] = {}
        for spec in primary + secondary:
            js = mapping.columns.get(spec.name, [])
            if not js:
                record[spec.name] = _default(spec)
                continue
            if len(js) > 1 and spec.kind not in ("skills", "list"):
                # JSON fields naming the same column: the first non-empty one
                js = [next((j for j in js if clean_text(_raw_text(cells[j]))), js[0])]
            parsed: list[Any] = []
            for j in js:
                try:
                    parsed.append(_parse_cell(spec, cells[j], raw.fmt))
                except _Bad as exc:
                    problems.append((labels[j], _shown(clean_text(_raw_text(cells[j])), spec.name), str(exc)))
                    parsed.append(_default(spec))
            if len(parsed) == 1:
                record[spec.name] = parsed[0]
            else:  # several list columns merged
                merged: list[Any] = []
                for p in parsed:
                    merged.extend(x for x in p if x not in merged)
                record[spec.name] = merged
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
        elif ident in first_seen:
            problems.append((id_label, _shown(ident, id_col), f"identifiant en double : déjà utilisé ligne {first_seen[ident]} (seule la première occurrence est gardée)"))
        else:
            first_seen[ident] = row_no
        for spec in primary:
            if spec.required and spec.name != id_col and not record.get(spec.name):
                problems.append((_label_for(mapping, labels, specs, spec.name), "", f"valeur obligatoire vide : {spec.name}"))
        text_broken = any(labels[j] == p[0] for c in ("skills", "summary", "current_position") for j in mapping.columns.get(c, []) for p in problems)
        if kind == "profiles" and not text_broken and not (record["skills"] or record["summary"] or record["current_position"]):
            cols = " / ".join(_label_for(mapping, labels, specs, c) for c in ("skills", "summary", "current_position") if c in mapping.columns)
            problems.append((cols, "", "aucun texte utilisable : compétences, résumé et poste actuel sont tous vides"))
        if problems:
            rejected_rows += 1
            for col, value, reason in problems:
                rejects.append((name, row_no, col, value, reason))
            continue
        out = {spec.name: record[spec.name] for spec in primary}
        out["source_row"] = row_no
        out["extra"] = extra
        accepted.append(out)
    frame = _build_frame(accepted, primary)
    rejects_df = pd.DataFrame(
        {
            "file": pd.Series([r[0] for r in rejects], dtype="str"),
            "row": pd.Series([r[1] for r in rejects], dtype="Int64"),
            "column": pd.Series([r[2] for r in rejects], dtype="str"),
            "value": pd.Series([r[3] for r in rejects], dtype="str"),
            "reason": pd.Series([r[4] for r in rejects], dtype="str"),
        }
    )
    warnings = list(raw.warnings)
    if raw.blank_rows:
        warnings.append(f"{raw.blank_rows} ligne(s) vide(s) ignorée(s)")
    info = {
        "file": name,
        "kind": kind,
        "format": raw.fmt,
        "encoding": raw.encoding,
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
        "warnings": warnings,
    }
    return ReadResult(frame=frame, rejects=rejects_df, info=info)


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
    """Place de l'emploi public sources fill their canonical column when it is empty."""
    if "position_id" not in specs:
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
