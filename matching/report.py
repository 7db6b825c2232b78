"""``report.html``: one self-contained page for advisors, in French.

The page is rendered from the files of an output folder, so that a batch and a later
allocation (``matching.allocate``) go through the same code:

* ``report-data.json`` — the aggregates the page shows that no other file holds (per-ministry
  table, positions without a candidate, engineers on no shortlist, score histograms,
  rejects summary), written once by :func:`write_report` from the batch result;
* ``manifest.json`` — counts, model, taxonomy, configuration, rules, allocations;
* ``allocation-comparison.json`` — when an allocation was run.

:func:`write_report` (called by ``write_outputs``) writes the data file and the page;
:func:`refresh_report` re-renders the page from the folder (after an allocation). The page
holds no date, timing or random identifier: the same batch gives the same bytes, so a
replay can compare it. Plots are inline SVG (no matplotlib, no external asset); a
Content-Security-Policy forbids any network access. Every data string is escaped, its
bidirectional and other invisible control characters removed first.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matching.components import RULE_SPECS
from matching.io.writers import visible_text

__all__ = [
    "REPORT_NAME",
    "REPORT_DATA_NAME",
    "ADVISORS_DECIDE_HTML",
    "write_report",
    "refresh_report",
    "render_report",
    "report_data",
    "method_notice_markdown",
    "markdown_to_html",
    "logical_lines",
    "notice_html_page",
]

REPORT_NAME = "report.html"
REPORT_DATA_NAME = "report-data.json"
ADVISORS_DECIDE_HTML = (
    "Ce rapport accompagne des propositions produites par un algorithme d'aide à la décision : "
    "<strong>les conseillers décident, le moteur propose</strong>. Aucune décision n'est prise "
    "automatiquement."
)
#: used only when the method notice (docs/NOTICE_METHODE.md) is not installed
_FALLBACK_NOTICE = """# Notice de la méthode — moteur d'appariement compétences / postes

## Mention explicite

Les listes restreintes sont **préparées avec l'aide d'un traitement algorithmique**. Elles
sont une **aide à la décision** : les conseillers mobilité et les employeurs décident ;
aucune décision n'est prise automatiquement. Toute personne concernée peut demander la
communication des règles définissant ce traitement et des principales caractéristiques de sa
mise en œuvre (article L311-3-1 du code des relations entre le public et l'administration).
"""

_RULE_LABELS = {r.name: r.label for r in RULE_SPECS}


# --------------------------------------------------------------------------------------
# Method notice
# --------------------------------------------------------------------------------------
def method_notice_markdown() -> str:
    """The method notice (``docs/NOTICE_METHODE.md``), or a short built-in one if absent."""
    from matching.resources import ResourceError, notice_text

    try:
        return notice_text()
    except (OSError, ResourceError):
        return _FALLBACK_NOTICE


def _inline(text: str) -> str:
    """Escape, then render **bold**, *italic* and `code`."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)
    return out


_HEAD = re.compile(r"^(#{1,6})\s+(.*)$")
_ITEM = re.compile(r"^(\s*)([-*]|\d+[.)])\s+(.*)$")


def logical_lines(text: str) -> list[str]:
    """Markdown lines with wrapped continuations joined to their paragraph or list item;
    blank lines kept as ``""`` (block separators)."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            out.append("")
        elif _HEAD.match(line) or _ITEM.match(line) or not out or out[-1] == "" or _HEAD.match(out[-1]):
            out.append(line)
        else:
            out[-1] += " " + line.strip()
    return out


def markdown_to_html(text: str, *, heading_offset: int = 0) -> str:
    """A small Markdown subset to HTML: headings, paragraphs, bullet and numbered lists
    (nested by indentation), bold, italic, code. Everything is escaped first."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # (tag, indent) of the open lists, each with an open <li>

    def close_lists(indent: int = -1) -> None:
        while stack and stack[-1][1] > indent:
            tag, _ = stack.pop()
            out[-1] += "</li>"
            out.append(f"</{tag}>")

    for line in logical_lines(text):
        m_head, m_item = _HEAD.match(line), _ITEM.match(line)
        if not line:
            continue
        if m_head:
            close_lists()
            level = min(6, len(m_head.group(1)) + heading_offset)
            out.append(f"<h{level}>{_inline(m_head.group(2))}</h{level}>")
        elif m_item:
            indent = len(m_item.group(1))
            tag = "ol" if m_item.group(2)[0].isdigit() else "ul"
            close_lists(indent)
            if stack and stack[-1][1] == indent and stack[-1][0] != tag:
                close_lists(indent - 1)  # another kind of list at the same level
            if stack and stack[-1][1] == indent:
                out[-1] += "</li>"
            else:
                out.append(f"<{tag}>")
                stack.append((tag, indent))
            out.append("<li>" + _inline(m_item.group(3).strip()))
        else:
            close_lists()
            out.append("<p>" + _inline(line.strip()) + "</p>")
    close_lists()
    return "\n".join(out)


def notice_html_page(markdown: str | None = None) -> str:
    """The method notice as a standalone, self-contained HTML page (sent to employers)."""
    body = markdown_to_html(markdown if markdown is not None else method_notice_markdown())
    return (
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"{_CSP}\n<title>Notice de la méthode</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main class=\"notice\">\n{body}\n</main>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------------------
# Data (from a batch result)
# --------------------------------------------------------------------------------------
def _histogram(values: Sequence[float], bins: int = 20) -> list[int]:
    counts = [0] * bins
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        counts[min(bins - 1, max(0, int(float(v) * bins)))] += 1
    return counts


def _fold(text: str) -> tuple[str, str]:
    """Sort key: accents and case ignored (« Éducation » sorts with the E)."""
    from matching.textnorm import fold

    return (fold(text), text)


def report_data(result) -> dict[str, Any]:
    """The aggregates of the report that no other output file holds (JSON-ready, no
    timing, deterministic order)."""
    import numpy as np
    import pandas as pd

    from matching.components import COMPONENTS

    cfg = result.config
    stats = result.ranking.stats
    Q = result.prepared.positions.reset_index(drop=True)
    P = result.prepared.profiles.reset_index(drop=True)
    sl = result.shortlists
    top_k = cfg.ranking.top_k
    per_pos = np.asarray(stats["eligible_above_min_per_position"])
    per_prof = np.asarray(stats["eligible_above_min_per_profile"])

    lines_per_pos = sl.groupby("position_id").size() if len(sl) else pd.Series(dtype="int64")
    top_score = sl[sl["rank"] == 1].set_index("position_id")["score"] if len(sl) else pd.Series(dtype=float)

    ministries: dict[str, dict[str, Any]] = {}
    without: list[dict[str, Any]] = []
    for j, row in enumerate(Q.itertuples(index=False)):
        m = ministries.setdefault(
            row.ministry,
            {"ministry": row.ministry, "positions": 0, "openings": 0, "full": 0, "without_candidate": 0,
             "shortlist_lines": 0, "_tops": []},
        )
        pid = row.position_id
        n_lines = int(lines_per_pos.get(pid, 0))
        m["positions"] += 1
        m["openings"] += int(getattr(row, "openings", 1) or 1)
        m["shortlist_lines"] += n_lines
        m["full"] += int(n_lines >= top_k)
        if int(per_pos[j]) == 0:
            m["without_candidate"] += 1
            without.append({"ministry": row.ministry, "position_id": pid, "title": row.title,
                            "employer": getattr(row, "employer", "") or ""})
        if pid in top_score.index:
            m["_tops"].append(float(top_score[pid]))
    ministry_rows = []
    for name in sorted(ministries, key=_fold):
        m = ministries[name]
        tops = m.pop("_tops")
        m["mean_top_score"] = round(sum(tops) / len(tops), 4) if tops else None
        ministry_rows.append(m)
    without.sort(key=lambda r: (_fold(r["ministry"]), r["position_id"]))

    on_list = set(sl["profile_id"]) if len(sl) else set()
    op = result.opportunities
    best = op[op["rank"] == 1].set_index("profile_id") if len(op) else None
    nobody = []
    for i, row in enumerate(P.itertuples(index=False)):
        if row.profile_id in on_list:
            continue
        entry = {"profile_id": row.profile_id, "current_position": getattr(row, "current_position", "") or "",
                 "eligible_above_min": int(per_prof[i]), "best_position_id": None, "best_score": None,
                 "open_to_mobility": bool(getattr(row, "open_to_mobility", True))}
        if best is not None and row.profile_id in best.index:
            entry["best_position_id"] = str(best.at[row.profile_id, "position_id"])
            entry["best_score"] = round(float(best.at[row.profile_id, "score"]), 4)
        nobody.append(entry)
    nobody.sort(key=lambda r: r["profile_id"])

    components = {}
    for c in COMPONENTS:
        vals = pd.to_numeric(sl[c], errors="coerce").dropna().tolist() if len(sl) and c in sl else []
        components[c] = {"histogram": _histogram(vals), "n": len(vals),
                         "mean": round(sum(vals) / len(vals), 4) if vals else None}
    shortlist_scores = sl["score"].astype(float).tolist() if len(sl) else []

    rejects = result.rejects
    reject_rows = []
    if rejects is not None and len(rejects):
        cols = [c for c in ("file", "reason") if c in rejects.columns]
        grouped = rejects.groupby(cols, sort=True).size().reset_index(name="lines")
        grouped = grouped.sort_values(["lines", *cols], ascending=[False] + [True] * len(cols), kind="stable")
        reject_rows = [{k: (int(v) if k == "lines" else str(v)) for k, v in r.items()}
                       for r in grouped.to_dict(orient="records")]

    return {
        "batch_id": result.batch_id,
        "top_k": top_k,
        "min_score": cfg.ranking.min_score,
        "ministries": ministry_rows,
        "positions_without_candidate": without,
        "profiles_on_no_shortlist": nobody,
        "score_histogram": [int(x) for x in np.asarray(stats["score_histogram"]).tolist()],
        "shortlist_score_histogram": _histogram(shortlist_scores),
        "components": components,
        "rejects_summary": reject_rows,
        "warnings_summary": _warnings_summary(getattr(result, "warnings", None)),
        "skills_gap": _skills_gap_summary(result),
        "notice": "Aide à la décision : les conseillers décident.",
    }


#: skills in short supply shown in the report: overall, and per ministry
GAP_TOP, GAP_TOP_MINISTRY = 15, 5


def _skills_gap_summary(result) -> dict[str, Any]:
    """The top of ``skills_gap.csv`` (overall and per ministry) for « Compétences en tension »."""
    from matching.gap import ENSEMBLE, GAP_COLUMNS

    gap = getattr(result, "skills_gap", None)
    if gap is None:
        return {}
    table = gap()
    counts = {"positions_requiring", "profiles_holding", "profiles_holding_lower", "shortlist_lines_missing"}

    def records(part) -> list[dict[str, Any]]:
        return [{c: (int(r[c]) if c in counts else float(r[c]) if c == "shortage" else str(r[c])) for c in GAP_COLUMNS}
                for r in part.to_dict(orient="records")]

    overall = table[table["scope"] == ENSEMBLE]
    ministries = [s for s in dict.fromkeys(table["scope"].tolist()) if s != ENSEMBLE]
    return {
        "skills": int(len(overall)),
        "unheld": int((overall["profiles_holding"] == 0).sum()),
        "overall": records(overall.head(GAP_TOP)),
        "ministries": [{"ministry": m, "skills": records(table[table["scope"] == m].head(GAP_TOP_MINISTRY))}
                       for m in ministries],
    }


def _warnings_summary(warnings) -> list[dict[str, Any]]:
    """Warnings grouped by (file, column, what was done), most frequent first."""
    if warnings is None or not len(warnings):
        return []
    groups = warnings.groupby(["file", "column", "message"], sort=False, dropna=False).size()
    rows = [{"file": str(f), "column": str(c), "message": str(m), "lines": int(n)} for (f, c, m), n in groups.items()]
    return sorted(rows, key=lambda r: (-r["lines"], r["file"], r["column"], r["message"]))[:100]


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_report(result, path: str | Path) -> dict[str, Path]:
    """Write ``report-data.json`` and ``report.html`` (at ``path``) for a batch result.

    Returns the written files: ``{"report_data": ..., "report": ...}``.
    """
    from matching.io.writers import atomic_write_text

    path = Path(path)
    data = report_data(result)
    data_path = path.with_name(REPORT_DATA_NAME)
    atomic_write_text(data_path, _dump(data))
    page = render_report(data, result.manifest, comparison=None)
    atomic_write_text(path, page)
    return {"report_data": data_path, "report": path}


def refresh_report(outdir: str | Path) -> Path | None:
    """Re-render ``report.html`` from the folder's files (e.g. after an allocation).

    Returns ``None`` (and writes nothing) when the batch wrote no report
    (``output.report = false``: no ``report-data.json``).

    The batch's own hash of the page stays in ``manifest["outputs"]`` (a replay compares
    the batch's page); the hash of the refreshed page is recorded under
    ``manifest["report_refreshed"]``.
    """
    from matching.io.batch_folder import BatchFolder
    from matching.manifest import file_sha256

    folder = BatchFolder(outdir)
    if folder.exists() and not folder.exists(REPORT_DATA_NAME):
        return None
    data = folder.read_json(REPORT_DATA_NAME)
    manifest = folder.read_manifest()
    comparison = folder.read_json("allocation-comparison.json") if folder.exists("allocation-comparison.json") else None
    path = folder.write_text(REPORT_NAME, render_report(data, manifest, comparison=comparison))
    digest = file_sha256(path)

    def record(m: dict) -> None:
        m["report_refreshed"] = {
            "sha256": digest,
            "allocations": sorted((m.get("allocations") or {}).keys()),
            "note": "report.html re-rendu après une allocation ; outputs garde l'empreinte du rapport du lot",
        }

    folder.update_manifest(record)
    return path


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
_CSP = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
)
_CSS = """
:root{--bleu:#000091;--gris:#666;--fond:#f6f6f6;--rouge:#ce0500;--vert:#18753c}
*{box-sizing:border-box}
body{font-family:Marianne,Arial,Helvetica,sans-serif;margin:0;color:#161616;background:#fff;line-height:1.45}
header{background:var(--bleu);color:#fff;padding:1.2rem 2rem}
header h1{margin:0 0 .3rem;font-size:1.6rem}
header p{margin:0}
main{max-width:1200px;margin:0 auto;padding:1rem 2rem 3rem}
main.notice{max-width:900px}
nav{font-size:.9rem;margin:.5rem 0 1rem}
nav a{margin-right:1rem;color:var(--bleu)}
h2{border-bottom:2px solid var(--bleu);padding-bottom:.2rem;margin-top:2.2rem;font-size:1.3rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
.decide{border-left:6px solid var(--bleu);background:#eef;padding:.7rem 1rem;margin:1rem 0}
.warn{border-left:6px solid var(--rouge);background:#fee;padding:.7rem 1rem;margin:1rem 0}
.ok{color:var(--vert);font-weight:bold}
.bad{color:var(--rouge);font-weight:bold}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{background:var(--fond);border-radius:6px;padding:.7rem 1rem;min-width:170px;flex:1}
.card .n{font-size:1.7rem;font-weight:bold;color:var(--bleu)}
.card .l{font-size:.85rem;color:var(--gris)}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--fond);cursor:pointer;user-select:none}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafafa}
details{margin:.5rem 0}
summary{cursor:pointer;color:var(--bleu);font-weight:bold}
.plots{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;background:var(--fond);padding:.5rem;border-radius:6px}
figcaption{font-size:.85rem;color:var(--gris);max-width:520px}
svg text{font-family:Arial,Helvetica,sans-serif}
code{background:var(--fond);padding:0 .2rem}
footer{border-top:1px solid #ddd;margin-top:2rem;padding-top:.8rem;font-size:.85rem;color:var(--gris)}
"""
# Sorting tables by a click on a header; any script error is written into the page
# (body[data-js-errors]) so that a headless browser test can see it.
_JS = """
(function(){
  var errors=[];
  window.addEventListener('error',function(e){errors.push(String(e.message));
    document.body.setAttribute('data-js-errors',errors.join(' | '));});
  function key(td){var t=td.getAttribute('data-v');if(t===null)t=td.textContent;
    var n=parseFloat(t.replace(/\\u202f/g,'').replace(',','.'));return isNaN(n)?t.toLowerCase():n;}
  document.querySelectorAll('table.sortable').forEach(function(table){
    table.querySelectorAll('th').forEach(function(th,col){
      th.title='Cliquer pour trier';
      th.addEventListener('click',function(){
        var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
        var dir=th.getAttribute('data-dir')==='asc'?-1:1;th.setAttribute('data-dir',dir===1?'asc':'desc');
        rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);
          if(typeof x!==typeof y){x=String(x);y=String(y);}return x<y?-dir:x>y?dir:0;});
        rows.forEach(function(r){body.appendChild(r);});});});});
  document.body.setAttribute('data-js','ok');
})();
"""

def _e(text: Any) -> str:
    """A data string for the page: invisible controls removed (a U+202E in a ministry name
    must not reverse what follows), then HTML-escaped."""
    return html.escape(visible_text(text))


def _n(x: Any) -> str:
    """An integer with French thousands separators (narrow no-break space)."""
    if x is None:
        return "–"
    return f"{int(x):,}".replace(",", "\u202f")


def _f(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{float(x):.{digits}f}".replace(".", ",")


def _pct(part: Any, whole: Any) -> str:
    if not whole:
        return "–"
    return f"{100 * float(part) / float(whole):.1f}\u202f%".replace(".", ",")


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]], *, sortable: bool = True) -> str:
    """``headers``: (label, numeric); ``rows``: already escaped cell HTML."""
    cls = ' class="sortable"' if sortable else ""
    head = "".join(f'<th class="num">{_e(h)}</th>' if num else f"<th>{_e(h)}</th>" for h, num in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{c}</td>' if num else f"<td>{c}</td>" for c, (_, num) in zip(row, headers)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _svg_histogram(counts: Sequence[int], *, title: str, width: int = 520, height: int = 200,
                   marker: float | None = None, color: str = "#000091") -> str:
    """A bar chart of ``counts`` over [0, 1] as inline SVG (deterministic)."""
    left, right, top, bottom = 44, 10, 22, 28
    pw, ph = width - left - right, height - top - bottom
    n = max(1, len(counts))
    peak = max([*counts, 1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">',
        f'<text x="{left}" y="14" font-size="12" fill="#161616">{_e(title)}</text>',
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#999"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        y = top + ph - frac * ph
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#666">'
                     f"{_n(round(peak * frac))}</text>")
    bw = pw / n
    for k, c in enumerate(counts):
        if c <= 0:
            continue
        h = ph * c / peak
        x0, x1 = k / n, (k + 1) / n
        parts.append(
            f'<rect x="{left + k * bw + 0.5:.2f}" y="{top + ph - h:.2f}" width="{max(bw - 1, 0.5):.2f}" '
            f'height="{h:.2f}" fill="{color}"><title>{_f(x0, 2)} à {_f(x1, 2)} : {_n(c)}</title></rect>'
        )
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + frac * pw
        parts.append(f'<text x="{x:.1f}" y="{top + ph + 14}" font-size="10" text-anchor="middle" '
                     f'fill="#666">{_f(frac, 2)}</text>')
    if marker is not None:
        x = left + float(marker) * pw
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#ce0500" '
                     'stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{width - right}" y="14" font-size="10" text-anchor="end" fill="#ce0500">'
                     f"- - - seuil {_f(marker, 2)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _svg_bars(items: Sequence[tuple[str, float]], *, title: str, width: int = 720, bar: int = 18,
              color: str = "#000091") -> str:
    """A horizontal bar chart of (label, value) as inline SVG (deterministic)."""
    left, right, top = 300, 60, 24
    height = top + bar * max(1, len(items)) + 8
    peak = max([v for _, v in items] + [1e-9])
    pw = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">',
        f'<text x="4" y="14" font-size="12" fill="#161616">{_e(title)}</text>',
    ]
    for k, (label, v) in enumerate(items):
        y = top + k * bar
        short = label if len(label) <= 48 else label[:47] + "…"
        w = pw * float(v) / peak
        parts.append(f'<text x="{left - 6}" y="{y + bar * 0.7:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#161616">{_e(short)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{max(w, 0.5):.2f}" height="{bar - 4}" fill="{color}">'
                     f"<title>{_e(label)} : {_f(v, 2)}</title></rect>")
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + bar * 0.7:.1f}" font-size="10" fill="#666">{_f(v, 2)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _gap_rows(skills: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    return [[_e(r["skill_label"]), f"<code>{_e(r['source_id'])}</code>", _n(r["positions_requiring"]),
             _n(r["profiles_holding"]), _n(r["profiles_holding_lower"]), _n(r["shortlist_lines_missing"]),
             _f(r["shortage"], 2)] for r in skills]


_GAP_TABLE_HEADERS = [("Compétence requise", False), ("Identifiant", False), ("Postes qui la requièrent", True),
                      ("Ingénieurs au niveau requis", True), ("Ingénieurs à un niveau inférieur", True),
                      ("Lignes de listes où elle manque", True), ("Indice de tension", True)]


def _card(n: str, label: str) -> str:
    return f'<div class="card"><div class="n">{n}</div><div class="l">{_e(label)}</div></div>'


def _details(summary: str, inner: str, *, open_: bool = False) -> str:
    return f"<details{' open' if open_ else ''}><summary>{_e(summary)}</summary>{inner}</details>"


def render_report(data: Mapping[str, Any], manifest: Mapping[str, Any], *,
                  comparison: Mapping[str, Any] | None = None) -> str:
    """The HTML page from the report data, the manifest and the allocation comparison."""
    from matching.components import COMPONENTS
    from matching.explain import SHORT_LABELS

    counts = manifest.get("counts", {})
    inputs = manifest.get("inputs", {})
    config = manifest.get("config", {})
    model = manifest.get("model", {})
    taxonomy = manifest.get("taxonomy", {})
    bid = str(manifest.get("batch_id") or data.get("batch_id") or "")
    top_k = data.get("top_k")
    min_score = data.get("min_score")
    s: list[str] = []
    add = s.append

    add("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n")
    add('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    add(_CSP + "\n")
    add(f"<title>Rapport du lot {_e(bid)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n")
    add(f"<header><h1>Rapport du lot {_e(bid)}</h1>"
        "<p>Moteur d'appariement compétences / postes — listes restreintes de mobilité par ministère</p></header>\n")
    add("<main>\n")
    add(f'<div class="decide">{ADVISORS_DECIDE_HTML}</div>\n')
    add('<nav><a href="#synthese">Synthèse</a><a href="#ministeres">Ministères</a>'
        '<a href="#distributions">Distributions</a><a href="#sans-candidat">Postes sans candidat</a>'
        '<a href="#sans-liste">Ingénieurs sur aucune liste</a>'
        + ('<a href="#tension">Compétences en tension</a>' if data.get("skills_gap") else "")
        + '<a href="#regles">Règles</a>'
        '<a href="#rejets">Rejets</a>' + ('<a href="#allocation">Allocation</a>' if manifest.get("allocations") else "")
        + '<a href="#modele">Modèle</a><a href="#notice">Notice de la méthode</a></nav>\n')

    # --- model warning first: it changes how everything else reads
    if model.get("fallback_reason"):
        add('<div class="warn"><strong>Modèle de repli utilisé.</strong> Le modèle demandé n\'a pas pu être chargé : '
            f"{_e(str(model.get('fallback_reason')))}. Les scores de proximité des textes ne sont pas "
            "comparables à ceux d'un lot produit avec le modèle par défaut.</div>\n")

    # --- summary
    add('<h2 id="synthese">Synthèse du lot</h2>\n<div class="cards">')
    add(_card(_n(counts.get("profiles_accepted")), f"profils acceptés sur {_n(counts.get('profiles_read'))} lus"))
    add(_card(_n(counts.get("positions_accepted")), f"postes acceptés sur {_n(counts.get('positions_read'))} lus"))
    add(_card(_n(counts.get("shortlist_lines")), f"lignes de listes restreintes ({_n(counts.get('ministries'))} ministères)"))
    add(_card(_n(counts.get("positions_with_full_shortlist")), f"postes avec une liste complète ({_n(top_k)} candidats)"))
    add(_card(_n(counts.get("positions_without_candidate")), "postes sans candidat au-dessus du seuil"))
    add(_card(_n(counts.get("profiles_on_no_shortlist")), "ingénieurs sur aucune liste"))
    add(_card(_n(counts.get("reject_lines")), "problèmes dans les fichiers (rejects.csv)"))
    add("</div>\n<h3>Fichiers lus</h3>\n")
    rows = []
    for name, label in (("profiles", "profils"), ("positions", "postes")):
        e = inputs.get(name) or counts.get(name) or {}
        read, acc, rej = e.get("read"), e.get("accepted"), e.get("rejected")
        ok = read is not None and acc is not None and rej is not None and read == acc + rej
        rows.append([
            _e(label), _e(str(e.get("name", ""))), _e(str(e.get("format") or "")), _e(str(e.get("encoding") or "")),
            _n(read), _n(acc), _n(rej),
            '<span class="ok">oui</span>' if ok else '<span class="bad">non</span>',
            f"<code>{_e(str(e.get('sha256', ''))[:16])}…</code>",
        ])
    add(_table([("Fichier de", False), ("Nom", False), ("Format", False), ("Encodage", False), ("Lignes lues", True),
                ("Acceptées", True), ("Rejetées", True), ("Lues = acceptées + rejetées", False),
                ("Empreinte SHA-256", False)], rows, sortable=False))
    add(f"<p>Paires (ingénieur, poste) évaluées : {_n(counts.get('pairs_total'))}, dont "
        f"{_n(counts.get('pairs_excluded'))} exclues par une règle. Seuil d'entrée sur une liste : score ≥ "
        f"{_f(min_score, 2)} ; {_n(top_k)} candidats au plus par poste.</p>\n")

    # --- per ministry
    add('<h2 id="ministeres">Par ministère</h2>\n')
    rows = []
    for m in data.get("ministries", []):
        rows.append([
            _e(m["ministry"]), _n(m["positions"]), _n(m["openings"]), _n(m["full"]), _n(m["without_candidate"]),
            _n(m["shortlist_lines"]), _f(m.get("mean_top_score")),
        ])
    add(_table([("Ministère", False), ("Postes", True), ("Places", True),
                (f"Postes avec une liste complète ({top_k})", True), ("Postes sans candidat", True),
                ("Lignes de listes", True), ("Score moyen du 1er candidat", True)], rows))

    # --- distributions
    add('<h2 id="distributions">Distribution des scores</h2>\n<div class="plots">')
    hist = data.get("score_histogram", [])
    add("<figure>" + _svg_histogram(hist, title="Score de toutes les paires non exclues", marker=min_score)
        + f"<figcaption>{_n(sum(hist))} paires non exclues par une règle ; la ligne rouge marque le seuil "
        "d'entrée sur une liste restreinte.</figcaption></figure>")
    sl_hist = data.get("shortlist_score_histogram", [])
    add("<figure>" + _svg_histogram(sl_hist, title="Score des lignes de listes restreintes", marker=min_score,
                                    color="#18753c")
        + f"<figcaption>{_n(sum(sl_hist))} lignes de listes restreintes.</figcaption></figure>")
    add("</div>\n<h3>Composantes du score sur les lignes des listes restreintes</h3>\n<div class=\"plots\">")
    comps = data.get("components", {})
    for c in COMPONENTS:
        info = comps.get(c, {})
        add("<figure>" + _svg_histogram(info.get("histogram", []), title=SHORT_LABELS.get(c, c), width=360,
                                        height=160, color="#6a6af4")
            + f"<figcaption>moyenne {_f(info.get('mean'))} sur {_n(info.get('n', 0))} lignes où la composante "
            "s'applique</figcaption></figure>")
    add("</div>\n")

    # --- positions without candidate
    without = data.get("positions_without_candidate", [])
    add(f'<h2 id="sans-candidat">Postes sans candidat au-dessus du seuil ({_n(len(without))})</h2>\n')
    if without:
        add("<p>Aucun ingénieur non exclu n'atteint le score minimal pour ces postes : à examiner (fiche de poste "
            "trop spécifique, compétences rares, règles trop strictes, vivier insuffisant).</p>")
        rows = [[_e(r["ministry"]), _e(r["position_id"]), _e(r["title"]), _e(r.get("employer", ""))] for r in without]
        add(_details(f"Afficher les {len(without)} postes",
                     _table([("Ministère", False), ("Poste", False), ("Intitulé", False), ("Direction", False)], rows),
                     open_=len(without) <= 30))
    else:
        add("<p>Tous les postes ont au moins un candidat au-dessus du seuil.</p>")

    # --- engineers on no shortlist
    nobody = data.get("profiles_on_no_shortlist", [])
    add(f'<h2 id="sans-liste">Ingénieurs sur aucune liste restreinte ({_n(len(nobody))})</h2>\n')
    if nobody:
        add("<p>Leur meilleur poste possible figure dans <code>opportunities.csv</code> ; un ingénieur non ouvert à "
            "la mobilité est exclu de toutes les listes.</p>")
        rows = [[
            _e(r["profile_id"]), _e(r.get("current_position", "")),
            "oui" if r.get("open_to_mobility", True) else '<span class="bad">non</span>',
            _n(r.get("eligible_above_min")), _e(r.get("best_position_id") or "–"), _f(r.get("best_score")),
        ] for r in nobody]
        add(_details(f"Afficher les {len(nobody)} ingénieurs", _table(
            [("Ingénieur", False), ("Poste actuel", False), ("Ouvert à la mobilité", False),
             ("Postes au-dessus du seuil", True), ("Meilleur poste possible", False), ("Son score", True)], rows),
            open_=len(nobody) <= 30))
    else:
        add("<p>Chaque ingénieur figure sur au moins une liste restreinte.</p>")

    # --- skills in short supply
    gap = data.get("skills_gap") or {}
    if gap:
        add('<h2 id="tension">Compétences en tension</h2>\n')
        add(f"<p>{_n(gap.get('skills'))} compétences requises par au moins un poste, dont {_n(gap.get('unheld'))} "
            "qu'aucun ingénieur ne détient au niveau requis. Indice de tension : postes qui requièrent la compétence "
            "par ingénieur qui la détient au niveau requis, en comptant un détenteur de plus (défini sans détenteur). "
            "Les ingénieurs sont comptés sur toute la communauté (chacun peut changer de ministère) ; les postes et "
            "les lignes de listes, par ministère (leur somme donne l'ensemble). Détail complet dans "
            "<code>skills_gap.csv</code> et la feuille « Compétences en tension » de <code>lot.xlsx</code>.</p>\n")
        add("<p>À lire avec prudence : une compétence que personne ne détient peut être une compétence que les "
            "profils ne déclarent pas (savoir-être comme le travail en équipe ou l'adaptation), ou écrite sous un "
            "autre libellé voisin ; vérifiez-la dans les profils avant de planifier une formation.</p>\n")
        overall = gap.get("overall", [])
        if overall:
            add("<figure>" + _svg_bars([(r["skill_label"], r["shortage"]) for r in overall[:10]],
                                       title="Indice de tension des 10 compétences les plus en tension (ensemble)")
                + "</figure>\n")
            add("<h3>Ensemble de la communauté</h3>\n")
            add(_table(_GAP_TABLE_HEADERS, _gap_rows(overall)))
        per = gap.get("ministries", [])
        if per:
            add("<h3>Par ministère</h3>\n")
            for m in per:
                add(_details(f"{m['ministry']} : {len(m['skills'])} compétences les plus en tension",
                             _table(_GAP_TABLE_HEADERS, _gap_rows(m["skills"])), open_=len(per) <= 6))

    # --- rules
    add('<h2 id="regles">Règles qui ont exclu le plus de paires</h2>\n')
    by_rule = counts.get("pairs_excluded_by_rule", {}) or {}
    rules_cfg = config.get("rules", {})
    total = counts.get("pairs_total") or 0
    rows = []
    for name, n in sorted(by_rule.items(), key=lambda kv: (-int(kv[1]), kv[0])):
        active = rules_cfg.get(name, True)
        rows.append([_e(_RULE_LABELS.get(name, name)), "active" if active else "désactivée", _n(n), _pct(n, total)])
    add(_table([("Règle", False), ("État", False), ("Paires exclues", True), ("Part des paires", True)], rows))
    add("<p>Une paire peut être exclue par plusieurs règles à la fois ; elle n'entre jamais sur une liste.</p>\n")

    # --- rejects
    add('<h2 id="rejets">Lignes écartées à la lecture</h2>\n')
    rej = data.get("rejects_summary", [])
    if rej:
        rows = [[_e(r.get("file", "")), _e(r.get("reason", "")), _n(r.get("lines"))] for r in rej]
        add("<p>Détail (fichier, ligne, colonne, raison) dans <code>rejects.csv</code>.</p>")
        add(_details(f"Afficher les {len(rej)} motifs", _table([("Fichier", False), ("Motif", False),
                                                              ("Problèmes", True)], rows), open_=len(rej) <= 20))
    else:
        add("<p>Aucune ligne écartée.</p>")

    # --- warnings (rows kept)
    add('<h2 id="avertissements">Avertissements sur les données (lignes gardées)</h2>\n')
    warn = data.get("warnings_summary", [])
    inputs = manifest.get("inputs", {}) or {}
    reading = []
    for key in ("profiles", "positions"):
        entry = inputs.get(key) or {}
        for col, seps in (entry.get("list_separators") or {}).items():
            reading.append([_e(entry.get("name", "")), _e(col), _e(f"séparateurs : {seps}")])
        for head, guess in (entry.get("header_suggestions") or {}).items():
            hint = f"colonne inconnue, ignorée ; vouliez-vous dire « {guess} » ?" if guess else "colonne inconnue, ignorée"
            reading.append([_e(entry.get("name", "")), _e(head), _e(hint)])
    if reading:
        add("<p>Comment les fichiers ont été lus :</p>")
        add(_table([("Fichier", False), ("Colonne", False), ("Lecture", False)], reading))
    if warn:
        rows = [[_e(r["file"]), _e(r["column"]), _e(r["message"]), _n(r["lines"])] for r in warn]
        add("<p>Ces cellules ont été lues par une règle documentée ou laissées vides ; la ligne a été gardée. "
            "Détail (fichier, ligne, colonne) dans <code>warnings.csv</code>.</p>")
        add(_details(f"Afficher les {len(warn)} avertissements", _table(
            [("Fichier", False), ("Colonne", False), ("Ce qui a été fait", False), ("Lignes", True)], rows), open_=len(warn) <= 20))
    else:
        add("<p>Aucun avertissement.</p>")

    # --- allocation
    allocations = manifest.get("allocations") or {}
    if allocations:
        add('<h2 id="allocation">Allocation indicative sous contrainte de places</h2>\n')
        add('<div class="decide">Proposition indicative : les conseillers décident ; aucune affectation '
            "automatique.</div>")
        methods = [m for m in ("stable", "max-score") if m in allocations]
        labels = {"stable": "Appariement stable", "max-score": "Score total maximal"}
        indicators = (comparison or {}).get("indicators") or []
        if not indicators:
            keys = ["total_score", "mean_score", "placed", "placed_rate", "places", "places_filled", "fill_rate",
                    "unfilled_positions"]
            indicators = [{"indicator": k, "label": k, **{m: allocations[m].get(k) for m in methods}} for k in keys]
        rows = []
        for ind in indicators:
            cells = [_e(str(ind.get("label", ind.get("indicator", ""))))]
            for m in methods:
                v = ind.get(m)
                if v is None:
                    cells.append("–")
                elif isinstance(v, float) and not float(v).is_integer():
                    cells.append(_f(v))
                else:
                    cells.append(_n(v) if isinstance(v, (int, float)) else _e(str(v)))
            rows.append(cells)
        add(_table([("Indicateur", False), *[(labels.get(m, m), True) for m in methods]], rows, sortable=False))
        seeds = ", ".join(f"{labels.get(m, m)} : graine {_e(str(allocations[m].get('seed')))}" for m in methods)
        add(f"<p>Fichiers <code>allocation-*.csv</code> dans le dossier du lot. {seeds}.</p>\n")

    # --- model and configuration
    add('<h2 id="modele">Modèle, référentiel et paramètres</h2>\n')
    w = config.get("weights", {})
    wsum = sum(float(v) for v in w.values()) or 1.0
    rows = [
        ["Modèle de langue", _e(str(model.get("name") or "")) + (' <span class="bad">(repli)</span>'
                                                              if model.get("fallback_reason") else "")],
        ["Empreinte du modèle", f"<code>{_e(str(model.get('weights_sha256') or ''))}</code>"],
        ["Référentiel", _e(str(taxonomy.get("version") or ""))],
        ["Empreinte du référentiel", f"<code>{_e(str(taxonomy.get('sha256') or ''))}</code>"],
        ["Empreinte de la configuration", f"<code>{_e(str(manifest.get('config_sha256') or ''))}</code>"],
        ["Graine", _e(str(manifest.get("seed", "")))],
        ["Poids (normalisés)", _e(" ; ".join(f"{SHORT_LABELS.get(k, k)} {_f(float(v) / wsum, 2)}"
                                              for k, v in w.items()))],
    ]
    add(_table([("Élément", False), ("Valeur", False)], rows, sortable=False))
    add("<p>La configuration complète est enregistrée dans <code>config.toml</code> et <code>manifest.json</code> ; "
        "la commande <code>replay</code> rejoue le lot et vérifie que les résultats sont identiques.</p>\n")

    # --- method notice
    add('<h2 id="notice">Notice de la méthode</h2>\n<section class="notice-body">')
    add(markdown_to_html(method_notice_markdown(), heading_offset=2))
    add("</section>\n")
    add(f'<footer>Lot {_e(bid)}. {ADVISORS_DECIDE_HTML}</footer>\n</main>\n')
    add(f"<script>{_JS}</script>\n</body>\n</html>\n")
    return "".join(s)
