"""Employer .xlsx files: Excel-friendly layout, legal mention, no formula ever."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from matching.employer_xlsx import COMMENT_HEADER, SHEET_LIST, SHEET_METHOD, VERDICT_HEADER, write_employer_xlsx


@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Lot": ["LOT-1", "LOT-1"],
            "Ministère": ["Ministère X", "Ministère X"],
            "Direction": ["=1+2", "@SUM(A1)"],
            "Référence du poste": ["P1", "P1"],
            "Intitulé du poste": ["Data scientist", "Data scientist"],
            "Rang": [1, 2],
            "Référence candidat": ["CAND-1", "CAND-2"],
            "Score (0 à 1)": [0.92712, 0.5],
            "Composante : souhaits": [0.5, float("nan")],
            "Compétences requises détenues": ['=HYPERLINK("http://exemple.invalid","clic")', "Python"],
            "Compétences requises manquantes": ["-cmd|' /C calc'!A0", ""],
            "Explication": ["Score 0,93, porté surtout par : " + "compétences " * 30, "+33 1 23"],
        }
    )


def test_layout_numbers_and_method_sheet(table, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "m.xlsx"
    write_employer_xlsx(table, path, ministry="Ministère X", batch_id="LOT-1")
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET_LIST, SHEET_METHOD]
    ws = wb[SHEET_LIST]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:N3"  # the table and the employer's two answer columns
    headers = [c.value for c in ws[1]]
    assert headers == [*table.columns, VERDICT_HEADER, COMMENT_HEADER]
    col = {h: i + 1 for i, h in enumerate(headers)}
    score = ws.cell(2, col["Score (0 à 1)"])
    assert score.data_type == "n" and score.value == pytest.approx(0.92712) and score.number_format == "0.000"
    assert ws.cell(2, col["Rang"]).value == 1
    assert ws.cell(3, col["Composante : souhaits"]).value is None  # NaN -> empty cell
    expl = ws.cell(2, col["Explication"])
    assert expl.alignment.wrap_text
    letter = expl.column_letter
    assert ws.column_dimensions[letter].width >= 60
    for h in headers:  # every column readable: no column narrower than 8
        assert ws.column_dimensions[ws.cell(1, col[h]).column_letter].width >= 8

    text = "\n".join(str(c.value) for (c,) in wb[SHEET_METHOD].iter_rows(max_col=1) if c.value)
    assert "Mention explicite" in text and "L311-3-1" in text
    assert "traitement algorithmique" in text
    assert "communication des règles" in text
    assert "Ministère X" in text and "LOT-1" in text
    assert "Notice de la méthode" in text or "NOTICE DE LA MÉTHODE" in text
    assert "**" not in text  # markdown rendered as plain text


def test_no_formula_cell_even_with_formula_like_text(table, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "m.xlsx"
    write_employer_xlsx(table, path, ministry="Ministère X", batch_id="LOT-1")
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    ws = wb[SHEET_LIST]
    texts = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://exemple.invalid\",\"clic\")" in texts
    assert "'=1+2" in texts and "'@SUM(A1)" in texts and "'-cmd|' /C calc'!A0" in texts
    for t in texts:  # "+33 1 23" is not a plain number: guarded too
        assert t[:1] not in ("=", "@", "+", "-"), t


def test_deterministic_and_atomic(table, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_employer_xlsx(table, a, ministry="Ministère X", batch_id="LOT-1")
    write_employer_xlsx(table, b, ministry="Ministère X", batch_id="LOT-1")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]  # no temporary file left


def test_empty_table_still_has_headers_and_notice(table, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "vide.xlsx"
    write_employer_xlsx(table.iloc[0:0], path, ministry="Ministère Y", batch_id="LOT-2")
    wb = load_workbook(path)
    assert [c.value for c in wb[SHEET_LIST][1]] == [*table.columns, VERDICT_HEADER, COMMENT_HEADER]
    assert wb[SHEET_LIST].max_row == 1
    assert any("L311-3-1" in str(c.value) for (c,) in wb[SHEET_METHOD].iter_rows(max_col=1))
