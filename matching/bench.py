"""The scale benchmark: synthetic data of any size, timed stage by stage, against references.

    from matching.bench import run_bench, run_scaling, render_bench
    result = run_bench(50_000, 10_000, stage="score")
    result = run_bench(2000, 500, config=Config().replace(model={"name": "hashing"}))
    scaling = run_scaling([1000, 4000, 16000], ratio=0.25)
    text = render_bench(result)          # the French console table (either result)

``run_bench`` returns a dict (JSON-ready)::

    {"profiles": N, "positions": M, "stage": "all" | "score" | "allocate",
     "stages": {"<stage>": {"seconds": ..., "peak_rss_mb": ..., "peak_rss_delta_mb": ...,
                            "items": ..., "per_second": ..., ...}, ...},   # cold
     "warm": {"<stage>": {...}, ...},          # full pipeline only: the same stages, warm
     "warm_identical": true,                   # full pipeline only
     "encoder": {"name": "hashing", "fingerprint": ..., "fallback_reason": None, "dim": 384}
                or None (stage "score": synthetic features, no text),
     "backend": {"name": "local", "workers": 0} or {"name": "dask", "workers": 2, "scheduler": ...},
     "reference": {"matmul_seconds": ..., "naive_seconds": ... or None, ...},
     "blas_kernel": "openblas SkylakeX, 2 threads", "block_shape": [...], ...}

Stages of the full pipeline (``stage=None``, :data:`FULL_STAGES`): ``model_load`` (the
encoder), ``read``, ``normalize``, ``embed``, ``features``, ``score_topk``, ``explain`` (the
shortlist and opportunity tables, every line explained), ``write`` (manifest and every
deliverable written, as ``run_batch`` does); ``items`` counts rows (profiles + positions)
for the first five, pairs for ``score_topk``, table lines for the last two; ``embed`` also
records ``texts_encoded`` and ``texts_from_cache``. They run twice in the same process:

* **cold**: a new engine over a cache folder empty of the batch's texts and strings (a
  copy of the setup's, below; never the user's cache);
* **warm**: a new engine over the same cache folder, filled by the cold run (embeddings,
  and any other cache the engine keeps there or in the process, such as the normalised skill
  strings): a re-run after a correction. ``warm_identical`` says whether the warm run wrote
  the same ``shortlists.csv`` and ``opportunities.csv``, byte for byte. (``stages`` also
  keeps ``embed_warm``, the warm ``embed`` with its ``speedup``, as the first version did.)

``setup`` (in ``stages``, once per process and settings): the engine's own resources
prepared on a batch of one profile and one position, then reused: the taxonomy's indexes,
the vectors of its labels (shipped for the default model, computed for others such as
``hashing``); ``reused`` says whether this run found them ready.

``stage="score"``: only ``score_topk``, on synthetic embeddings and skills (no model, no
files); ``stage="allocate"``: only the allocation benchmark
(:func:`matching.allocate.bench_allocation`), which ``stage=None`` includes too
(``allocation=False`` leaves it out).

Synthetic files (:func:`synthetic_frames`): seeded draws from the vocabulary shipped in
``data/`` (never ``../shared``, no personal data): profile summaries of
:data:`SUMMARY_WORDS` words and position descriptions of :data:`DESCRIPTION_WORDS` words
made of the sample's real sentences, job titles from the taxonomy and real offers, skill
lists from the taxonomy's labels and the sample's own items. Every text is distinct.

``mobilite bench --json`` prints :func:`json_shape` of this dict: the same stages, with the
warm record, the encoder, the backend and ``warm_identical`` moved inside them (its three
top-level keys stay ``stages``, ``reference``, ``blas_kernel``).

``run_scaling`` runs :func:`run_bench` (no references, no allocation) at each size and
returns::

    {"scaling": true, "stage": "all" | "score", "profiles": [n1, n2, n3], "positions": [...],
     "ratio": 0.25, "encoder": {...} or None, "backend": {...}, "blas_kernel": ...,
     "setup": {...},                          # the first run's setup record
     "stages": {"<stage>": {"seconds": [s1, s2, s3], "peak_rss_mb": [...],
                            "exponent": 1.02 or None,
                            "warm_seconds": [...], "warm_exponent": ...}, ...},
     "runs": [<run_bench result>, ...]}

``exponent`` is the slope of the log-log fit of the seconds over the profile counts
(:func:`loglog_exponent`): positions are a fixed fraction of profiles, so a stage linear in
the rows gives about 1 and one proportional to the pairs (score + top-k) about 2.

Memory: a thread samples the process' resident set size (psutil) every 5 ms, plus the
unique set size of its child processes (the ranking's forked workers: what they share
copy-on-write with the parent is counted once); the peak of a stage is the highest sample
taken while it ran (``resource.getrusage`` only gives the peak of the whole process, which
cannot be reset between stages). ``peak_rss_mb`` is absolute (the process and its workers,
including the data already loaded); ``peak_rss_delta_mb`` is over the figure at the stage's
start. Dask's workers are separate processes, not children of this one when the scheduler is
remote; a ``LocalCluster``'s are. ``workers`` is passed to :func:`matching.rank.rank`
(``None``: automatic); the ``score_topk`` stage records the ``processes`` used.

References, in the same run: ``matmul_seconds`` is a plain float32 product of the same
shapes as the semantic part (profiles x 384 times 384 x positions), computed by blocks of
the same memory budget and discarded (only the products are timed): the arithmetic floor of
the score. ``naive_seconds`` scores every pair with the same scoring kernel into one full
float64 matrix, then fully sorts every column (shortlists) and every row (opportunities);
it runs only when its estimated memory (the matrix, the sort's indices and the score
copies) is under ``naive_limit_mb`` (8 GB by default), else it is ``None``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from matching.config import Config

__all__ = ["run_bench", "run_scaling", "render_bench", "render_scaling", "loglog_exponent", "synthetic_features",
           "synthetic_frames", "blas_kernel", "json_shape", "NAIVE_LIMIT_MB", "FULL_STAGES", "SUMMARY_WORDS", "DESCRIPTION_WORDS",
           "DEFAULT_SIZES"]

NAIVE_LIMIT_MB = 8192
_DIM = 384


# --------------------------------------------------------------------------------------
# memory and BLAS
# --------------------------------------------------------------------------------------
class _RssSampler:
    """Samples the memory of this process and of its child processes in a thread;
    ``peak(t0, t1)`` over a time window.

    A sample is this process' resident set size plus the private memory of each of its
    children: the ranking's worker processes are forked, so the pages they share
    copy-on-write with this one are counted once, in its RSS. A child's private memory is its
    unique set size (USS); reading it walks the child's page tables (milliseconds, and it
    slows the child down), so it is read every ``uss_every`` seconds, and in between the
    child's RSS (cheap) minus the shared part (RSS - USS) found at the last reading: pages a
    child newly allocates count at once, pages it newly reads from the shared data count
    until the next reading (an overestimate; only pages this process frees while a child
    still maps them are missed, until the next reading). The list of children is
    refreshed every ``children_every`` seconds (listing processes costs a millisecond)."""

    def __init__(self, interval: float = 0.005, children_every: float = 0.1, uss_every: float = 0.5):
        import psutil

        self._psutil = psutil
        self._proc = psutil.Process()
        self.interval = interval
        self.children_every = children_every
        self.uss_every = uss_every
        self._children: list = []
        self._shared: dict[int, tuple[float, int]] = {}  # pid -> (when read, RSS - USS)
        self._listed = -float("inf")
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children_private(self) -> int:
        now = time.perf_counter()
        if now - self._listed >= self.children_every:
            self._listed = now
            try:
                self._children = self._proc.children(recursive=True)
            except self._psutil.Error:  # pragma: no cover - racing with an exit
                self._children = []
            alive = {c.pid for c in self._children}
            self._shared = {pid: v for pid, v in self._shared.items() if pid in alive}
        total = 0
        for child in self._children:
            try:
                seen = self._shared.get(child.pid)
                if seen is None or now - seen[0] >= self.uss_every:
                    full = child.memory_full_info()
                    seen = self._shared[child.pid] = (now, full.rss - full.uss)
                    rss = full.rss
                else:
                    rss = child.memory_info().rss
                total += max(rss - seen[1], 0)
            except self._psutil.Error:  # exited since listed (or not ours to read)
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self.rss()))
            self._stop.wait(self.interval)

    def rss(self) -> int:
        """This process' RSS plus its children's private memory, now."""
        return self._proc.memory_info().rss + self._children_private()

    def __enter__(self) -> "_RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, t0: float, t1: float, *, now: bool = True) -> int:
        """The highest sample in [t0, t1]; with ``now`` (a window that just ended), the
        figure now too; without (a past window), the sample nearest ``t1`` if none is inside."""
        inside = [r for t, r in self.samples if t0 <= t <= t1]
        if now:
            inside.append(self.rss())
        return max(inside) if inside else self.at(t1)

    def at(self, when: float) -> int:
        """The sample nearest ``when`` (the figure now when there is none)."""
        if not self.samples:
            return self.rss()
        return min(self.samples, key=lambda s: abs(s[0] - when))[1]


def blas_kernel() -> str:
    """Which BLAS numpy uses, from threadpoolctl: 'openblas SkylakeX, 2 threads'."""
    from threadpoolctl import threadpool_info

    parts = []
    for info in threadpool_info():
        if info.get("user_api") == "blas":
            parts.append(
                f"{info.get('internal_api')} {info.get('architecture') or ''}, {info.get('num_threads')} threads".replace(" ,", ",")
            )
    return "; ".join(parts) or "unknown"


# --------------------------------------------------------------------------------------
# synthetic data: features directly (stage "score")
# --------------------------------------------------------------------------------------
def _zipf(rng, n_items: int, size, a: float = 0.8) -> np.ndarray:
    p = 1.0 / np.arange(1, n_items + 1) ** a
    return rng.choice(n_items, size=size, p=p / p.sum())


def _emb(rng, topics: np.ndarray, topic_of: np.ndarray, common: np.ndarray) -> np.ndarray:
    """Unit vectors whose cosines spread like a sentence model's (about 0.65 to 0.95)."""
    x = common[None, :] * 1.6 + topics[topic_of] * 0.9 + rng.standard_normal((len(topic_of), common.size), dtype=np.float32) * 0.045
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def _sparse_rows(rng, n: int, n_cols: int, lo: int, hi: int, values=None, zipf: bool = True):
    from scipy import sparse

    counts = rng.integers(lo, hi + 1, n)
    rows = np.repeat(np.arange(n), counts)
    cols = _zipf(rng, n_cols, len(rows)) if zipf else rng.integers(0, n_cols, len(rows))
    vals = np.ones(len(rows), np.float32) if values is None else values(len(rows)).astype(np.float32)
    m = sparse.coo_matrix((vals, (rows, cols)), shape=(n, n_cols)).tocsr()
    m.sum_duplicates()
    m.data = np.minimum(m.data, vals.max() if len(vals) else 1.0)  # a duplicate keeps one value
    return m


def synthetic_features(n_profiles: int, n_positions: int, *, seed: int = 0, dim: int = _DIM):
    """Features of ``n_profiles`` x ``n_positions`` with every component and rule active:
    clustered embeddings, Zipf-distributed skills with levels, occupations with mobility
    links, job families, wishes, experience, corps, grades, dates, clearances."""
    from scipy import sparse

    from matching.features import Features, PositionArrays, ProfileArrays
    from matching.score import UNKNOWN_INT

    rng = np.random.default_rng(seed)
    n, m = n_profiles, n_positions
    n_topics, n_concepts, n_occ, n_fam, n_min, n_loc, n_corps = 40, 1500, 120, 10, 16, 120, 5
    common = rng.standard_normal(dim).astype(np.float32)
    topics = rng.standard_normal((n_topics, dim)).astype(np.float32) / np.sqrt(dim)
    common /= np.linalg.norm(common)
    p_topic, q_topic = _zipf(rng, n_topics, n, 0.6), _zipf(rng, n_topics, m, 0.6)
    level = lambda k: rng.integers(1, 5, k)  # noqa: E731
    occ_w = lambda k: rng.choice([1.0, 0.8, 0.6], k)  # noqa: E731

    # occupations and their mobility links
    adjacency = _sparse_rows(rng, n_occ, n_occ, 3, 8, zipf=False)
    p_occ = _sparse_rows(rng, n, n_occ, 0, 3, occ_w)
    q_occ = _sparse_rows(rng, m, n_occ, 0, 3, occ_w)
    p_adj = (p_occ @ adjacency).tocsr()
    p_adj.data = np.minimum(p_adj.data, 1.0)
    p_fam = _sparse_rows(rng, n, n_fam, 0, 2)
    q_fam = _sparse_rows(rng, m, n_fam, 1, 1, zipf=False)
    has_p_occ, has_q_occ = np.diff(p_occ.indptr) > 0, np.diff(q_occ.indptr) > 0

    wish_min = _sparse_rows(rng, n, n_min, 0, 3)
    wish_loc = _sparse_rows(rng, n, n_loc, 0, 2)
    wish_fam = _sparse_rows(rng, n, n_fam, 0, 1)
    years = rng.uniform(0, 30, n)
    years[rng.random(n) < 0.1] = np.nan
    need = rng.choice([np.nan, 2, 3, 5, 8, 10], m)
    day0 = (dt.date(2025, 9, 1) - dt.date(1970, 1, 1)).days
    avail = day0 + rng.integers(-200, 400, n)
    avail[rng.random(n) < 0.3] = UNKNOWN_INT
    start = day0 + rng.integers(0, 300, m)
    start[rng.random(m) < 0.3] = UNKNOWN_INT
    p_corps = sparse.csr_matrix(
        (np.ones(n, np.float32), (np.arange(n), rng.integers(0, n_corps, n))), shape=(n, n_corps)
    )
    q_corps = _sparse_rows(rng, m, n_corps, 0, 2, zipf=False)
    q_corps = sparse.diags((rng.random(m) < 0.3).astype(np.float32)) @ q_corps
    q_corps = q_corps.tocsr()
    q_corps.eliminate_zeros()
    q_key = rng.integers(0, max(m // 2, 1), m)
    p_key = np.where(rng.random(n) < 0.05, rng.integers(0, max(m // 2, 1), n), -1)

    P = ProfileArrays(
        ids=np.asarray([f"E{i:07d}" for i in rng.permutation(n)], dtype=object),
        emb=_emb(rng, topics, p_topic, common),
        skills=_sparse_rows(rng, n, n_concepts, 4, 15, level),
        occ=p_occ, occ_adj=p_adj, has_occ=has_p_occ, fam=p_fam,
        wish_ministry=wish_min, has_wish_ministry=np.diff(wish_min.indptr) > 0,
        wish_location=wish_loc, has_wish_location=np.diff(wish_loc.indptr) > 0,
        wish_family=wish_fam, has_wish_family=np.diff(wish_fam.indptr) > 0,
        years=years, open=rng.random(n) < 0.9, corps=p_corps,
        grade=rng.choice([UNKNOWN_INT, 1, 2, 3], n, p=[0.1, 0.5, 0.3, 0.1]).astype(np.int64),
        available_day=avail.astype(np.int64),
        clearance=rng.choice(4, n, p=[0.5, 0.25, 0.2, 0.05]).astype(np.int8),
        current_key=p_key.astype(np.int64),
    )
    Q = PositionArrays(
        ids=np.asarray([f"P{j:07d}" for j in rng.permutation(m)], dtype=object),
        emb=_emb(rng, topics, q_topic, common),
        required=_sparse_rows(rng, m, n_concepts, 0, 8, level),
        desired=_sparse_rows(rng, m, n_concepts, 0, 4, level),
        occ=q_occ, has_occ=has_q_occ, fam=q_fam,
        ministry_idx=rng.integers(0, n_min, m), location_idx=_zipf(rng, n_loc, m),
        years_required=need, corps=q_corps, corps_restricted=np.diff(q_corps.indptr) > 0,
        grade_min=rng.choice([UNKNOWN_INT, 1, 2], m, p=[0.7, 0.2, 0.1]).astype(np.int64),
        start_day=start.astype(np.int64),
        clearance=rng.choice(4, m, p=[0.6, 0.2, 0.15, 0.05]).astype(np.int8),
        key=q_key.astype(np.int64),
    )
    # close skills: a separate generator, so that every other draw stays as it was
    rel_rng = np.random.default_rng(seed + 7919)
    rel = _sparse_rows(rel_rng, n, n_concepts, 0, 4, lambda k: 0.9 + 0.1 * rel_rng.random(k))
    P.related = rel.tocsr()
    return Features(P, Q, [f"c{i}" for i in range(n_concepts)], [f"O{i}" for i in range(n_occ)], [f"f{i}" for i in range(n_fam)])


# --------------------------------------------------------------------------------------
# synthetic files (full pipeline)
# --------------------------------------------------------------------------------------
#: words of a synthetic profile summary and of a synthetic position description (both ends included)
SUMMARY_WORDS = (80, 200)
DESCRIPTION_WORDS = (200, 400)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_BULLET = re.compile(r"^[\s\-\u2022\u00b7*\u2013]+")
#: sentences that could carry a contact (the offers' [contact]/[email]/[tel] placeholders,
#: addresses, links, phone numbers) are never drawn
_CONTACT = re.compile(r"\[|@|https?:|www\.|\d{2}[ .]\d{2}[ .]\d{2}")


def _sentences(texts, exclude: str = "$^") -> list[str]:
    """The distinct sentences (4 words or more, no contact detail, none matching ``exclude``)
    of ``texts``, each ending with a punctuation mark, sorted."""
    _EXCLUDE = re.compile(exclude)
    out = set()
    for text in texts:
        for s in _SENTENCE_END.split(text or ""):
            s = _BULLET.sub("", s).strip()
            if len(s.split()) >= 4 and not _CONTACT.search(s) and not _EXCLUDE.search(s):
                out.add(s if s.endswith((".", "!", "?", ";", ":")) else s + ".")
    return sorted(out)


def _vocabulary() -> dict[str, list[str]]:
    """Real vocabulary shipped in ``data/``: the sample's summary sentences (ROME definitions
    recombined into fictional profiles) and its offers' sentences (Place de l'emploi public
    descriptions and sought profiles), the taxonomy's digital job titles (ROME appellations)
    and the skill labels (ROME and ESCO) of the digital occupations, the sample's skill items and real offer titles. No
    name, e-mail or contact detail is taken."""
    import pandas as pd

    from matching.resources import sample_path
    from matching.taxonomy import Taxonomy

    prof = pd.read_csv(sample_path("profiles.csv"), dtype=str, keep_default_na=False)
    pos = pd.read_csv(sample_path("positions.csv"), dtype=str, keep_default_na=False)
    tax = Taxonomy.default()
    app, occ = tax.appellations, tax.occupations
    titles = sorted(set(app.loc[app["digital"], "label"]) or set(app["label"]))
    digital = occ.loc[occ["digital"], "code_rome"].tolist() or occ["code_rome"].tolist()
    labels = sorted({tax.skill_label(c) for code in digital for c in tax.skills_of(code)})
    items = sorted({s.strip().rsplit(":", 1)[0].strip() for cell in prof["skills"] for s in cell.split(";") if s.strip()})
    return {
        "profiles": prof, "positions": pos,
        # the lead of each summary says the title and the years: the sample's own are left out
        "summary": _sentences(prof["summary"], exclude="ans d'expérience"),
        "description": _sentences(list(pos["description"]) + list(pos["profile_sought"])),
        "titles": titles,
        "offer_titles": sorted(set(t for t in pos["title"] if t and not _CONTACT.search(t))),
        "skills": labels, "skill_items": items,
    }


def _distinct_texts(rng, n: int, pool: list[str], words: tuple[int, int], lead: list[str]) -> list[str]:
    """``n`` distinct texts of ``words[0]``..``words[1]`` words: ``lead[i]`` then sentences of
    ``pool`` drawn at random (no sentence twice in a text), cut at the drawn length."""
    lo, hi = words
    seen: set[str] = set()
    out = []
    for i in range(n):
        while True:
            target = int(rng.integers(lo, hi + 1))
            parts, count, used = [lead[i]], len(lead[i].split()), set()
            while count < target:
                k = int(rng.integers(len(pool)))
                if k in used:
                    continue
                used.add(k)
                parts.append(pool[k])
                count += len(pool[k].split())
            text = " ".join(" ".join(parts).split()[:target]).rstrip(" ,;:") 
            text = text if text.endswith((".", "!", "?")) else text + "."
            if text not in seen:
                break
        seen.add(text)
        out.append(text)
    return out


def _skill_cells(rng, n: int, lo: int, hi: int, labels: list[str], items: list[str], share_items: float) -> list[str]:
    """``n`` cells "skill:level; ..." of ``lo``..``hi`` skills: taxonomy labels, and a share of
    the sample's own items (engineer-style terms that the fuzzy and semantic steps handle)."""
    out = []
    for c in rng.integers(lo, hi + 1, n):
        k_items = int(rng.binomial(c, share_items)) if items else 0
        picks = [labels[i] for i in rng.choice(len(labels), c - k_items, replace=False)]
        picks += [items[i] for i in rng.choice(len(items), k_items, replace=False)]
        out.append("; ".join(f"{s}:{lv}" for s, lv in zip(picks, rng.integers(1, 5, len(picks)))))
    return out


def synthetic_frames(n_profiles: int, n_positions: int, *, seed: int = 0):
    """Profiles and positions as canonical CSV-ready frames, drawn deterministically from
    ``seed`` out of the vocabulary of :func:`_vocabulary`: the other columns (corps, grade,
    ministries, wishes, dates, rules) of sample rows resampled under new ids; titles, skill
    lists (profiles 6 to 14 skills, positions 3 to 8 required and 0 to 4 desired) and texts
    drawn anew. Summaries have :data:`SUMMARY_WORDS` words, descriptions
    :data:`DESCRIPTION_WORDS` (the offers' ``profile_sought`` is left empty, so that the
    description is the whole text); every summary and every description is distinct, so
    every row's text is new to a cold cache. No personal data: names are "Agent fictif N",
    e-mails in the reserved ``.invalid`` domain."""
    voc = _vocabulary()
    prof, pos = voc["profiles"], voc["positions"]
    rng = np.random.default_rng(seed)
    n, m = int(n_profiles), int(n_positions)
    titles, offers = voc["titles"], voc["offer_titles"]

    p = prof.iloc[rng.integers(0, len(prof), n)].reset_index(drop=True)
    p["profile_id"] = [f"BENCH-E{i:07d}" for i in range(n)]
    p["full_name"] = [f"Agent fictif {i}" for i in range(n)]
    p["email"] = [f"e{i}@exemple.invalid" for i in range(n)]
    p["current_position"] = [titles[i] for i in rng.integers(0, len(titles), n)]
    p["skills"] = _skill_cells(rng, n, 6, 14, voc["skills"], voc["skill_items"], 0.4)
    lead = [f"{t}, {y} ans d'expérience." if y else f"{t}." for t, y in zip(p["current_position"], p["years_experience"])]
    p["summary"] = _distinct_texts(rng, n, voc["summary"], SUMMARY_WORDS, lead)

    q = pos.iloc[rng.integers(0, len(pos), m)].reset_index(drop=True)
    q["position_id"] = [f"BENCH-P{j:07d}" for j in range(m)]
    from_offers = rng.random(m) < 0.5
    q["title"] = [offers[rng.integers(len(offers))] if o and offers else titles[rng.integers(len(titles))] for o in from_offers]
    q["required_skills"] = _skill_cells(rng, m, 3, 8, voc["skills"], voc["skill_items"], 0.2)
    q["desired_skills"] = _skill_cells(rng, m, 0, 4, voc["skills"], voc["skill_items"], 0.2)
    q["description"] = _distinct_texts(rng, m, voc["description"], DESCRIPTION_WORDS, [""] * m)
    q["profile_sought"] = ""
    return p, q


# --------------------------------------------------------------------------------------
# references
# --------------------------------------------------------------------------------------
def _matmul_reference(f, budget_mb: int) -> float:
    """Seconds of the plain float32 products P @ Q.T, by blocks of the memory budget."""
    from matching.rank import block_shape

    P, Q = f.profiles.emb, f.positions.emb
    n, m = len(P), len(Q)
    bi, bj = block_shape(n, m, budget_mb)
    out = np.empty((min(bi, n), min(bj, m)), dtype=np.float32)
    total = 0.0
    for i in range(0, n, bi):
        for j in range(0, m, bj):
            a, b = P[i : i + bi], Q[j : j + bj]
            t0 = time.perf_counter()
            np.matmul(a, b.T, out=out[: len(a), : len(b)])
            total += time.perf_counter() - t0
    return total


def naive_memory_mb(n: int, m: int) -> float:
    """Estimated peak of the naive approach: the float64 matrix, plus the sort of one chunk
    of 2**24 scores at a time (negated copy, broadcast tie-breaker, int64 indices)."""
    return (n * m * 8 + 4 * 8 * min(n * m, 1 << 24)) / 2**20


def _naive_reference(f, config: Config) -> float:
    """Full float64 score matrix (same scoring kernel), then a full sort of every column
    and every row."""
    from matching.rank import _id_order
    from matching.score import kernel_for

    n, m = f.n_profiles, f.n_positions
    t0 = time.perf_counter()
    kern = kernel_for(f, config)
    full = np.empty((n, m), dtype=np.float64)
    step = max(1, (1 << 22) // max(m, 1))
    for i in range(0, n, step):
        rows = slice(i, min(i + step, n))
        T = kern.cosine(rows, slice(0, m))
        kern.finish(rows, slice(0, m), T)
        bad = np.zeros(T.shape, dtype=bool)
        kern.excluded(rows, slice(0, m), bad)
        full[rows] = np.where(bad, -np.inf, np.round(T.astype(np.float64), 6))
    p_order, q_order = _id_order(f.profiles.ids), _id_order(f.positions.ids)
    k = config.ranking.top_k
    chunk = max(1, (1 << 24) // max(n, 1))
    for j in range(0, m, chunk):  # shortlists: each column fully sorted (score desc, id asc)
        block = full[:, j : j + chunk]
        order = np.lexsort((np.broadcast_to(p_order[:, None], block.shape), -block), axis=0)
        _ = order[:k]
    chunk = max(1, (1 << 24) // max(m, 1))
    for i in range(0, n, chunk):  # opportunities: each row fully sorted
        block = full[i : i + chunk]
        order = np.lexsort((np.broadcast_to(q_order[None, :], block.shape), -block), axis=1)
        _ = order[:, :k]
    return time.perf_counter() - t0


# --------------------------------------------------------------------------------------
# the benchmark
# --------------------------------------------------------------------------------------
#: the stages of the full pipeline, in order (each timed cold, then warm)
FULL_STAGES = ("model_load", "read", "normalize", "embed", "features", "score_topk", "explain", "write")
#: the deliverables compared between the cold and the warm run (caches must not change a result)
_COMPARED = ("shortlists.csv", "opportunities.csv")


def _record(out: dict, name: str, sampler: _RssSampler, t0: float, t1: float, start_rss: int,
            items: int | None = None, extra: dict | None = None, *, past: bool = False) -> dict:
    peak = sampler.peak(t0, t1, now=not past)
    rec = {
        "seconds": round(t1 - t0, 4),
        "peak_rss_mb": round(peak / 2**20, 1),
        "peak_rss_delta_mb": round(max(peak - start_rss, 0) / 2**20, 1),
    }
    if items:
        rec["items"] = int(items)
        rec["per_second"] = round(items / max(t1 - t0, 1e-9), 1)
    rec.update(extra or {})
    out[name] = rec
    return rec


@contextmanager
def _stage(out: dict, name: str, sampler: _RssSampler, items: int | None = None) -> Iterator[dict]:
    start_rss = sampler.rss()
    t0 = time.perf_counter()
    extra: dict = {}
    yield extra
    _record(out, name, sampler, t0, time.perf_counter(), start_rss, items, extra)


def run_bench(
    n_profiles: int,
    n_positions: int,
    *,
    stage: str | None = None,
    config: Config | None = None,
    seed: int = 0,
    naive_limit_mb: float = NAIVE_LIMIT_MB,
    references: bool = True,
    allocation: bool = True,
    workdir: str | Path | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Run the benchmark; see the module docstring for the stages and the returned dict."""
    if stage not in (None, "score", "allocate"):
        raise ValueError(f"the 'stage' parameter must be one of None, 'score', 'allocate', got {stage!r}")
    config = config or Config()
    from matching.rank import _resolve_processes, block_shape, rank, use_fused

    result: dict[str, Any] = {
        "profiles": int(n_profiles),
        "positions": int(n_positions),
        "stage": stage or "all",
        "stages": {},
        "reference": {"matmul_seconds": None, "naive_seconds": None},
        "encoder": None,
        "backend": _backend(config),
        "blas_kernel": blas_kernel(),
        "block_shape": list(block_shape(n_profiles, n_positions, config.compute.memory_budget_mb)),
        "memory_budget_mb": config.compute.memory_budget_mb,
        "environment": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")},
    }
    stages = result["stages"]

    def score(f, cfg, into: dict) -> Any:
        with _stage(into, "score_topk", sampler, items=f.n_profiles * f.n_positions) as extra:
            ranking = rank(f, cfg, workers=workers)
            extra["blocks"] = ranking.stats["blocks"]
            bi = ranking.stats["block_shape"][0]
            extra["processes"] = _resolve_processes(workers, f.n_profiles * f.n_positions, -(-f.n_profiles // bi) if f.n_profiles else 0)
            # which tile kernel ran, and with the fused one the share of pairs whose float32
            # cosine could matter and was recomputed exactly (matching.fused)
            fused = use_fused(cfg, f.n_profiles * f.n_positions)
            extra["kernel"] = "fused" if fused else "numpy"
            if fused:
                extra["recomputed_pairs"] = int(ranking.recomputed_pairs)
                extra["recomputed_share"] = round(ranking.recomputed_pairs / max(f.n_profiles * f.n_positions, 1), 6)
        return ranking

    with _RssSampler() as sampler:
        if stage == "allocate" or (stage is None and allocation):
            from matching.allocate import bench_allocation

            with _stage(stages, "allocate", sampler):
                result["allocation"] = bench_allocation(seed=seed)
        if stage == "allocate":
            return result
        if stage == "score":
            f = synthetic_features(n_profiles, n_positions, seed=seed)
            score(f, config, stages)
        else:
            tmp = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="bench-"))
            try:
                f = _full_pipeline(result, n_profiles, n_positions, config, seed, sampler, tmp, score)
                if references:
                    _references(result, f, config, naive_limit_mb, sampler)
            finally:
                if not workdir:  # a folder of our own: nothing left behind
                    shutil.rmtree(tmp, ignore_errors=True)
            return result
        if references:
            _references(result, f, config, naive_limit_mb, sampler)
    return result


def _backend(config: Config) -> dict[str, Any]:
    backend = config.compute.backend
    if backend == "dask":
        from matching.compute import dask_workers

        return {"name": "dask", "workers": dask_workers(config), "scheduler": config.compute.scheduler or "LocalCluster"}
    return {"name": backend, "workers": config.compute.workers}


def _references(result: dict, f, config: Config, naive_limit_mb: float, sampler: _RssSampler) -> None:
    stages, ref = result["stages"], result["reference"]
    n, m = f.n_profiles, f.n_positions
    ref["matmul_seconds"] = round(_matmul_reference(f, config.compute.memory_budget_mb), 4)
    est = naive_memory_mb(n, m)
    ref["naive_estimated_mb"] = round(est, 1)
    if est <= naive_limit_mb:
        with _stage(stages, "_naive", sampler):
            ref["naive_seconds"] = round(_naive_reference(f, config), 4)
        ref["naive_peak_rss_mb"] = stages.pop("_naive")["peak_rss_mb"]
    s = stages["score_topk"]["seconds"]
    if ref["matmul_seconds"]:
        ref["score_topk_over_matmul"] = round(s / ref["matmul_seconds"], 2)
    if ref["naive_seconds"] and s:
        ref["naive_over_score_topk"] = round(ref["naive_seconds"] / s, 2)


#: per process: (model settings, normalisation settings, taxonomy) -> the setup's cache folder
_SETUP: dict[str, Path] = {}


def _cleanup_setup() -> None:  # pragma: no cover - at interpreter exit
    for folder in _SETUP.values():
        shutil.rmtree(folder.parent, ignore_errors=True)
    _SETUP.clear()


def _setup_cache(config: Config, taxonomy) -> tuple[Path, bool]:
    """The engine's own resources in a cache folder, made once per process and settings: a
    batch of one profile and one position prepared over a new, empty cache folder, so that
    the vectors of the taxonomy's labels are there (the default model's ship with the package
    and seed every new cache; other encoders, such as ``hashing``, compute them) and the
    taxonomy's in-memory indexes are built. Each cold run starts from a copy of this folder:
    empty of the batch's texts and strings (but the setup batch's two rows), never the
    user's cache. The converted model is shared with the user's cache (a link to its
    ``models`` folder, when there is one): it is the model, not a cache of results.
    Returns the folder and whether it was already made."""
    import json as _json

    from matching.e5convert import default_cache_dir
    from matching.engine import Matcher

    settings = config.to_dict()
    key = _json.dumps([settings.get("model"), settings.get("normalization"), taxonomy.sha256, id(taxonomy)],
                      sort_keys=True, default=str)
    if key in _SETUP and _SETUP[key].is_dir():
        return _SETUP[key], True
    if not _SETUP:
        import atexit

        atexit.register(_cleanup_setup)
    root = Path(tempfile.mkdtemp(prefix="bench-setup-"))
    try:
        cache = root / "cache"
        cache.mkdir()
        models = default_cache_dir() / "models"
        if models.is_dir():
            try:
                (cache / "models").symlink_to(models.resolve(), target_is_directory=True)
            except OSError:  # pragma: no cover - no symbolic links here: the model is converted again
                pass
        p, q = synthetic_frames(1, 1, seed=2**31 - 1)
        p.to_csv(root / "profiles.csv", index=False)
        q.to_csv(root / "positions.csv", index=False)
        matcher = Matcher(config.replace(model={"cache_dir": str(cache)}), taxonomy=taxonomy)
        matcher.prepare(matcher.read(root / "profiles.csv", root / "positions.csv"))
    except BaseException:  # a model that cannot load, an interruption: nothing left behind
        shutil.rmtree(root, ignore_errors=True)
        raise
    _SETUP[key] = cache
    return cache, False


def _full_pipeline(result: dict, n: int, m: int, config: Config, seed: int, sampler: _RssSampler, tmp: Path, score) -> Any:
    """The whole pipeline on synthetic files, twice in this process: the cold run over a
    copy of the setup's cache folder (:func:`_setup_cache`), then the warm run (a new engine
    over the same cache folder, as a re-run after a correction). Every stage is the engine's
    own (:class:`matching.engine.Matcher`). Returns the cold run's features."""
    from matching.engine import Matcher
    from matching.taxonomy import Taxonomy

    tmp.mkdir(parents=True, exist_ok=True)
    taxonomy = Taxonomy.default()  # the shipped taxonomy, loaded once per process
    t0, rss0 = time.perf_counter(), sampler.rss()
    template, reused = _setup_cache(config, taxonomy)
    _record(result["stages"], "setup", sampler, t0, time.perf_counter(), rss0, extra={"reused": reused})
    p, q = synthetic_frames(n, m, seed=seed)
    paths = (tmp / "profiles.csv", tmp / "positions.csv")
    p.to_csv(paths[0], index=False)
    q.to_csv(paths[1], index=False)
    del p, q
    shutil.rmtree(tmp / "cache", ignore_errors=True)
    shutil.copytree(template, tmp / "cache", symlinks=True)
    cfg = config.replace(model={"cache_dir": str(tmp / "cache")})
    runs = {}
    for label, out in (("cold", tmp / "out"), ("warm", tmp / "out-warm")):
        runs[label] = _pipeline_once(Matcher(cfg, taxonomy=taxonomy), paths, out, sampler, score)
    cold, warm = runs["cold"], runs["warm"]
    result["stages"].update(cold["stages"])
    result["warm"] = warm["stages"]
    result["encoder"] = cold["encoder"]
    # kept from the first version of the benchmark: the warm embedding stage, with its speedup
    result["stages"]["embed_warm"] = dict(warm["stages"]["embed"])
    if warm["stages"]["embed"]["seconds"]:
        result["stages"]["embed_warm"]["speedup"] = round(cold["stages"]["embed"]["seconds"] / warm["stages"]["embed"]["seconds"], 1)
    result["warm_identical"] = all(
        (tmp / "out" / name).read_bytes() == (tmp / "out-warm" / name).read_bytes() for name in _COMPARED
    )
    return cold["features"]


def _pipeline_once(matcher, paths, out: Path, sampler: _RssSampler, score) -> dict:
    """One run of every stage of :data:`FULL_STAGES`; ``prepare()`` times its own sub-stages
    (normalise, embed, features), whose memory peaks are read over their own time windows."""
    stages: dict[str, dict] = {}
    with _stage(stages, "model_load", sampler):
        encoder = matcher.encoder
    with _stage(stages, "read", sampler):
        inputs = matcher.read(*paths)
    rows = len(inputs.profiles.frame) + len(inputs.positions.frame)
    stages["read"].update(items=rows, per_second=round(rows / max(stages["read"]["seconds"], 1e-9), 1))
    t0 = time.perf_counter()
    rss0 = sampler.rss()
    prep = matcher.prepare(inputs)
    t = t0
    for name in ("normalize", "embed", "features"):
        sec = prep.timings.get(name, 0.0)
        _record(stages, name, sampler, t, t + sec, sampler.at(t) if name != "normalize" else rss0, rows, past=True)
        t += sec
    stages["embed"]["texts_encoded"] = prep.encoder_info.get("texts_encoded")
    stages["embed"]["texts_from_cache"] = prep.encoder_info.get("texts_from_cache")
    cfg = matcher.config
    ranking = score(prep.features, cfg, stages)
    lines = len(ranking.shortlist) + len(ranking.opportunities)
    stages["score_topk"]["lines"] = lines
    with _stage(stages, "explain", sampler, items=lines):
        batch = matcher.batch_from(prep, ranking, cfg.resolved())
    with _stage(stages, "write", sampler, items=lines) as extra:
        files = batch.write(out)
        extra["files"] = len(files)
        extra["bytes"] = int(sum(Path(f).stat().st_size for f in files.values() if Path(f).is_file()))
    info = {k: prep.encoder_info.get(k) for k in ("name", "fingerprint", "fallback_reason")}
    info["dim"] = int(getattr(encoder, "dim", 0) or 0)
    return {"stages": stages, "encoder": info, "features": prep.features}


# --------------------------------------------------------------------------------------
# scaling
# --------------------------------------------------------------------------------------
#: ``--scaling`` without ``--sizes``: profile counts that the real model embeds in minutes on 2 cores
DEFAULT_SIZES = (100, 200, 400)
DEFAULT_RATIO = 0.25


def loglog_exponent(sizes, seconds) -> float | None:
    """The slope of the least-squares line through (log size, log seconds)
    (``numpy.polyfit``, degree 1): about 1 for a cost linear in the size, 2 for a quadratic
    one. ``None`` with fewer than two distinct sizes or a time that is not positive (a stage
    too fast to be timed)."""
    x = np.asarray(sizes, dtype=float)
    y = np.asarray([np.nan if v is None else v for v in seconds], dtype=float)
    if x.shape != y.shape or len(np.unique(x)) < 2 or not (np.all(x > 0) and np.all(y > 0)):
        return None
    return round(float(np.polyfit(np.log(x), np.log(y), 1)[0]), 2)


def run_scaling(
    sizes=DEFAULT_SIZES,
    *,
    ratio: float = DEFAULT_RATIO,
    stage: str | None = None,
    config: Config | None = None,
    seed: int = 0,
    workers: int | None = None,
) -> dict[str, Any]:
    """:func:`run_bench` at each size (profiles; ``ratio`` x as many positions, at least
    one), without references nor allocation, and per stage the seconds at each size and the
    exponent of their log-log fit (:func:`loglog_exponent`) over the profile counts; see the
    module docstring for the returned dict."""
    if stage not in (None, "score"):
        raise ValueError(f"the 'stage' parameter must be None or 'score' for a scaling run, got {stage!r}")
    sizes = [int(v) for v in sizes]
    if len(sizes) < 2 or len(set(sizes)) < 2 or min(sizes) < 1:
        raise ValueError(f"the 'sizes' parameter must hold at least two distinct sizes of at least 1, got {sizes}")
    if not ratio > 0:
        raise ValueError(f"the 'ratio' parameter must be positive, got {ratio}")
    runs = [
        run_bench(n, max(1, round(n * ratio)), stage=stage, config=config, seed=seed, references=False,
                  allocation=False, workers=workers)
        for n in sorted(sizes)
    ]
    profiles = [r["profiles"] for r in runs]
    table: dict[str, dict] = {}
    for name in runs[0]["stages"]:
        if name in ("embed_warm", "setup"):  # a copy of the warm embed; once per process
            continue
        row: dict[str, Any] = {"seconds": [r["stages"][name]["seconds"] for r in runs],
                               "peak_rss_mb": [r["stages"][name]["peak_rss_mb"] for r in runs]}
        row["exponent"] = loglog_exponent(profiles, row["seconds"])
        if "warm" in runs[0]:
            row["warm_seconds"] = [r["warm"][name]["seconds"] for r in runs]
            row["warm_exponent"] = loglog_exponent(profiles, row["warm_seconds"])
        table[name] = row
    return {
        "scaling": True,
        "stage": stage or "all",
        "profiles": profiles,
        "positions": [r["positions"] for r in runs],
        "ratio": ratio,
        "encoder": runs[0]["encoder"],
        "backend": runs[0]["backend"],
        "setup": runs[0]["stages"].get("setup"),
        "blas_kernel": runs[0]["blas_kernel"],
        "stages": table,
        "runs": runs,
    }


def json_shape(result: dict[str, Any]) -> dict[str, Any]:
    """The fixed shape ``mobilite bench --json`` prints (other programs read it):
    ``{"stages", "reference", "blas_kernel"}``, the run's other facts inside the stages they
    belong to: each full-pipeline stage's warm record under its ``"warm"`` key, the encoder
    under ``embed`` (``"encoder"``), the backend under ``score_topk`` (``"backend"``),
    ``warm_identical`` under ``write``, the allocation's methods under ``allocate``
    (``"methods"``). A scaling result (:func:`run_scaling`) is printed as it is."""
    if result.get("scaling"):
        return result
    stages = {name: dict(rec) for name, rec in result["stages"].items()}
    for name, rec in (result.get("warm") or {}).items():
        stages[name]["warm"] = rec
    if "embed" in stages:
        stages["embed"]["encoder"] = result.get("encoder")
    if "score_topk" in stages:
        stages["score_topk"]["backend"] = result.get("backend")
    if "write" in stages and "warm_identical" in result:
        stages["write"]["warm_identical"] = result["warm_identical"]
    if "allocation" in result:
        stages["allocate"] = {**stages.get("allocate", {}), "methods": result["allocation"]}
    return {"stages": stages, "reference": result["reference"], "blas_kernel": result["blas_kernel"]}


# --------------------------------------------------------------------------------------
# console tables (French)
# --------------------------------------------------------------------------------------
def _num(v: float | None, fmt: str = "{:,.0f}") -> str:
    if v is not None and fmt == "{:,.0f}" and 0 < abs(v) < 10:
        fmt = "{:.1f}"  # a slow stage's throughput (texts a second) keeps a decimal
    return "–" if v is None else fmt.format(v).replace(",", " ")


def _encoder_line(result: dict) -> str:
    enc = result.get("encoder")
    if not enc:
        return "Encodeur : aucun (caractéristiques synthétiques, sans texte)"
    line = f"Encodeur : {enc['name']}" + (" (encodeur de hachage : sans modèle, pour mesurer les autres étapes)" if enc["name"] == "hashing" else "")
    return line + (f" — {enc['fallback_reason']}" if enc.get("fallback_reason") else "")


def _backend_line(result: dict) -> str:
    b = result.get("backend") or {}
    if b.get("name") == "dask":
        return f"Calcul : Dask, {b['workers']} worker(s), {b['scheduler']}"
    return f"Calcul : local (processus : {b.get('workers') or 'automatique'})"


def render_bench(result: dict[str, Any]) -> str:
    """The console table (French): per stage, seconds, throughput and memory peak, cold and
    (full pipeline) warm; then the references. A scaling result goes to :func:`render_scaling`."""
    if result.get("scaling"):
        return render_scaling(result)
    warm = result.get("warm") or {}
    lines = [
        f"Banc d'essai : {_num(result['profiles'])} profils x {_num(result['positions'])} postes",
        _encoder_line(result), _backend_line(result), f"BLAS : {result['blas_kernel']}",
    ]
    head = f"{'étape':<14}{'secondes':>10}{'débit/s':>13}{'pic Mo':>9}"
    lines.append(head + (f"  |{'à chaud s':>10}{'débit/s':>13}{'pic Mo':>9}" if warm else ""))
    for name, rec in result["stages"].items():
        if name == "embed_warm" and warm:
            continue
        row = f"{name:<14}{rec['seconds']:>10.3f}{_num(rec.get('per_second')):>13}{rec['peak_rss_mb']:>9.0f}"
        if name in warm:
            w = warm[name]
            row += f"  |{w['seconds']:>10.3f}{_num(w.get('per_second')):>13}{w['peak_rss_mb']:>9.0f}"
        lines.append(row)
    if warm:
        emb = warm.get("embed", {})
        lines.append(f"à chaud : même lot relancé sur les mêmes caches ({_num(emb.get('texts_encoded'))} texte(s) encodé(s)) ; "
                     f"résultats identiques à froid : {'oui' if result.get('warm_identical') else 'NON'}")
    ref = result["reference"]
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    if ref.get("matmul_seconds") is not None or ref.get("naive_seconds") is not None:
        lines.append(f"référence produit matriciel seul (matmul) : {fmt(ref.get('matmul_seconds'))} s")
        lines.append(f"référence naïve (matrice complète + tri) : {fmt(ref.get('naive_seconds'))} s")
    if "score_topk_over_matmul" in ref:
        lines.append(f"score + top-k / produit matriciel : {ref['score_topk_over_matmul']}x")
    if "naive_over_score_topk" in ref:
        lines.append(f"naïf / score + top-k : {ref['naive_over_score_topk']}x")
    return "\n".join(lines)


def render_scaling(result: dict[str, Any]) -> str:
    """The scaling table (French): per stage, the seconds at each size and the exponent of
    the log-log fit, cold and (full pipeline) warm."""
    sizes = result["profiles"]
    lines = [
        "Passage à l'échelle : " + ", ".join(f"{_num(n)} x {_num(m)}" for n, m in zip(sizes, result["positions"]))
        + " (profils x postes)",
        _encoder_line(result), _backend_line(result), f"BLAS : {result['blas_kernel']}",
        "exposant : pente de log(secondes) en fonction de log(profils) ; ~1 : linéaire, ~2 : quadratique (couples)",
    ]
    warm = any("warm_seconds" in row for row in result["stages"].values())
    head = f"{'étape':<14}" + "".join(f"{_num(n) + ' p. s':>12}" for n in sizes) + f"{'exposant':>10}"
    lines.append(head + (f"{'à chaud':>10}" if warm else ""))
    for name, row in result["stages"].items():
        line = f"{name:<14}" + "".join(f"{v:>12.3f}" for v in row["seconds"]) + f"{_num(row['exponent'], '{:.2f}'):>10}"
        if warm:
            line += f"{_num(row.get('warm_exponent'), '{:.2f}'):>10}"
        lines.append(line)
    return "\n".join(lines)
