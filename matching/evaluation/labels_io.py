"""Reading analysts' small CSV files (labels, feedback): the one reader and its error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from matching.errors import InputFileError

__all__ = ["LabelsError", "read_csv_text"]


class LabelsError(InputFileError, ValueError):
    """Every problem found in a labels or shortlists file, reported at once (in French)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def read_csv_text(path: str | Path) -> pd.DataFrame:
    """A small CSV reader for analysts' files: UTF-8 (with or without BOM) or cp1252,
    ``;`` or ``,`` separated, every cell as text, header names stripped and lower-cased."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LabelsError([f"{path.name} : lecture impossible ({exc.strerror})."]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    import io

    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LabelsError([f"{path.name} : fichier CSV illisible ({exc})."]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame
