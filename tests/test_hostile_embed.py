"""Hostile embedding caches: a damaged cache file is set aside (renamed, never deleted), with
a French warning saying why and where, and rebuilt; the vectors given are those of a fresh
encoding. Every test uses its own cache folder (never the shared one)."""

from __future__ import annotations

import sqlite3
import warnings

import numpy as np
import pytest

from matching.config import ModelConfig
from matching.embed import CachedEncoder, EmbeddingCacheWarning, HashingEncoder, load_encoder

TEXTS = ["Responsable de la sécurité des systèmes d'information", "Développeur Python", "Chef de projet"]


def _filled(tmp_path) -> CachedEncoder:
    enc = load_encoder(ModelConfig(name="hashing", cache_dir=str(tmp_path)))
    enc.encode(TEXTS, role="query")
    enc.close()
    return enc


def _reopened_encode(path):
    """A new encoder on the same file (as the next run would be): its vectors and warnings."""
    enc = CachedEncoder(HashingEncoder(), path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = enc.encode(TEXTS, role="query")
    enc.close()
    return enc, got, [w for w in caught if issubclass(w.category, EmbeddingCacheWarning)]


def _rows(path):
    """The (key, dim, vec) rows of a cache file, or None when SQLite cannot read it."""
    try:
        conn = sqlite3.connect(str(path))
        try:
            return sorted(conn.execute("SELECT key, dim, vec FROM vectors").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


def _damage_vectors(path, blob_of):
    conn = sqlite3.connect(str(path))
    for key, vec in conn.execute("SELECT key, vec FROM vectors").fetchall():
        conn.execute("UPDATE vectors SET vec = ? WHERE key = ?", (blob_of(vec), key))
    conn.commit()
    conn.close()


def _nan(vec):
    return np.full(len(vec) // 4, np.nan, dtype="<f4").tobytes()


def _truncated_vector(vec):
    return vec[: len(vec) // 2]


def _not_unit(vec):
    return (np.frombuffer(vec, dtype="<f4") * 3).astype("<f4").tobytes()


def _garbage_file(path):
    path.write_bytes(b"ceci n'est pas une base SQLite\x00\xff" * 200)


def _truncated_file(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _old_format(path):  # written by an engine without the format mark (batched vectors)
    conn = sqlite3.connect(str(path))
    conn.execute("DROP TABLE meta")
    conn.commit()
    conn.close()


def _checkpoint(path):
    """Fold the WAL into the main file, so that damaging the main file damages the cache."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda p: _damage_vectors(p, _nan), "NaN"),
        (lambda p: _damage_vectors(p, _truncated_vector), "taille"),
        (lambda p: _damage_vectors(p, _not_unit), "norme"),
        (_garbage_file, "illisible"),
        (_truncated_file, ""),
        (_old_format, "version précédente"),
    ],
    ids=["nan", "short-vector", "not-unit", "not-a-database", "truncated-file", "old-format"],
)
def test_damaged_cache_is_set_aside_with_a_warning_and_rebuilt(tmp_path, damage, reason):
    path = _filled(tmp_path).path
    _checkpoint(path)
    damage(path)
    damaged, rows = path.read_bytes(), _rows(path)
    enc, got, caught = _reopened_encode(path)
    # the vectors are those of a fresh encoding, never the damaged ones
    np.testing.assert_array_equal(got, HashingEncoder().encode(TEXTS, role="query"))
    assert len(caught) == 1 and enc.notices == [str(caught[0].message)]
    message = str(caught[0].message)
    assert "mis de côté" in message and "reconstruit" in message and reason in message
    # the old file kept, under the name the message gives, beside the new cache
    aside = [p for p in path.parent.iterdir() if ".mis-de-cote-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and str(aside[0]) in message
    if rows is None:  # not a database: kept byte for byte
        assert aside[0].read_bytes() == damaged
    else:  # a database: its (damaged) rows kept
        assert _rows(aside[0]) == rows
    # the rebuilt cache serves the next run, without a warning
    again, got2, caught2 = _reopened_encode(path)
    assert caught2 == [] and again.hits == len(TEXTS) and again.misses == 0
    np.testing.assert_array_equal(got2, got)


def test_healthy_cache_is_never_set_aside(tmp_path):
    path = _filled(tmp_path).path
    enc, _, caught = _reopened_encode(path)
    assert caught == [] and enc.hits == len(TEXTS)
    assert [p.name for p in path.parent.iterdir() if "mis-de-cote" in p.name] == []


def test_cache_damaged_while_open_is_set_aside_on_the_next_read(tmp_path):
    """NaN written into the file between two calls of one encoder (another process, a disk
    fault): the second call notices, sets the file aside and re-encodes."""
    enc = load_encoder(ModelConfig(name="hashing", cache_dir=str(tmp_path)))
    first = enc.encode(TEXTS, role="query")
    _damage_vectors(enc.path, _nan)
    with pytest.warns(EmbeddingCacheWarning, match="NaN"):
        second = enc.encode(TEXTS, role="query")
    np.testing.assert_array_equal(first, second)
    assert enc.misses == 2 * len(TEXTS)


def test_cli_says_a_damaged_cache_was_set_aside_in_one_french_line(tmp_path):
    """Through the real command: the warning is one « Attention : » line naming where the old
    file went (no Python source location), and the batch completes."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    cache = tmp_path / "cache"
    (cache / "embeddings").mkdir(parents=True)
    (cache / "embeddings" / "embeddings.sqlite").write_bytes(b"ceci n'est pas une base SQLite" * 100)
    d = tmp_path / "in"
    d.mkdir()
    (d / "p.csv").write_text("profile_id;summary;skills\nA1;Développeur Python;Python:3\n", encoding="utf-8")
    (d / "q.csv").write_text("position_id;title;ministry;required_skills\nQ1;Développeur;Ministère de l'Intérieur;Python:2\n",
                             encoding="utf-8")
    env = {**os.environ, "MATCHING_CACHE_DIR": str(cache), "PYTHONPATH": str(repo)}
    proc = subprocess.run([sys.executable, str(repo / "cli.py"), "run", "--profiles", str(d / "p.csv"), "--positions",
                           str(d / "q.csv"), "--out", str(tmp_path / "lot"), "--model", "hashing", "--quiet"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "Cache des embeddings" in ln]
    assert len(lines) == 1 and lines[0].startswith("Attention : "), proc.stderr
    assert "mis de côté" in lines[0] and ".py:" not in proc.stderr and "Traceback" not in proc.stderr
    assert list((cache / "embeddings").glob("embeddings.sqlite.mis-de-cote-*"))
