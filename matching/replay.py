"""Replay a batch from its ``manifest.json`` and check that it gives the same files.

Steps: read the manifest; find each input file and check its sha256. A manifest is trusted
only within its batch folder: an input file is the one given by the caller (the command
line's ``--profiles`` / ``--positions``), else the manifest's path only when it stays inside
the batch folder (no absolute path elsewhere, no ``..``, no link leaving it); otherwise the
replay is refused with a French message saying which option to give. The same holds for
the taxonomy folder: outside the batch folder, only the shipped taxonomy is used — a missing or changed input stops
the replay with a French message (:class:`ReplayError`); rebuild the configuration; load
the taxonomy (recorded path, else the shipped one) and the encoder, and report any
difference of taxonomy hash, model fingerprint or software version; re-run the batch with
the same batch id into ``out_dir``; compare the sha256 of every file listed in the
manifest's ``outputs``.

``manifest.json`` itself is not compared (it holds timings and absolute paths); every
other output is deterministic, ``report.html`` included (it holds no date or timing).
Allocations (``allocation-*``) are not part of a batch's outputs and are not replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from matching.errors import InputFileError

__all__ = ["ReplayError", "ReplayResult", "replay", "IDENTICAL", "DIFFERENT", "MISSING", "EXTRA"]

IDENTICAL, DIFFERENT, MISSING, EXTRA = "identical", "different", "missing", "extra"
_LABELS = {
    IDENTICAL: "identique",
    DIFFERENT: "DIFFÉRENT",
    MISSING: "ABSENT du rejeu",
    EXTRA: "nouveau (absent du lot d'origine)",
}
EXCLUDED = {"manifest.json": "contient les durées d'exécution et les chemins absolus : non comparé"}


class ReplayError(InputFileError, RuntimeError):
    """The batch cannot be replayed (manifest unreadable, input missing or changed)."""


@dataclass
class ReplayResult:
    """What a replay found. ``files`` maps each output (relative path) to one of
    ``identical``, ``different``, ``missing`` (not produced again), ``extra`` (new)."""

    batch_id: str
    out_dir: Path
    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=lambda: dict(EXCLUDED))

    @property
    def identical(self) -> bool:
        return bool(self.files) and all(s == IDENTICAL for s in self.files.values())

    @property
    def differing(self) -> list[str]:
        return sorted(k for k, s in self.files.items() if s != IDENTICAL)

    def lines(self) -> list[str]:
        """A French account, one line per file, for the command line."""
        out = [f"Rejeu du lot {self.batch_id} dans {self.out_dir}"]
        out += [f"Attention : {w}" for w in self.warnings]
        for name in sorted(self.files):
            out.append(f"  {name} : {_LABELS[self.files[name]]}")
        for name, why in sorted(self.excluded.items()):
            out.append(f"  {name} : {why}")
        n_same = sum(s == IDENTICAL for s in self.files.values())
        if self.identical:
            out.append(f"Résultat : les {n_same} fichiers produits sont identiques à ceux du lot d'origine.")
        else:
            out.append(f"Résultat : {len(self.differing)} fichier(s) diffèrent du lot d'origine "
                       f"({n_same} identique(s)).")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "out_dir": str(self.out_dir), "identical": self.identical,
                "files": dict(sorted(self.files.items())), "warnings": list(self.warnings),
                "excluded": dict(self.excluded)}


def _read_manifest(path: Path) -> dict[str, Any]:
    from matching.manifest import ManifestError, read_manifest

    try:
        return read_manifest(path, required=("batch_id", "config", "inputs", "outputs"))
    except ManifestError as exc:
        raise ReplayError(str(exc)) from None


_OPTION = {"profiles": "--profiles", "positions": "--positions"}


def _within(path: Path, root: Path) -> bool:
    real = path.resolve()
    return real == root or root in real.parents


def _locate_input(name: str, entry: dict[str, Any], manifest_dir: Path, given: str | Path | None = None) -> Path:
    """The input file, hash checked: ``given`` (the caller's), else the manifest's path if it
    stays inside the batch folder ``manifest_dir``."""
    from matching.manifest import file_sha256

    label = {"profiles": "profils", "positions": "postes"}.get(name, name)
    if given is not None:
        found = Path(given)
        if not found.is_file():
            raise ReplayError(f"fichier des {label} introuvable : {found}. Le lot ne peut pas être rejoué.")
    else:
        candidates = []
        if entry.get("path_from_outputs"):
            candidates.append(manifest_dir / str(entry["path_from_outputs"]))
        if entry.get("path"):
            candidates.append(Path(str(entry["path"])))
        inside = [p for p in candidates if _within(p, manifest_dir)]
        if candidates and not inside:
            raise ReplayError(
                f"le manifeste situe le fichier des {label} hors du dossier du lot {manifest_dir} : un manifeste n'est "
                f"cru que dans son dossier. Donnez ce fichier sur la ligne de commande ({_OPTION.get(name, name)} "
                "FICHIER) pour rejouer le lot ; son empreinte sera vérifiée."
            )
        found = next((p for p in inside if p.is_file()), None)
        if found is None:
            raise ReplayError(
                f"fichier des {label} introuvable dans le dossier du lot {manifest_dir}. Donnez-le sur la ligne de "
                f"commande ({_OPTION.get(name, name)} FICHIER) pour rejouer le lot."
            )
    digest = file_sha256(found)
    if digest != entry.get("sha256"):
        raise ReplayError(
            f"le fichier des {label} a changé depuis le lot ({found}) : empreinte {digest[:12]}… au lieu de "
            f"{str(entry.get('sha256'))[:12]}…. Le lot ne peut pas être rejoué à l'identique ; "
            "retrouvez le fichier d'origine."
        )
    return found


def replay(manifest_path: str | Path, out_dir: str | Path, *, profiles: str | Path | None = None,
           positions: str | Path | None = None, encoder=None, progress=None, backend: str | None = None) -> ReplayResult:
    """Re-run the batch described by ``manifest_path`` into ``out_dir`` and compare its files.

    ``profiles`` and ``positions`` (the command line's files) stand for the inputs; without
    them, the manifest's paths are used only inside the batch folder (see the module).

    ``encoder`` (optional) replaces the model named in the configuration (tests); its
    fingerprint is still compared with the manifest's.
    """
    from matching.config import Config
    from matching.manifest import file_sha256, software_versions
    from matching.engine import Matcher
    from matching.taxonomy import Taxonomy

    manifest_path = Path(manifest_path)
    if manifest_path.is_dir():
        manifest_path = manifest_path / "manifest.json"
    manifest = _read_manifest(manifest_path)
    src_dir = manifest_path.parent.resolve()
    out_dir = Path(out_dir)
    if out_dir.resolve() == src_dir:
        raise ReplayError("le dossier du rejeu doit être différent de celui du lot d'origine (il serait écrasé).")

    inputs = manifest["inputs"]
    for key in ("profiles", "positions"):
        if key not in inputs:
            raise ReplayError(f"{manifest_path} : le manifeste ne décrit pas le fichier d'entrée « {key} ».")
    profiles = _locate_input("profiles", inputs["profiles"], src_dir, profiles)
    positions = _locate_input("positions", inputs["positions"], src_dir, positions)
    config = Config.from_dict(manifest["config"], source=f"{manifest_path} (config)")
    if backend:  # where to compute it (compute.backend); the batch and its files stay the same
        config = config.replace(compute={"backend": backend})

    warnings: list[str] = []

    tax_info = manifest.get("taxonomy") or {}
    tax_path = tax_info.get("path")
    taxonomy = Taxonomy.load()  # the shipped one; another folder only inside the batch folder
    if tax_path and Path(str(tax_path)).resolve() != Path(taxonomy.path).resolve():
        if _within(Path(str(tax_path)), src_dir) and Path(str(tax_path)).is_dir():
            taxonomy = Taxonomy.load(tax_path)
        else:
            warnings.append("le manifeste désigne un référentiel hors du dossier du lot : le référentiel livré "
                            "avec le moteur est utilisé.")
    if tax_info.get("sha256") and taxonomy.sha256 != tax_info.get("sha256"):
        warnings.append(
            f"le référentiel a changé (version {taxonomy.version}, empreinte {taxonomy.sha256[:12]}… ; "
            f"lot : version {tax_info.get('version')}, empreinte {str(tax_info.get('sha256'))[:12]}…)."
        )
    matcher = Matcher(config, taxonomy=taxonomy, encoder=encoder)
    encoder = matcher.encoder
    model = manifest.get("model") or {}
    fingerprint = getattr(encoder, "fingerprint", "")
    if model.get("weights_sha256") and fingerprint != model.get("weights_sha256"):
        warnings.append(
            f"le modèle diffère ({getattr(encoder, 'name', '?')}, empreinte {str(fingerprint)[:12]}… ; lot : "
            f"{model.get('name')}, empreinte {str(model.get('weights_sha256'))[:12]}…)."
        )
    if getattr(encoder, "fallback_reason", None) and not model.get("fallback_reason"):
        warnings.append("le modèle demandé n'a pas pu être chargé : un modèle de repli est utilisé.")
    recorded = manifest.get("software") or {}
    now = software_versions()
    changed = [f"{k} {recorded[k]} → {now.get(k, 'absent')}" for k in sorted(recorded)
               if k not in ("platform", "matching_source_sha256") and now.get(k, "absent") != recorded[k]]
    if recorded.get("matching_source_sha256") and recorded["matching_source_sha256"] != now["matching_source_sha256"]:
        warnings.append("le code du moteur a changé depuis le lot (empreinte des sources différente) : "
                        "des différences sont possibles.")
    if changed:
        warnings.append("versions logicielles différentes : " + ", ".join(changed) + ".")

    kwargs = {"progress": progress} if progress is not None else {}
    new_manifest = matcher.run(profiles, positions, out=out_dir, batch_id=manifest["batch_id"], **kwargs).manifest
    before: dict[str, str] = manifest["outputs"]
    after: dict[str, str] = new_manifest.get("outputs", {})
    files: dict[str, str] = {}
    for name, digest in before.items():
        if name in EXCLUDED:
            continue
        path = out_dir / name
        if not path.is_file():
            files[name] = MISSING
        else:
            files[name] = IDENTICAL if file_sha256(path) == digest else DIFFERENT
    for name in after:
        if name not in before and name not in EXCLUDED:
            files[name] = EXTRA
    return ReplayResult(batch_id=manifest["batch_id"], out_dir=out_dir, files=files, warnings=warnings)
