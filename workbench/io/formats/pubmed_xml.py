"""PubMed XML reader (``<PubmedArticleSet>`` from PubMed's "XML" export or efetch).

Streams the file with ``xml.etree.ElementTree.iterparse`` so a large export is
never held twice in memory, and keeps every article read before a syntax error.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET

from workbench.core.records import ImportReport, Record, clean_text, normalize_doi, parse_year
from workbench.errors import Problem

log = logging.getLogger(__name__)

FORMAT = "pubmed_xml"

_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_ARTICLE_START = re.compile(r"<(PubmedArticle|PubmedBookArticle)[\s>]")


def parse_pubmed_xml(text: str, path: str, database: str = "") -> ImportReport:
    """Read a PubMed XML export.

    Args:
        text: the decoded file content.
        path: the display path used in problems and in `Record.file`.
        database: the database label stored in `Record.database`.

    Returns:
        An ImportReport with one Record per PubmedArticle / PubmedBookArticle.
        Malformed XML gives a Problem with the line of the error; the articles
        before it are kept. A document that is not a PubmedArticleSet gives a
        Problem and no records.

    Raises:
        Nothing for bad input: every defect is reported as a Problem.
    """
    starts = _start_lines(text)
    records: list[Record] = []
    problems: list[Problem] = []
    source = io.StringIO(text.lstrip("\ufeff"))
    root_tag = None
    try:
        for event, element in ET.iterparse(source, events=("start", "end")):
            if event == "start":
                if root_tag is None:
                    root_tag = element.tag
                    if root_tag not in ("PubmedArticleSet", "PubmedBookArticleSet", *_ARTICLE_TAGS):
                        problems.append(Problem(path, 1, None,
                                                f"root element is <{root_tag}>, not <PubmedArticleSet>;"
                                                " not a PubMed XML export"))
                        break
                continue
            if element.tag in _ARTICLE_TAGS:
                ordinal = len(records) + 1
                line = starts[ordinal - 1] if ordinal <= len(starts) else None
                records.append(_build_record(element, path, database, line, ordinal))
                element.clear()
    except ET.ParseError as error:
        line = error.position[0] if error.position else None
        entry = f"record {len(records) + 1}" if root_tag else None
        problems.append(Problem(path, line, entry, f"malformed XML: {error}"))
    if root_tag is None and not problems:
        problems.append(Problem(path, 1, None, "no XML content found"))
    return ImportReport(records=records, problems=problems, format=FORMAT)


def _start_lines(text: str) -> list[int]:
    """The 1-based line of every <PubmedArticle> start tag, in one pass."""
    lines, line, position = [], 1, 0
    for match in _ARTICLE_START.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.append(line)
    return lines


def _text(element: ET.Element | None) -> str:
    """All text inside an element, markup such as <i> and <sub> flattened."""
    if element is None:
        return ""
    return clean_text("".join(element.itertext()))


def _find_text(element: ET.Element, path: str) -> str:
    return _text(element.find(path))


def _authors(container: ET.Element | None) -> list[str]:
    names: list[str] = []
    if container is None:
        return names
    for author in container.findall("AuthorList/Author"):
        last = _find_text(author, "LastName")
        first = _find_text(author, "ForeName") or _find_text(author, "Initials")
        collective = _find_text(author, "CollectiveName")
        if last:
            names.append(f"{last}, {first}" if first else last)
        elif collective:
            names.append(collective)
    return names


def _abstract(container: ET.Element | None) -> str:
    if container is None:
        return ""
    parts = []
    for node in container.findall("Abstract/AbstractText"):
        body = _text(node)
        label = node.get("Label")
        if body:
            parts.append(f"{label}: {body}" if label else body)
    return "\n\n".join(parts)


def _year(date: ET.Element | None) -> int | None:
    if date is None:
        return None
    return parse_year(_find_text(date, "Year")) or parse_year(_find_text(date, "MedlineDate"))


def _doi(article: ET.Element | None, outer: ET.Element) -> str:
    candidates = []
    if article is not None:
        candidates += [e for e in article.findall("ELocationID") if e.get("EIdType") == "doi"]
    candidates += [e for e in outer.findall("PubmedData/ArticleIdList/ArticleId")
                   if e.get("IdType") == "doi"]
    candidates += [e for e in outer.findall("BookDocument/ArticleIdList/ArticleId")
                   if e.get("IdType") == "doi"]
    for node in candidates:
        doi = normalize_doi(_text(node))
        if doi:
            return doi
    return ""


def _build_record(outer: ET.Element, path: str, database: str, line: int | None,
                  ordinal: int) -> Record:
    citation = outer.find("MedlineCitation")
    book = outer.find("BookDocument")
    base = citation if citation is not None else book if book is not None else outer
    article = base.find("Article")
    holder = article if article is not None else base
    journal = holder.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pmid = _find_text(base, "PMID")
    keywords = [_text(k) for k in base.findall("MeshHeadingList/MeshHeading/DescriptorName")]
    keywords += [_text(k) for k in base.findall("KeywordList/Keyword")]
    pages = _find_text(holder, "Pagination/MedlinePgn")
    if not pages:
        first, last = _find_text(holder, "Pagination/StartPage"), _find_text(holder, "Pagination/EndPage")
        pages = f"{first}-{last}" if first and last else first
    title = _find_text(holder, "ArticleTitle") or _find_text(holder, "Book/BookTitle") \
        or _find_text(holder, "BookTitle")
    venue = ""
    if journal is not None:
        venue = _find_text(journal, "Title") or _find_text(journal, "ISOAbbreviation")
    elif book is not None:
        venue = _find_text(book, "Book/BookTitle")
    year = _year(issue.find("PubDate") if issue is not None else None) \
        or _year(holder.find("Book/PubDate")) or _year(holder.find("ArticleDate"))
    return Record(
        title=title,
        abstract=_abstract(holder) or _abstract(base),
        authors=tuple(_authors(holder) or _authors(holder.find("Book"))),
        year=year,
        venue=venue,
        volume=_find_text(issue, "Volume") if issue is not None else "",
        issue=_find_text(issue, "Issue") if issue is not None else "",
        pages=pages,
        doi=_doi(article, outer),
        pmid=pmid,
        isbn=_find_text(holder, "Book/Isbn") or _find_text(holder, "Isbn"),
        issn=_find_text(journal, "ISSN") if journal is not None else "",
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
        keywords=tuple(dict.fromkeys(k for k in keywords if k)),
        language=_find_text(holder, "Language"),
        pub_type="; ".join(_text(t) for t in holder.findall("PublicationTypeList/PublicationType")),
        file=path,
        database=database,
        key=pmid or f"record {ordinal}",
        line=line,
    )
