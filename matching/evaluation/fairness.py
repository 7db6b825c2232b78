"""Fairness audit of a batch by gender and by age band (monitoring only).

The monitoring columns ``gender`` and ``birth_year`` of the profiles are read here and
nowhere else: they are never used for scoring or embedding (a test shuffles them and checks
that features and scores do not move). The audit compares, between groups of engineers:

* the **selection rate**: share of the group's *eligible* engineers (open to mobility) who
  appear on at least one shortlist;
* the **mean best rank**: mean, over the group's shortlisted engineers, of their best rank
  on any shortlist (1 = best).

Each group is compared with the best-treated group of the same attribute: ``rate_ratio`` =
selection rate / highest selection rate, ``rank_ratio`` = lowest mean best rank / the
group's mean best rank (both 1 for the best group, lower is worse). A group is flagged when
a ratio falls under the threshold (0.8: the "four-fifths rule" of adverse-impact analysis),
unless it has fewer than ``min_group_size`` eligible engineers (too few to conclude: the
line says so instead). A flag calls for a human look, it proves nothing by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "AGE_BANDS",
    "FairnessAudit",
    "age_band",
    "fairness_audit",
    "GENDER_LABELS",
]

#: (lower bound of age included, label); the last band is open-ended
AGE_BANDS: tuple[tuple[int, str], ...] = ((0, "moins de 35 ans"), (35, "35-44 ans"), (45, "45-54 ans"), (55, "55 ans et plus"))
GENDER_LABELS = {"f": "femmes", "femme": "femmes", "m": "hommes", "h": "hommes", "homme": "hommes"}
UNKNOWN = "non renseigné"

COLUMNS = [
    "attribute",
    "group",
    "eligible",
    "selected",
    "selection_rate",
    "rate_ratio",
    "mean_best_rank",
    "rank_ratio",
    "flagged",
    "note",
]


def age_band(birth_year, *, reference_year: int) -> str:
    """The age band (French label) of a birth year in ``reference_year``; 'non renseigné'
    when unknown."""
    if birth_year is None or birth_year is pd.NA or (isinstance(birth_year, float) and np.isnan(birth_year)):
        return UNKNOWN
    try:
        age = reference_year - int(birth_year)
    except (TypeError, ValueError):
        return UNKNOWN
    label = AGE_BANDS[0][1]
    for lo, name in AGE_BANDS:
        if age >= lo:
            label = name
    return label


def _fr(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _gender_group(value) -> str:
    text = str(value or "").strip().lower()
    if not text or text in ("nan", "<na>", "none"):
        return UNKNOWN
    return GENDER_LABELS.get(text, "autre")


@dataclass
class FairnessAudit:
    """The audit table (one row per (attribute, group), columns :data:`COLUMNS`), the
    attributes that could not be audited and why, and the parameters used."""

    table: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    threshold: float = 0.8
    reference_year: int = 0

    @property
    def flagged(self) -> pd.DataFrame:
        return self.table[self.table["flagged"]]

    def summary(self) -> list[str]:
        """French sentences for a report or a notebook."""
        out = []
        labels = {"gender": "genre", "age_band": "tranche d'âge"}
        for attr, reason in self.skipped.items():
            out.append(f"Audit par {labels.get(attr, attr)} impossible : {reason}.")
        for row in self.table.itertuples(index=False):
            if row.flagged:
                why = []
                if row.rate_ratio < self.threshold:
                    why.append(f"taux de sélection {row.selection_rate:.0%} soit {_fr(row.rate_ratio)} fois celui du groupe le mieux traité")
                if row.rank_ratio == row.rank_ratio and row.rank_ratio < self.threshold:
                    why.append(f"meilleur rang moyen {_fr(row.mean_best_rank, 1)} (ratio {_fr(row.rank_ratio)})")
                out.append(
                    f"ALERTE — {labels.get(row.attribute, row.attribute)} « {row.group} » : "
                    + " ; ".join(why)
                    + f" (seuil {_fr(self.threshold)}). À examiner par un analyste."
                )
        if not self.table.empty and not self.table["flagged"].any():
            out.append(f"Aucun groupe sous le seuil de {_fr(self.threshold)} (règle des quatre cinquièmes).")
        return out


def fairness_audit(
    profiles: pd.DataFrame,
    shortlists: pd.DataFrame,
    *,
    attributes: Iterable[str] = ("gender", "age_band"),
    reference_year: int | None = None,
    threshold: float = 0.8,
    min_group_size: int = 5,
    eligible: Iterable[str] | None = None,
) -> FairnessAudit:
    """Selection rate and mean best rank by group, with the four-fifths flag.

    ``profiles``: the canonical profiles frame (``profile_id``, and the monitoring columns
    ``gender`` / ``birth_year`` when present; ``open_to_mobility`` defines who is eligible
    unless ``eligible`` lists the profile ids). ``shortlists``: lines with ``profile_id``
    and ``rank``. ``attributes``: ``"gender"`` and/or ``"age_band"`` (from ``birth_year``,
    age in ``reference_year``, default the current year).
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"the 'threshold' parameter must be a number in (0, 1], got {threshold!r}")
    reference_year = reference_year or dt.date.today().year
    prof = profiles.copy()
    prof["profile_id"] = prof["profile_id"].astype(str)
    if eligible is not None:
        keep = {str(x) for x in eligible}
        prof = prof[prof["profile_id"].isin(keep)]
    elif "open_to_mobility" in prof.columns:
        prof = prof[prof["open_to_mobility"].astype(bool)]
    best = shortlists.groupby(shortlists["profile_id"].astype(str))["rank"].min()
    prof["best_rank"] = prof["profile_id"].map(best)

    skipped: dict[str, str] = {}
    rows = []
    for attr in attributes:
        if attr == "gender":
            if "gender" not in prof.columns or not prof["gender"].astype(str).str.strip().replace({"nan": "", "<NA>": ""}).any():
                skipped[attr] = "colonne « gender » (genre) absente ou vide"
                continue
            groups = prof["gender"].map(_gender_group)
        elif attr == "age_band":
            if "birth_year" not in prof.columns or prof["birth_year"].isna().all():
                skipped[attr] = "colonne « birth_year » (année de naissance) absente ou vide"
                continue
            groups = prof["birth_year"].map(lambda y: age_band(y, reference_year=reference_year))
        else:
            raise ValueError(f"the 'attributes' parameter accepts 'gender' and 'age_band', got {attr!r}")
        part = pd.DataFrame({"group": groups.to_numpy(), "best_rank": prof["best_rank"].to_numpy()})
        stats = []
        for g, sub in part.groupby("group", sort=True):
            n = len(sub)
            sel = int(sub["best_rank"].notna().sum())
            mean_rank = float(sub["best_rank"].mean()) if sel else float("nan")
            stats.append([attr, g, n, sel, sel / n if n else float("nan"), mean_rank])
        known = [s for s in stats if s[1] != UNKNOWN and s[2] >= min_group_size]
        best_rate = max((s[4] for s in known), default=float("nan"))
        best_mean = min((s[5] for s in known if s[5] == s[5]), default=float("nan"))
        for attr_, g, n, sel, rate, mean_rank in stats:
            rate_ratio = rate / best_rate if best_rate and best_rate == best_rate else float("nan")
            rank_ratio = best_mean / mean_rank if mean_rank == mean_rank and best_mean == best_mean else float("nan")
            note = ""
            flagged = False
            if g == UNKNOWN:
                note = "valeur non renseignée : hors comparaison"
            elif n < min_group_size:
                note = f"effectif insuffisant (moins de {min_group_size}) : hors comparaison"
            else:
                flagged = bool((rate_ratio == rate_ratio and rate_ratio < threshold) or (rank_ratio == rank_ratio and rank_ratio < threshold))
            rows.append([attr_, g, n, sel, rate, rate_ratio, mean_rank, rank_ratio, flagged, note])
    table = pd.DataFrame(rows, columns=COLUMNS)
    return FairnessAudit(table=table, skipped=skipped, threshold=threshold, reference_year=reference_year)
