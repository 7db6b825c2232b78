"""The on-disk cache of skill normalisation results (one entry per distinct string).

A SQLite file beside the embedding cache (``<cache>/skills/skills.sqlite``, where ``<cache>``
is the folder of :func:`matching.embed.embedding_cache_path`), WAL mode, safe to share
between processes. An entry is found by ``sha256(namespace, kind, text)``: the namespace is
the digest of everything that can change a result (taxonomy hash, normaliser settings, the
model's fingerprint when the semantic level runs, see
:meth:`matching.skills.SkillNormalizer.cache_namespace`), the kind says what the entry holds
(``"skill"``: a skill cell's normalisation, ``"extract"``: the skills found in a free text).
Texts themselves are never stored, only their digests and what the normaliser found (concept
ids, methods, confidences, levels, character offsets).

A file that cannot be trusted (not readable by SQLite, another format, an entry that does not
decode) is renamed with a ``.mis-de-cote-<date>`` suffix, never deleted, with a
:class:`SkillCacheWarning` in French saying why and where, and rebuilt: the strings concerned
are normalised again, so a damaged cache never changes a result.

The cache is written by one process only, the one that runs the batch (with the Dask backend
the workers return their results to it). A cache folder that cannot be written (read-only,
full, a file in the way) does not stop a batch: a French warning says so and the batch is
normalised without the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

__all__ = ["SkillCache", "SkillCacheWarning", "CorruptEntry", "skill_cache_beside", "CACHE_FORMAT"]

#: version of what the file holds
CACHE_FORMAT = "2"
#: kinds of entries of several MB (the normaliser's index): kept in a table of their own, a
#: row that size in the ``WITHOUT ROWID`` table of results slows every look-up next to it
#: a thousandfold (measured: 4,000 look-ups 7.5 s instead of 0.03 s)
_LARGE_KINDS = frozenset({"index"})
_FILE = "skills.sqlite"
#: keys per SELECT (under SQLite's limit of bound parameters)
_BATCH = 500


class SkillCacheWarning(UserWarning):
    """The skill normalisation cache was unusable: set aside (renamed, never deleted) and
    rebuilt; the message (in French) says why and where."""


class CorruptEntry(Exception):
    """An entry read from the cache is not what it should hold (message in French)."""


def skill_cache_beside(embedding_cache: str | Path) -> Path:
    """The skill cache file in the same cache folder as the embedding cache file
    ``embedding_cache`` (``<cache>/embeddings/embeddings.sqlite`` -> ``<cache>/skills/skills.sqlite``)."""
    return Path(embedding_cache).parent.parent / "skills" / _FILE


def _digest(*parts: str) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        b = part.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little") + b)
    return h.digest()


def _table(kind: str) -> str:
    return "large" if kind in _LARGE_KINDS else "results"


class SkillCache:
    """Results of the skill normaliser, by (namespace, kind, text).

    ``hits`` and ``misses`` count the distinct texts found and not found since creation.
    ``notices``: French messages about files set aside by this object (also warned).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self.notices: list[str] = []
        #: the file cannot be used at all (folder not writable, disk full): not used any more
        self.disabled = False
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._lock = threading.Lock()

    def _unavailable(self, exc: Exception) -> None:
        """Stop using the file for this object's life, and say so once."""
        from matching.errors import os_error_reason

        self.close()
        if self.disabled:
            return
        self.disabled = True
        reason = os_error_reason(exc) if isinstance(exc, OSError) else "base SQLite non modifiable ou disque plein"
        notice = (f"Cache de la normalisation des compétences inaccessible ({self.path} : {reason}) : les compétences "
                  "sont normalisées sans lui.")
        self.notices.append(notice)
        warnings.warn(notice, SkillCacheWarning, stacklevel=4)

    # --- file ----------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            try:
                self._conn, self._pid = self._open(), os.getpid()
            except sqlite3.OperationalError:  # cannot be opened or written: not a damaged file
                raise
            except sqlite3.DatabaseError as exc:  # not a database, truncated, malformed
                self._set_aside(f"fichier illisible par SQLite ({exc})")
                self._conn, self._pid = self._open(), os.getpid()
            else:
                row = self._conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
                if row is None or row[0] != CACHE_FORMAT:
                    self._set_aside("écrit dans un autre format")
                    self._conn, self._pid = self._open(), os.getpid()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=120, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            fresh = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'results'").fetchone() is None
            conn.execute("CREATE TABLE IF NOT EXISTS results (key BLOB PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            conn.execute("CREATE TABLE IF NOT EXISTS large (key BLOB PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            if fresh:
                conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('format', ?)", (CACHE_FORMAT,))
        except BaseException:
            conn.close()
            raise
        return conn

    def _set_aside(self, reason: str) -> None:
        """Rename the file (and its WAL files) with a suffix, never delete it, and say so."""
        if self._conn is not None and self._pid == os.getpid():
            try:
                self._conn.close()
            except sqlite3.Error:  # pragma: no cover - closing a broken file
                pass
        self._conn = None
        from matching.io.writers import set_aside

        try:
            target = set_aside(self.path)
        except OSError as exc:
            from matching.errors import FolderError

            raise FolderError(
                f"le cache de la normalisation des compétences {self.path} est inutilisable ({reason}) et n'a pas pu "
                f"être mis de côté ({exc.strerror or exc}) ; déplacez ou supprimez ce fichier, puis relancez"
            ) from None
        notice = (f"Cache de la normalisation des compétences inutilisable ({reason}) : mis de côté sous {target}, "
                  "puis reconstruit ; les compétences concernées sont normalisées à nouveau.")
        self.notices.append(notice)
        warnings.warn(notice, SkillCacheWarning, stacklevel=4)

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    # --- entries -------------------------------------------------------------------------------
    def get(self, namespace: str, kind: str, texts: Sequence[str], decode: Callable[[str, Any], Any], *,
            count: bool = True) -> dict[str, Any]:
        """``{text: decode(text, stored value)}`` for the ``texts`` (distinct) found. ``decode``
        raises :class:`CorruptEntry` (or ValueError, TypeError, KeyError, IndexError) on an
        entry it cannot trust: the file is then set aside and nothing is returned. ``count``:
        add to :attr:`hits` and :attr:`misses`."""
        hits, misses = self.hits, self.misses
        try:
            if not self.disabled:
                found = self._get(namespace, kind, texts, decode)
                if not count:
                    self.hits, self.misses = hits, misses
                return found
        except (CorruptEntry, ValueError, TypeError, KeyError, IndexError) as exc:
            self._set_aside(f"entrée illisible : {exc}" if isinstance(exc, CorruptEntry) else "entrée illisible")
        except (OSError, sqlite3.OperationalError) as exc:  # cannot create or open the file
            self._unavailable(exc)
        except sqlite3.DatabaseError as exc:  # malformed pages met while reading
            self._set_aside(f"fichier endommagé ({exc})")
        self.hits, self.misses = hits, misses + (len(texts) if count else 0)
        return {}

    def _get(self, namespace, kind, texts, decode) -> dict[str, Any]:
        keys = {_digest(namespace, kind, t): t for t in texts}
        raw: dict[str, str] = {}
        with self._lock:
            conn = self._connect()
            items = list(keys)
            for start in range(0, len(items), _BATCH):
                chunk = items[start : start + _BATCH]
                for k, value in conn.execute(
                    f"SELECT key, value FROM {_table(kind)} WHERE key IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall():
                    if not isinstance(value, str):
                        raise CorruptEntry("valeur qui n'est pas du texte")
                    raw[keys[bytes(k)]] = value
        out = {t: decode(t, json.loads(v)) for t, v in raw.items()}
        self.hits += len(out)
        self.misses += len(texts) - len(out)
        return out

    def put(self, namespace: str, kind: str, items: Iterable[tuple[str, Any]]) -> None:
        """Store ``(text, JSON-serialisable value)`` pairs in one transaction."""
        payload = [(_digest(namespace, kind, t), json.dumps(v, ensure_ascii=False, separators=(",", ":")))
                   for t, v in items]
        if not payload or self.disabled:
            return
        for attempt in (0, 1):
            try:
                with self._lock:
                    conn = self._connect()
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        conn.executemany(f"INSERT OR REPLACE INTO {_table(kind)} (key, value) VALUES (?, ?)", payload)
                        conn.execute("COMMIT")
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                return
            except (OSError, sqlite3.OperationalError) as exc:  # read-only, disk full, locked for too long
                self._unavailable(exc)
                return
            except sqlite3.DatabaseError as exc:
                if attempt:
                    raise
                self._set_aside(f"fichier endommagé ({exc})")

    def __repr__(self) -> str:
        return f"SkillCache(path={str(self.path)!r})"
