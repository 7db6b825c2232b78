"""Employer files as ``.xlsx``: one workbook per ministry, readable in Excel without help.

Sheet « Liste restreinte »: the employer table (French headers), header row frozen and
filtered, column widths fitted, long texts wrapped, scores as numbers shown ``0.000``.
The last two columns are for the employer's answer: « Avis de l'employeur » (a validated
list: retenu pour entretien / non retenu / nommé) and « Commentaire de l'employeur » (free
text); ``mobilite feedback import`` reads them back into the batch's ``feedback.csv``
(:mod:`matching.feedback`).
Sheet « Méthode »: the "mention explicite" of CRPA L311-3-1 and the method notice.

Cells go through :func:`matching.io.writers.write_xlsx` (text cells stored as strings,
guarded with ``'`` when a spreadsheet would run them as a formula). The file is written
atomically and is byte-for-byte deterministic (fixed document dates and zip timestamps),
so that a replay of the batch produces the same bytes.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

__all__ = ["write_employer_xlsx", "mention_explicite", "SHEET_LIST", "SHEET_METHOD", "deterministic_zip",
           "VERDICT_HEADER", "COMMENT_HEADER", "VERDICT_CHOICES"]

SHEET_LIST = "Liste restreinte"
SHEET_METHOD = "Méthode"
VERDICT_HEADER = "Avis de l'employeur"
COMMENT_HEADER = "Commentaire de l'employeur"
#: the values the employer can choose in the « Avis de l'employeur » column
VERDICT_CHOICES = ("retenu pour entretien", "non retenu", "nommé")
from matching.io.writers import FIXED_DATE as _FIXED_DATE, deterministic_zip
#: headers (or header prefixes) of the employer table shown with wrapped text / fixed widths
_WRAP = {"Explication": 80, "Compétences requises détenues": 45, "Compétences requises manquantes": 45,
         "Avertissement": 50, "Intitulé du poste": 40, VERDICT_HEADER: 24, COMMENT_HEADER: 40}
_NUMBER_HEADERS_PREFIX = ("Score", "Composante")


def mention_explicite(ministry: str, batch_id: str) -> list[str]:
    """The paragraphs of the legal mention (CRPA L311-3-1), in French."""
    return [
        "Mention explicite (article L311-3-1 du code des relations entre le public et l'administration)",
        "Les propositions de ce fichier ont été préparées avec l'aide d'un traitement algorithmique. "
        "Toute décision individuelle prise à leur suite est prise sur le fondement d'un traitement algorithmique "
        "qui a contribué à sa préparation ; elle reste prise par une personne : les conseillers mobilité et "
        "l'employeur décident, aucune décision n'est prise automatiquement.",
        "Toute personne concernée peut demander à l'administration la communication des règles définissant ce "
        "traitement et des principales caractéristiques de sa mise en œuvre : le degré et le mode de contribution "
        "du traitement à la décision, les données traitées et leurs sources, les paramètres de traitement et leur "
        "pondération appliqués à sa situation, les opérations effectuées (article R311-3-1-2).",
        f"Ministère destinataire : {ministry}. Lot : {batch_id}. Ce fichier ne contient que les postes de ce "
        "ministère ; un candidat n'y est identifié que s'il y a consenti (sinon : référence pseudonyme).",
    ]


def _notice_lines(markdown: str) -> list[str]:
    """The Markdown notice as plain paragraphs (one per cell)."""
    from matching.report import logical_lines

    out: list[str] = []
    for raw in logical_lines(markdown):
        if not raw:
            continue
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", raw.strip())
        line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", line).replace("`", "")
        head = re.match(r"^(#{1,6})\s+(.*)$", line)
        item = re.match(r"^([-*]|\d+[.)])\s+(.*)$", line)
        if head:
            out.append(head.group(2).upper() if len(head.group(1)) == 1 else head.group(2))
        elif item:
            bullet = "•" if item.group(1) in "-*" else item.group(1)
            out.append(("      " if raw.startswith(" ") else "") + f"{bullet} {item.group(2)}")
        else:
            out.append(line)
    return out


def _answer_columns(ws, columns: list[str], *, rows: int) -> None:
    """The employer's answer: a drop-down list on « Avis de l'employeur » (other values
    refused by Excel, with a French message), the comment cell left free."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(columns.index(VERDICT_HEADER) + 1)
    check = DataValidation(type="list", formula1='"' + ",".join(VERDICT_CHOICES) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle="Avis de l'employeur",
                           error="Choisissez : " + " / ".join(VERDICT_CHOICES) + ".",
                           promptTitle="Avis de l'employeur", prompt="Choisissez dans la liste.", showInputMessage=True)
    check.add(f"{letter}2:{letter}{max(rows + 1, 2)}")
    ws.add_data_validation(check)
    for col in (VERDICT_HEADER, COMMENT_HEADER):
        ws.cell(1, columns.index(col) + 1).font = Font(bold=True, color="000091")


def write_employer_xlsx(table, path: str | Path, *, ministry: str, batch_id: str) -> None:
    """Write one ministry's employer table (French headers, as built by
    ``outputs.employer_table``) as an ``.xlsx`` file at ``path``, atomically."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from matching.io.writers import atomic_write_bytes, build_workbook
    from matching.report import method_notice_markdown

    table = table.assign(**{VERDICT_HEADER: "", COMMENT_HEADER: ""})
    columns = [str(c) for c in table.columns]
    wrap = [c for c in columns if c in _WRAP]
    widths = {c: float(_WRAP[c]) for c in wrap}
    method = pd.DataFrame(
        {"Notice": [*mention_explicite(ministry, batch_id), "", *_notice_lines(method_notice_markdown())]}
    )
    wb = build_workbook({SHEET_LIST: table, SHEET_METHOD: method}, wrap_columns=[*wrap, "Notice"],
                        widths={**widths, "Notice": 110.0})

    ws = wb[SHEET_LIST]
    for j, col in enumerate(columns, start=1):
        if col.startswith(_NUMBER_HEADERS_PREFIX):
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.number_format = "0.000"
            dim = ws.column_dimensions[get_column_letter(j)]
            dim.width = max(dim.width or 0, 12)
    for cell in ws[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _answer_columns(ws, columns, rows=len(table))
    ws.row_dimensions[1].height = 45

    wm = wb[SHEET_METHOD]
    wm.auto_filter.ref = None
    wm.freeze_panes = None
    wm["A1"].font = Font(bold=True)
    wm["A2"].font = Font(bold=True, size=12)  # the title of the legal mention
    for (cell,) in wm.iter_rows(min_row=1, max_col=1):
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    props = wb.properties
    props.title = f"Liste restreinte — {ministry}"
    props.subject = f"Lot {batch_id}"
    props.creator = "Moteur d'appariement compétences / postes"
    props.description = "Aide à la décision : les conseillers et l'employeur décident."
    props.created = _FIXED_DATE
    props.modified = _FIXED_DATE
    props.lastModifiedBy = None
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, deterministic_zip(buf.getvalue()))
