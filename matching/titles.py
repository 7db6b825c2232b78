"""Job title -> ranked ROME occupations (and the State's digital job family).

:class:`TitleNormalizer` indexes every title the taxonomy knows for a ROME code: the code's
main label, its appellations (long and short forms), the State's digital emplois-référence,
the acronym dictionary's job-title terms (RSSI, DSI, PO...) and, when the official crosswalk
is switched on, the French ESCO occupation labels mapped to the code. A title is scored
against them by three signals, fused per ROME code:

- ``exact``: the title's key (gender folded, accents, plural) equals a known title's key;
- ``lexical``: character n-gram TF-IDF cosine (robust to typos and word order);
- ``semantic``: cosine of the embeddings (when an encoder is given).

The fused score is in [0, 1]; :meth:`TitleNormalizer.normalize` returns the ``top`` codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from matching.textnorm import fold_gender, key, normalize

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from matching.taxonomy import Taxonomy

__all__ = ["OccupationMatch", "TitleNormalizer", "clean_title"]

_SEM_MEMO: dict[tuple, Any] = {}
#: Words of organisation and rank ("chef du service", "responsable de la division"): they
#: say who leads, not the trade, so a shared one does not make two titles the same trade.
_ORG_WORDS = frozenset(
    "service bureau division pole departement mission unite cellule sous direction adjoint "
    "chef cheffe responsable directeur directrice head manager general principal".split()
)
#: a word in more than this share of the distinct title keys is generic ("technicien")
_GENERIC_DF = 0.02
#: factor on the score of an occupation that shares no trade word with the title (no title
#: of that occupation contains a non-generic word of the query, or a word with the same
#: first 7 letters: "statistique" / "statisticien")
NO_SHARED_WORD_FACTOR = 0.6
#: crosswalk relations whose ESCO labels may give an exact title hit ("close" and "broad"
#: mappings bring related trades: ESCO "directeur de programmes" (audiovisual) is only close
#: to ROME L1302, and says nothing of a State programme director)
_EXACT_RELATIONS = frozenset({"exact", "narrow"})
# fitted lexical indexes, per (taxonomy, crosswalk switch), shared by the instances of a process
_INDEX_MEMO: dict[tuple, tuple] = {}


@dataclass(frozen=True)
class OccupationMatch:
    """One ROME occupation proposed for a title."""

    code_rome: str
    label: str
    score: float
    family: str
    method: str = "lexical"  # exact, acronym, lexical, semantic


def clean_title(title: str) -> str:
    """Title without gender doublets, "H/F" marks and trailing contract noise."""
    import re

    t = fold_gender(str(title or ""))
    t = re.sub(r"\b(?:CDI|CDD|stage|alternance|temps plein|temps partiel)\b", " ", t, flags=re.I)
    return " ".join(t.split()).strip(" -–,;:/")


class _Tfidf:
    """A fitted n-gram counter and tf-idf weigher (``transform`` like a TfidfVectorizer)."""

    def __init__(self, counter: Any, weigher: Any):
        self.counter = counter
        self.weigher = weigher

    def transform(self, texts: Sequence[str]) -> Any:
        return self.weigher.transform(self.counter.transform(texts))


class TitleNormalizer:
    """Ranks ROME occupations for job titles.

    Parameters
    ----------
    taxonomy:
        A loaded :class:`matching.taxonomy.Taxonomy`.
    encoder:
        Encoder protocol object (``encode(texts, role=...)``) or None (lexical only).
    use_crosswalk:
        Index the French ESCO occupation labels under the ROME codes the official
        crosswalk maps them to (switch off for evaluations on MELO).
    semantic_weight:
        Share of the semantic signal in the fused score when an encoder is given.
    """

    def __init__(
        self,
        taxonomy: "Taxonomy",
        *,
        encoder: Any = None,
        use_crosswalk: bool = True,
        semantic_weight: float = 0.5,
    ):
        if not 0.0 <= semantic_weight <= 1.0:
            raise ValueError(f"the 'semantic_weight' parameter must be a float in [0, 1], got {semantic_weight!r}")
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.use_crosswalk = bool(use_crosswalk)
        self.semantic_weight = float(semantic_weight)
        self._built = False
        self._cache: dict[tuple[str, int], list[OccupationMatch]] = {}

    # --- index ------------------------------------------------------------------------------
    _INDEX_ATTRS = (
        "acronyms", "_doc_text", "_doc_code", "_doc_weight", "_codes", "_starts", "_exact", "_vec", "_tfidf",
        "_word_codes", "_generic",
    )

    def _build(self) -> None:
        if self._built:
            return
        memo_key = (id(self.taxonomy), self.taxonomy.sha256, self.use_crosswalk)
        memo = _INDEX_MEMO.get(memo_key)
        if memo is not None and memo[0] is self.taxonomy:
            for name, value in zip(self._INDEX_ATTRS, memo[1]):
                setattr(self, name, value)
        else:
            self._build_index()
            if len(_INDEX_MEMO) >= 4:
                _INDEX_MEMO.pop(next(iter(_INDEX_MEMO)))
            _INDEX_MEMO[memo_key] = (self.taxonomy, tuple(getattr(self, n) for n in self._INDEX_ATTRS))
        self._sem = None
        self._built = True

    def _build_index(self) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        from matching.skills import AcronymDictionary

        tax = self.taxonomy
        self.acronyms = AcronymDictionary(tax.acronyms)
        docs: dict[tuple[str, str], float] = {}  # (text, code) -> weight
        no_exact: set[tuple[str, str]] = set()  # documents that never give an exact hit

        def add(text: str, code: str, weight: float, exact: bool = True) -> None:
            text = clean_title(text)
            if text and code:
                docs[(text, code)] = max(weight, docs.get((text, code), 0.0))
                if exact:
                    no_exact.discard((text, code))
                elif docs[(text, code)] == weight:
                    no_exact.add((text, code))

        for code, label in zip(tax.occupations.code_rome, tax.occupations.label):
            add(label, code, 1.0)
        for code, label, short in zip(tax.appellations.code_rome, tax.appellations.label, tax.appellations.label_short):
            add(label, code, 1.0)
            if short:
                add(short, code, 1.0)
        for ref, code in zip(tax.digital_families.emploi_reference, tax.digital_families.code_rome):
            add(ref, code, 0.95)
        for term, (_, exp, _, scope, code) in self.acronyms.entries.items():
            if code:
                add(term, code, 0.95)
                add(exp, code, 0.95)
        if self.use_crosswalk:
            rel: dict[tuple[str, str], set[str]] = {}
            for code, uri, r in zip(tax.crosswalk.code_rome, tax.crosswalk.esco_uri, tax.crosswalk.relation):
                if code:
                    rel.setdefault((uri, code), set()).add(str(r))
            e2r = tax.esco_to_rome
            for uri, label, alts in zip(tax.esco_occupations.uri, tax.esco_occupations.label, tax.esco_occupations.alt_labels):
                for code in sorted(e2r.get(uri, ())):
                    close = not (rel.get((uri, code), set()) & _EXACT_RELATIONS)
                    w = 0.8 if close else 0.9
                    add(label, code, w, exact=not close)
                    for alt in str(alts).split("|"):
                        if alt:
                            add(alt, code, w, exact=not close)
        items = sorted(docs.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        self._doc_text = [t for (t, _), _ in items]
        self._doc_code = [c for (_, c), _ in items]
        self._doc_weight = np.asarray([w for _, w in items], dtype=np.float32)
        codes, starts = np.unique(np.asarray(self._doc_code), return_index=True)
        self._codes = [str(c) for c in codes]
        self._starts = starts
        self._exact: dict[str, set[str]] = {}
        for text, code in zip(self._doc_text, self._doc_code):
            if (text, code) not in no_exact:
                self._exact.setdefault(key(text), set()).add(code)
        # trade words: word (first 7 letters) -> codes having a title with it
        code_pos = {c: i for i, c in enumerate(self._codes)}
        df: dict[str, int] = {}
        for k in set(key(t) for t in self._doc_text):
            for w in set(k.split()):
                df[w] = df.get(w, 0) + 1
        n_keys = max(1, len({key(t) for t in self._doc_text}))
        self._generic = frozenset(w for w, n in df.items() if n / n_keys > _GENERIC_DF) | _ORG_WORDS
        self._word_codes: dict[str, set[int]] = {}
        for text, code in zip(self._doc_text, self._doc_code):
            for w in key(text).split():
                if len(w) >= 4 and w not in self._generic:
                    self._word_codes.setdefault(w[:7], set()).add(code_pos[code])
        # count the n-grams of each distinct key once (many titles share a key across codes),
        # then weight over all documents: the same index as a TfidfVectorizer fit on every title
        doc_keys = [key(t) for t in self._doc_text]
        uniq = list(dict.fromkeys(doc_keys))
        pos = {k: i for i, k in enumerate(uniq)}
        counter = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), dtype=np.float32)
        counts = counter.fit_transform(uniq)[np.asarray([pos[k] for k in doc_keys], dtype=np.int64)]
        weigher = TfidfTransformer(sublinear_tf=True)
        self._tfidf = weigher.fit_transform(counts)
        self._vec = _Tfidf(counter, weigher)

    def _semantic_matrix(self) -> "np.ndarray":
        import numpy as np

        if self._sem is None:
            memo_key = (id(self.encoder), getattr(self.encoder, "name", ""), hash(tuple(self._doc_text)))
            mat = _SEM_MEMO.get(memo_key)
            if mat is None:
                mat = np.asarray(self.encoder.encode(self._doc_text, role="passage"), dtype=np.float32)
                _SEM_MEMO.clear()
                _SEM_MEMO[memo_key] = mat
            self._sem = mat
        return self._sem

    # --- scoring ---------------------------------------------------------------------------------
    def _prepare(self, title: str) -> tuple[str, set[str], str]:
        """(query text, codes given by exact / acronym lookup, method of those codes)."""
        text = clean_title(title)
        term = self.acronyms.lookup_whole(text)
        if term is not None and self.acronyms.rome_code(term):
            return self.acronyms.expansion(term), {self.acronyms.rome_code(term)}, "acronym"
        exact = set(self._exact.get(key(text), ()))
        if exact:
            return text, exact, "exact"
        expanded, found = self.acronyms.expand(text)
        if found:
            hit = set(self._exact.get(key(clean_title(expanded)), ()))
            return expanded, hit, "acronym" if hit else ""
        return text, set(), ""

    def score_codes(self, titles: Sequence[str]) -> "tuple[np.ndarray, list[str], list[tuple[set[str], str]]]":
        """Fused score matrix (len(titles), n_codes), the codes, and the exact hits per title."""
        import numpy as np

        self._build()
        prepared = [self._prepare(t) for t in titles]
        queries = [key(p[0]) for p in prepared]
        n_codes = len(self._codes)
        out = np.zeros((len(titles), n_codes), dtype=np.float32)
        block = 128
        sem = self._semantic_matrix() if self.encoder is not None else None
        for b in range(0, len(titles), block):
            q = self._vec.transform(queries[b : b + block])
            lex = (q @ self._tfidf.T).toarray().astype(np.float32) * self._doc_weight
            lex_c = np.maximum.reduceat(lex, self._starts, axis=1)
            if sem is not None:
                qe = np.asarray(self.encoder.encode([p[0] for p in prepared[b : b + block]], role="query"), dtype=np.float32)
                s = (qe @ sem.T) * self._doc_weight
                s = np.clip((s - 0.70) / 0.30, 0.0, 1.0)
                sem_c = np.maximum.reduceat(s, self._starts, axis=1)
                fused = (1 - self.semantic_weight) * lex_c + self.semantic_weight * sem_c
            else:
                fused = lex_c
            out[b : b + block] = fused
        # occupations sharing no trade word with the title are damped
        for i, p in enumerate(prepared):
            words = [w[:7] for w in key(p[0]).split() if len(w) >= 4 and w not in self._generic]
            if not words:
                continue
            keep: set[int] = set()
            for w in words:
                keep |= self._word_codes.get(w, set())
            if not keep:  # no known trade word ("Développeur Python"): nothing to compare
                continue
            mask = np.full(n_codes, NO_SHARED_WORD_FACTOR, dtype=np.float32)
            mask[list(keep)] = 1.0
            out[i] *= mask
        code_index = {c: i for i, c in enumerate(self._codes)}
        hits = []
        for i, (_, codes, method) in enumerate(prepared):
            for c in codes:
                if c in code_index:  # exact hits first; ties broken by the fused score
                    j = code_index[c]
                    out[i, j] = 0.9 + 0.1 * out[i, j]
            hits.append((codes, method))
        return out, self._codes, hits

    def normalize(self, titles: Sequence[str], top: int = 5) -> list[list[OccupationMatch]]:
        """Top ``top`` ROME occupations for each title (empty list for an empty title)."""
        import numpy as np

        titles = ["" if t is None else str(t) for t in titles]
        todo = list(dict.fromkeys(t for t in titles if normalize(t) and (t, top) not in self._cache))
        if todo:
            scores, codes, hits = self.score_codes(todo)
            k = min(top, len(codes))
            for i, t in enumerate(todo):
                row = scores[i]
                idx = np.argpartition(-row, k - 1)[:k] if k < len(codes) else np.arange(len(codes))
                idx = sorted(idx, key=lambda j: (-row[j], codes[j]))
                hit_codes, method = hits[i]
                res = []
                for j in idx:
                    if row[j] <= 0:
                        continue
                    c = codes[j]
                    m = method if c in hit_codes else ("semantic" if self.encoder is not None else "lexical")
                    res.append(OccupationMatch(c, self.taxonomy.occupation_label(c), round(float(row[j]), 4), self.taxonomy.family(c), m))
                self._cache[(t, top)] = res
        return [self._cache.get((t, top), []) if normalize(t) else [] for t in titles]

    # --- helpers for scoring and explanations -----------------------------------------------
    def adjacent(self, code_rome: str) -> set[str]:
        """ROME codes reachable from ``code_rome`` by an official mobility link."""
        return self.taxonomy.adjacent(code_rome)

    def family(self, code_rome: str) -> str:
        """Digital job family of a ROME code ("" when not a digital trade)."""
        return self.taxonomy.family(code_rome)

    def family_of_title(self, title: str) -> str:
        """Digital family of the best occupation for a title, or of an emploi-référence."""
        hit = self.taxonomy.family_of_reference.get(key(title))
        if hit:
            return hit[0]
        best = self.normalize([title], top=1)[0]
        return best[0].family if best else ""
