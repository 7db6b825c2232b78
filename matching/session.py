"""File-level helpers behind the CLI commands that are not a batch: ``explain`` for any pair,
``skills normalize`` and ``titles normalize``. They return objects; the CLI prints them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from matching.config import Config

__all__ = ["explain_from", "normalize_skills_file", "normalize_titles_file"]


def explain_from(
    profile_id: str,
    position_id: str,
    *,
    batch: Path | None = None,
    profiles: Path | None = None,
    positions: Path | None = None,
    config_path: Path | None = None,
    encoder=None,
    taxonomy=None,
):
    """The full account of one pair, from a finished batch folder (nothing read again,
    nothing embedded) or from the two input files (read, normalised and embedded; the
    embedding cache makes it fast after a batch). Returns (account, configuration)."""
    from matching.batch import Batch
    from matching.engine import Matcher
    from matching.errors import UsageError

    if batch is not None:
        folder = Path(batch)
        if folder.name == "manifest.json":
            folder = folder.parent
        b = Batch.open(folder)
        return b.explain(profile_id, position_id), b.config
    if profiles is None or positions is None:
        raise UsageError("indiquez --batch, ou bien --profiles et --positions")
    config = (Config.from_toml(config_path) if config_path else Config()).resolved()
    matcher = Matcher(config, taxonomy=taxonomy, encoder=encoder)
    prepared = matcher.prepare(Path(profiles), Path(positions))
    b = matcher.rank(prepared)
    return b.explain(profile_id, position_id), config


def _strings_from_file(path: Path, kind: str) -> list[str]:
    """Lines of a text file, or the skill / title cells of a profiles or positions file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".txt", ""}:
        return [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    from matching.io.readers import InputError, read_positions, read_profiles

    out: list[str] = []
    try:
        res = read_profiles(path)
        if kind == "skills":
            for items in res.frame["skills"]:
                out += [t for t, _ in items]
        else:
            out += [t for t in res.frame["current_position"] if t]
        return out
    except InputError:
        pass
    res = read_positions(path)
    for row in res.frame.itertuples(index=False):
        if kind == "skills":
            out += [t for t, _ in row.required_skills] + [t for t, _ in row.desired_skills]
        else:
            out.append(row.title)
    return out


def normalize_skills_file(path: Path, config: Config, *, semantic: bool = True) -> pd.DataFrame:
    from matching.engine import Matcher
    from matching.skills import SkillNormalizer

    texts = _strings_from_file(path, "skills")
    matcher = Matcher(config)
    norm = SkillNormalizer(matcher.taxonomy, encoder=matcher.encoder if semantic else None, config=config.normalization)
    table = norm.normalize(texts)
    return table[["input", "label", "source_id", "method", "confidence"] + [c for c in table.columns if c not in {"input", "label", "source_id", "method", "confidence"}]]


def normalize_titles_file(path: Path, config: Config, *, top: int = 3, semantic: bool = True) -> pd.DataFrame:
    from matching.engine import Matcher
    from matching.titles import TitleNormalizer

    titles = _strings_from_file(path, "titles")
    matcher = Matcher(config)
    tn = TitleNormalizer(matcher.taxonomy, encoder=matcher.encoder if semantic else None,
                         use_crosswalk=config.normalization.use_crosswalk)
    rows = []
    for title, matches in zip(titles, tn.normalize(titles, top=top)):
        if not matches:
            rows.append({"input": title, "rank": 1, "label": "", "source_id": "", "family": "", "method": "unknown", "confidence": 0.0})
        for r, m in enumerate(matches, start=1):
            rows.append(
                {
                    "input": title,
                    "rank": r,
                    "label": m.label,
                    "source_id": m.code_rome,
                    "family": getattr(m, "family", ""),
                    "method": getattr(m, "method", "fused"),
                    "confidence": round(float(m.score), 4),
                }
            )
    return pd.DataFrame(rows)
