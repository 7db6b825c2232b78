"""Skills in short supply (skills_gap.csv) and each engineer's next steps: recomputed with
plain loops, and the suggested skills checked by re-running the batch with the skill added."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from matching import Config, Matcher
from matching.explain import render_account
from matching.features import build_features
from matching.gap import ENSEMBLE, GAP_COLUMNS, GAP_HEADERS, GAP_SHEET, NEXT_STEP_COLUMNS
from matching.outputs import OPPORTUNITY_COLUMNS
from matching.rank import rank

try:
    from tests.test_engine import SAMPLE, write_slice
except ImportError:  # tests/ not a package
    from test_engine import SAMPLE, write_slice

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("gap-slice")
    return (write_slice(SAMPLE / "profiles.csv", d / "profiles.csv", 4),
            write_slice(SAMPLE / "positions.csv", d / "positions.csv", 10))


#: small shortlists, so that most positions have a full list and a threshold to beat
CONFIG = Config().replace(model={"name": "hashing"}, rules={"reference_date": "2026-11-28"}, ranking={"top_k": 3})


@pytest.fixture(scope="module")
def written(files, hashing_encoder, tmp_path_factory):
    out = tmp_path_factory.mktemp("gap-out") / "lot"
    batch = Matcher(CONFIG, encoder=hashing_encoder).run(*files, out=out)
    return batch, out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_skills_gap_csv_recomputed_with_plain_loops(written):
    batch, out = written
    table = _read(out / "skills_gap.csv")
    assert list(table.columns) == GAP_COLUMNS
    prep, norm = batch.prepared, batch.prepared.normalized
    ministry = prep.positions["ministry"].astype(str).tolist()
    pos_at = {p: j for j, p in enumerate(prep.positions["position_id"].astype(str))}
    # the shortlists' own "missing skills" column decides what a line misses
    lines = _read(out / "shortlists.csv")
    expected: dict[tuple[str, str], dict] = {}
    for j, req in enumerate(norm.position_required):
        for scope in (ENSEMBLE, ministry[j]):
            for key, level in req.items():
                e = expected.setdefault((scope, key), {"positions_requiring": 0, "level": level, "shortlist_lines_missing": 0})
                e["positions_requiring"] += 1
                e["level"] = min(e["level"], level)
    for line in lines.itertuples(index=False):
        j = pos_at[line.position_id]
        missing = set(line.missing_skills.split("; ")) if line.missing_skills else set()
        for key in norm.position_required[j]:
            if norm.concept_labels.get(key, key) in missing:
                expected[(ENSEMBLE, key)]["shortlist_lines_missing"] += 1
                expected[(ministry[j], key)]["shortlist_lines_missing"] += 1
    for (scope, key), e in expected.items():
        e["profiles_holding"] = sum(1 for held in norm.profile_skills if held.get(key, 0) >= e["level"])
        e["profiles_holding_lower"] = sum(1 for held in norm.profile_skills if 0 < held.get(key, 0) < e["level"])
        e["shortage"] = round(e["positions_requiring"] / (e["profiles_holding"] + 1), 4)
    got = {(r.scope, r.source_id): r for r in table.itertuples(index=False)}
    assert set(got) == set(expected)
    for k, e in expected.items():
        r = got[k]
        assert r.skill_label == norm.concept_labels.get(k[1], k[1])
        for c in ("positions_requiring", "profiles_holding", "profiles_holding_lower", "shortlist_lines_missing"):
            assert int(getattr(r, c)) == e[c], (k, c)
        assert float(r.shortage) == pytest.approx(e["shortage"], abs=1e-9)
    assert any(e["shortlist_lines_missing"] for e in expected.values())
    # ordering: ensemble first, then each scope by shortage descending
    scopes = list(dict.fromkeys(table["scope"]))
    assert scopes[0] == ENSEMBLE and sorted(scopes[1:]) == sorted(set(ministry))
    for scope, part in table.groupby("scope", sort=False):
        s = part["shortage"].astype(float).tolist()
        assert s == sorted(s, reverse=True), scope


def test_ministries_add_up_to_the_whole_community(written):
    table = written[0].skills_gap()
    whole = table[table["scope"] == ENSEMBLE].set_index("source_id")
    per = table[table["scope"] != ENSEMBLE]
    for col in ("positions_requiring", "shortlist_lines_missing"):
        sums = per.groupby("source_id")[col].sum()
        assert sums.reindex(whole.index).fillna(0).astype(int).tolist() == whole[col].astype(int).tolist(), col
    # holders are engineers of the whole community: at any level, the same count in every scope
    any_level = (table["profiles_holding"] + table["profiles_holding_lower"]).groupby(table["source_id"]).nunique()
    assert (any_level == 1).all()


def _rerun_opened(batch, profile_id: str, key: str, level: int) -> tuple[set[str], set[str]]:
    """Positions whose shortlist the engineer enters and leaves when the batch is scored and
    ranked again with the skill added to the engineer (nothing else changed)."""
    prep = batch.prepared
    norm, f = prep.normalized, prep.features
    i = prep.profile_index(profile_id)
    skills = list(norm.profile_skills)
    skills[i] = {**skills[i], key: max(skills[i].get(key, 0), level)}
    f2 = build_features(prep.profiles, prep.positions, dataclasses.replace(norm, profile_skills=skills),
                        f.profiles.emb, f.positions.emb, batch.config)
    r = rank(f2, batch.config)
    after = {str(f.positions.ids[j]) for j in r.shortlist.loc[r.shortlist["profile"] == i, "position"]}
    sl = batch.shortlists
    before = set(sl.loc[sl["profile_id"].astype(str) == profile_id, "position_id"].astype(str))
    return after - before, before - after


def _engineers_with_suggestions(batch, count: int) -> list:
    steps = [s for s in batch.next_steps() if s.suggestions]
    assert len(steps) >= count
    return [steps[k * (len(steps) - 1) // max(count - 1, 1)] for k in range(count)]


def test_suggested_gain_equals_a_rerun_with_the_skill_added(written):
    batch = written[0]
    checked = 0
    for steps in _engineers_with_suggestions(batch, 3):
        gains = [s.gain for s in steps.suggestions]
        assert gains == sorted(gains, reverse=True) and len(gains) <= 3
        for s in steps.suggestions:
            opened, lost = _rerun_opened(batch, steps.profile_id, s.key, s.level)
            assert opened == set(s.positions) and len(opened) == s.gain > 0
            assert not lost
            checked += 1
    assert checked >= 3


def test_no_other_required_skill_opens_more_than_the_best_suggestion(written):
    """Brute force for one engineer: every required skill of the batch not held at its level."""
    batch = written[0]
    steps = _engineers_with_suggestions(batch, 1)[0]
    prep = batch.prepared
    i = prep.profile_index(steps.profile_id)
    held = prep.normalized.profile_skills[i]
    need: dict[str, int] = defaultdict(int)
    for req in prep.normalized.position_required:
        for key, level in req.items():
            if held.get(key, 0) < level:
                need[key] = max(need[key], level)
    suggested = {s.key: s.gain for s in steps.suggestions}
    best = steps.suggestions[0].gain
    for key in sorted(need)[:: max(1, len(need) // 40)]:  # about 40 of them: each is a full re-run
        opened, _ = _rerun_opened(batch, steps.profile_id, key, need[key])
        assert len(opened) <= best, key
        if key in suggested:
            assert len(opened) == suggested[key]


def test_suggestions_are_exact_with_the_related_skill_credit(files, hashing_encoder):
    config = CONFIG.replace(scoring={"related_skill_credit": 0.5, "related_skill_similarity": 0.5})
    batch = Matcher(config, encoder=hashing_encoder).run(*files)
    assert batch.prepared.normalized.related_skills  # the credit has close skills to use
    for steps in _engineers_with_suggestions(batch, 2):
        for s in steps.suggestions:
            opened, lost = _rerun_opened(batch, steps.profile_id, s.key, s.level)
            assert opened == set(s.positions) and not lost


def test_opportunities_carry_each_engineers_next_steps(written):
    batch, out = written
    op = _read(out / "opportunities.csv")
    assert list(op.columns) == OPPORTUNITY_COLUMNS + NEXT_STEP_COLUMNS
    prep, norm = batch.prepared, batch.prepared.normalized
    steps = {s.profile_id: s for s in batch.next_steps()}
    from matching.score import rule_mask

    n_paths = 0
    for pid, part in op.groupby("profile_id"):
        s = steps[pid]
        assert (part[NEXT_STEP_COLUMNS].nunique() <= 1).all()  # one value per engineer
        row = part.iloc[0]
        assert row["competences_a_acquerir"].count(" ; ") == row["gain_postes"].count(" ; ")
        assert [int(g) for g in row["gain_postes"].split(" ; ") if g] == [x.gain for x in s.suggestions]
        i = prep.profile_index(pid)
        occ = norm.profile_occupations[i]
        if not occ:
            assert row["metiers_accessibles"] == ""
            continue
        reachable = set(norm.adjacency.get(occ[0][0], ()))
        bits = rule_mask(prep.features, [i], slice(0, prep.features.n_positions), batch.config)[0]
        for p in s.paths:
            assert p.code in reachable and p.code != occ[0][0]
            expect = sorted(str(prep.features.positions.ids[j]) for j, o in enumerate(norm.position_occupations)
                            if o and o[0][0] == p.code and bits[j] == 0)
            assert list(p.positions) == expect and f"{p.code} " in row["metiers_accessibles"]
            n_paths += 1
    assert n_paths > 0


def test_explain_workbook_and_report_show_them(written):
    batch, out = written
    steps = _engineers_with_suggestions(batch, 1)[0]
    pos = batch.shortlists["position_id"].iloc[0]
    text = render_account(batch.explain(steps.profile_id, pos), batch.config)
    assert "Pour aller plus loin" in text and steps.suggestions[0].label in text
    from openpyxl import load_workbook

    wb = load_workbook(out / "lot.xlsx", read_only=True)
    ws = wb[GAP_SHEET]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == [GAP_HEADERS[c] for c in GAP_COLUMNS]
    assert ws.max_row == len(batch.skills_gap()) + 1
    page = (out / "report.html").read_text(encoding="utf-8")
    top = batch.skills_gap(ENSEMBLE)["skill_label"].iloc[0]
    assert 'id="tension"' in page and "Compétences en tension" in page
    import html

    assert html.escape(top) in page


def test_skills_gap_command(written):
    out = written[1]
    env_run = lambda *a: subprocess.run([sys.executable, str(REPO / "cli.py"), "skills", "gap", "--batch", str(out), *a],  # noqa: E731
                                        capture_output=True, text=True, cwd=REPO, env={**__import__("os").environ, "COLUMNS": "160"})
    ok = env_run("--top", "3")
    assert ok.returncode == 0, ok.stderr
    assert "Compétences en tension — ensemble (3 sur" in ok.stdout and "Tension" in ok.stdout
    assert written[0].skills_gap(ENSEMBLE)["source_id"].iloc[0] in ok.stdout
    ministry = sorted(set(written[0].prepared.positions["ministry"]))[0]
    one = env_run("--scope", ministry.upper())
    assert one.returncode == 0 and f"— {ministry} (" in one.stdout
    bad = env_run("--scope", "Ministère imaginaire")
    assert bad.returncode == 2 and "n'est pas un ministère du lot" in bad.stderr and "Traceback" not in bad.stderr
