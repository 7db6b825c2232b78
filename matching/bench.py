"""The scale benchmark: synthetic data of any size, timed stage by stage, against references.

    from matching.bench import run_bench, render_bench
    result = run_bench(50_000, 10_000, stage="score")
    text = render_bench(result)          # a French/English table

``run_bench`` returns a dict (JSON-ready)::

    {"stages": {"score_topk": {"seconds": ..., "peak_rss_mb": ..., ...}, ...},
     "reference": {"matmul_seconds": ..., "naive_seconds": ... or None, ...},
     "blas_kernel": "openblas SkylakeX, 2 threads", ...}

Stages (``stage=None``): ``read``, ``normalize``, ``embed`` (cold, then ``embed_warm``: the
same texts again through the on-disk cache), ``features``, ``score_topk``, ``explain`` (the
shortlist and opportunity tables, every line explained), ``write`` (manifest and every
deliverable written, as ``run_batch`` does);
``stage="score"``: only ``score_topk``, on synthetic embeddings and skills (no model, no
files); ``stage="allocate"``: only the allocation benchmark
(:func:`matching.allocate.bench_allocation`), which ``stage=None`` includes too.

Memory: a thread samples the process' resident set size (psutil) every 5 ms, plus the
unique set size of its child processes (the ranking's forked workers: what they share
copy-on-write with the parent is counted once); the peak of a stage is the highest sample
taken while it ran (``resource.getrusage`` only gives the peak of the whole process, which
cannot be reset between stages). ``peak_rss_mb`` is absolute (the process and its workers,
including the data already loaded); ``peak_rss_delta_mb`` is over the figure at the stage's
start. ``workers`` is passed to :func:`matching.rank.rank` (``None``: automatic); the
``score_topk`` stage records the ``processes`` used.

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
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from matching.config import Config

__all__ = ["run_bench", "render_bench", "synthetic_features", "synthetic_frames", "blas_kernel", "NAIVE_LIMIT_MB"]

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

    def peak(self, t0: float, t1: float) -> int:
        inside = [r for t, r in self.samples if t0 <= t <= t1]
        return max(inside + [self.rss()]) if inside else self.rss()


@contextmanager
def _stage(out: dict, name: str, sampler: _RssSampler, items: int | None = None) -> Iterator[dict]:
    start_rss = sampler.rss()
    t0 = time.perf_counter()
    extra: dict = {}
    yield extra
    t1 = time.perf_counter()
    peak = sampler.peak(t0, t1)
    rec = {
        "seconds": round(t1 - t0, 4),
        "peak_rss_mb": round(peak / 2**20, 1),
        "peak_rss_delta_mb": round(max(peak - start_rss, 0) / 2**20, 1),
    }
    if items:
        rec["items"] = int(items)
        rec["per_second"] = round(items / max(t1 - t0, 1e-9), 1)
    rec.update(extra)
    out[name] = rec


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
def synthetic_frames(n_profiles: int, n_positions: int, *, seed: int = 0):
    """Profiles and positions as canonical CSV-ready frames: rows of the shipped sample
    resampled under new ids, with titles taken from the taxonomy's ROME appellations and
    skills ("label:level") from the taxonomy's skill labels, so that texts vary."""
    import pandas as pd

    from matching.taxonomy import Taxonomy

    rng = np.random.default_rng(seed)
    from matching.resources import sample_path

    prof = pd.read_csv(sample_path("profiles.csv"), dtype=str, keep_default_na=False)
    pos = pd.read_csv(sample_path("positions.csv"), dtype=str, keep_default_na=False)
    tax = Taxonomy.default()
    titles = tax.appellations.loc[tax.appellations["digital"], "label"].tolist() or tax.appellations["label"].tolist()
    skills = tax.skill_labels["label"].drop_duplicates().tolist()
    skills = skills[: min(len(skills), 3000)]

    def skill_cells(k: int, lo: int, hi: int) -> list[str]:
        out = []
        for c in rng.integers(lo, hi + 1, k):
            picks = rng.choice(len(skills), c, replace=False)
            out.append("; ".join(f"{skills[i]}:{rng.integers(1, 5)}" for i in picks))
        return out

    p = prof.iloc[rng.integers(0, len(prof), n_profiles)].reset_index(drop=True)
    p["profile_id"] = [f"BENCH-E{i:07d}" for i in range(n_profiles)]
    p["email"] = [f"e{i}@exemple.invalid" for i in range(n_profiles)]
    p["current_position"] = [titles[i] for i in rng.integers(0, len(titles), n_profiles)]
    p["skills"] = [a + ("; " + b if a else b) for a, b in zip(p["skills"], skill_cells(n_profiles, 2, 6))]
    q = pos.iloc[rng.integers(0, len(pos), n_positions)].reset_index(drop=True)
    q["position_id"] = [f"BENCH-P{j:07d}" for j in range(n_positions)]
    q["title"] = [titles[j] for j in rng.integers(0, len(titles), n_positions)]
    if "required_skills" in q:
        q["required_skills"] = skill_cells(n_positions, 2, 5)
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
def run_bench(
    n_profiles: int,
    n_positions: int,
    *,
    stage: str | None = None,
    config: Config | None = None,
    seed: int = 0,
    naive_limit_mb: float = NAIVE_LIMIT_MB,
    references: bool = True,
    workdir: str | Path | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Run the benchmark; see the module docstring for the stages and the returned dict."""
    if stage not in (None, "score", "allocate"):
        raise ValueError(f"the 'stage' parameter must be one of None, 'score', 'allocate', got {stage!r}")
    config = config or Config()
    from matching.rank import _resolve_processes, block_shape, rank

    result: dict[str, Any] = {
        "profiles": int(n_profiles),
        "positions": int(n_positions),
        "stage": stage or "all",
        "stages": {},
        "reference": {"matmul_seconds": None, "naive_seconds": None},
        "blas_kernel": blas_kernel(),
        "block_shape": list(block_shape(n_profiles, n_positions, config.compute.memory_budget_mb)),
        "memory_budget_mb": config.compute.memory_budget_mb,
        "environment": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")},
    }
    stages = result["stages"]
    with _RssSampler() as sampler:
        if stage in (None, "allocate"):
            from matching.allocate import bench_allocation

            with _stage(stages, "allocate", sampler):
                result["allocation"] = bench_allocation(seed=seed)
        if stage == "allocate":
            return result
        ctx = None
        if stage == "score":
            f = synthetic_features(n_profiles, n_positions, seed=seed)
        else:
            ctx = _full_pipeline(n_profiles, n_positions, config, seed, sampler, stages, workdir)
            f = ctx["prepared"].features
        with _stage(stages, "score_topk", sampler, items=n_profiles * n_positions) as extra:
            ranking = rank(f, config, workers=workers)
            extra["blocks"] = ranking.stats["blocks"]
            bi = ranking.stats["block_shape"][0]
            extra["processes"] = _resolve_processes(workers, n_profiles * n_positions, -(-n_profiles // bi) if n_profiles else 0)
        if ctx is not None:
            result["stages"]["score_topk"]["lines"] = len(ranking.shortlist) + len(ranking.opportunities)
            _write_stages(ctx, ranking, sampler, stages)
        if references:
            result["reference"]["matmul_seconds"] = round(_matmul_reference(f, config.compute.memory_budget_mb), 4)
            est = naive_memory_mb(n_profiles, n_positions)
            result["reference"]["naive_estimated_mb"] = round(est, 1)
            if est <= naive_limit_mb:
                with _stage(stages, "_naive", sampler):
                    result["reference"]["naive_seconds"] = round(_naive_reference(f, config), 4)
                result["reference"]["naive_peak_rss_mb"] = stages.pop("_naive")["peak_rss_mb"]
        s = stages["score_topk"]["seconds"]
        ref = result["reference"]
        if ref["matmul_seconds"]:
            ref["score_topk_over_matmul"] = round(s / ref["matmul_seconds"], 2)
        if ref["naive_seconds"]:
            ref["naive_over_score_topk"] = round(ref["naive_seconds"] / s, 2)
    return result


def _full_pipeline(n, m, config, seed, sampler, stages, workdir):
    """read -> normalise -> embed (cold, then warm) -> features; the write is timed after.
    Every stage is the engine's own (:class:`matching.engine.Matcher`)."""
    from matching.engine import Matcher

    tmp = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    p, q = synthetic_frames(n, m, seed=seed)
    p.to_csv(tmp / "profiles.csv", index=False)
    q.to_csv(tmp / "positions.csv", index=False)
    cfg = config.replace(model={"cache_dir": str(tmp / "cache")})
    matcher = Matcher(cfg)
    with _stage(stages, "read", sampler, items=n + m):
        inputs = matcher.read(tmp / "profiles.csv", tmp / "positions.csv")
    matcher.taxonomy  # loaded before the timed stages, as a long-lived engine has it
    t0 = time.perf_counter()
    prep = matcher.prepare(inputs)
    t1 = time.perf_counter()
    # prepare() times its own sub-stages; peaks are over the whole of prepare()
    peak = round(sampler.peak(t0, t1) / 2**20, 1)
    for name in ("normalize", "embed", "features"):
        stages[name] = {"seconds": round(prep.timings.get(name, 0.0), 4), "peak_rss_mb": peak}
    stages["embed"]["texts_encoded"] = prep.encoder_info.get("texts_encoded")
    prep2 = Matcher(cfg, taxonomy=matcher.taxonomy).prepare(inputs)  # a new encoder: only its disk cache is warm
    stages["embed_warm"] = {"seconds": round(prep2.timings.get("embed", 0.0), 4), "peak_rss_mb": peak,
                            "texts_encoded": prep2.encoder_info.get("texts_encoded")}
    if stages["embed_warm"]["seconds"]:
        stages["embed_warm"]["speedup"] = round(stages["embed"]["seconds"] / stages["embed_warm"]["seconds"], 1)
    return {"prepared": prep, "matcher": matcher, "config": cfg, "out": tmp / "out"}


def _write_stages(ctx: dict, ranking, sampler: _RssSampler, stages: dict) -> None:
    """``explain`` (the shortlist and opportunity tables, each line explained, and the
    manifest) and ``write`` (every deliverable written to disk), as a batch run does them."""
    prep, matcher, cfg = ctx["prepared"], ctx["matcher"], ctx["config"].resolved()
    lines = len(ranking.shortlist) + len(ranking.opportunities)
    with _stage(stages, "explain", sampler, items=lines):
        batch = matcher.batch_from(prep, ranking, cfg)
    with _stage(stages, "write", sampler, items=lines) as extra:
        files = batch.write(Path(ctx["out"]))
        extra["files"] = len(files)
        extra["bytes"] = int(sum(Path(p).stat().st_size for p in files.values() if Path(p).is_file()))


def render_bench(result: dict[str, Any]) -> str:
    """A plain-text table (French labels, English in parentheses)."""
    lines = [
        f"Banc d'essai (benchmark) : {result['profiles']:,} profils x {result['positions']:,} postes".replace(",", " "),
        f"BLAS : {result['blas_kernel']}",
        f"{'étape (stage)':<22}{'secondes':>12}{'débit/s':>16}{'pic RSS Mo':>14}",
    ]
    for name, rec in result["stages"].items():
        rate = rec.get("per_second")
        lines.append(
            f"{name:<22}{rec['seconds']:>12.3f}{(f'{rate:,.0f}'.replace(',', ' ') if rate else '–'):>16}{rec['peak_rss_mb']:>14.1f}"
        )
    ref = result["reference"]
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    lines.append(f"référence produit matriciel (plain matmul) : {fmt(ref.get('matmul_seconds'))} s")
    lines.append(f"référence naïve (full matrix + sort) : {fmt(ref.get('naive_seconds'))} s")
    if "score_topk_over_matmul" in ref:
        lines.append(f"score + top-k / matmul : {ref['score_topk_over_matmul']}x")
    if "naive_over_score_topk" in ref:
        lines.append(f"naïf / score + top-k : {ref['naive_over_score_topk']}x")
    return "\n".join(lines)
