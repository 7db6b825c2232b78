"""The batch folder: the one object that reads and writes a batch's output folder.

Every deliverable, the manifest, the allocation files, the refreshed report, the
per-ministry packages and the saved engine state go through a :class:`BatchFolder`:

* names are relative to the folder and checked to stay inside it (no ``..``, no absolute
  path, no symbolic link that leaves it);
* every file is written atomically (a temporary file, then a rename);
* the manifest is only changed by :meth:`BatchFolder.update_manifest`, which re-reads it,
  applies a change and writes the whole file back atomically, so that allocations and report
  refreshes never drop what another writer recorded.

The saved state (``etat/``) is what :meth:`matching.batch.Batch.open` needs to explain and
re-rank a finished batch without reading the inputs again or embedding anything: the
canonical frames (without personal values the engine does not need), the normalised
skills and occupations, and the numeric features (embeddings included). It is stored as
JSON and an ``.npz`` of plain arrays (loaded with ``allow_pickle=False``: a batch folder
never executes code when it is opened).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from matching.errors import InputFileError

__all__ = ["BatchFolder", "BatchFolderError", "MANIFEST_NAME", "STATE_DIR"]

MANIFEST_NAME = "manifest.json"
STATE_DIR = "etat"
STATE_VERSION = 1


class BatchFolderError(InputFileError):
    """A batch folder is missing, incomplete, or a name would leave it (message in French)."""


class BatchFolder:
    """A batch's output folder. ``BatchFolder(path)`` touches nothing until asked."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"BatchFolder({str(self.path)!r})"

    # --- names --------------------------------------------------------------------------
    def file(self, name: str | os.PathLike[str]) -> Path:
        """The path of ``name`` (relative, ``/``-separated) inside the folder; refuses a name
        that would leave it."""
        rel = Path(name)
        if rel.is_absolute() or any(part in ("..", "") for part in rel.parts) or not rel.parts:
            raise BatchFolderError(f"{name} : nom de fichier refusé (il doit rester dans le dossier du lot {self.path}).")
        path = self.path / rel
        root = self.path.resolve()
        parent = path.parent.resolve()
        if parent != root and root not in parent.parents:
            raise BatchFolderError(f"{name} : ce chemin sort du dossier du lot {self.path} (lien symbolique ?) ; rien n'a été écrit.")
        return path

    def relative(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.path.resolve()).as_posix()

    def exists(self, name: str = MANIFEST_NAME) -> bool:
        return self.file(name).is_file()

    def ensure(self, sub: str = "") -> Path:
        folder = self.path / sub if sub else self.path
        folder.mkdir(parents=True, exist_ok=True)
        if sub:
            self.file(f"{sub}/.")  # refuses a sub-folder that is a link leaving the folder
        return folder

    def clear_for_new_batch(self, *, replace: bool = False) -> None:
        """Make the folder ready for a new batch: a missing or empty folder is fine; a folder
        holding a batch is emptied of that batch's files only with ``replace``; anything
        else (a file, foreign files) is refused, and nothing is removed."""
        import shutil

        if not self.path.exists():
            return
        if not self.path.is_dir():
            raise BatchFolderError(f"{self.path} existe et n'est pas un dossier : choisissez un autre dossier de sortie.")
        entries = sorted(self.path.iterdir())
        if not entries:
            return
        if not replace:
            raise BatchFolderError(
                f"{self.path} n'est pas vide ({len(entries)} élément(s)) : choisissez un autre dossier de sortie, "
                "ou relancez avec --replace pour remplacer le lot qu'il contient."
            )
        if not self.exists():
            raise BatchFolderError(
                f"{self.path} ne contient pas de lot (manifest.json absent) : rien n'a été effacé ; "
                "choisissez un dossier vide."
            )
        ours = {Path(name).parts[0] for name in (self.read_manifest().get("outputs") or {})}
        ours |= {MANIFEST_NAME, STATE_DIR, "employeurs", "envois", "report.html", "report-data.json", "warnings.csv", "lot.xlsx"}
        foreign = [p.name for p in entries if p.name not in ours and not p.name.startswith("allocation-")]
        if foreign:
            raise BatchFolderError(
                f"{self.path} contient des fichiers qui ne viennent pas du moteur ({', '.join(foreign[:3])}…) : "
                "rien n'a été effacé ; déplacez-les ou choisissez un autre dossier."
            )
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    # --- writing ------------------------------------------------------------------------
    def write_bytes(self, name: str, data: bytes) -> Path:
        from matching.io.writers import atomic_write_bytes

        path = self.file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        return path

    def write_text(self, name: str, text: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8"))

    def write_json(self, name: str, data: Any, *, indent: int = 2) -> Path:
        return self.write_text(name, json.dumps(data, ensure_ascii=False, indent=indent, default=str) + "\n")

    def write_csv(self, name: str, frame, **options: Any) -> Path:
        from matching.io.writers import write_csv

        path = self.file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(frame, path, **options)
        return path

    # --- reading ------------------------------------------------------------------------
    def read_text(self, name: str) -> str:
        path = self.file(name)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BatchFolderError(f"{path} : fichier absent (est-ce le dossier d'un lot terminé ?).") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BatchFolderError(f"{path} : fichier illisible ({type(exc).__name__}).") from None

    def read_json(self, name: str) -> Any:
        text = self.read_text(name)
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise BatchFolderError(f"{self.file(name)} : JSON illisible.") from None

    def read_csv(self, name: str, **options: Any):
        """A CSV written by this engine, read back as text columns, formula guards undone."""
        import pandas as pd

        from matching.io.writers import unneutralize_cell

        path = self.file(name)
        if not path.is_file():
            raise BatchFolderError(f"{path} : fichier absent (est-ce le dossier d'un lot terminé ?).")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", **options)
        for col in frame.columns:  # every column is text (dtype=str: "str" in pandas 3, not object)
            frame[col] = [unneutralize_cell(v) for v in frame[col].tolist()]
        return frame

    # --- manifest -----------------------------------------------------------------------
    def read_manifest(self, *, required: tuple[str, ...] = ()) -> dict[str, Any]:
        from matching.manifest import ManifestError, read_manifest

        try:
            return read_manifest(self.path, required=required)
        except ManifestError as exc:
            raise BatchFolderError(str(exc)) from None

    def write_manifest(self, manifest: dict[str, Any]) -> Path:
        return self.write_json(MANIFEST_NAME, manifest)

    def update_manifest(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Re-read the manifest, apply ``change`` (which edits the dict in place) and write
        the whole manifest back atomically."""
        manifest = self.read_manifest()
        change(manifest)
        self.write_manifest(manifest)
        return manifest

    # --- saved engine state -------------------------------------------------------------
    def save_state(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> list[Path]:
        """Write the engine state: ``etat/arrays.npz`` (plain arrays) and ``etat/state.json``."""
        from matching.io.writers import deterministic_zip

        buf = io.BytesIO()
        np.savez(buf, **arrays)
        npz = self.write_bytes(f"{STATE_DIR}/arrays.npz", deterministic_zip(buf.getvalue()))
        meta = {"state_version": STATE_VERSION, **meta}
        js = self.write_text(f"{STATE_DIR}/state.json", json.dumps(meta, ensure_ascii=False, sort_keys=True, allow_nan=True) + "\n")
        return [npz, js]

    def load_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        path = self.file(f"{STATE_DIR}/arrays.npz")
        if not path.is_file():
            raise BatchFolderError(
                f"{self.path} : ce lot n'a pas d'état enregistré ({STATE_DIR}/) ; relancez-le avec cette version du moteur."
            )
        meta = self.read_json(f"{STATE_DIR}/state.json")
        if not isinstance(meta, dict) or meta.get("state_version") != STATE_VERSION:
            raise BatchFolderError(f"{self.path} : état du lot d'une autre version du moteur ; relancez le lot.")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise BatchFolderError(f"{path} : état du lot illisible ({type(exc).__name__}) ; relancez le lot.") from None
        return arrays, meta
