"""Atomic writes, formula neutralisation, CSV and xlsx writers."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.io.writers import (
    _PLAIN_NUMBER,
    FORMULA_TRIGGERS,
    atomic_output,
    atomic_write_bytes,
    atomic_write_text,
    neutralize_cell,
    unneutralize_cell,
    write_csv,
    write_xlsx,
)

DANGEROUS = ["=1+1", "+33 6 12", "-moins", "@SOMME(A1)", "\tx", "\rx", "=HYPERLINK(\"http://e\",\"x\")"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_cells_are_guarded(text):
    assert neutralize_cell(text) == "'" + text
    assert unneutralize_cell(neutralize_cell(text)) == text


@pytest.mark.parametrize("value", ["-3.5", "+33", "-1,5", "1e-3", "", "texte", "Python:3", -3.5, 7, None, float("nan")])
def test_numbers_and_plain_text_untouched(value):
    out = neutralize_cell(value)
    assert not out.startswith("'")


def test_existing_quote_round_trips():
    for s in ["'=x", "''", "'-", "'abc", "'"]:
        assert unneutralize_cell(neutralize_cell(s)) == s


@given(st.text(max_size=30))
def test_neutralize_round_trip_property(s):
    n = neutralize_cell(s)
    assert unneutralize_cell(n) == s
    if n and n[0] in FORMULA_TRIGGERS:  # only a plain number may start with + or -
        assert _PLAIN_NUMBER.fullmatch(n)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20), min_size=1, max_size=8))
def test_no_neutralised_cell_is_lost_through_csv(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("w") / "out.csv"
    df = pd.DataFrame({"texte": pd.Series(texts, dtype=object), "n": range(len(texts))})
    write_csv(df, path, sep=";", bom=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["texte", "n"]
    back = [unneutralize_cell(r[0]) for r in rows[1:]]
    assert back == texts
    for r in rows[1:]:  # nothing a spreadsheet would execute
        assert not r[0] or r[0][0] not in "=@\t\r" 


def test_write_csv_formats_lists_dates_and_keeps_numbers(tmp_path):
    import datetime as dt

    df = pd.DataFrame({
        "skills": [[("Python", 3), ("SQL", None)], []],
        "d": [dt.date(2025, 9, 1), None],
        "score": [-3.5, float("nan")],
        "t": ["=cmd|' /C calc'!A0", "ok"],
    })
    write_csv(df, tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    assert "Python:3; SQL" in text and "2025-09-01" in text
    assert "-3.5" in text and "'-3.5" not in text
    assert "'=cmd" in text


def test_write_xlsx_never_stores_formulas(tmp_path):
    from openpyxl import load_workbook

    df = pd.DataFrame({"texte": ["=1+1", "@x", "normal"], "score": [0.5, -2.0, 3]})
    for neutralize in (True, False):
        path = tmp_path / f"e{neutralize}.xlsx"
        write_xlsx({"Ministère de l'Intérieur: shortlist/2025 [test]": df}, path, neutralize=neutralize, wrap_columns=("texte",))
        wb = load_workbook(path)
        ws = wb.worksheets[0]
        assert len(ws.title) <= 31
        cells = [ws.cell(row=i, column=1) for i in range(2, 5)]
        assert all(c.data_type == "s" for c in cells)
        expected = ["'=1+1", "'@x", "normal"] if neutralize else ["=1+1", "@x", "normal"]
        assert [c.value for c in cells] == expected
        assert ws.cell(row=3, column=2).value == -2.0
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:B4"
        raw = load_workbook(path, data_only=False).worksheets[0]
        assert all(raw.cell(row=i, column=1).data_type != "f" for i in range(1, 5))


def test_atomic_write_replaces_and_cleans(tmp_path):
    p = tmp_path / "f.txt"
    atomic_write_text(p, "un")
    atomic_write_text(p, "deux")
    assert p.read_text() == "deux"
    assert [x.name for x in tmp_path.iterdir()] == ["f.txt"]


def test_exception_mid_write_keeps_previous_file(tmp_path):
    p = tmp_path / "f.csv"
    atomic_write_bytes(p, b"ancien contenu complet\n")
    with pytest.raises(RuntimeError):
        with atomic_output(p) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"nouveau contenu parti")
            raise RuntimeError("crash")
    assert p.read_bytes() == b"ancien contenu complet\n"
    assert [x.name for x in tmp_path.iterdir()] == ["f.csv"]


@pytest.mark.parametrize("previous", [True, False])
def test_killed_process_leaves_previous_file_or_none(tmp_path, previous):
    """A process killed (os._exit, no cleanup) in the middle of writing."""
    target = tmp_path / "shortlists.csv"
    if previous:
        atomic_write_bytes(target, b"ancien\n")
    script = textwrap.dedent(
        f"""
        import os
        from matching.io.writers import atomic_output
        with atomic_output({str(target)!r}) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"x" * 100000)
                fh.flush()
                os._exit(9)  # killed while writing: no except, no finally
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1], timeout=60)
    assert proc.returncode == 9
    if previous:
        assert target.read_bytes() == b"ancien\n"
    else:
        assert not target.exists()
    # only a hidden temporary may remain; never a partial file under the final name
    assert all(p.name.startswith(".shortlists.csv.") for p in tmp_path.iterdir() if p != target)


def test_write_xlsx_killed_is_atomic(tmp_path):
    target = tmp_path / "emp.xlsx"
    atomic_write_bytes(target, b"ancien")
    script = textwrap.dedent(
        f"""
        import os, pandas as pd
        import openpyxl.workbook.workbook as wbmod
        def boom(self, filename):
            with open(filename, "wb") as fh:
                fh.write(b"PK partial")
            os._exit(7)
        wbmod.Workbook.save = boom
        from matching.io.writers import write_xlsx
        write_xlsx({{"a": pd.DataFrame({{"x": [1]}})}}, {str(target)!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1], timeout=60)
    assert proc.returncode == 7
    assert target.read_bytes() == b"ancien"


def test_atomic_file_permissions_follow_umask(tmp_path):
    if os.name != "posix":
        pytest.skip("posix permissions")
    p = tmp_path / "x"
    atomic_write_text(p, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert p.stat().st_mode & 0o777 == 0o666 & ~mask


def _workbook_cells(wb) -> list:
    """What a reader of a saved workbook sees: titles, frozen panes, filters, widths, and
    every cell's value, type, number format, bold and wrapping."""
    from openpyxl import load_workbook

    buf = io.BytesIO()
    wb.save(buf)
    # a reader that trusts the extent the file declares (read-only openpyxl, as pandas does)
    seen = [[(ws.title, ws.max_row, ws.max_column) for ws in load_workbook(io.BytesIO(buf.getvalue()), read_only=True).worksheets]]
    for ws in load_workbook(io.BytesIO(buf.getvalue())).worksheets:
        seen.append((ws.title, ws.freeze_panes, ws.auto_filter.ref, {k: v.width for k, v in ws.column_dimensions.items()}))
        seen.append(("extent", ws.max_row, ws.max_column))
        seen.extend([(c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.alignment.wrap_text) for c in row]
                    for row in ws.iter_rows())
    return seen


def test_streaming_workbook_has_the_same_cells_as_the_editable_one():
    """lot.xlsx is built as openpyxl's streaming (write-only) workbook: a formula-like text
    stays a text, numbers stay numbers, dates keep their format, wrapped columns wrap, empty
    values stay empty cells, exactly as in the editable workbook the employer files use."""
    import datetime as dt
    import math

    import numpy as np

    from matching.io.writers import build_workbook

    df = pd.DataFrame({
        "score": [1, 2.5, np.nan, math.inf, -3],
        "explication": ["=SUM(A1)", "ligne\ndeux", None, "x" * 100, "+33 1 23"],
        "ouvert": [True, False, None, np.bool_(True), False],
        "date": [dt.date(2024, 1, 2), pd.Timestamp("2024-03-04 10:00"), None, dt.datetime(2024, 1, 1), pd.NaT],
        "=entête": ["@a", "-b", "c", "", "\tz"],
    })
    sheets = {"Synthèse": df, "x/y:z": df.iloc[:0], "vide": pd.DataFrame()}
    kw = dict(wrap_columns=["explication"], widths={"score": 30.0})
    editable, streaming = (_workbook_cells(build_workbook(sheets, write_only=w, **kw)) for w in (False, True))
    assert streaming == editable
    texts = [cell for row in editable[1:] if isinstance(row, list) for cell in row if isinstance(cell[1], str)]
    assert texts and all(not c[1].startswith(("=", "+", "-", "@")) and c[2] == "s" for c in texts)
