"""Skills-and-mobility matching engine for the French State.

The public API is imported lazily, so that ``import matching`` stays light (no torch, no
sentence-transformers until an embedding is needed)::

    from matching import Config, run_batch
    result = run_batch("profiles.csv", "positions.csv", out="out/lot", config=Config())
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "Config": ("matching.config", "Config"),
    "ConfigError": ("matching.config", "ConfigError"),
    "run_batch": ("matching.pipeline", "run_batch"),
    "prepare": ("matching.pipeline", "prepare"),
    "score_and_rank": ("matching.pipeline", "score_and_rank"),
    "load_profiles": ("matching.pipeline", "load_profiles"),
    "load_positions": ("matching.pipeline", "load_positions"),
    "BatchResult": ("matching.pipeline", "BatchResult"),
    "load_encoder": ("matching.embed", "load_encoder"),
    "Taxonomy": ("matching.taxonomy", "Taxonomy"),
    "explain_pair": ("matching.explain", "explain_pair"),
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
