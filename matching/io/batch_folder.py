"""The batch folder: the one object that reads and writes a batch's output folder.

Every deliverable, the manifest, the allocation files, the refreshed report, the
per-ministry packages and the saved engine state go through a :class:`BatchFolder`:

* names are relative to the folder and checked to stay inside it (no ``..``, no absolute
  path, no symbolic link that leaves it);
* every file is written atomically (a temporary file, then a rename), under the folder's
  lock (``fcntl.flock`` on the folder itself, non-blocking: a second writer is refused with
  :class:`matching.errors.FolderBusyError` instead of interleaving its files);
* a new batch is written whole into a hidden staging folder beside the output folder
  (``.<name>.staging-<random>``, same parent, hence same file system) and swapped in by
  :meth:`BatchFolder.write_new_batch` (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two
  renames, finished or rolled back by :meth:`BatchFolder.recover` at the next lock), so
  that the folder is, at every instant, either the old batch or the new one;
* file-system errors (permission, read-only, no space, a folder where a file is expected)
  become :class:`matching.errors.FolderError` with a French reason;
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

import contextlib
import ctypes
import errno
import io
import json
import os
import re
import secrets
import shutil
import stat
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import numpy as np

from matching.errors import FolderBusyError, FolderError, InputFileError, os_error_reason

try:  # POSIX only: without it there is no lock (and no concurrent-run protection)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["BatchFolder", "BatchFolderError", "MANIFEST_NAME", "STATE_DIR", "ENGINE_ENTRIES"]

MANIFEST_NAME = "manifest.json"
STATE_DIR = "etat"
STATE_VERSION = 1
T = TypeVar("T")

# what a batch folder holds besides the outputs listed in its manifest; per sub-folder, the
# suffixes of the files the engine writes there (anything else is someone else's file)
ENGINE_ENTRIES = {MANIFEST_NAME, STATE_DIR, "employeurs", "envois", "report.html", "report-data.json", "warnings.csv", "lot.xlsx"}
_SUBFOLDER_SUFFIXES = {
    "employeurs": {".csv", ".xlsx"},
    "envois": {".csv", ".xlsx", ".html", ".md", ".zip"},
    STATE_DIR: {".npz", ".json"},
}
_LEFTOVER = re.compile(r"\.(staging|ready|old)-[0-9a-f]{12}")
_HELD = threading.local()  # per thread: (st_dev, st_ino) of the folders whose lock it holds


class BatchFolderError(InputFileError):
    """A batch folder is missing, incomplete, or a name would leave it (message in French)."""


@contextlib.contextmanager
def _fs(what: str, path: Path | str, note: str = "") -> Iterator[None]:
    """Turn an ``OSError`` raised inside into a :class:`FolderError` naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise FolderError(f"{path} : {what} impossible ({os_error_reason(exc)}){note}.") from None


_UNCHANGED = " ; le lot en place n'a pas été modifié"


def _held() -> dict[tuple[int, int], int]:
    if not hasattr(_HELD, "keys"):
        _HELD.keys = {}
    return _HELD.keys


def _try_lock(path: Path) -> int | None:
    """An fd of ``path`` holding its exclusive lock, or ``None`` if another holds it."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    if fcntl is None:  # pragma: no cover
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    """glibc's ``renameat2`` (Linux), or ``None``."""
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_EXCHANGE = _renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; ``False`` when the system cannot (no renameat2, or a
    file system without RENAME_EXCHANGE): the caller then falls back to two renames."""
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _remove_tree(path: Path) -> None:
    """Remove a leftover tree (never follows a link); what cannot be removed now is left for
    the next :meth:`BatchFolder.recover`."""
    shutil.rmtree(path, ignore_errors=True)


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

    def inside(self, name: str | os.PathLike[str]) -> Path:
        """:meth:`file`, for reading: the file itself may not be a link leaving the folder
        (a manifest is trusted only within its batch folder)."""
        path = self.file(name)
        real = path.resolve()
        root = self.path.resolve()
        if real != root and root not in real.parents:
            raise BatchFolderError(f"{name} : ce fichier est un lien vers l'extérieur du dossier du lot {self.path} ; il n'est pas lu.")
        return path

    def relative(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.path.resolve()).as_posix()

    def exists(self, name: str = MANIFEST_NAME) -> bool:
        return self.file(name).is_file()

    def ensure(self, sub: str = "") -> Path:
        """The folder (or its sub-folder ``sub``), created if missing; a sub-folder that is a
        symbolic link (or anything but a plain folder) is refused before anything is written."""
        folder = self.file(sub) if sub else self.path
        if sub and (folder.is_symlink() or (folder.exists() and not folder.is_dir())):
            what = "un lien symbolique" if folder.is_symlink() else "un fichier"
            raise BatchFolderError(f"{folder} : {what} occupe la place du dossier {sub}/ du lot ; rien n'y a été écrit.")
        with _fs("création du dossier", folder):
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    # --- lock, staging and swap ----------------------------------------------------------
    def _real(self) -> Path:
        return Path(os.path.realpath(self.path))

    @contextlib.contextmanager
    def lock(self, *, create: bool = False) -> Iterator[None]:
        """Hold the folder's exclusive lock (re-entrant within a thread). Another holder (a run
        writing into this folder) gives :class:`FolderBusyError` at once. With ``create``, a
        missing folder is created (and removed again if it is still empty on an error)."""
        real = self._real()
        if not _held():
            self.recover()
        created = False
        if create and not real.exists():
            with _fs("création du dossier", self.path):
                real.mkdir(parents=True)
            created = True
        if not real.is_dir():
            if real.exists():
                raise BatchFolderError(f"{self.path} existe et n'est pas un dossier : choisissez un autre dossier de sortie.")
            raise BatchFolderError(f"{self.path} : dossier absent (est-ce le dossier d'un lot terminé ?).")
        with _fs("ouverture du dossier", self.path):
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            st = os.fstat(fd)
            key, held = (st.st_dev, st.st_ino), _held()
            if key in held:
                held[key] += 1
                try:
                    yield
                finally:
                    held[key] -= 1
                return
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise FolderBusyError(
                        f"{self.path} : un autre lancement est en train d'écrire dans ce dossier ; attendez qu'il "
                        "se termine, ou choisissez un autre dossier de sortie."
                    ) from None
            held[key] = 1
            try:
                yield
            except BaseException:
                if created:
                    with contextlib.suppress(OSError):
                        if os.stat(real).st_ino == st.st_ino and not any(real.iterdir()):
                            real.rmdir()
                raise
            finally:
                del held[key]
        finally:
            os.close(fd)

    def _leftovers(self) -> list[tuple[str, Path]]:
        real = self._real()
        prefix = f".{real.name}"
        try:
            entries = sorted(real.parent.iterdir())
        except OSError:
            return []
        out = []
        for p in entries:
            if p.name.startswith(prefix):
                m = _LEFTOVER.fullmatch(p.name[len(prefix):])
                if m and p.is_dir() and not p.is_symlink():
                    out.append((m.group(1), p))
        return out

    def recover(self) -> list[str]:
        """Finish or roll back a swap that a killed run left half-done, and remove the staging
        folders of killed runs (folders still locked by a live run are left alone). Returns
        what was done, in French."""
        real = self._real()
        done: list[str] = []
        leftovers = self._leftovers()
        if not real.exists():
            for kind in ("ready", "old"):  # a complete new batch first, else the old one back
                for _, path in [x for x in leftovers if x[0] == kind]:
                    try:
                        fd = _try_lock(path)
                    except OSError:
                        continue
                    if fd is None:
                        continue
                    try:
                        os.rename(path, real)
                        done.append("échange interrompu terminé" if kind == "ready" else "échange interrompu annulé")
                    except OSError:
                        continue
                    finally:
                        os.close(fd)
                    break
                if real.exists():
                    break
        for _, path in self._leftovers():
            try:
                fd = _try_lock(path)
            except OSError:
                continue
            if fd is None:
                continue  # a live run's staging folder
            try:
                _remove_tree(path)
                done.append(f"dossier provisoire {path.name} supprimé")
            finally:
                os.close(fd)
        return done

    def check_outside(self, *inputs: str | os.PathLike[str]) -> None:
        """Refuse input files inside this folder (or equal to it): a new batch replaces the
        whole folder, so such an input would be destroyed."""
        from matching.errors import UsageError

        real = self._real()
        for given in inputs:
            path = Path(os.path.realpath(given))
            if path == real or real in path.parents:
                raise UsageError(
                    f"{given} est dans le dossier de sortie {self.path} : un lot remplace tout son dossier, ce fichier "
                    "d'entrée serait détruit. Choisissez un dossier de sortie qui ne contient pas les fichiers d'entrée."
                )

    def check_writable(self) -> None:
        """Refuse, before any work, a folder (or a sub-folder) that cannot be written, and a
        parent folder where the staging folder cannot be created."""
        real = self._real()
        parent = real.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise FolderError(f"{self.path} : {parent} n'est pas un dossier (c'est un fichier) ; choisissez un autre dossier de sortie.")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise FolderError(
                f"{self.path} : le dossier parent {parent} n'accepte pas l'écriture (permission refusée ou lecture "
                "seule) ; le lot y est préparé avant d'être mis en place : choisissez un autre dossier de sortie."
            )
        if real.is_dir():
            for folder in [real, *(p for p in real.rglob("*") if p.is_dir() and not p.is_symlink())]:
                if not os.access(folder, os.W_OK | os.X_OK):
                    raise FolderError(
                        f"{folder} : dossier en lecture seule (ou protégé) ; le lot qu'il contient ne peut pas être "
                        "remplacé : rien n'a été écrit."
                    )

    def check_replaceable(self, *, replace: bool = False) -> None:
        """Refuse, without removing anything, a folder that a new batch may not replace: a
        file, a folder holding something else than a batch (unless empty), a batch without
        ``replace``, a batch beside foreign files or links, a read-only folder."""
        if self.path.is_symlink() and not self.path.exists():
            raise BatchFolderError(f"{self.path} est un lien symbolique vers un dossier absent : choisissez un autre dossier de sortie.")
        if not self.path.exists():
            self.check_writable()
            return
        if not self.path.is_dir():
            raise BatchFolderError(f"{self.path} existe et n'est pas un dossier : choisissez un autre dossier de sortie.")
        with _fs("lecture du dossier", self.path):
            entries = sorted(self.path.iterdir())
        if entries and not replace:
            raise BatchFolderError(
                f"{self.path} n'est pas vide ({len(entries)} élément(s)) : choisissez un autre dossier de sortie, "
                "ou relancez avec --replace pour remplacer le lot qu'il contient."
            )
        if entries:
            if not self.exists():
                raise BatchFolderError(
                    f"{self.path} ne contient pas de lot (manifest.json absent) : rien n'a été effacé ; "
                    "choisissez un dossier vide."
                )
            ours = {Path(name).parts[0] for name in (self.read_manifest().get("outputs") or {})} | ENGINE_ENTRIES
            foreign = [p.name for p in entries if p.name not in ours and not p.name.startswith("allocation-")]
            for sub, suffixes in _SUBFOLDER_SUFFIXES.items():
                top = self.path / sub
                if top.is_symlink():
                    foreign.append(f"{sub} (lien symbolique)")
                elif top.is_dir():
                    for p in sorted(top.rglob("*")):
                        if p.is_symlink():
                            foreign.append(f"{p.relative_to(self.path)} (lien symbolique)")
                        elif p.is_file() and p.suffix not in suffixes:
                            foreign.append(str(p.relative_to(self.path)))
                        elif p.is_dir() and sub != "envois":
                            foreign.append(f"{p.relative_to(self.path)}/")
            foreign += [f"{p.name} (lien symbolique)" for p in entries if p.is_symlink() and p.name in ours]
            if foreign:
                raise BatchFolderError(
                    f"{self.path} contient des fichiers qui ne viennent pas du moteur ({', '.join(foreign[:3])}…) : "
                    "rien n'a été effacé ; déplacez-les ou choisissez un autre dossier."
                )
        self.check_writable()

    def write_new_batch(self, write: Callable[["BatchFolder"], T], *, replace: bool = False) -> T:
        """Write a whole new batch with ``write(staged)`` into a hidden staging folder beside
        this one, then swap it in: at every instant the folder holds either the old batch or
        the new one, and no file of the old batch remains. Refused like
        :meth:`check_replaceable`; holds the lock throughout. Returns what ``write`` returns
        (its paths are under ``staged.path``, which is this folder's path after the swap)."""
        with self.lock(create=True):
            self.check_replaceable(replace=replace)
            real = self._real()
            token = secrets.token_hex(6)
            staging = real.parent / f".{real.name}.staging-{token}"
            with _fs("préparation du nouveau lot (dossier provisoire)", staging, _UNCHANGED):
                os.mkdir(staging)
                os.chmod(staging, stat.S_IMODE(os.stat(real).st_mode))
            staged = BatchFolder(staging)
            try:
                with staged.lock():
                    with _fs("écriture du nouveau lot", self.path, _UNCHANGED):
                        result = write(staged)
                    _fsync_dir(staging)
                    with _fs("mise en place du nouveau lot", self.path, _UNCHANGED):
                        if _exchange(staging, real):
                            old = staging
                        else:  # two renames; recover() finishes or rolls back an interruption
                            ready = real.parent / f".{real.name}.ready-{token}"
                            old = real.parent / f".{real.name}.old-{token}"
                            os.rename(staging, ready)
                            os.rename(real, old)
                            os.rename(ready, real)
                    _fsync_dir(real.parent)
            except BaseException:
                _remove_tree(staging)
                raise
            _remove_tree(old)
            return result

    def clear_for_new_batch(self, *, replace: bool = False) -> None:
        """Empty the folder of its batch in place (see :meth:`check_replaceable` for what is
        refused; nothing is removed then). :meth:`write_new_batch` is the atomic way."""
        self.check_replaceable(replace=replace)
        if not self.path.is_dir():
            return
        with self.lock(), _fs("suppression de l'ancien lot", self.path):
            for entry in sorted(self.path.iterdir()):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()

    # --- writing ------------------------------------------------------------------------
    def write_bytes(self, name: str, data: bytes) -> Path:
        from matching.io.writers import atomic_write_bytes

        path = self.file(name)
        with self.lock(create=True), _fs("écriture", path):
            self._parent_of(path)
            atomic_write_bytes(path, data)
        return path

    def write_text(self, name: str, text: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8"))

    def write_json(self, name: str, data: Any, *, indent: int = 2) -> Path:
        return self.write_text(name, json.dumps(data, ensure_ascii=False, indent=indent, default=str) + "\n")

    def write_csv(self, name: str, frame, **options: Any) -> Path:
        from matching.io.writers import write_csv

        path = self.file(name)
        with self.lock(create=True), _fs("écriture", path):
            self._parent_of(path)
            write_csv(frame, path, **options)
        return path

    def _parent_of(self, path: Path) -> None:
        """Create the sub-folders of ``path`` (each one a plain folder, never a link)."""
        rel = path.parent.relative_to(self.path)
        if rel.parts:
            self.ensure(rel.as_posix())

    # --- reading ------------------------------------------------------------------------
    def read_text(self, name: str) -> str:
        path = self.inside(name)
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

        path = self.inside(name)
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
        with self.lock():
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
        path = self.inside(f"{STATE_DIR}/arrays.npz")
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
