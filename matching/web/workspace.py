"""The workspace served by ``mobilite serve``: a folder of ordinary batch folders, and the
runs that the web starts in it.

Layout of the workspace folder::

    <workspace>/<any name>/            a batch folder (manifest.json, shortlists.csv, ...),
                                       made by the web or by ``mobilite run --out``
    <workspace>/_entrees/<batch id>/   the files uploaded through the web (profiles/<name>,
                                       positions/<name>, optional config.toml), kept so that the
                                       batch can be replayed from what its manifest names

A batch from the web is the same batch as from the command line: the same files and
configuration go through the same :meth:`matching.engine.Matcher.run`, which gives the same
batch id and the same files. The id is known as soon as the files are uploaded (it is
content-addressed), so that ``POST /api/batches`` can answer with it before the run.

Runs happen one at a time in a background thread (the machine's cores go to the engine);
their status (``queued``, ``running``, ``done``, ``failed``), progress (0 to 1) and a French
message are kept in memory and read by ``GET /api/batches/{id}``.
"""

from __future__ import annotations

import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matching.config import Config
from matching.engine import STAGE_LABELS
from matching.errors import ConfigError, InputFileError, MatchingError
from matching.io.batch_folder import MANIFEST_NAME, BatchFolder

__all__ = ["Workspace", "RunStatus", "UploadError", "BATCH_ID_PATTERN", "INPUTS_DIR", "STAGES"]

BATCH_ID_PATTERN = re.compile(r"LOT-[0-9A-F]{12}")
INPUTS_DIR = "_entrees"
#: allowed upload suffixes (what the readers read)
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".json", ".jsonl")
#: stage -> (French label, start and end of the overall progress)
STAGES: dict[str, tuple[str, float, float]] = {
    stage: (STAGE_LABELS[stage], start, end)
    for stage, start, end in (("read", 0.0, 0.05), ("normalize", 0.05, 0.4), ("embed", 0.4, 0.6),
                              ("score", 0.6, 0.9), ("write", 0.9, 1.0))
}


class UploadError(InputFileError):
    """An upload cannot be used (message in French)."""


@dataclass
class RunStatus:
    status: str  # queued | running | done | failed
    progress: float = 0.0
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "progress": round(self.progress, 3), "message": self.message}


@dataclass
class Staged:
    """The uploaded files of one batch, before and after its run."""

    batch_id: str
    profiles: Path
    positions: Path
    config: Config


class Workspace:
    """``Workspace(path, *, config=None)``: the batches of one folder, and the runs started here.

    ``config`` is the configuration of a batch uploaded without one (the engine's default
    when None).
    """

    def __init__(self, path: str | Path, *, config: Config | None = None):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.config = config if config is not None else Config()
        self._lock = threading.Lock()
        self._statuses: dict[str, RunStatus] = {}
        self._matchers: dict[Any, Any] = {}
        self._opened: dict[str, tuple[float, Any]] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lot")

    # --- the engine -----------------------------------------------------------------
    def matcher(self, config: Config):
        """One :class:`matching.engine.Matcher` per model (taxonomy and encoder loaded once)."""
        from matching.engine import Matcher

        with self._lock:
            base = self._matchers.get(config.model)
            if base is None:
                base = self._matchers[config.model] = Matcher(config)
                base.taxonomy, base.encoder  # noqa: B018 - loaded here, once, under the lock
            return base.with_config(config)

    def predicted_batch_id(self, staged_profiles: Path, staged_positions: Path, config: Config) -> str:
        """The id that :meth:`Matcher.run` gives these files under ``config`` (content-addressed:
        input hashes, configuration, model fingerprint, taxonomy and reference tables)."""
        from matching.batch import batch_id_for
        from matching.engine import _reference_tables
        from matching.manifest import file_sha256

        resolved = config.resolved()
        matcher = self.matcher(resolved)
        return batch_id_for([file_sha256(staged_profiles), file_sha256(staged_positions)], resolved,
                            matcher.encoder.fingerprint, getattr(matcher.taxonomy, "sha256", None) or "",
                            _reference_tables())

    # --- batches --------------------------------------------------------------------
    def folders(self) -> dict[str, BatchFolder]:
        """batch id -> its folder, for every finished batch of the workspace (any folder name)."""
        found: dict[str, BatchFolder] = {}
        for sub in sorted(p for p in self.path.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
            folder = BatchFolder(sub)
            if not folder.exists(MANIFEST_NAME):
                continue
            try:
                bid = str(folder.read_manifest().get("batch_id", ""))
            except MatchingError:
                continue
            if BATCH_ID_PATTERN.fullmatch(bid):
                found.setdefault(bid, folder)
        return found

    def folder(self, batch_id: str) -> BatchFolder | None:
        if not BATCH_ID_PATTERN.fullmatch(batch_id):
            return None
        direct = BatchFolder(self.path / batch_id)
        if direct.exists(MANIFEST_NAME):
            return direct
        return self.folders().get(batch_id)

    def open(self, batch_id: str):
        """The finished batch (:meth:`matching.batch.Batch.open`), kept while its manifest is unchanged."""
        from matching.batch import Batch

        folder = self.folder(batch_id)
        if folder is None:
            return None
        stamp = folder.file(MANIFEST_NAME).stat().st_mtime
        with self._lock:
            cached = self._opened.get(batch_id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        batch = Batch.open(folder)
        with self._lock:
            self._opened[batch_id] = (stamp, batch)
        return batch

    def listing(self) -> list[dict[str, Any]]:
        """Every batch: finished ones (from their manifest) and the runs of this server."""
        rows: dict[str, dict[str, Any]] = {}
        for bid, folder in self.folders().items():
            m = folder.read_manifest()
            counts = m.get("counts", {})
            rows[bid] = {"batch_id": bid, "status": "done", "folder": folder.path.name,
                         "profiles": counts.get("profiles_accepted"), "positions": counts.get("positions_accepted"),
                         "shortlist_lines": counts.get("shortlist_lines"), "ministries": counts.get("ministries")}
        for bid in sorted(self._staged_ids()):
            if bid not in rows:
                rows[bid] = {"batch_id": bid, **self.status(bid).to_dict()}
        return [rows[k] for k in sorted(rows)]

    # --- uploads --------------------------------------------------------------------
    def _staged_ids(self) -> list[str]:
        root = self.path / INPUTS_DIR
        return [p.name for p in root.iterdir() if BATCH_ID_PATTERN.fullmatch(p.name)] if root.is_dir() else []

    def stage(self, files: dict[str, tuple[str, bytes]]) -> Staged:
        """Keep the uploaded ``profiles``, ``positions`` and optional ``config`` (name, content)
        under ``_entrees/<batch id>/``. Raises :class:`UploadError` or ConfigError (French)."""
        import tempfile

        for key in ("profiles", "positions"):
            if key not in files or not files[key][1]:
                raise UploadError(f"fichier des {'profils' if key == 'profiles' else 'postes'} manquant ou vide.")
        root = self.path / INPUTS_DIR
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".televersement-", dir=root))
        try:
            names = {}
            for key, (name, data) in files.items():
                if key == "config":
                    if not data:
                        continue
                    names[key] = "config.toml"
                else:
                    # the advisor's own file name (messages and rejects.csv name it), made safe
                    base = re.sub(r"[^\w.\-]+", "_", Path(str(name or "").replace("\\", "/")).name).lstrip(".")
                    if Path(base).suffix.lower() not in SUFFIXES:
                        raise UploadError(f"{base or key} : type de fichier refusé (attendu : {', '.join(SUFFIXES)}).")
                    (tmp / key).mkdir()
                    names[key] = f"{key}/{base}"
                (tmp / names[key]).write_bytes(data)
            config = Config.from_toml(tmp / "config.toml") if "config" in names else self.config
            profiles, positions = tmp / names["profiles"], tmp / names["positions"]
            bid = self.predicted_batch_id(profiles, positions, config)
            final = root / bid
            if not final.exists():
                tmp.rename(final)
            else:  # the same files again: what is there is identical (content-addressed id)
                shutil.rmtree(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return self.staged(bid)

    def staged(self, batch_id: str) -> Staged | None:
        if not BATCH_ID_PATTERN.fullmatch(batch_id):
            return None
        folder = self.path / INPUTS_DIR / batch_id
        if not folder.is_dir():
            return None
        found = {key: sorted(p for p in (folder / key).glob("*") if p.is_file()) if (folder / key).is_dir() else []
                 for key in ("profiles", "positions")}
        if not found["profiles"] or not found["positions"]:
            return None
        config_file = folder / "config.toml"
        config = Config.from_toml(config_file) if config_file.is_file() else self.config
        return Staged(batch_id, found["profiles"][0], found["positions"][0], config)

    def validate(self, staged: Staged):
        """Read and validate the staged files (:meth:`Matcher.read`): nothing runs yet."""
        return self.matcher(staged.config.resolved()).read(staged.profiles, staged.positions)

    # --- runs -----------------------------------------------------------------------
    def status(self, batch_id: str) -> RunStatus:
        with self._lock:
            known = self._statuses.get(batch_id)
        if known is not None:
            return known
        if self.folder(batch_id) is not None:
            return RunStatus("done", 1.0, "Lot terminé.")
        if self.staged(batch_id) is not None:
            return RunStatus("queued", 0.0, "Fichiers vérifiés ; le lot n'est pas encore lancé.")
        raise KeyError(batch_id)

    def _set(self, batch_id: str, status: RunStatus) -> None:
        with self._lock:
            self._statuses[batch_id] = status

    def start(self, batch_id: str) -> RunStatus:
        """Queue the run of a staged batch (nothing happens for a batch done or under way)."""
        current = self.status(batch_id)
        with self._lock:
            under_way = batch_id in self._statuses and current.status in ("queued", "running")
        if current.status == "done" or under_way:
            return current
        staged = self.staged(batch_id)
        if staged is None:
            raise KeyError(batch_id)
        self._set(batch_id, RunStatus("queued", 0.0, "En attente : un autre lot est en cours."))
        self._executor.submit(self._run, staged)
        return self.status(batch_id)

    def _run(self, staged: Staged) -> None:
        bid = staged.batch_id

        def progress(stage: str, done: int, total: int) -> None:
            label, start, end = STAGES.get(stage, (stage, 0.0, 1.0))
            frac = start + (end - start) * (done / total if total else 1.0)
            self._set(bid, RunStatus("running", frac, f"{label} ({done}/{total})"))

        self._set(bid, RunStatus("running", 0.0, "Démarrage du lot."))
        try:
            matcher = self.matcher(staged.config.resolved())
            out = self.path / bid
            batch = matcher.run(staged.profiles, staged.positions, out=out, progress=progress)
            if batch.batch_id != bid:  # the engine's id is the truth: the web must agree with it
                raise RuntimeError("identifiant de lot inattendu")
            self._set(bid, RunStatus("done", 1.0, "Lot terminé."))
        except (MatchingError, ConfigError) as exc:
            self._set(bid, RunStatus("failed", 1.0, str(exc)))
        except Exception as exc:  # noqa: BLE001 - the advisor gets a message, never a traceback
            self._set(bid, RunStatus("failed", 1.0, f"erreur interne ({type(exc).__name__})."))

    def wait(self, batch_id: str, timeout: float = 300.0) -> RunStatus:
        """Block until the run of ``batch_id`` ends (for tests and scripts)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status(batch_id)
            if st.status in ("done", "failed"):
                return st
            time.sleep(0.1)
        return self.status(batch_id)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
