"""Column names of the common CSV/TSV exports, and how to read their cells.

Headers are compared after `normalize_header` (lower case, letters and digits
only), so "Publication Year", "publication_year" and "PUBLICATION-YEAR" match.
"""

from __future__ import annotations

import re

from urllib.parse import unquote

from workbench.core.records import BIB_FIELDS, normalize_doi

#: Fields a `--map column=field` option may name.
MAPPABLE_FIELDS: tuple[str, ...] = BIB_FIELDS + ("key",)

#: Candidate headers per field, best first (normalized form).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "articletitle", "documenttitle", "publicationtitleofarticle", "primarytitle",
              "papertitle", "displayname", "headline"),
    "abstract": ("abstract", "abstractnote", "abstracttext", "summary", "description"),
    "authors": ("authorfullnames", "authors", "author", "authornames", "authorsnames",
                "authorshipsauthordisplayname", "creators", "creator", "username", "user",
                "handle", "accountname"),
    "year": ("year", "publicationyear", "pubyear", "publishedyear", "yearpublished", "py",
             "date", "publicationdate", "pubdate", "datepublished", "publisheddate", "createdat",
             "created", "timestamp", "datetime", "postdate"),
    "venue": ("sourcetitle", "publicationtitle", "journal", "journaltitle", "journalname",
              "primarylocationsourcedisplayname", "venue", "source", "publication",
              "secondarytitle", "containertitle", "booktitle", "platform", "publisher",
              "organisation", "organization", "institution", "agency"),
    "volume": ("volume", "vol"),
    "issue": ("issue", "issuenumber"),
    "pages": ("pages", "pagerange", "page"),
    "doi": ("doi", "digitalobjectidentifier"),
    "pmid": ("pubmedid", "pmid", "idspmid"),
    "isbn": ("isbn", "isbns"),
    "issn": ("issn", "eissn", "issns", "primarylocationsourceissnl"),
    "url": ("url", "link", "openurllink", "uri", "permalink", "postlink", "posturl", "weblink"),
    "keywords": ("authorkeywords", "keywords", "keyword", "indexkeywords", "manualtags",
                 "automatictags", "tags", "hashtags", "meshterms", "subjects"),
    "language": ("languageoforiginaldocument", "language", "lang"),
    "pub_type": ("documenttype", "itemtype", "publicationtype", "type", "sourcetype"),
    "key": ("eid", "key", "lensid", "covidence", "covidencenumber", "accessionnumber", "ut",
            "recordid", "refid", "id", "postid", "tweetid"),
}
#: Fields whose every matching column is used (in alias order), not only the first.
MULTI_COLUMN = frozenset({"keywords"})
#: Columns holding free text of a post or document without a title.
TEXT_COLUMNS: tuple[str, ...] = ("text", "content", "post", "posttext", "message", "body",
                                 "tweet", "fulltext", "caption", "snippet")
#: Page start/end pairs.
PAGE_PAIRS: tuple[tuple[str, str], ...] = (("pagestart", "pageend"), ("startpage", "endpage"),
                                           ("firstpage", "lastpage"), ("bp", "ep"))
ARTICLE_NUMBER = ("artno", "articlenumber", "ar")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SCOPUS_ID = re.compile(r"\s*\(\d{6,}\)\s*$")
_COMMA_OUTSIDE_PARENS = re.compile(r",(?![^()]*\))")
_NO_AUTHOR = re.compile(r"^\[?no author", re.IGNORECASE)
_NO_AUTHOR_FIRST = "[nN"  # the only characters _NO_AUTHOR can match first


def normalize_header(name: str) -> str:
    """Return a header in the form used for matching: lower case letters and digits only."""
    return _NON_ALNUM.sub("", name.lower())


def split_authors(cell: str) -> list[str]:
    """Split an author cell into names.

    ";" separates names when present (Scopus, WoS, Zotero), then "|" (OpenAlex),
    then " and " (BibTeX style). Commas separate names only when every part
    holds a space ("Liu R., Adler D.G." or "Jane Doe, John Roe"), so
    "Smith, John" stays one name. Scopus author ids "(57195504563)" are dropped.
    """
    cell = cell.strip()
    # The regexes only where they can match (a Scopus id needs "(", "no author" starts
    # with "[", "n" or "N"): a million-row import calls this once per row.
    if not cell or cell[0] in _NO_AUTHOR_FIRST and _NO_AUTHOR.match(cell):
        return []
    for separator in (";", "|", " and "):
        if separator in cell:
            parts = cell.split(separator)
            break
    else:
        parts = cell.split(",")
        if len(parts) < 2 or not all(" " in part.strip() for part in parts):
            parts = [cell]
    names = []
    for part in parts:
        name = " ".join((_SCOPUS_ID.sub("", part) if "(" in part else part).split())
        if name and not (name[0] in _NO_AUTHOR_FIRST and _NO_AUTHOR.match(name)):
            names.append(name)
    return names


def split_list(cell: str) -> list[str]:
    """Split a keyword cell on ";" (or "|", or "," when neither is present)."""
    cell = cell.strip()
    if not cell:
        return []
    for separator in (";", "|"):
        if separator in cell:
            return [" ".join(p.split()) for p in cell.split(separator) if p.strip()]
    return [" ".join(p.split()) for p in _COMMA_OUTSIDE_PARENS.split(cell) if p.strip()]


_EMBASE_SOURCE = re.compile(
    r"^(?P<venue>.*?)\s*\((?P<year>\d{4})\)\s*(?P<volume>[^:\s(]+)?(?::(?P<issue>[^\s(]+))?"
    r"\s*(?:\((?P<pages>[^)]*)\))?")


def parse_embase_source(cell: str) -> dict[str, str]:
    """Split an Embase "Source" cell into venue, year, volume, issue and pages.

    Example: "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
    gives venue "Endoscopic Ultrasound", year "2014", volume "3", issue "3", pages "152-160".
    """
    match = _EMBASE_SOURCE.match(cell.strip())
    if not match or not match.group("venue"):
        return {"venue": cell.strip()}
    return {k: v for k, v in match.groupdict().items() if v}


_OPENURL_DOI = re.compile(r"[?&](?:id|rft_id)=doi:([^&\s]+)")


def doi_from_openurl(url: str) -> str:
    """Return the DOI carried in an OpenURL link (Embase "Open URL Link"), or ""."""
    match = _OPENURL_DOI.search(url)
    return normalize_doi(unquote(match.group(1))) if match else ""


def short_title(text: str, limit: int = 120) -> str:
    """Return a title made from free text: its first line, cut at a word near `limit`."""
    first = " ".join(text.strip().split("\n", 1)[0].split())
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut + "…"
