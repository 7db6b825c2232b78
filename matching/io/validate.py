"""Check both input files without running a batch (the CLI ``validate`` command).

Both files are always read, so that every problem of both is reported at once: a file
that cannot be read at all is recorded as file-level problems, not raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matching.io.readers import REJECT_COLUMNS, InputError, Problem, ReadResult, read_positions, read_profiles

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matching.config import Config, InputConfig

__all__ = ["ValidationReport", "validate_files", "SUMMARY_COLUMNS"]

SUMMARY_COLUMNS = ("file", "kind", "format", "encoding", "read", "accepted", "rejected", "warnings")


@dataclass
class ValidationReport:
    """Both read results (``None`` for a file that could not be read) and file-level problems."""

    profiles: ReadResult | None
    positions: ReadResult | None
    #: file-level problems (``InputError.problems``) of files that could not be read
    file_problems: list[Problem] = field(default_factory=list)
    #: ``{"profiles": "p.csv", "positions": "q.xlsx"}``
    files: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when both files were read and no row was rejected (warnings allowed)."""
        return (
            not self.file_problems
            and self.profiles is not None
            and self.positions is not None
            and self.profiles.rejected == 0
            and self.positions.rejected == 0
        )

    def summary_rows(self) -> list[dict[str, Any]]:
        """One dict per file, keys ``SUMMARY_COLUMNS``; unreadable files show ``read=None``."""
        rows = []
        for kind in ("profiles", "positions"):
            res: ReadResult | None = getattr(self, kind)
            if res is None:
                rows.append(
                    {"file": self.files.get(kind, ""), "kind": kind, "format": None, "encoding": None,
                     "read": None, "accepted": None, "rejected": None, "warnings": 0}
                )
                continue
            info = res.info
            encoding = info["encoding"] or ""
            if info["format"] == "xlsx":
                encoding = f"feuille {info['sheet']}"
            elif info.get("delimiter"):
                delim = {"\t": "tab", ";": ";", ",": ",", "|": "|"}.get(info["delimiter"], info["delimiter"])
                encoding = f"{encoding}, séparateur {delim}"
            rows.append(
                {"file": info["file"], "kind": kind, "format": info["format"], "encoding": encoding,
                 "read": info["rows_read"], "accepted": info["accepted"], "rejected": info["rejected"],
                 "warnings": len(res.warnings)}
            )
        return rows

    def problems(self) -> list[Problem]:
        """Every problem: file-level ones first, then each file's rejects."""
        out = list(self.file_problems)
        for res in (self.profiles, self.positions):
            if res is not None:
                out += res.problems()
        return out

    def warnings(self) -> list[str]:
        """Every warning as a sentence: file-level ones, then each kept row's cell warnings."""
        import pandas as pd

        out = []
        for res in (self.profiles, self.positions):
            if res is None:
                continue
            for w in res.warnings.itertuples(index=False):
                where = [w.file]
                if not pd.isna(w.row):
                    where.append(f"ligne {int(w.row)}")
                    if w.column:
                        where.append(f"colonne « {w.column} »")
                text = f"{', '.join(where)} : {w.message}"
                if w.value:
                    text += f" (valeur : « {w.value} »)"
                out.append(text)
        return out

    def warnings_frame(self) -> "pd.DataFrame":
        """Every warning of both files (``file, row, column, value, message``), for warnings.csv."""
        import pandas as pd

        frames = [r.warnings for r in (self.profiles, self.positions) if r is not None]
        if not frames:
            return pd.DataFrame(columns=["file", "row", "column", "value", "message"])
        return pd.concat(frames, ignore_index=True)

    def reading_lines(self) -> list[str]:
        """How each file was read: list separators per column and what the reference tables
        understood (ministries, corps, grades). Unknown headers and their suggested column are
        in the warnings."""
        out = []
        for res in (self.profiles, self.positions):
            if res is None:
                continue
            name = res.info["file"]
            if res.separators:
                out.append(f"{name} : séparateurs de listes : " + " ; ".join(f"« {c} » {s}" for c, s in res.separators.items()))
            for what, mapping in res.understood.items():
                shown = [f"« {a} » = {b}" for a, b in list(mapping.items())[:8]]
                more = f" … et {len(mapping) - 8} autre(s)" if len(mapping) > 8 else ""
                out.append(f"{name} : {what} lus : " + " ; ".join(shown) + more)
        return out

    def rejects(self) -> "pd.DataFrame":
        """All problems as one frame (``file, row, column, value, reason``), for rejects.csv."""
        import pandas as pd

        frames = [
            pd.DataFrame(
                {"file": [p.file for p in self.file_problems], "row": pd.Series([p.row for p in self.file_problems], dtype="Int64"),
                 "column": [p.column or "" for p in self.file_problems], "value": [p.value for p in self.file_problems],
                 "reason": [p.reason for p in self.file_problems]},
                columns=list(REJECT_COLUMNS),
            )
        ]
        frames += [r.rejects for r in (self.profiles, self.positions) if r is not None]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame({c: pd.Series([], dtype="Int64" if c == "row" else "str") for c in REJECT_COLUMNS})
        return pd.concat(frames, ignore_index=True)


def validate_files(
    profiles_path: str | Path,
    positions_path: str | Path,
    *,
    config: "Config | InputConfig | None" = None,
    profiles_sheet: str | None = None,
    positions_sheet: str | None = None,
) -> ValidationReport:
    """Read both files (never raising :class:`InputError`; ``strict`` is ignored here)."""
    import dataclasses

    from matching.config import Config, InputConfig

    input_config = config.input if isinstance(config, Config) else (config or InputConfig())
    lenient = dataclasses.replace(input_config, strict=False)
    reference_date = (config.rules.reference_date or None) if isinstance(config, Config) else None
    report = ValidationReport(None, None, files={"profiles": Path(profiles_path).name, "positions": Path(positions_path).name})
    for kind, reader, path, sheet in (
        ("profiles", read_profiles, profiles_path, profiles_sheet),
        ("positions", read_positions, positions_path, positions_sheet),
    ):
        try:
            setattr(report, kind, reader(path, config=lenient, sheet=sheet, reference_date=reference_date))
        except InputError as exc:
            report.file_problems += exc.problems
    return report
