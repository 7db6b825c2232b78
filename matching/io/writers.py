"""Outputs that are safe to open: atomic writes and formula neutralisation.

**Atomic writes.** Every file is written to a temporary file in the *same folder*
(``.<name>.<random>.tmp``), flushed and ``fsync``-ed, then moved over the final name with
``os.replace`` (atomic on POSIX and Windows). A crash, an exception or a kill while
writing leaves the previous file (or none), never a truncated one; on an exception the
temporary file is removed. The temporary file is created with the usual permissions
(``0o666`` minus the umask), like a plain ``open(path, "w")``.

**Formula neutralisation** (OWASP "CSV injection"). A text cell whose first character
after any leading spaces (and double quotes) is a formula starter is prefixed with ``'``. Formula starters:
``=``, ``+``, ``-``, ``@``, ``|`` (DDE), a tab, a carriage return, their fullwidth and small
forms (``＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫``, anything whose NFKC form is one of them), and every
character of the Unicode classes of mathematical signs (``Sm``: ``−``, ``<``, ``~``…)
and dashes (``Pd``). Decisions:

* numbers are not text: values of numeric columns (int, float, bool dtypes) and Python
  numbers are never touched, and a text cell that is *exactly* a plain ASCII number
  (``-3.5``, ``+33``, ``-1,5``, ``1e-3``) is left as is: a spreadsheet reads it as a
  number, never as a formula. Other digits do not count (``-١٢`` is guarded);
* a text that starts with ``'`` and would read as guarded without it (``'=x``, ``' -y``,
  ``''``...) gets one more ``'``, so that :func:`unneutralize_cell` always gives back
  exactly the original text (``unneutralize_cell(neutralize_cell(s)) == s`` for every
  ``s``), and reads the files of earlier versions the same way;
* in ``.xlsx`` files text cells are also stored with an explicit string type, so that
  nothing is ever stored as a formula, even with ``neutralize=False``.

**Separators.** Excel splits a CSV on the separator of its locale (``,`` or ``;``), not
always on the file's own: a field holding ``,``, ``;``, a tab, a quote or a line break
is therefore always quoted, whatever the file's delimiter. Quoting alone is not enough
(a quote in the middle of what another locale takes for a cell is an ordinary
character), so the text after each ``,``, ``;`` or tab inside a cell is guarded like a cell
of its own: ``a;=cmd|...`` is written ``a;'=cmd|...`` and no locale sees a cell starting
with ``=``. :func:`unneutralize_cell` undoes both guards exactly.

**Display.** :func:`visible_text` removes the bidirectional controls (``U+202E``...),
other invisible format characters and control characters from a text shown to a person
(employer files, report), so that what is read is what is stored.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import math
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_output",
    "neutralize_cell",
    "unneutralize_cell",
    "format_cell",
    "needs_guard",
    "visible_text",
    "write_csv",
    "write_xlsx",
    "FORMULA_TRIGGERS",
]

#: Leading characters that make a spreadsheet evaluate a cell (ASCII; see :func:`needs_guard`
#: for their Unicode look-alikes).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "|", "\t", "\r")
#: after a leading ``'``, these always get one more ``'`` (the rule of earlier versions, kept
#: so that their files read back the same)
_GUARDED_AFTER_QUOTE = frozenset(("=", "+", "-", "@", "\t", "\r", "'"))
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_SIGN_CLASSES = frozenset(("Sm", "Pd"))


# --- atomic writes --------------------------------------------------------------------
def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY if os.name == "posix" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    Write the whole content to the yielded path (``wb.save(tmp)``, ``df.to_parquet(tmp)``,
    ``open(tmp, "wb")``...). On normal exit the file is fsync-ed and moved to ``path``;
    on an exception it is deleted and ``path`` is left untouched.
    """
    final = Path(path)
    tmp = _temp_name(final)
    # create it now, with the permissions a plain open() would give (umask applied)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(final.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, replace)."""
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically; new lines are written as given."""
    atomic_write_bytes(path, text.encode(encoding))


# --- neutralisation -------------------------------------------------------------------
def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        import numpy as np

        return isinstance(value, np.number) and not isinstance(value, np.bool_)
    except ImportError:  # pragma: no cover
        return False


def format_cell(value: Any) -> str:
    """The text of a cell in a CSV output (before neutralisation).

    ``None``/NaN → ``""``; lists/tuples of skills ``(name, level)`` → ``"name:level"``
    joined by ``"; "``; other lists → items joined by ``"; "``; dates → ISO;
    ``dict`` → ``key=value`` pairs joined by ``"; "``; numbers → ``str``.
    """
    if _is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (_dt.datetime, _dt.date)):
        if isinstance(value, _dt.datetime) and value.time() == _dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={format_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        parts = []
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str):
                name, level = item
                parts.append(name if _is_missing(level) else f"{name}:{int(level)}")
            else:
                parts.append(format_cell(item))
        return "; ".join(parts)
    if _is_number(value):
        if isinstance(value, float) or type(value).__name__.startswith("float"):
            f = float(value)
            return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
        return str(int(value))
    return str(value)


def _is_trigger(char: str) -> bool:
    if char in FORMULA_TRIGGERS:
        return True
    if unicodedata.category(char) in _SIGN_CLASSES:
        return True
    return unicodedata.normalize("NFKC", char)[:1] in FORMULA_TRIGGERS


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula: its first character after
    leading spaces and double quotes is a formula starter (see the module notes) and the
    text is not a plain ASCII number."""
    for char in text:
        # a quote may open a quoted field for a reader splitting on another separator
        if (char.isspace() and char not in "\t\r") or char == '"':
            continue
        if not _is_trigger(char):
            return False
        return not (char in "+-" and _PLAIN_NUMBER.fullmatch(text.strip(" ")) is not None)
    return False


def _guarded(text: str) -> bool:
    """Whether :func:`neutralize_cell` prefixes ``text`` (a formula, or a ``'`` that
    :func:`unneutralize_cell` would otherwise take for a guard)."""
    quotes = len(text) - len(text.lstrip("'"))
    if quotes == 0:
        return needs_guard(text)
    if len(text) > 1 and text[1] in _GUARDED_AFTER_QUOTE:
        return True
    return needs_guard(text[quotes:])


#: what a spreadsheet of some locale may split a CSV line on: the text after one of them
#: starts a cell too
_INNER_SEPARATORS = re.compile(r"([,;\t])")


def _guard(text: str) -> str:
    return "'" + text if text and _guarded(text) else text


def _unguard(text: str) -> str:
    return text[1:] if len(text) > 1 and text[0] == "'" and _guarded(text[1:]) else text


def neutralize_cell(value: Any) -> str:
    """The cell as text, with a ``'`` guard if a spreadsheet would run it as a formula.

    The text after each ``,``, ``;`` or tab inside the cell is guarded the same way (a
    spreadsheet splitting on another separator than the file's starts a cell there), then
    the whole text. Numbers (Python or numpy) are returned as their text, unguarded;
    ``None``/NaN → ``""``.
    """
    if _is_number(value):
        return format_cell(value)
    text = format_cell(value)
    if _INNER_SEPARATORS.search(text):
        parts = _INNER_SEPARATORS.split(text)  # [segment, separator, segment, ...]
        text = "".join(parts[:1] + [p if k % 2 else _guard(p) for k, p in enumerate(parts[1:], start=1)])
    return _guard(text)


def unneutralize_cell(text: str) -> str:
    """Remove the guards added by :func:`neutralize_cell` (exact inverse on its outputs)."""
    text = _unguard(text)
    if _INNER_SEPARATORS.search(text):
        parts = _INNER_SEPARATORS.split(text)
        text = "".join(parts[:1] + [p if k % 2 else _unguard(p) for k, p in enumerate(parts[1:], start=1)])
    return text


def visible_text(text: Any) -> str:
    """``text`` without invisible format and control characters (bidirectional overrides
    such as U+202E, zero-width characters), line breaks and tabs kept: what a person is
    shown is what is stored."""
    s = format_cell(text)
    if s.isascii() and s.isprintable():
        return s
    return "".join(c for c in s if c in "\n\t" or unicodedata.category(c) not in ("Cf", "Cc"))


# --- CSV ------------------------------------------------------------------------------
#: a field holding one of these is quoted, whatever the file's delimiter (see the notes)
_QUOTE_IF = re.compile(r'[,;\t"\r\n]')


def _column_texts(series: Any, neutralize: bool) -> list[str]:
    """The CSV text of each value of a column: numbers as pandas writes them, text
    formatted (and guarded unless ``neutralize=False``)."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype) or (
        pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype)
    ):
        return ["" if _is_missing(v) else str(v) for v in series.to_numpy(dtype=object)]
    fn = neutralize_cell if neutralize else format_cell
    return [fn(v) for v in series.tolist()]


def _field(text: str, sep: str) -> str:
    if sep in text or _QUOTE_IF.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(
    df: Any,
    path: str | os.PathLike[str],
    *,
    sep: str = ",",
    bom: bool = False,
    neutralize: bool = True,
) -> None:
    """Write ``df`` (no index) as CSV, atomically.

    ``bom=True`` writes UTF-8 with a byte-order mark (what Excel needs to read accents);
    lists, dates and dicts are formatted by :func:`format_cell`; text cells are
    neutralised unless ``neutralize=False``; a field holding ``,``, ``;``, a tab, a quote
    or a line break is quoted (RFC 4180 quoting, whatever ``sep``). Lines end with
    ``\r\n`` (RFC 4180).
    """
    fmt = neutralize_cell if neutralize else format_cell
    header = sep.join(_field(fmt(c), sep) for c in df.columns)
    columns = [[_field(t, sep) for t in _column_texts(df.iloc[:, k], neutralize)] for k in range(df.shape[1])]
    # an empty line would be skipped by readers: one empty field is written ""
    lines = [header, *(sep.join(row) or '""' for row in zip(*columns))] if columns else [header]
    text = "\r\n".join(lines) + "\r\n"
    atomic_write_bytes(path, text.encode("utf-8-sig" if bom else "utf-8"))


# --- xlsx -----------------------------------------------------------------------------
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", visible_text(name)).strip("'") or "Feuille"
    base = base[:31]
    title, n = base, 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.casefold())
    return title


def write_xlsx(
    sheets: Mapping[str, Any],
    path: str | os.PathLike[str],
    **options: Any,
) -> None:
    """Write one sheet per DataFrame into an ``.xlsx`` file, atomically (see
    :func:`build_workbook` for the options)."""
    wb = build_workbook(sheets, **options)
    with atomic_output(path) as tmp:
        wb.save(tmp)


def build_workbook(
    sheets: Mapping[str, Any],
    *,
    neutralize: bool = True,
    wrap_columns: Sequence[str] = (),
    widths: Mapping[str, float] | None = None,
    freeze_header: bool = True,
    autofilter: bool = True,
    write_only: bool = False,
) -> Any:
    """One sheet per DataFrame in a new openpyxl ``Workbook`` (not saved).

    Text cells are stored with an explicit string type (never as formulas) and, unless
    ``neutralize=False``, guarded like in CSV. Numbers stay numbers, dates are Excel
    dates, NaN/None are empty cells, lists are joined with ``"; "``. ``wrap_columns``
    (header names) get wrapped text; ``widths`` maps header names to column widths
    (others: fitted to the content, 8–60). Sheet names are cut to Excel's 31 characters
    and its forbidden characters replaced. Characters Excel cannot store (control
    characters) are removed from text.

    ``write_only``: openpyxl's streaming workbook, for large tables: rows are serialised as
    they are appended, so memory stays bounded and saving is quick (building is a little
    slower); it can only be saved, not edited afterwards. The cells, styles, widths, frozen
    header, filter and declared extent are the same either way.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    used: set[str] = set()
    wrap = set(wrap_columns)
    widths = dict(widths or {})
    bold = Font(bold=True)
    wrap_align = Alignment(wrap_text=True, vertical="top")

    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        columns = [str(c) for c in df.columns]
        header, body, fitted = _sheet_cells(df, columns, neutralize)
        for j, col in enumerate(columns, start=1):
            width = widths.get(col)
            if width is None:
                width = min(60, max(8, fitted[j - 1] + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
        if freeze_header and len(df.columns):
            ws.freeze_panes = "A2"
        if autofilter and len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(df) + 1)}"
        wrapped = [c in wrap for c in columns]

        def style(cell: Any, spec: tuple, j: int, *, head: bool = False) -> Any:
            value, kind, fmt = spec
            cell.value = value
            if kind == "s":
                cell.data_type = "s"  # never a formula, whatever the text looks like
            if fmt:
                cell.number_format = fmt
            if head:
                cell.font = bold
            elif wrapped[j]:
                cell.alignment = wrap_align
            return cell

        if write_only:
            # the sheet's extent, known before the first row: openpyxl's streaming sheets leave
            # it out otherwise, and readers that trust it (read-only openpyxl) see no rows
            extent = f"A1:{get_column_letter(max(1, len(columns)))}{len(df) + 1}"
            ws.calculate_dimension = lambda extent=extent: extent

            def plain(spec: tuple, j: int) -> bool:
                """A value openpyxl stores as it is: a number, a boolean, a text that cannot be
                read as a formula, in a column without wrapping (no cell object needed)."""
                return not wrapped[j] and (spec[1] in "nb" or (spec[1] == "s" and not spec[0].startswith("=")))

            ws.append([style(WriteOnlyCell(ws), spec, j, head=True) if spec else None for j, spec in enumerate(header)])
            for row in zip(*body) if body else ():
                ws.append([None if not spec else spec[0] if plain(spec, j) else style(WriteOnlyCell(ws), spec, j)
                           for j, spec in enumerate(row)])
        else:
            for j, spec in enumerate(header):
                cell = ws.cell(row=1, column=j + 1)
                cell.font = bold
                if spec:
                    style(cell, spec, j, head=True)
            for j, col_cells in enumerate(body):
                for i, spec in enumerate(col_cells, start=2):
                    if spec:
                        style(ws.cell(row=i, column=j + 1), spec, j)
    if not wb.worksheets:
        wb.create_sheet("Feuille")
    return wb


def _sheet_cells(df: Any, columns: list[str], neutralize: bool) -> tuple[list, list[list], list[int]]:
    """The cells of one sheet, computed once for both kinds of workbook: (header cells,
    body cells column by column, fitted width of each column). A cell is ``None`` (empty) or
    ``(value, kind, number format)``, kind ``"s"`` (text, never a formula), ``"b"``, ``"n"``
    or ``"d"`` (a date)."""
    import pandas as pd
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def text_spec(value: Any) -> tuple[tuple | None, int]:
        text = neutralize_cell(value) if neutralize else format_cell(value)
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        if not text:  # an empty text is an empty cell, not an empty string
            return None, 0
        return (text, "s", None), max((len(line) for line in text.split("\n")), default=0)

    header, fitted = [], []
    for col in columns:
        spec, width = text_spec(col)
        header.append(spec)
        fitted.append(width)
    body: list[list] = []
    for j, col in enumerate(df.columns):
        cells: list = []
        for value in df[col].tolist():
            if _is_missing(value):
                cells.append(None)
                continue
            if isinstance(value, bool) or type(value).__name__ == "bool_":
                cells.append((bool(value), "b", None))
                fitted[j] = max(fitted[j], 5)
            elif _is_number(value):
                f = float(value)
                if math.isnan(f):
                    cells.append(None)
                    continue
                if math.isinf(f):
                    cells.append(text_spec("inf" if f > 0 else "-inf")[0])
                    continue
                cells.append((value.item() if hasattr(value, "item") else value, "n", None))
                fitted[j] = max(fitted[j], len(format_cell(value)))
            elif isinstance(value, (_dt.datetime, _dt.date)):
                v = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
                if isinstance(v, _dt.datetime) and v.tzinfo is not None:
                    v = v.replace(tzinfo=None)
                date_only = not isinstance(v, _dt.datetime) or v.time() == _dt.time(0)
                cells.append((v, "d", "DD/MM/YYYY" if date_only else "DD/MM/YYYY HH:MM"))
                fitted[j] = max(fitted[j], 16)
            else:
                spec, width = text_spec(value)
                cells.append(spec)
                fitted[j] = max(fitted[j], width)
        body.append(cells)
    return header, body, fitted


#: fixed dates of every zip this engine writes (.xlsx, .npz), so that outputs are reproducible
FIXED_DATE = _dt.datetime(2000, 1, 1)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip (an .xlsx) with fixed timestamps (entries and document dates), keeping
    the entry order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            dst.writestr(new, content)
    return buf.getvalue()


def set_aside(path: Path) -> Path:
    """Rename a damaged file (and its SQLite ``-wal``/``-shm`` files) to
    ``<name>.mis-de-cote-<UTC date>[-n]`` beside it, never deleting anything; returns the new
    path. Raises ``OSError`` when it cannot be renamed."""
    import time

    path = Path(path)
    suffix = ".mis-de-cote-" + time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = path.with_name(path.name + suffix)
    n = 2
    while target.exists():
        target, n = path.with_name(f"{path.name}{suffix}-{n}"), n + 1
    for extra in ("-wal", "-shm"):
        side = path.with_name(path.name + extra)
        if side.exists():
            side.rename(target.with_name(target.name + extra))
    if path.exists():
        path.rename(target)
    return target

