"""Loading the engine's taxonomy (``data/taxonomy/``): skills, occupations, links, acronyms.

The folder is built by ``data/scripts/build_taxonomy.py`` from ROME 4.0, ESCO (French), the
official ROME <-> ESCO crosswalk and the State's digital emplois-référence; ``acronyms.csv``
is maintained by hand. ``Taxonomy.load()`` reads it once per process (``Taxonomy.default()``
memoises the shipped one).

Concept identifiers: ``rome:<code_ogr>`` for ROME skills and knowledge, ``esco:<uuid>`` for
ESCO skills (``source_id`` keeps the full ESCO URI or the ROME ``code_ogr``). Occupations are
ROME codes (``M1805``); ESCO occupations keep their URI.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from matching.errors import InputFileError

from matching.resources import taxonomy_dir
from matching.textnorm import normalize

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Taxonomy", "TaxonomyError", "DEFAULT_TAXONOMY_DIR", "DIGITAL_FAMILIES"]

DEFAULT_TAXONOMY_DIR = taxonomy_dir()

#: The 10 digital job families of the State (rmfp_numerique), in display order.
DIGITAL_FAMILIES: tuple[str, ...] = (
    "Architecture",
    "Développement",
    "Données",
    "Gestion",
    "Infrastructure",
    "Projet / Produit",
    "Serveur / Cloud",
    "Sécurité",
    "Support",
    "Autres",
)

_FILES = (
    "skills.csv.gz",
    "rome_skills.csv.gz",
    "occupations.csv.gz",
    "appellations.csv.gz",
    "esco_occupations.csv.gz",
    "esco_occupation_skills.csv.gz",
    "crosswalk.csv.gz",
    "mobility.csv.gz",
    "digital_families.csv",
    "acronyms.csv",
)

_DEFAULT: dict[str, "Taxonomy"] = {}


class TaxonomyError(InputFileError, RuntimeError):
    """The taxonomy folder is missing, incomplete or does not match its manifest."""


def _split(cell: str) -> list[str]:
    return [p for p in str(cell).split("|") if p] if cell else []


@dataclass(eq=False)
class Taxonomy:
    """In-memory taxonomy. Build with :meth:`load`; the frames are read-only by convention."""

    path: Path
    version: str
    sha256: str
    skills: "pd.DataFrame"
    rome_skills: "pd.DataFrame"
    occupations: "pd.DataFrame"
    appellations: "pd.DataFrame"
    esco_occupations: "pd.DataFrame"
    esco_occupation_skills: "pd.DataFrame"
    crosswalk: "pd.DataFrame"
    mobility: "pd.DataFrame"
    digital_families: "pd.DataFrame"
    acronyms: "pd.DataFrame"
    counts: dict = field(default_factory=dict)
    #: (concept id, folded label) of alternative labels that ESCO or ROME attach to one
    #: concept but that mean something broader in French public-sector texts (hand-kept
    #: in ``ambiguous_labels.csv``): never used to recognise that concept
    ambiguous_labels: frozenset = frozenset()

    # --- loading ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None, *, verify: bool = False) -> "Taxonomy":
        """Read a taxonomy folder (default: the shipped ``data/taxonomy``).

        ``verify=True`` checks every file against the sha256 of ``manifest.json``.
        """
        import pandas as pd

        folder = Path(path) if path is not None else DEFAULT_TAXONOMY_DIR
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise TaxonomyError(
                f"taxonomy not found in {folder} (no manifest.json); rebuild it with "
                "data/scripts/build_taxonomy.py"
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        missing = [f for f in _FILES if not (folder / f).is_file()]
        if missing:
            raise TaxonomyError(f"taxonomy in {folder} is incomplete, missing: {', '.join(missing)}")
        if verify:
            bad = []
            for name, info in manifest.get("files", {}).items():
                digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
                if digest != info.get("sha256"):
                    bad.append(name)
            if bad:
                raise TaxonomyError(f"taxonomy files differ from their manifest: {', '.join(bad)}")
        frames = {
            # plain object columns: iterating them is several times faster than StringDtype
            name.split(".")[0]: pd.read_csv(folder / name, dtype=object, keep_default_na=False)
            for name in _FILES
        }
        rome_skills = frames["rome_skills"]
        rome_skills["core"] = rome_skills["core"].astype(int).astype(bool)
        mobility = frames["mobility"]
        mobility["order"] = mobility["order"].astype(int)
        occ = frames["occupations"]
        occ["digital"] = occ["digital"].astype(int).astype(bool)
        app = frames["appellations"]
        app["main"] = app["main"].astype(int).astype(bool)
        app["digital"] = app["digital"].astype(int).astype(bool)
        digest = hashlib.sha256(manifest_path.read_bytes())
        digest.update((folder / "acronyms.csv").read_bytes())
        ambiguous: frozenset = frozenset()
        amb_path = folder / "ambiguous_labels.csv"
        if amb_path.is_file():
            amb = pd.read_csv(amb_path, dtype=object, keep_default_na=False, comment="#")
            ambiguous = frozenset(zip(amb["concept_id"], (normalize(x) for x in amb["label"])))
            digest.update(amb_path.read_bytes())
        return cls(
            ambiguous_labels=ambiguous,
            path=folder,
            version=str(manifest.get("version", "unknown")),
            sha256=digest.hexdigest(),
            counts=dict(manifest.get("counts", {})),
            **frames,
        )

    @classmethod
    def default(cls) -> "Taxonomy":
        """The shipped taxonomy, loaded once per process."""
        key = str(DEFAULT_TAXONOMY_DIR)
        if key not in _DEFAULT:
            _DEFAULT[key] = cls.load(DEFAULT_TAXONOMY_DIR)
        return _DEFAULT[key]

    # --- skills -------------------------------------------------------------------------
    @cached_property
    def skill_labels(self) -> "pd.DataFrame":
        """One row per (concept, label): columns concept_id, label, preferred (bool)."""
        import pandas as pd

        rows_c, rows_l, rows_p = [], [], []
        for cid, label, alts in zip(self.skills.concept_id, self.skills.label, self.skills.alt_labels):
            rows_c.append(cid)
            rows_l.append(label)
            rows_p.append(True)
            for alt in _split(alts):
                if self.ambiguous_labels and (cid, normalize(alt)) in self.ambiguous_labels:
                    continue
                rows_c.append(cid)
                rows_l.append(alt)
                rows_p.append(False)
        return pd.DataFrame({"concept_id": rows_c, "label": rows_l, "preferred": rows_p})

    @cached_property
    def _skill_index(self) -> dict[str, tuple[str, str, str]]:
        return {
            cid: (label, sid, kind)
            for cid, label, sid, kind in zip(
                self.skills.concept_id, self.skills.label, self.skills.source_id, self.skills.kind
            )
        }

    def skill_label(self, concept_id: str) -> str:
        return self._skill_index.get(concept_id, ("", "", ""))[0]

    def skill_source_id(self, concept_id: str) -> str:
        return self._skill_index.get(concept_id, ("", "", ""))[1]

    def skill_kind(self, concept_id: str) -> str:
        return self._skill_index.get(concept_id, ("", "", ""))[2]

    def skills_of(self, code_rome: str, *, core_only: bool = False, use_crosswalk: bool = True) -> set[str]:
        """Skill concepts linked to a ROME code (ROME coherence items, plus ESCO skills of the
        ESCO occupations the crosswalk maps to this code when ``use_crosswalk``)."""
        out = set(self._rome_skill_map.get(code_rome, {}).get(True, ()))
        if not core_only:
            out |= set(self._rome_skill_map.get(code_rome, {}).get(False, ()))
        if use_crosswalk:
            for uri in self._rome_to_esco.get(code_rome, ()):
                out |= self._esco_skill_map.get(uri, set())
        return out

    @cached_property
    def _rome_skill_map(self) -> dict[str, dict[bool, list[str]]]:
        out: dict[str, dict[bool, list[str]]] = {}
        for code, cid, core in zip(self.rome_skills.code_rome, self.rome_skills.concept_id, self.rome_skills.core):
            out.setdefault(code, {}).setdefault(bool(core), []).append(cid)
        return out

    @cached_property
    def _esco_skill_map(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for uri, cid in zip(self.esco_occupation_skills.esco_uri, self.esco_occupation_skills.concept_id):
            out.setdefault(uri, set()).add(cid)
        return out

    @cached_property
    def _rome_to_esco(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for code, uri in zip(self.crosswalk.code_rome, self.crosswalk.esco_uri):
            if code:
                out.setdefault(code, set()).add(uri)
        return out

    @cached_property
    def esco_to_rome(self) -> dict[str, set[str]]:
        """ESCO occupation URI -> ROME codes, through the official crosswalk."""
        out: dict[str, set[str]] = {}
        for code, uri in zip(self.crosswalk.code_rome, self.crosswalk.esco_uri):
            if code:
                out.setdefault(uri, set()).add(code)
        return out

    # --- occupations --------------------------------------------------------------------
    @cached_property
    def _occ_index(self) -> dict[str, tuple[str, str, str]]:
        return {
            c: (label, fam, dom)
            for c, label, fam, dom in zip(
                self.occupations.code_rome, self.occupations.label, self.occupations.family, self.occupations.domain
            )
        }

    def occupation_label(self, code_rome: str) -> str:
        return self._occ_index.get(code_rome, ("", "", ""))[0]

    def family(self, code_rome: str) -> str:
        """Digital job family of a ROME code ("" when the code is not a digital trade)."""
        return self._occ_index.get(code_rome, ("", "", ""))[1]

    def domain(self, code_rome: str) -> str:
        return self._occ_index.get(code_rome, ("", "", ""))[2]

    @cached_property
    def _mobility_map(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for code, target in zip(self.mobility.code_rome, self.mobility.target):
            out.setdefault(code, set()).add(target)
        return out

    def adjacent(self, code_rome: str) -> set[str]:
        """Target codes of the official ROME mobility links from ``code_rome``."""
        return set(self._mobility_map.get(code_rome, ()))

    @cached_property
    def family_of_reference(self) -> dict[str, tuple[str, str]]:
        """Normalised emploi-référence label -> (family, ROME code)."""
        from matching.textnorm import key

        return {
            key(ref): (fam, code)
            for ref, fam, code in zip(
                self.digital_families.emploi_reference,
                self.digital_families.family,
                self.digital_families.code_rome,
            )
        }

    def describe(self) -> dict:
        """Version, hash and sizes, for the run manifest."""
        return {"version": self.version, "sha256": self.sha256, "path": str(self.path), "counts": dict(self.counts)}
