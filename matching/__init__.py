"""Skills-and-mobility matching engine for the French State.

The public API (imported lazily, so that ``import matching`` stays light: no torch, no
sentence-transformers until an embedding is needed)::

    from matching import Batch, Config, Matcher
    matcher = Matcher(Config())
    batch = matcher.run("profils.csv", "postes.csv", out="out/lot")
    batch.shortlists, batch.opportunities            # tables by identifier
    batch.explain("ING-0003", "PEP-702556")          # the full account of one pair
    again = Batch.open("out/lot")                     # a finished batch, nothing re-embedded
    tuned = again.rerank(again.config.replace(weights={"semantic": 0.5}))
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "Matcher": ("matching.engine", "Matcher"),
    "Prepared": ("matching.engine", "Prepared"),
    "Batch": ("matching.batch", "Batch"),
    "BatchFolder": ("matching.io.batch_folder", "BatchFolder"),
    "Config": ("matching.config", "Config"),
    "ConfigError": ("matching.errors", "ConfigError"),
    "MatchingError": ("matching.errors", "MatchingError"),
    "COMPONENTS": ("matching.components", "COMPONENTS"),
    "RULES": ("matching.components", "RULES"),
    "SHORT_LABELS": ("matching.explain", "SHORT_LABELS"),
    "COMPONENT_LABELS": ("matching.explain", "COMPONENT_LABELS"),
    "coverage": ("matching.evaluation.outcomes", "coverage"),
    "exposure": ("matching.evaluation.outcomes", "exposure"),
    "per_position_metrics": ("matching.evaluation.outcomes", "per_position_metrics"),
    "evaluate_config": ("matching.evaluation.tuning", "evaluate_config"),
    "fairness_audit": ("matching.evaluation.fairness", "fairness_audit"),
    "PairAccount": ("matching.explain", "PairAccount"),
    "render_account": ("matching.explain", "render_account"),
    "run_batch": ("matching.pipeline", "run_batch"),
    "prepare": ("matching.pipeline", "prepare"),
    "score_and_rank": ("matching.pipeline", "score_and_rank"),
    "load_profiles": ("matching.pipeline", "load_profiles"),
    "load_positions": ("matching.pipeline", "load_positions"),
    "BatchResult": ("matching.pipeline", "BatchResult"),
    "load_encoder": ("matching.embed", "load_encoder"),
    "Taxonomy": ("matching.taxonomy", "Taxonomy"),
    "explain_pair": ("matching.explain", "explain_pair"),
    "evaluate_outcomes": ("matching.evaluation.outcomes", "evaluate_outcomes"),
    "read_labels": ("matching.evaluation.outcomes", "read_labels"),
    "tune": ("matching.evaluation.tuning", "tune"),
    "compare_configs": ("matching.evaluation.tuning", "compare_configs"),
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
