"""The chunk contract and the backends that run chunks (``compute.backend``).

A **chunk** is a contiguous range of the ranking's row blocks (whole profile rows, each with
all its position blocks). Running one chunk is a pure function of the shared job and the
range: it returns its per-position top-k pool, the opportunities of its profiles and its
counts (``matching.rank._scan``); the driver merges the chunks with the ranking's total order,
so the result does not depend on how the rows are cut, nor on which process ran a chunk.

Backends:

* ``local``: the chunks in this process, or in forked processes (``compute.workers``), as
  the ranking always did;
* ``dask``: the shared job fetched once by every worker (one task), the chunks run by
  ``client.map`` and gathered in chunk order. ``compute.scheduler`` empty starts a
  ``LocalCluster`` of ``compute.workers`` processes of one thread each (2 when 0); an address
  (``tcp://hôte:8786``) joins an existing scheduler. Dask is an optional extra: without it,
  asking for it is a configuration error (exit 3) saying what to install.
"""

from __future__ import annotations

import atexit
import warnings
from typing import Any, Callable, Sequence

from matching.errors import ConfigError

__all__ = ["split_chunks", "run_chunks", "remote_encoder", "remote_normalizer", "EMBED_CHUNK_TEXTS", "NORMALIZE_CHUNK_STRINGS", "dask_version", "dask_workers", "require_dask", "CHUNKS_PER_WORKER",
           "DEFAULT_DASK_WORKERS"]

#: Chunks per Dask worker (several, so that a slow or lost worker costs only small chunks).
CHUNKS_PER_WORKER = 4
#: Worker processes of a LocalCluster when ``compute.workers`` is 0 (automatic).
DEFAULT_DASK_WORKERS = 2

_INSTALL = ("le calcul réparti (compute.backend = \"dask\") demande Dask, absent de cet environnement : "
            "installez-le par « pip install 'mobilite-etat-matching[dask]' » (ou « pip install 'dask[distributed]' »), "
            "ou choisissez compute.backend = \"local\"")


def split_chunks(n_items: int, chunks: int) -> list[tuple[int, int]]:
    """``chunks`` contiguous, non-empty ranges covering ``range(n_items)`` in order (fewer when
    there are fewer items); sizes differ by at most one."""
    chunks = max(1, min(int(chunks), n_items)) if n_items else 0
    cuts = [n_items * i // chunks for i in range(chunks + 1)] if chunks else [0]
    return [(cuts[i], cuts[i + 1]) for i in range(chunks)]


def require_dask():
    """The ``distributed`` module, or a configuration error saying what to install."""
    try:
        import distributed
    except ImportError:
        raise ConfigError([_INSTALL]) from None
    return distributed


def dask_version() -> str:
    """The installed Dask version, or ``"absent"``."""
    try:
        import dask
    except ImportError:
        return "absent"
    return str(dask.__version__)


def dask_workers(config) -> int:
    """Worker processes a LocalCluster starts for this configuration."""
    return int(config.compute.workers) or DEFAULT_DASK_WORKERS


_CLIENTS: dict[tuple[str, int], Any] = {}


def _client(config):
    """One client per (scheduler, workers) for the life of this process (a LocalCluster
    starts in a few seconds: runs, benches and replays of one process share it)."""
    distributed = require_dask()
    address = config.compute.scheduler.strip()
    key = (address, 0 if address else dask_workers(config))
    client = _CLIENTS.get(key)
    if client is not None and client.status == "running":
        return client
    if address:
        try:
            client = distributed.Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError([f"compute.scheduler : impossible de joindre l'ordonnanceur Dask {address!r} "
                               f"({type(exc).__name__})"]) from None
    else:
        cluster = distributed.LocalCluster(n_workers=key[1], threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address="127.0.0.1:0", silence_logs=50)
        client = distributed.Client(cluster)
    _CLIENTS[key] = client
    return client


@atexit.register
def _close_clients() -> None:  # pragma: no cover - at interpreter exit
    for client in list(_CLIENTS.values()):
        cluster = getattr(client, "cluster", None)
        try:
            client.close()
            if cluster is not None:
                cluster.close()
        except Exception:
            pass
    _CLIENTS.clear()


def _identity(x):
    return x


def _limited(fn: Callable, shared: Any, b0: int, b1: int):
    """One chunk on a Dask worker, with one BLAS thread (the worker has one thread)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return fn(shared, b0, b1)


def run_chunks(fn: Callable[[Any, int, int], Any], shared: Any, chunks: Sequence[tuple[int, int]], config,
               *, progress: Callable[[int, int], None] | None = None) -> list:
    """``[fn(shared, b0, b1) for (b0, b1) in chunks]`` on the Dask backend of ``config``:
    ``shared`` sent once to every worker, results in chunk order. ``fn`` must be a
    module-level function (workers import it by name)."""
    client = _client(config)
    from distributed import as_completed

    # the shared job as a task of its own, not scattered data: each worker fetches it once
    # before its first chunk, and a worker lost with it does not lose it (the scheduler can
    # run the task again, where scattered data would be forgotten with its dependents)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ll]arge object.*")
        remote = client.submit(_identity, shared, pure=False)
    futures = client.map(_limited, [fn] * len(chunks), [remote] * len(chunks), [c[0] for c in chunks],
                         [c[1] for c in chunks], pure=False)
    try:
        total = chunks[-1][1] if chunks else 0
        done = 0
        for fut in as_completed(futures):
            fut.result()  # raises the chunk's error here
            if progress is not None:
                b0, b1 = chunks[futures.index(fut)]
                done += b1 - b0
                progress(done, total)
        return client.gather(futures)
    finally:
        client.cancel(futures + [remote])


#: Texts per embedding chunk on the Dask backend (small: a lost worker costs little).
EMBED_CHUNK_TEXTS = 64


def remote_encoder(fn: Callable[[Any, int, int], Any], model, fingerprint: str, config) -> Callable:
    """``remote(texts, role) -> vectors`` for :attr:`matching.embed.CachedEncoder.remote`: the
    texts missing from the cache cut into chunks of :data:`EMBED_CHUNK_TEXTS`, encoded by
    ``fn`` (``matching.embed.encode_chunk``) on the workers, the vectors gathered in order."""

    def remote(texts: Sequence[str], role: str):
        import numpy as np

        texts = list(texts)
        chunks = split_chunks(len(texts), -(-len(texts) // EMBED_CHUNK_TEXTS))
        parts = run_chunks(fn, (model, fingerprint, texts, role), chunks, config)
        return np.concatenate(parts) if parts else np.empty((0, 0), dtype=np.float32)

    return remote


#: Skill strings per normalisation chunk on the Dask backend (at least; at most
#: ``CHUNKS_PER_WORKER`` chunks per worker, the normaliser's index travelling once per worker).
NORMALIZE_CHUNK_STRINGS = 64


def remote_normalizer(fn: Callable[[Any, int, int], Any], config) -> Callable:
    """``remote(normaliser, texts) -> parts`` for :attr:`matching.skills.SkillNormalizer.remote`:
    the distinct skill strings missing from the cache cut into contiguous chunks, resolved by
    ``fn`` (``matching.skills.resolve_chunk``) on the workers with the driver's normaliser
    (its index) as the shared object, the parts gathered in chunk order. The driver merges
    them, runs the semantic level and writes the cache."""

    def remote(normalizer, texts: Sequence[str]) -> list:
        texts = list(texts)
        wanted = min(dask_workers(config) * CHUNKS_PER_WORKER, -(-len(texts) // NORMALIZE_CHUNK_STRINGS))
        return run_chunks(fn, (normalizer, texts), split_chunks(len(texts), wanted), config)

    return remote
