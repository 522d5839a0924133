"""What one record contributes to duplicate detection: blocking features, then the rest.

`record_features` gives every record its blocking keys (title key, first author,
year, first page, DOI, PMID); `complete_features` adds what `judge_pair` reads, only
for records in a pair worth judging. A `FeatureMemo` (one per run) reads each
distinct author entry once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import blake2b as _blake2b
from urllib.parse import unquote

from workbench.core.normalize import (
    author_words, clean_name, first_author_key, first_page, is_generic_title, normalize_languages, normalize_title,
    normalize_titles, notice_kind, split_authors, title_numbers, venue_tokens, volume_number,
)
from workbench.core.records import Record

_PUBMED_URL = re.compile(r"pubmed(?:\.ncbi\.nlm\.nih\.gov)?/(?:\?term=)?(\d{4,9})", re.I)
_BOOK_TYPES = frozenset({"book", "books", "bk", "edited book", "monograph"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_ABSTRACT_TYPES = re.compile(r"conference|abstract|meeting|proceeding|congress|poster|symposium", re.I)


@dataclass(slots=True)
class Features:
    """What one record contributes to matching.

    The blocking fields are computed for every record; the rest only for records
    that appear in a pair worth judging (`complete_features`).
    """

    index: int
    title: str
    n_words: int  # words in the title key (the key is words joined by single spaces)
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
    abstract: str = ""  # a digest of abstract_key (only compared for equality), "" for none
    is_book: bool = False
    recurring: bool = False


def record_features(index: int, record: Record, memo: "FeatureMemo | None" = None) -> Features:
    """Return the blocking features of one record (see `complete_features` for the rest).

    `memo` (one per run) keeps what depends on one field value alone, so a first
    author written the same way in many records is read once.
    """
    key, marker_language = normalize_title(record.title)
    pmid = record.pmid.strip()
    if not pmid and record.url:
        match = _PUBMED_URL.search(record.url)
        pmid = match.group(1) if match else ""
    authors = record.authors
    if not authors:
        first = ""
    elif memo is None:
        first = first_author_key(authors)
    else:
        first = memo.first_author.get(authors[0])
        if first is None:  # first_author_key reads the first entry only
            first = memo.first_author[authors[0]] = first_author_key(authors[:1])
    return Features(index=index, title=key, n_words=key.count(" ") + 1 if key else 0,
                    first_author=first, year=record.year,
                    page=first_page(record.pages) if memo is None else memo.first_page(record.pages),
                    doi=doi_key(record.doi), pmid=pmid,
                    marker_language=marker_language)


def records_features(records, memo: "FeatureMemo", start: int = 0) -> list[Features]:
    """Return `[record_features(i, r, memo) for i, r in enumerate(records, start)]`, in bulk.

    The title keys are made together (`normalize_titles`); the other fields are
    read from the memo a column at a time. tests/core/test_dedupe_bulk.py compares
    the two on hostile records.
    """
    keys = normalize_titles([r.title for r in records])
    first_author = memo.first_author
    pages = memo.pages
    out = []
    append = out.append
    for i, r, (key, marker_language) in zip(range(start, start + len(records)), records, keys):
        pmid = r.pmid.strip()
        if not pmid and r.url:
            match = _PUBMED_URL.search(r.url)
            pmid = match.group(1) if match else ""
        authors = r.authors
        if authors:
            first = first_author.get(authors[0])
            if first is None:
                first = first_author[authors[0]] = first_author_key(authors[:1])
        else:
            first = ""
        page = pages.get(r.pages)
        if page is None:
            page = pages[r.pages] = first_page(r.pages)
        doi = r.doi
        if doi:
            doi = doi_key(doi)
        append(Features(i, key, key.count(" ") + 1 if key else 0, first, r.year, page, doi, pmid,
                        marker_language=marker_language))
    return out


class FeatureMemo:
    """What one field value alone decides, computed once per distinct value in a run.

    Author entries recur across records (an author's many papers, every copy of a
    study), so their name words and first-author keys are read once each.
    """

    __slots__ = ("first_author", "entries", "numbers", "pages", "kinds")

    def __init__(self) -> None:
        #: first author entry -> `first_author_key` of it
        self.first_author: dict[str, str] = {}
        #: author entry -> (how many names it holds, `author_words` of it alone)
        self.entries: dict[str, tuple[int, frozenset[str]]] = {}
        #: volume or issue text -> `volume_number` of it
        self.numbers: dict[str, str] = {}
        #: pages text -> `first_page` of it
        self.pages: dict[str, str] = {}
        #: publication type -> (a meeting abstract or the like, a book)
        self.kinds: dict[str, tuple[bool, bool]] = {}

    def volume_number(self, text: str) -> str:
        """Return `normalize.volume_number(text)`, read once per distinct text."""
        got = self.numbers.get(text)
        if got is None:
            got = self.numbers[text] = volume_number(text)
        return got

    def first_page(self, text: str) -> str:
        """Return `normalize.first_page(text)`, read once per distinct text."""
        got = self.pages.get(text)
        if got is None:
            got = self.pages[text] = first_page(text)
        return got

    def author_words(self, authors: tuple[str, ...]) -> frozenset[str]:
        """Return `normalize.author_words(authors)`, built from each entry's own words.

        `author_words` keeps the words of the first ten names; while the first ten
        entries hold ten names or fewer, that is the union of each entry's words.
        A longer list (a run-together entry of many names) is read whole as before.
        """
        entries = self.entries
        parts = []
        names = 0
        for entry in authors[:10]:
            got = entries.get(entry)
            if got is None:
                got = entries[entry] = (len(split_authors([clean_name(entry)])), author_words((entry,)))
            names += got[0]
            parts.append(got[1])
        if names > 10:
            return author_words(authors)
        if len(parts) == 1:
            return parts[0]
        return frozenset().union(*parts)


def doi_key(doi: str) -> str:
    """Return a DOI as a comparison key: URL escapes read back ("%28" -> "("), lower case."""
    if "%" in doi:
        doi = unquote(doi)
    return doi.strip().rstrip(".,;").lower()


def complete_features(f: Features, record: Record, memo: FeatureMemo | None = None) -> Features:
    """Fill in the fields `judge_pair` needs beyond blocking; returns the same object.

    `memo` (one per run, see `FeatureMemo`) reads each distinct author entry once.
    """
    if f.complete:
        return f
    language = normalize_languages(record.language) if record.language else frozenset()
    if f.marker_language and not language:
        language = frozenset({f.marker_language[:3]})
    f.numbers = title_numbers(f.title.split())
    f.generic = is_generic_title(f.title)
    f.notice = notice_kind(record.title)
    f.language = language
    f.author_words = memo.author_words(record.authors) if memo is not None \
        else author_words(record.authors)
    f.venue = venue_tokens(record.venue) if record.venue else ()
    number = volume_number if memo is None else memo.volume_number
    f.volume = number(record.volume)
    kind = None if memo is None else memo.kinds.get(record.pub_type)
    if kind is None:
        kind = (bool(_ABSTRACT_TYPES.search(record.pub_type)), record.pub_type.strip().lower() in _BOOK_TYPES)
        if memo is not None:
            memo.kinds[record.pub_type] = kind
    f.is_abstract, f.is_book = kind
    f.issue = number(record.issue)
    f.page_text = f.page or record.pages.split("-")[0].strip().lower()  # "iii-iv" -> "iii"
    if len(record.abstract) >= 200:
        key = abstract_key(record.abstract)
        if key:
            f.abstract = abstract_digest(key)
    f.complete = True
    return f


#: Bytes that are not [0-9a-z] become a space (what _NON_WORD.sub does on ASCII text).
_ASCII_WORDS = bytes(b if 48 <= b <= 57 or 97 <= b <= 122 else 32 for b in range(256))
#: The same with A-Z read as a-z.
_ASCII_LOWER_WORDS = bytes(b + 32 if 65 <= b <= 90 else c for b, c in enumerate(_ASCII_WORDS))


def abstract_digest(key: str) -> str:
    """Return what a record keeps of its `abstract_key`: a 128-bit BLAKE2b digest, in hex.

    Matching only asks whether two records' keys are equal. The key is some 400
    characters a record; the digest is 32, so the features of 250,000 records hold
    about 100 MB less at the peak of a first `status`. Two different keys would
    need a 128-bit collision to look equal.
    """
    return _blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def abstract_key(abstract: str) -> str:
    """Return the first 60 words of an abstract's first 600 characters, lower case [0-9a-z].

    ASCII text is cut into words on its bytes (the same words as the regular expression,
    several times faster); any other text goes through `_NON_WORD`.
    """
    head = abstract[:600]
    if head.isascii():  # the table puts A-Z in lower case too; past the 60th word is not split
        return b" ".join(head.encode("ascii").translate(_ASCII_LOWER_WORDS).split(None, 60)[:60]).decode("ascii")
    text = head.lower()
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_WORDS).split()[:60]).decode("ascii")
    return " ".join(_NON_WORD.sub(" ", text).split()[:60])
