"""Which study is this file the full text of? Matching rules, pure (no file I/O).

Signals, each strong or weak:

- DOI printed in the file: strong when on the first page, in a line that
  repeats on several pages (a running header/footer) or in the file name;
  weak anywhere else (the reference list cites other studies' DOIs).
- File name: a study's citation key, one of its DOIs ("/" written "_" or
  "-") or its study id is strong; first author's surname + year is weak.
- Title on the first page (rapidfuzz partial ratio of the normalised title
  against the first page's text): >= 92 is strong, >= 80 weak. Titles
  shorter than three words or 20 characters give weak signals only.

A file is linked with certainty when one study has a strong signal or two
weak ones, and no other study has any strong signal; otherwise the
candidates go to a person. Nothing is ever linked on one weak signal.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

STRONG, WEAK = "strong", "weak"
TITLE_STRONG, TITLE_WEAK = 92.0, 80.0

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}]+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def clean_doi(doi: str) -> str:
    """Return a DOI lower-cased without a resolver prefix or trailing punctuation."""
    doi = doi.strip().lower()
    doi = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", "", doi)
    return doi.rstrip(".,;:)]}'\"")


def find_dois(text: str) -> list[str]:
    """Return the DOIs printed in a text, cleaned, in order of first appearance."""
    seen = dict.fromkeys(clean_doi(m.group()) for m in _DOI.finditer(text))
    return [d for d in seen if "/" in d and len(d) > 8]


def fold(text: str) -> str:
    """Return text lower-cased, accents removed, punctuation as single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def surname(author: str) -> str:
    """Return the folded surname of "Surname, Given" or "Given Surname"."""
    author = author.strip()
    name = author.split(",", 1)[0] if "," in author else (author.split() or [""])[-1]
    return fold(name).replace(" ", "")


@dataclass(frozen=True)
class StudyKeys:
    """What a study can be recognised by."""

    study_id: str
    title: str
    dois: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    surname: str = ""
    year: int | None = None


@dataclass(frozen=True)
class Signal:
    """One reason to think a file is a study's full text."""

    study_id: str
    strength: str
    reason: str


@dataclass
class Verdict:
    """The outcome for one file: a certain study, or candidates for a person."""

    study_id: str = ""
    candidates: dict[str, list[Signal]] = field(default_factory=dict)

    @property
    def certain(self) -> bool:
        return bool(self.study_id)

    def describe(self, study_id: str) -> str:
        return "; ".join(f"{s.reason} ({s.strength})" for s in self.candidates.get(study_id, []))


class StudyIndex:
    """Look-ups from DOIs, keys, surname+year and title words to studies."""

    def __init__(self, studies: list[StudyKeys]) -> None:
        self.studies = {s.study_id: s for s in studies}
        self.by_doi: dict[str, set[str]] = defaultdict(set)
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.by_author_year: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.by_word: dict[str, set[str]] = defaultdict(set)
        self.folded: dict[str, str] = {}
        for s in studies:
            for doi in s.dois:
                doi = clean_doi(doi)
                self.by_doi[doi].add(s.study_id)
                for form in (doi.replace("/", "_"), doi.replace("/", "-")):
                    self.by_key[fold(form).replace(" ", "")].add(s.study_id)
            for key in (*s.keys, s.study_id):
                if key:
                    self.by_key[fold(key).replace(" ", "")].add(s.study_id)
            if s.surname and s.year:
                self.by_author_year[(s.surname, s.year)].add(s.study_id)
            folded = fold(s.title)
            self.folded[s.study_id] = folded
            for word in _title_words(folded):
                self.by_word[word].add(s.study_id)


def _title_words(folded: str) -> set[str]:
    return {w for w in folded.split() if len(w) >= 4 or not w.isascii()}


def name_signals(index: StudyIndex, stem: str) -> list[Signal]:
    """Return the signals a file name (without suffix) gives."""
    out = []
    squashed = fold(stem).replace(" ", "")
    for sid in index.by_key.get(squashed, ()):
        out.append(Signal(sid, STRONG, f"file name is its key/DOI/id {stem!r}"))
    for doi in find_dois(stem.replace("_", "/", 1)):
        for sid in index.by_doi.get(doi, ()):
            out.append(Signal(sid, STRONG, f"DOI {doi} in the file name"))
    words = fold(stem).split()
    years = [int(y) for y in _YEAR.findall(stem)]
    if words and years:
        first = re.sub(r"\d+$", "", words[0])
        for year in years:
            for sid in index.by_author_year.get((first, year), ()):
                out.append(Signal(sid, WEAK, f"file name starts with author+year {first} {year}"))
    return out


def doi_signals(index: StudyIndex, pages: list[str], running: str = "") -> list[Signal]:
    """Return the signals of DOIs printed in the text (first page/running lines strong)."""
    out = []
    first = set(find_dois(pages[0])) if pages else set()
    counts: dict[str, int] = defaultdict(int)
    for page in pages:
        for doi in find_dois(page):
            counts[doi] += 1
    strong_running = set(find_dois(running))
    for doi, n in counts.items():
        for sid in index.by_doi.get(doi, ()):
            if doi in first or doi in strong_running or n >= 3:
                where = "page 1" if doi in first else "running header/footer"
                out.append(Signal(sid, STRONG, f"DOI {doi} printed on {where}"))
            else:
                out.append(Signal(sid, WEAK, f"DOI {doi} printed in the text"))
    return out


def title_signals(index: StudyIndex, first_page: str) -> list[Signal]:
    """Return the signals of study titles found on the first page (rapidfuzz)."""
    from rapidfuzz import fuzz
    page = fold(first_page[:6000])
    if not page:
        return []
    words = _title_words(page)
    hits: dict[str, int] = defaultdict(int)
    for word in words:
        for sid in index.by_word.get(word, ()):
            hits[sid] += 1
    out = []
    for sid, n in hits.items():
        title = index.folded[sid]
        wanted = _title_words(title)
        if not wanted or n < 0.6 * len(wanted):
            continue
        score = fuzz.partial_ratio(title, page)
        short = len(title.split()) < 3 or len(title) < 20
        if score >= TITLE_STRONG:
            out.append(Signal(sid, WEAK if short else STRONG,
                              f"title on page 1 ({score:.0f}%)"))
        elif score >= TITLE_WEAK:
            out.append(Signal(sid, WEAK, f"title nearly on page 1 ({score:.0f}%)"))
    return out


def decide(signals: list[Signal]) -> Verdict:
    """Return the certain study or the candidates, from all signals about one file."""
    per: dict[str, list[Signal]] = defaultdict(list)
    for s in signals:
        if s not in per[s.study_id]:
            per[s.study_id].append(s)
    verdict = Verdict(candidates=dict(per))
    strong = [sid for sid, ss in per.items() if any(s.strength == STRONG for s in ss)]
    if len(strong) == 1:
        verdict.study_id = strong[0]
    elif not strong:
        doubly = [sid for sid, ss in per.items() if len({s.reason for s in ss}) >= 2]
        if len(doubly) == 1 and len(per) == 1:
            verdict.study_id = doubly[0]
    return verdict
