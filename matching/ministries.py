"""Ministries as people write them: usual short names, acronyms, former names.

The table is ``data/reference/ministries.csv`` (sources and maintenance:
``data/reference/README.md``): one row per ministry (``key``, current ``name``,
``acronyms``, ``forms``). A row whose key joins several keys with ``+``
("Éducation nationale et Enseignement supérieur" = ``education+esr``) names a ministry
that covers several: it matches a wish for either.

Reading: case, accents, articles, "Ministère(s)" and punctuation do not matter; an
acronym (MI, Minarm, MTE...) is recognised alone or in parentheses; a name is recognised
exactly, else by the longest known name whose words all appear in the text
("Ministère de l'Intérieur, DNUM" → intérieur). An acronym is never searched inside a
longer text. Anything else is unknown (the readers warn, and the wish matching falls
back on the words of the text).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from matching.resources import data_path
from matching.textnorm import ARTICLES, fold, slug

__all__ = [
    "MINISTRIES_CSV", "Ministry", "ministry_keys", "ministry_key", "ministry_name", "read_ministry", "ministry_table",
    "ministry_file_stem",
]

MINISTRIES_CSV = data_path("reference", "ministries.csv")

_STOP = ARTICLES | {"ministere", "ministeres", "chargee", "charge"}
_PARENS = re.compile(r"\(([^()]*)\)")


def _words(text: object) -> tuple[str, ...]:
    s = fold(text)
    return tuple(w for w in re.split(r"[^0-9a-z]+", s) if w and w not in _STOP)


@dataclass(frozen=True)
class Ministry:
    keys: frozenset[str]
    name: str


class _Table:
    def __init__(self) -> None:
        self.rows: list[Ministry] = []
        self.exact: dict[str, Ministry] = {}
        self.names: list[tuple[frozenset[str], int, Ministry]] = []
        with open(MINISTRIES_CSV, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                m = Ministry(frozenset(k.strip() for k in row["key"].split("+") if k.strip()), row["name"].strip())
                self.rows.append(m)
                for a in row["acronyms"].split("|"):
                    k = " ".join(_words(a))
                    if k:
                        self._add(k, m)
                for form in [row["name"], *row["forms"].split("|")]:
                    ws = _words(form)
                    if ws:
                        self._add(" ".join(ws), m)
                        self.names.append((frozenset(ws), len(ws), m))
        self.names.sort(key=lambda t: -t[1])

    def _add(self, k: str, m: Ministry) -> None:
        old = self.exact.get(k)
        if old is None:
            self.exact[k] = m
        elif old != m:  # the same acronym for two ministries: both (e.g. "ministères sociaux")
            self.exact[k] = Ministry(old.keys | m.keys, old.name)


@lru_cache(maxsize=1)
def _table() -> _Table:
    return _Table()


def ministry_table() -> list[Ministry]:
    return list(_table().rows)


@lru_cache(maxsize=8192)
def read_ministry(text: str) -> Ministry | None:
    """The ministry a text designates, or ``None``."""
    t = _table()
    ws = _words(text)
    if not ws:
        return None
    k = " ".join(ws)
    if k in t.exact:
        return t.exact[k]
    inner = _PARENS.findall(text)
    for part in inner:
        found = read_ministry(part)
        if found:
            return found
    if inner:
        found = read_ministry(_PARENS.sub(" ", text))
        if found:
            return found
    have = set(ws)
    best = [m for form, n, m in t.names if form <= have and n == max((n2 for f2, n2, _ in t.names if f2 <= have), default=0)]
    if best:
        keys = frozenset().union(*(m.keys for m in best))
        return Ministry(keys, best[0].name)
    return None


def ministry_keys(text: object) -> frozenset[str]:
    """The canonical keys of a ministry text (empty when unknown)."""
    m = read_ministry(str(text or "").strip())
    return m.keys if m else frozenset()


def ministry_key(text: object) -> str:
    """One comparison key: the canonical keys joined by ``+``, else the text's words."""
    keys = ministry_keys(text)
    if keys:
        return "+".join(sorted(keys))
    return " ".join(_words(text))


def ministry_name(text: object) -> str:
    """The table's name for a ministry text, or the text itself when unknown."""
    m = read_ministry(str(text or "").strip())
    return m.name if m else str(text or "").strip()


#: names Windows reserves for devices, whatever the extension (``con.csv`` is the console)
_DEVICE_NAMES = frozenset(
    ["con", "prn", "aux", "nul", "conin", "conout", "clock"]
    + [f"{d}{n}" for d in ("com", "lpt") for n in "0123456789"]
)
#: longest file stem (leaves room for an extension and a ``-2`` suffix in every file system)
FILE_STEM_MAX = 60
_DEFAULT_STEM = "sans-ministere"


def ministry_file_stem(name: object) -> str:
    """A file name (without extension) for a ministry, safe on every system: lower-case
    ASCII letters, digits and ``-`` only (no control, bidirectional or format character, no
    trailing dot or space, no separator), never a Windows device name (``con``, ``nul``,
    ``com1``… get ``-ministere``), at most :data:`FILE_STEM_MAX` characters. When the name
    does not fit (cut, or nothing left of it: a name in another script), a short digest of
    the full name is appended, so that two such names do not share a stem."""
    text = str(name or "").strip()
    full = slug(text, max_len=10_000, default="")
    stem = full[:FILE_STEM_MAX].strip("-")
    if not full or len(full) > FILE_STEM_MAX:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8] if text else ""
        head = (full or _DEFAULT_STEM)[: FILE_STEM_MAX - 9].strip("-")
        stem = f"{head}-{digest}" if digest else head
    if stem in _DEVICE_NAMES:
        stem = f"{stem}-ministere"
    return stem
