"""The duplicate detection of 2026-11-29 (main at 70f1fdc), frozen as a test oracle.

A verbatim copy of `workbench.core.dedupe.match` and of the grouping in
`workbench.core.dedupe.duplicates` before the bulk paths of slice 21d (each distinct
author entry read once, candidate codes deduplicated by sorting, pairs that cannot
change the result set aside in bulk, less held in memory). Tests compare `find_duplicates` with
`oracle_find_duplicates` here field by field: the same studies, record -> study map,
automatic merges, queue, aliases and counts. Do not edit it to follow the library;
it is meant to stay the old code. It uses `workbench.core.normalize` as it is
(21d left it unchanged).
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Iterable, Sequence
from urllib.parse import unquote

import numpy as np
from rapidfuzz.distance import Indel, Levenshtein
from rapidfuzz.process import cpdist

from workbench.core.dedupe.duplicates import (
    MARKED, POSSIBLE, CandidatePair, DedupeResult, PairDecision, Study, latest_pair_decisions,
)
from workbench.core.normalize import (
    author_words, first_author_key, first_page, is_generic_title, normalize_languages, normalize_title,
    notice_kind, title_numbers, venue_tokens, venues_compatible, volume_number,
)
from workbench.core.records import Record
from workbench.errors import DedupeError

log = logging.getLogger(__name__)

DUPLICATE, DISTINCT, UNCERTAIN = "duplicate", "distinct", "uncertain"

#: Neighbourhood window for the sorted-neighbourhood passes.
WINDOW = 6
#: Identifier blocks bigger than this are treated as unreliable (a supplement's shared DOI).
MAX_BLOCK = 40
_PUBMED_URL = re.compile(r"pubmed(?:\.ncbi\.nlm\.nih\.gov)?/(?:\?term=)?(\d{4,9})", re.I)
_BOOK_TYPES = frozenset({"book", "books", "bk", "edited book", "monograph"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
#: Titles this short can be a venue's recurring column ("Editor's Comments", "From the Editor").
RECURRING_MAX_WORDS = 8
#: Titles this short recur on their issue alone, when one export omits the pages.
COLUMN_MAX_WORDS = 5
_ABSTRACT_TYPES = re.compile(r"conference|abstract|meeting|proceeding|congress|poster|symposium", re.I)


@dataclass(slots=True)
class Features:
    """What one record contributes to matching.

    The blocking fields are computed for every record; the rest only for records
    that appear in a pair worth judging (`complete_features`).
    """

    index: int
    title: str
    words: list[str]
    first_author: str
    year: int | None
    page: str
    doi: str
    pmid: str
    complete: bool = False
    numbers: tuple[str, ...] = ()
    generic: bool = False
    notice: str = ""
    language: frozenset[str] = frozenset()
    author_words: frozenset[str] = frozenset()
    venue: tuple[str, ...] = ()
    volume: str = ""
    is_abstract: bool = False
    marker_language: str = ""
    issue: str = ""
    page_text: str = ""
    abstract: str = ""
    is_book: bool = False
    recurring: bool = False


def record_features(index: int, record: Record) -> Features:
    """Return the blocking features of one record (see `complete_features` for the rest)."""
    key, marker_language = normalize_title(record.title)
    pmid = record.pmid.strip()
    if not pmid and record.url:
        match = _PUBMED_URL.search(record.url)
        pmid = match.group(1) if match else ""
    return Features(index=index, title=key, words=key.split(),
                    first_author=first_author_key(record.authors), year=record.year,
                    page=first_page(record.pages), doi=doi_key(record.doi), pmid=pmid,
                    marker_language=marker_language)


def doi_key(doi: str) -> str:
    """Return a DOI as a comparison key: URL escapes read back ("%28" -> "("), lower case."""
    if "%" in doi:
        doi = unquote(doi)
    return doi.strip().rstrip(".,;").lower()


def complete_features(f: Features, record: Record) -> Features:
    """Fill in the fields `judge_pair` needs beyond blocking; returns the same object."""
    if f.complete:
        return f
    language = normalize_languages(record.language) if record.language else frozenset()
    if f.marker_language and not language:
        language = frozenset({f.marker_language[:3]})
    f.numbers = title_numbers(f.words)
    f.generic = is_generic_title(f.title)
    f.notice = notice_kind(record.title)
    f.language = language
    f.author_words = author_words(record.authors)
    f.venue = venue_tokens(record.venue) if record.venue else ()
    f.volume = volume_number(record.volume)
    f.is_abstract = bool(_ABSTRACT_TYPES.search(record.pub_type))
    f.is_book = record.pub_type.strip().lower() in _BOOK_TYPES
    f.issue = volume_number(record.issue)
    f.page_text = f.page or record.pages.split("-")[0].strip().lower()  # "iii-iv" -> "iii"
    if len(record.abstract) >= 200:
        f.abstract = " ".join(_NON_WORD.sub(" ", record.abstract[:600].lower()).split()[:60])
    f.complete = True
    return f


def _codes(values: list[str]) -> np.ndarray:
    """Return an int code per value (equal values, equal codes; "" gets -1)."""
    table: dict[str, int] = {}
    return np.fromiter((table.setdefault(v, len(table)) if v else -1 for v in values),
                       dtype=np.int64, count=len(values))


def _window_pairs(order: np.ndarray, window: int) -> list[np.ndarray]:
    out = []
    for k in range(1, window):
        a, b = order[:-k], order[k:]
        out.append((np.minimum(a, b) << 32) | np.maximum(a, b))
    return out


def find_candidates(feats: list[Features]) -> np.ndarray:
    """Return candidate pairs as an (m, 2) array of indices (i < j), by blocking.

    Blocks: equal DOI, equal PMID (blocks over MAX_BLOCK get a sorted neighbourhood
    instead of all pairs), and sorted neighbourhoods over the title, the title
    read backwards, and first author + year + page. Never compares all pairs.
    """
    n = len(feats)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    parts: list[np.ndarray] = []
    titles = [f.title for f in feats]
    for attr in ("doi", "pmid"):
        blocks: dict[str, list[int]] = {}
        for f in feats:
            value = getattr(f, attr)
            if value:
                blocks.setdefault(value, []).append(f.index)
        for members in blocks.values():
            if len(members) < 2:
                continue
            if len(members) <= MAX_BLOCK:
                parts.append(np.array([(x << 32) | y for k, x in enumerate(members)
                                       for y in members[k + 1:]], dtype=np.int64))
            else:
                order = np.array(sorted(members, key=titles.__getitem__), dtype=np.int64)
                parts.extend(_window_pairs(order, WINDOW))
    keys = (
        titles,
        [" ".join(reversed(f.words)) for f in feats],
        [f"{f.first_author} {f.year or ''} {f.page} {f.title}" for f in feats],
    )
    for key in keys:
        order = np.array(sorted(range(n), key=key.__getitem__), dtype=np.int64)
        parts.extend(_window_pairs(order, WINDOW))
    codes = np.unique(np.concatenate(parts))
    return np.stack((codes >> 32, codes & 0xFFFFFFFF), axis=1)


def worth_judging(feats: list[Features], pairs: np.ndarray) -> np.ndarray:
    """Return the candidate pairs that can be anything but a plain distinct pair.

    Title similarity is computed in bulk (rapidfuzz, both cores); pairs with
    dissimilar titles, no shared identifier and no shared title start are dropped.
    """
    if len(pairs) == 0:
        return pairs
    titles = np.array([f.title for f in feats], dtype=object)
    left, right = pairs[:, 0], pairs[:, 1]
    sims = cpdist(titles[left].tolist(), titles[right].tolist(), scorer=Indel.normalized_similarity,
                  workers=-1, dtype=np.float32)
    keep = sims >= 0.6
    for values in ([f.title[:15] if len(f.title) >= 15 else "" for f in feats],
                   [f.doi for f in feats], [f.pmid for f in feats]):
        codes = _codes(values)
        keep |= (codes[left] == codes[right]) & (codes[left] >= 0)
    return pairs[keep]


def mark_recurring(feats: list[Features], records: list[Record]) -> int:
    """Flag records whose short title recurs within one venue in other issues or years.

    "Editor's Comments" in every issue of a journal is not one study: such a title is
    generic for that venue, so `judge_pair` then asks for matching issue and pages.
    A title recurs when two records of compatible venues are placed apart: different
    volumes, different issues, or years two or more apart, on different first pages
    (the same first page is one item with a wrong issue); a title of at most
    COLUMN_MAX_WORDS words recurs on the issue alone when a side has no pages.
    Returns how many records were flagged.
    """
    groups: dict[str, list[int]] = {}
    for f in feats:
        if f.title and len(f.words) <= RECURRING_MAX_WORDS:
            groups.setdefault(f.title, []).append(f.index)
    flagged: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        by_venue: dict[tuple[str, ...], list[tuple]] = {}
        for i in members:
            r = records[i]
            if r.venue:
                by_venue.setdefault(venue_tokens(r.venue), []).append(
                    (i, r.year, volume_number(r.volume), volume_number(r.issue), first_page(r.pages)))
        venues = list(by_venue)
        for x, y in [(x, x) for x in range(len(venues))] + list(combinations(range(len(venues)), 2)):
            if x != y and not venues_compatible(venues[x], venues[y]):
                continue
            left, right = by_venue[venues[x]], by_venue[venues[y]]
            if len(left) * len(right) > 20000:  # a title in hundreds of issues recurs
                flagged.update(p[0] for p in left + right)
                continue
            pairs = combinations(left, 2) if x == y else ((p, q) for p in left for q in right)
            column_like = len(feats[members[0]].words) <= COLUMN_MAX_WORDS
            for p, q in pairs:
                if (((p[2] and q[2] and p[2] != q[2]) or (p[3] and q[3] and p[3] != q[3])
                        or (p[1] and q[1] and abs(p[1] - q[1]) >= 2))
                        and (p[4] and q[4] and p[4] != q[4] or not (p[4] and q[4]) and column_like)):
                    flagged.add(p[0])
                    flagged.add(q[0])
    for i in flagged:
        feats[i].recurring = True
    return len(flagged)


def _title_similarity(a: Features, b: Features) -> tuple[float, bool]:
    """Return (similarity 0..100, whether one title looks like a truncation of the other).

    Titles that differ only in spacing ("IN VIVOIMAGING" / "in vivo imaging") are equal.
    """
    if a.title == b.title:
        return 100.0, False
    if a.title.replace(" ", "") == b.title.replace(" ", ""):
        return 100.0, False
    sim = Indel.normalized_similarity(a.title, b.title) * 100.0
    short, long_ = (a, b) if len(a.title) <= len(b.title) else (b, a)
    truncated = False
    if len(short.words) >= 3 and len(short.title) >= 15:
        cut = long_.title[:len(short.title)]
        if cut == short.title or (Indel.normalized_similarity(cut, short.title) >= 0.95):
            truncated = True
    return sim, truncated


def _near_words(words: frozenset[str]) -> set[str]:
    """Return every name word of 4+ letters and each of its one-letter deletions."""
    keys = set()
    for w in words:
        if len(w) >= 4:
            keys.add(w)
            keys.update(w[:k] + w[k + 1:] for k in range(len(w)))
    return keys


def _authors(a: Features, b: Features, fuzzy: bool = True) -> float | None:
    """Return author agreement 0..1, or None when a side has no authors.

    The share of the shorter list's name words found in the other list; a word one
    letter off counts ("mller" for "muller", "wng" for "wang": a letter lost to mojibake) when
    `fuzzy` (the caller asks only where the title or an identifier already agrees).
    """
    if not a.author_words or not b.author_words:
        return None
    if a.first_author and a.first_author == b.first_author:
        return 1.0
    small, large = (a.author_words, b.author_words) if len(a.author_words) <= len(b.author_words) \
        else (b.author_words, a.author_words)
    common = len(small & large)
    if fuzzy and 2 * common < len(small):
        near = _near_words(large - small)
        if near:
            common += sum(1 for w in small - large if len(w) >= 3 and (
                w in near or any(w[:k] + w[k + 1:] in near for k in range(len(w)))))
    return common / len(small)


def _doi_typo(x: str, y: str) -> bool:
    """Return True when two DOIs differ by one letter ("pp-2018" / "pap-2018"); digits never."""
    if not x or not y or x.split("/", 1)[0] != y.split("/", 1)[0] or min(len(x), len(y)) < 10:
        return False
    ops = Levenshtein.editops(x, y)
    if len(ops) != 1:
        return False
    op = ops[0]
    chars = [x[op.src_pos]] if op.tag == "delete" else [y[op.dest_pos]]
    if op.tag == "replace":
        chars.append(x[op.src_pos])
    return all(ch.isalpha() for ch in chars)


def _judge_recurring(a: Features, b: Features, sim: float, doi_equal: bool):
    """Verdict for a generic title or one that recurs in the venue: issue and pages decide."""
    kind = "generic title" if a.generic or b.generic else "title recurs in this venue"
    if sim < 95 or (a.title != b.title and (a.generic or b.generic)):
        return DISTINCT, 0.0 if a.generic or b.generic else 0.05, (f"{kind}; titles differ",)
    authors = _authors(a, b)
    apart = []
    if authors == 0:
        apart.append("no author in common")
    if a.year and b.year and a.year != b.year:
        apart.append(f"years {a.year} and {b.year}")
    if not venues_compatible(a.venue, b.venue):
        apart.append("venues differ")
    if a.volume and b.volume and a.volume != b.volume:
        apart.append("volumes differ")
    if a.issue and b.issue and a.issue != b.issue:
        apart.append("issues differ")
    if a.page_text and b.page_text and a.page_text != b.page_text:
        apart.append("first pages differ")
    if a.doi and b.doi and not doi_equal:
        apart.append("DOIs differ")
    if apart:
        return DISTINCT, 0.0, (kind, *apart)
    placed = bool(a.issue and a.page_text and b.issue and b.page_text)
    one_side = bool(a.issue) != bool(b.issue) or bool(a.page_text) != bool(b.page_text)
    if placed:
        return DUPLICATE, 0.95, (kind, "issue and pages agree") + (("same DOI",) if doi_equal else ())
    if doi_equal and not one_side:
        return DUPLICATE, 0.9, (kind, "same DOI", "neither gives issue and pages")
    if a.venue and b.venue and a.year and b.year:
        agree = [name for name, same in (("same DOI", doi_equal), ("same issue", a.issue and a.issue == b.issue),
                                         ("same pages", a.page_text and a.page_text == b.page_text)) if same]
        return UNCERTAIN, 0.4 + 0.2 * len(agree), (
            kind, *(agree or ["same venue and year"]),
            "issue or pages missing on one side" if one_side else "no issue and pages to compare")
    return DISTINCT, 0.0, (kind, "too little to tell apart issues")


def judge_pair(a: Features, b: Features) -> tuple[str, float, tuple[str, ...]]:
    """Return (verdict, score 0..1, reasons) for two records.

    Identifiers count only when titles are compatible; notices (errata, replies,
    comments, retractions), numbered parts, different years and generic or
    recurring titles keep records apart. The same DOI and title never end apart
    without a person: such a pair is merged or queued.
    """
    sim, truncated = _title_similarity(a, b)
    doi_equal = bool(a.doi) and a.doi == b.doi
    pmid_equal = bool(a.pmid) and a.pmid == b.pmid
    if a.pmid and b.pmid and not pmid_equal:
        return DISTINCT, 0.0, ("different PMID",)
    if a.notice != b.notice:
        return DISTINCT, 0.0, (f"notice kind differs ({a.notice or 'article'} vs {b.notice or 'article'})",)
    if a.language and b.language and not a.language & b.language:
        return DISTINCT, 0.0, ("different language",)
    if a.generic or b.generic or a.recurring or b.recurring:
        return _judge_recurring(a, b, sim, doi_equal)
    cut_numbers = False
    if a.numbers != b.numbers:
        short, long_ = (a, b) if len(a.title) <= len(b.title) else (b, a)
        if not (truncated and long_.numbers[:len(short.numbers)] == short.numbers):
            return DISTINCT, 0.0, ("numbers in titles differ",)
        cut_numbers = True  # "Part II" may be what was cut off: never certain
    same_abstract = bool(a.abstract) and a.abstract == b.abstract
    verdict, score, reasons = _weigh(a, b, sim, truncated, cut_numbers, doi_equal, pmid_equal, same_abstract)
    close_years = not (a.year and b.year and abs(a.year - b.year) > 1)
    if verdict == DISTINCT and (sim >= 95 or truncated) and (doi_equal or (
            same_abstract and close_years and not (a.doi and b.doi))):
        # the same identifier or abstract under the same title: a person decides
        return UNCERTAIN, max(min(score, 0.7), 0.5), reasons + (
            "same DOI and title" if doi_equal else "same abstract and title",)
    return verdict, score, reasons


def _weigh(a: Features, b: Features, sim: float, truncated: bool, cut_numbers: bool, doi_equal: bool,
           pmid_equal: bool, same_abstract: bool) -> tuple[str, float, tuple[str, ...]]:
    """The verdict from title, identifiers, authors, year, venue, volume and pages."""
    reasons: list[str] = []
    authors = _authors(a, b, fuzzy=sim >= 85 or truncated or doi_equal or same_abstract)
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    pages_differ = bool(a.page and b.page and a.page != b.page)
    volume_differs = bool(a.volume and b.volume and a.volume != b.volume)
    venue_ok = venues_compatible(a.venue, b.venue)
    doi_typo = not doi_equal and _doi_typo(a.doi, b.doi)
    doi_differs = bool(a.doi and b.doi and not doi_equal and not doi_typo)

    if sim >= 95:
        reasons.append("same title" if sim == 100 else f"title {sim:.0f}%")
    elif truncated:
        reasons.append("title truncated")
    if pmid_equal:
        reasons.append("same PMID")
    if doi_equal:
        reasons.append("same DOI")
    elif doi_typo:
        reasons.append("DOIs differ by one letter")
    if same_abstract:
        reasons.append("same abstract")

    if pmid_equal and (sim >= 70 or truncated) and (authors is None or authors > 0):
        return DUPLICATE, 0.99, tuple(reasons)
    if (doi_equal and sim >= 97 and not cut_numbers and (year_gap is None or year_gap <= 1)
            and not pages_differ and (venue_ok or (a.page and a.page == b.page) or same_abstract)):
        # identifiers and title settle it; author lists, venue names and record types only
        # differ in form (run-together names, a book record of a conference paper)
        extra = []
        if authors is not None and authors < 0.5:
            extra.append("author lists differ in form")
        if a.is_book != b.is_book:
            extra.append("book and paper records of one item")
        if not venue_ok:
            extra.append("venues differ")
        if year_gap == 1:
            extra.append("years differ by one (online first)")
        return DUPLICATE, 0.95 - 0.02 * len(extra), tuple(reasons + extra)
    if (sim >= 97 and min(len(a.words), len(b.words)) >= 6 and not cut_numbers and year_gap == 0
            and a.page and a.page == b.page and a.volume and a.volume == b.volume
            and a.venue and b.venue and venue_ok and not (a.doi and b.doi and not doi_equal and not doi_typo)):
        # a long title in the same venue, volume, first page and year is one item: the author
        # field may be malformed, it cannot veto that
        extra = ["same venue, volume, first page and year"]
        if authors is not None and authors < 0.5:
            extra.append("author lists differ in form")
        return DUPLICATE, 0.92 - 0.02 * (len(extra) - 1), tuple(reasons + extra)
    if (same_abstract and sim >= 97 and not cut_numbers and (year_gap is None or year_gap <= 1)
            and not pages_differ and not (a.doi and b.doi and not doi_equal and not doi_typo)):
        # the same title over the same abstract: one item, whatever the record type or author form
        return DUPLICATE, 0.93, tuple(reasons)
    if year_gap is not None and year_gap > 1:
        return DISTINCT, 0.05, (f"years {a.year} and {b.year}",)
    if authors is not None and authors == 0:
        if sim >= 98 and (doi_equal or (not pages_differ and a.page and year_gap == 0)):
            return UNCERTAIN, 0.5, tuple(reasons + ["no author in common"])
        return DISTINCT, 0.05, ("no author in common",)
    conflicts = []
    if pages_differ:
        conflicts.append("first pages differ")
    if year_gap == 1:
        conflicts.append("years differ by one")
    if not venue_ok:
        conflicts.append("venues differ")
    if volume_differs:
        conflicts.append("volumes differ")
    if doi_differs:
        conflicts.append("DOIs differ")
    if a.is_abstract != b.is_abstract:
        conflicts.append("conference abstract vs article")
    author_ok = authors is None or authors >= 0.5
    support = sum((doi_equal or doi_typo or same_abstract, bool(a.page) and a.page == b.page, bool(a.volume) and a.volume == b.volume,
                   bool(a.venue and b.venue) and venue_ok, year_gap == 0, authors is not None and authors >= 0.5))
    short_cut = truncated and min(len(a.words), len(b.words)) < 5
    # a title cut short matches by its start; the rest of the record must then agree
    title_ok = sim >= 95 or (truncated and (sim >= 60 or support >= 4) and (not short_cut or (
        bool(a.page) and a.page == b.page and year_gap == 0 and not conflicts)))
    score = min(1.0, sim / 100 * 0.6 + 0.08 * support - 0.1 * len(conflicts))
    hard = [c for c in conflicts if c in ("first pages differ", "DOIs differ", "conference abstract vs article",
                                         "volumes differ")]
    if not venue_ok and len(conflicts) > 1:
        return DISTINCT, score, tuple(reasons + conflicts)
    placement = [c for c in conflicts if c in ("years differ by one", "volumes differ", "first pages differ")]
    if len(placement) > 1 and not (doi_equal or pmid_equal):
        # published in another year, volume or pages: an abstract and its article, or two reports
        return DISTINCT, score, tuple(reasons + conflicts)
    if cut_numbers:
        # a Part I and a Part II never share a DOI or a first page
        if author_ok and not hard and (doi_equal or (
                bool(a.page) and a.page == b.page and year_gap == 0 and not conflicts)):
            return DUPLICATE, max(score, 0.8), tuple(reasons + ["numbers only in the longer title"])
        if doi_equal or pmid_equal or (author_ok and not hard and support >= 3):
            return UNCERTAIN, min(score, 0.7), tuple(reasons + ["numbers only in the longer title"])
        return DISTINCT, score, tuple(reasons + ["numbers only in the longer title"])
    if doi_equal and (sim >= 90 or truncated) and author_ok and not pages_differ:
        return DUPLICATE, max(score, 0.9), tuple(reasons)
    if title_ok and author_ok and not hard and len(conflicts) <= 1 and support >= 3:
        return DUPLICATE, max(score, 0.85), tuple(reasons + conflicts)
    if (sim >= 97 and min(len(a.words), len(b.words)) >= 6 and authors is not None and authors >= 0.5
            and year_gap == 0 and not conflicts):
        return DUPLICATE, max(score, 0.8), tuple(reasons + ["authors and year agree"])
    if (conflicts == ["DOIs differ"] and sim >= 98 and authors is not None and authors >= 0.5
            and year_gap == 0 and a.page and a.page == b.page):
        # one DOI may be wrong, or one record is a chapter and the other its whole book
        # (same title, authors, year and first page): a person decides
        return UNCERTAIN, min(score, 0.75), tuple(reasons + conflicts)
    if sim >= 90 and author_ok and not conflicts and support >= 4:
        return DUPLICATE, max(score, 0.8), tuple(reasons + [f"title {sim:.0f}%"])
    if (sim >= 85 or truncated) and (authors is None or authors > 0) and len(hard) <= 1:
        if sim >= 95 and hard == ["first pages differ"] and (year_gap == 1 or not venue_ok):
            return DISTINCT, score, tuple(reasons + conflicts)
        why = list(conflicts)  # say why a person is asked, not only what agrees
        if authors is not None and not author_ok:
            why.append("authors agree only in part")
        if support < 3:
            why.append("few other fields to confirm")
        return UNCERTAIN, score, tuple(reasons + (why or [f"title {sim:.0f}%"]))
    return DISTINCT, score, tuple(reasons + conflicts) or (f"title {sim:.0f}%",)


class _ConstrainedUnion:
    """Union-find that refuses to join groups a "cannot link" constraint keeps apart."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.apart: dict[int, set[int]] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def keep_apart(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        self.apart.setdefault(ri, set()).add(rj)
        self.apart.setdefault(rj, set()).add(ri)
        return True

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        if rj in self.apart.get(ri, ()):
            return False
        keep, gone = (ri, rj) if ri < rj else (rj, ri)  # the earlier record stays the root
        self.parent[gone] = keep
        moved = self.apart.pop(gone, set())
        for other in moved:
            peers = self.apart[other]
            peers.discard(gone)
            peers.add(keep)
        if moved:
            self.apart.setdefault(keep, set()).update(moved)
        return True


def _most_complete(values: Sequence):
    """Return the longest value; on a tie the earliest record's value."""
    best = values[0]
    for value in values[1:]:
        if len(value) > len(best):
            best = value
    return best


def _build_study(sid: str, members: list[Record]) -> Study:
    if len(members) == 1:
        r = members[0]
        return Study(id=sid, record_ids=(r.id,), title=r.title, abstract=r.abstract, authors=r.authors,
                     year=r.year, venue=r.venue, volume=r.volume, issue=r.issue, pages=r.pages,
                     doi=r.doi, pmid=r.pmid, url=r.url, keywords=r.keywords,
                     databases=(r.database,) if r.database else ())
    years = Counter(r.year for r in members if r.year)
    year = max(years, key=lambda y: (years[y], -y)) if years else None
    text = {name: _most_complete([getattr(r, name) for r in members])
            for name in ("title", "abstract", "venue", "volume", "issue", "pages", "doi", "pmid", "url")}
    databases = tuple(dict.fromkeys(r.database for r in members if r.database))
    return Study(id=sid, record_ids=tuple(r.id for r in members), year=year,
                 authors=_most_complete([r.authors for r in members]),
                 keywords=_most_complete([r.keywords for r in members]),
                 databases=databases, **text)


def oracle_find_duplicates(
    records: list[Record],
    decisions: Iterable[PairDecision] = (),
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    known_study_ids: Iterable[str] | None = None,
) -> DedupeResult:
    """Group records into studies: identifiers, fuzzy matching, and people's decisions.

    Args:
        records: every record, in import order (files in import order, then position).
        decisions: people's pair decisions from all reviewers; the latest per pair stands.
            "different" always keeps two records apart, "same" always joins them.
        progress: called with (done, total) as the run advances; total is 100 (per cent).
        cancel: when set, the run stops and raises DedupeCancelled.
        known_study_ids: study ids that carry decisions; when given, `aliases` is
            limited to these. Otherwise every id a study could have had before is listed.

    Returns:
        A DedupeResult: studies, record -> study id, automatic merges, uncertain pairs
        not yet decided by a person, and aliases from absorbed study ids to the surviving id.

    Raises:
        DedupeError: two records share an id.
        DedupeCancelled: `cancel` was set.
    """
    # The run allocates many small objects and frees nothing until it ends; the cyclic
    # garbage collector would rescan them all repeatedly (2-3x slower at 100k records).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _find_duplicates(records, decisions, progress, cancel, known_study_ids)
    finally:
        if collecting:
            gc.enable()


def _find_duplicates(records, decisions, progress, cancel, known_study_ids) -> DedupeResult:
    index = {}
    for i, record in enumerate(records):
        if record.id in index:
            raise DedupeError(f"record id {record.id!r} appears twice; re-import the references",
                              hint="duplicate detection did not run")
        index[record.id] = i
    def report(done: float) -> None:  # progress in per cent of the whole run
        _check(cancel)
        if progress:
            progress(int(done), 100)

    report(0)
    feats = []
    chunk = max(1000, len(records) // 20)
    for start in range(0, len(records), chunk):
        feats.extend(record_features(i, r) for i, r in enumerate(records[start:start + chunk], start))
        report(35 * min(start + chunk, len(records)) / len(records))
    candidates = find_candidates(feats)
    total = len(candidates)
    report(50)
    pairs = [(int(i), int(j)) for i, j in worth_judging(feats, candidates).tolist()]
    judged = len(pairs)
    for i in {k for pair in pairs for k in pair}:
        complete_features(feats[i], records[i])
    mark_recurring(feats, records)
    report(65)

    union = _ConstrainedUnion(len(records))
    latest = latest_pair_decisions(decisions)
    conflicts: list[str] = []
    person_pairs: set[tuple[int, int]] = set()
    marked: list[tuple[int, int, PairDecision]] = []
    person_same = person_different = 0
    for pair, decision in latest.items():
        a, b = decision.record_a, decision.record_b
        if a not in index or b not in index or a == b:
            log.info("pair decision %s/%s names a record that is not imported; ignored", a, b)
            continue
        i, j = sorted((index[a], index[b]))
        person_pairs.add((i, j))   # a possible duplicate is neither merged nor kept apart
        if decision.verdict == POSSIBLE:
            marked.append((i, j, decision))
        if decision.verdict == "different":
            union.keep_apart(i, j)
            person_different += 1
    for decision in latest.values():
        a, b = decision.record_a, decision.record_b
        if decision.verdict == "same" and a in index and b in index and a != b:
            person_same += 1
            if not union.union(index[a], index[b]):
                conflicts.append(f"{a} and {b}: marked the same, but another answer keeps them apart")

    merges: list[tuple[float, int, int, tuple[str, ...]]] = []
    uncertain: list[CandidatePair] = []
    step = max(1, judged // 30)
    for n, (i, j) in enumerate(pairs):
        if n % step == 0:
            report(65 + 30 * n / judged)
        verdict, score, reasons = judge_pair(feats[i], feats[j])
        if verdict == DUPLICATE:
            merges.append((score, i, j, reasons))
        elif verdict == UNCERTAIN:
            if (i, j) not in person_pairs:
                uncertain.append(CandidatePair(records[i].id, records[j].id, round(score, 3), reasons))
        elif verdict == DISTINCT and score == 0.0 and (i, j) not in person_pairs:
            union.keep_apart(i, j)
    for i, j, decision in marked:   # a person asked: the pair waits in the queue, first
        complete_features(feats[i], records[i])
        complete_features(feats[j], records[j])
        _, score, reasons = judge_pair(feats[i], feats[j])
        said = f"{MARKED} {decision.reviewer}" + (f": {decision.note}" if decision.note else "")
        uncertain.append(CandidatePair(records[i].id, records[j].id, round(score, 3),
                                       (said,) + tuple(reasons)))
    report(95)

    merges.sort(key=lambda m: (-m[0], m[1], m[2]))
    auto_merged: list[CandidatePair] = []
    for score, i, j, reasons in merges:
        if (i, j) in person_pairs:
            continue
        if union.union(i, j):
            auto_merged.append(CandidatePair(records[i].id, records[j].id, round(score, 3), reasons))
        else:
            uncertain.append(CandidatePair(records[i].id, records[j].id, round(score, 3),
                                           reasons + ("would join records kept apart",)))

    groups: dict[int, list[Record]] = {}
    for i, record in enumerate(records):
        groups.setdefault(union.find(i), []).append(record)
    studies = [_build_study("S" + members[0].id, members) for _, members in sorted(groups.items())]
    record_to_study = {rid: s.id for s in studies for rid in s.record_ids}
    uncertain = [p for p in uncertain if record_to_study[p.record_a] != record_to_study[p.record_b]]
    uncertain.sort(key=lambda p: (not p.reasons[:1] or not p.reasons[0].startswith(MARKED),
                                  -p.score, p.record_a, p.record_b))
    known = set(known_study_ids) if known_study_ids is not None else None
    aliases = {}
    for study in studies:
        for rid in study.record_ids[1:]:
            old = "S" + rid
            if known is None or old in known:
                aliases[old] = study.id
    result = DedupeResult(studies=studies, record_to_study=record_to_study,
                          auto_merged_pairs=auto_merged, uncertain=uncertain, aliases=aliases,
                          records=len(records), candidate_pairs=total, person_merges=person_same,
                          person_splits=person_different, conflicts=conflicts)
    if progress:
        progress(100, 100)
    log.info("dedupe: %(records)d records -> %(studies)d studies; %(candidate_pairs)d candidate pairs, "
             "%(auto_merged_pairs)d merged automatically, %(uncertain_pairs)d waiting for a person",
             result.summary)
    return result


def _check(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise DedupeError("duplicate detection was cancelled", hint="nothing was changed")
