"""Outputs that are safe to open: atomic writes and formula neutralisation.

**Atomic writes.** Every file is written to a temporary file in the *same folder*
(``.<name>.<random>.tmp``), flushed and ``fsync``-ed, then moved over the final name with
``os.replace`` (atomic on POSIX and Windows). A crash, an exception or a kill while
writing leaves the previous file (or none), never a truncated one; on an exception the
temporary file is removed. The temporary file is created with the usual permissions
(``0o666`` minus the umask), like a plain ``open(path, "w")``.

**Formula neutralisation** (OWASP "CSV injection"). A text cell starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``. Decisions:

* numbers are not text: values of numeric columns (int, float, bool dtypes) and Python
  numbers are never touched, and a text cell that is *exactly* a plain number
  (``-3.5``, ``+33``, ``-1,5``, ``1e-3``) is left as is: a spreadsheet reads it as a
  number, never as a formula;
* a text that already starts with ``'`` followed by a guarded character or another
  ``'`` gets one more ``'``, so that :func:`unneutralize_cell` always gives back exactly
  the original text (``unneutralize_cell(neutralize_cell(s)) == s`` for every ``s``);
* in ``.xlsx`` files text cells are also stored with an explicit string type, so that
  nothing is ever stored as a formula, even with ``neutralize=False``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import math
import os
import re
import secrets
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
    "write_csv",
    "write_xlsx",
    "FORMULA_TRIGGERS",
]

#: Leading characters that make a spreadsheet evaluate a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_GUARDED_AFTER_QUOTE = frozenset(FORMULA_TRIGGERS) | {"'"}
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")


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


def neutralize_cell(value: Any) -> str:
    """The cell as text, with a ``'`` guard if a spreadsheet would run it as a formula.

    Numbers (Python or numpy) are returned as their text, unguarded; ``None``/NaN → ``""``.
    """
    if _is_number(value):
        return format_cell(value)
    text = format_cell(value)
    if not text:
        return text
    first = text[0]
    if first in FORMULA_TRIGGERS:
        if first in "+-" and _PLAIN_NUMBER.fullmatch(text):
            return text
        return "'" + text
    if first == "'" and len(text) > 1 and text[1] in _GUARDED_AFTER_QUOTE:
        return "'" + text
    return text


def unneutralize_cell(text: str) -> str:
    """Remove the guard added by :func:`neutralize_cell` (exact inverse on its outputs)."""
    if len(text) > 1 and text[0] == "'" and text[1] in _GUARDED_AFTER_QUOTE:
        return text[1:]
    return text


# --- CSV ------------------------------------------------------------------------------
def _text_frame(df: Any, neutralize: bool) -> Any:
    """A copy of ``df`` where every non-numeric column is text (formatted, maybe guarded)."""
    import pandas as pd

    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s.dtype) or (
            pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype)
        ):
            out[col] = s
        else:
            fn = neutralize_cell if neutralize else format_cell
            out[col] = pd.Series([fn(v) for v in s.tolist()], index=s.index, dtype=object)
    frame = pd.DataFrame(out, index=df.index)
    frame.columns = [neutralize_cell(c) if neutralize else format_cell(c) for c in df.columns]
    return frame


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
    neutralised unless ``neutralize=False``. Lines end with ``\\r\\n`` (RFC 4180).
    """
    buf = io.StringIO()
    _text_frame(df, neutralize).to_csv(buf, sep=sep, index=False, lineterminator="\r\n")
    atomic_write_bytes(path, buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))


# --- xlsx -----------------------------------------------------------------------------
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", str(name)).strip("'") or "Feuille"
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
) -> Any:
    """One sheet per DataFrame in a new openpyxl ``Workbook`` (not saved).

    Text cells are stored with an explicit string type (never as formulas) and, unless
    ``neutralize=False``, guarded like in CSV. Numbers stay numbers, dates are Excel
    dates, NaN/None are empty cells, lists are joined with ``"; "``. ``wrap_columns``
    (header names) get wrapped text; ``widths`` maps header names to column widths
    (others: fitted to the content, 8–60). Sheet names are cut to Excel's 31 characters
    and its forbidden characters replaced. Characters Excel cannot store (control
    characters) are removed from text.
    """
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    wrap = set(wrap_columns)
    widths = dict(widths or {})
    bold = Font(bold=True)
    wrap_align = Alignment(wrap_text=True, vertical="top")

    def text_cell(cell: Any, value: Any) -> int:
        text = neutralize_cell(value) if neutralize else format_cell(value)
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        if not text:  # an empty text is an empty cell, not an empty string
            return 0
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the text looks like
        return max((len(line) for line in text.split("\n")), default=0)

    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        columns = [str(c) for c in df.columns]
        fitted = [len(c) for c in columns]
        for j, col in enumerate(columns, start=1):
            fitted[j - 1] = text_cell(ws.cell(row=1, column=j), col)
            ws.cell(row=1, column=j).font = bold
        for j, col in enumerate(df.columns, start=1):
            series = df[col]
            for i, value in enumerate(series.tolist(), start=2):
                cell = ws.cell(row=i, column=j)
                if _is_missing(value):
                    continue
                if isinstance(value, bool) or type(value).__name__ == "bool_":
                    cell.value = bool(value)
                    fitted[j - 1] = max(fitted[j - 1], 5)
                elif _is_number(value):
                    f = float(value)
                    if math.isnan(f):
                        continue
                    if math.isinf(f):
                        text_cell(cell, "inf" if f > 0 else "-inf")
                        continue
                    cell.value = value.item() if hasattr(value, "item") else value
                    fitted[j - 1] = max(fitted[j - 1], len(format_cell(value)))
                elif isinstance(value, (_dt.datetime, _dt.date)):
                    v = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
                    if isinstance(v, _dt.datetime) and v.tzinfo is not None:
                        v = v.replace(tzinfo=None)
                    cell.value = v
                    date_only = not isinstance(v, _dt.datetime) or v.time() == _dt.time(0)
                    cell.number_format = "DD/MM/YYYY" if date_only else "DD/MM/YYYY HH:MM"
                    fitted[j - 1] = max(fitted[j - 1], 16)
                else:
                    fitted[j - 1] = max(fitted[j - 1], text_cell(cell, value))
                if columns[j - 1] in wrap:
                    cell.alignment = wrap_align
        for j, col in enumerate(columns, start=1):
            width = widths.get(col)
            if width is None:
                width = min(60, max(8, fitted[j - 1] + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
        if freeze_header and len(df.columns):
            ws.freeze_panes = "A2"
        if autofilter and len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(df) + 1)}"
    if not wb.worksheets:
        wb.create_sheet("Feuille")
    return wb


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
