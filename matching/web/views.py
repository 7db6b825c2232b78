"""What the pages show, computed from a finished :class:`matching.batch.Batch` (plain rows
for the templates; no HTML here)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["batch_summary", "position_rows", "shortlist_view", "engineer_view", "latest_reviews"]

SORTS = {"rang": ("rank", True), "score": ("score", False), "ingenieur": ("profile_id", True)}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")


def latest_reviews(batch) -> dict[tuple[str, str], dict[str, str]]:
    """(position, engineer) -> the latest feedback line on it (advisor or employer)."""
    from matching.feedback import read_batch_feedback

    fb = read_batch_feedback(batch.folder)
    return {(r["position_id"], r["profile_id"]): r for r in _records(fb)}


def batch_summary(batch, advisor_files: dict[str, str]) -> dict[str, Any]:
    """Counts, the per-ministry table and the downloads of a batch."""
    from matching.package import PACKAGES_DIR

    counts = batch.manifest.get("counts", {})
    Q = batch.prepared.positions
    sl = batch.shortlists
    listed = sl.groupby("position_id").size() if len(sl) else pd.Series(dtype=int)
    rows = []
    for ministry, part in Q.groupby(Q["ministry"].astype(str), sort=True):
        ids = part["position_id"].astype(str)
        n_lines = int(listed.reindex(ids).fillna(0).sum())
        rows.append({"ministry": ministry, "positions": len(part), "lines": n_lines,
                     "without": int((listed.reindex(ids).fillna(0) == 0).sum())})
    employer = batch.manifest.get("employer_files") or {}
    from matching.textnorm import slug

    packages = []
    for ministry in sorted(employer):
        kinds = employer[ministry]
        first = next(iter(sorted(kinds.values())), "")
        name = f"{PACKAGES_DIR}/{first.rsplit('/', 1)[-1].rsplit('.', 1)[0] if first else slug(ministry)}.zip"
        packages.append({"ministry": ministry, "package": name if batch.folder.exists(name) else None,
                         "files": sorted(kinds.items())})
    files = [(name, label) for name, label in advisor_files.items() if batch.folder.exists(name)]
    return {"counts": counts, "ministries": rows, "packages": packages, "files": files,
            "profiles": sorted(batch.prepared.profiles["profile_id"].astype(str).tolist())}


def position_rows(batch, *, ministry: str = "", query: str = "") -> list[dict[str, Any]]:
    Q = batch.prepared.positions
    listed = batch.shortlists.groupby("position_id").size() if len(batch.shortlists) else pd.Series(dtype=int)
    out = []
    needle = query.strip().lower()
    for row in Q.itertuples(index=False):
        pid, title, mins = str(row.position_id), str(getattr(row, "title", "") or ""), str(row.ministry)
        if ministry and mins != ministry:
            continue
        if needle and needle not in f"{pid} {title}".lower():
            continue
        out.append({"position_id": pid, "title": title, "ministry": mins, "lines": int(listed.get(pid, 0))})
    return sorted(out, key=lambda r: (r["ministry"], r["position_id"]))


def shortlist_view(batch, position_id: str, *, query: str = "", sort: str = "rang") -> dict[str, Any]:
    """A position's shortlist (searchable, sortable), with the latest review of each line."""
    batch.prepared.position_index(position_id)  # unknown position: PairNotFound (French)
    Q = batch.prepared.positions
    position = Q[Q["position_id"].astype(str) == position_id].iloc[0].to_dict()
    lines = batch.shortlist(position_id).copy()
    needle = query.strip().lower()
    if needle:
        hay = (lines["profile_id"].astype(str) + " " + lines["matched_skills"].astype(str) + " "
               + lines["missing_skills"].astype(str) + " " + lines["explanation"].astype(str)).str.lower()
        lines = lines[hay.str.contains(needle, regex=False)]
    column, ascending = SORTS.get(sort, SORTS["rang"])
    lines = lines.sort_values([column, "rank"], ascending=[ascending, True], kind="stable")
    reviews = latest_reviews(batch)
    rows = []
    for r in _records(lines):
        r["review"] = reviews.get((position_id, str(r["profile_id"])))
        rows.append(r)
    listed = set(batch.shortlist(position_id)["profile_id"].astype(str))
    others = sorted(p for p in batch.prepared.profiles["profile_id"].astype(str) if p not in listed)
    return {"position": position, "position_id": position_id, "rows": rows, "others": others}


def engineer_view(batch, profile_id: str) -> dict[str, Any]:
    """An engineer's best positions, and the positions a hard rule excluded them from."""
    from matching.components import RULES
    from matching.score import rule_mask

    i = batch.prepared.profile_index(profile_id)
    opp = batch.opportunities[batch.opportunities["profile_id"].astype(str) == profile_id].sort_values("rank")
    mask = np.asarray(rule_mask(batch.prepared.features, np.array([i]), slice(None), batch.config)).reshape(-1)
    Q = batch.prepared.positions
    excluded = []
    for j in np.flatnonzero(mask):
        rules = [sentence for name, (bit, sentence) in RULES.items() if int(mask[j]) & bit]
        excluded.append({"position_id": str(Q["position_id"].iat[j]), "title": str(Q["title"].iat[j]),
                         "ministry": str(Q["ministry"].iat[j]), "rules": rules})
    on = batch.shortlists[batch.shortlists["profile_id"].astype(str) == profile_id]
    return {"profile_id": profile_id, "opportunities": _records(opp), "excluded": excluded,
            "shortlisted_on": _records(on[["position_id", "position_title", "rank", "score"]])}
