"""Input and output: readers for advisors' files, safe atomic writers, validation.

Light on import: pandas and openpyxl are imported inside the functions that need them.
"""

from matching.io.readers import InputError, Problem, ReadResult, read_positions, read_profiles
from matching.io.writers import (
    atomic_output,
    atomic_write_bytes,
    atomic_write_text,
    neutralize_cell,
    unneutralize_cell,
    write_csv,
    write_xlsx,
)

__all__ = [
    "InputError",
    "Problem",
    "ReadResult",
    "read_profiles",
    "read_positions",
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "neutralize_cell",
    "unneutralize_cell",
    "write_csv",
    "write_xlsx",
    "validate_files",
    "ValidationReport",
]


def __getattr__(name: str):  # lazy: validate imports the readers only when asked
    if name in ("validate_files", "ValidationReport"):
        from matching.io import validate

        return getattr(validate, name)
    raise AttributeError(name)
