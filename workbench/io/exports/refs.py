"""The included studies as BibTeX and RIS, one entry per study (deduplicated)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:-]")
#: Publication types as the importers keep them (RIS codes, BibTeX entry types, WoS DT,
#: Scopus document types, PubMed publication types), lower case -> RIS type.
_RIS_TYPES = {
    "jour": "JOUR", "jfull": "JOUR", "ejour": "JOUR", "mgzn": "JOUR", "news": "JOUR",
    "article": "JOUR", "journal article": "JOUR", "review": "JOUR", "letter": "JOUR",
    "editorial": "JOUR", "note": "JOUR", "erratum": "JOUR", "short survey": "JOUR",
    "article in press": "JOUR", "data paper": "JOUR", "comment": "JOUR",
    "book review": "JOUR", "early access": "JOUR", "systematic review": "JOUR",
    "book": "BOOK", "ebook": "BOOK", "edbook": "BOOK", "edited book": "BOOK",
    "chap": "CHAP", "echap": "CHAP", "chapter": "CHAP", "book chapter": "CHAP",
    "incollection": "CHAP", "inbook": "CHAP",
    "conf": "CONF", "conference": "CONF", "proceedings": "CONF",
    "cpaper": "CPAPER", "conference paper": "CPAPER", "proceedings paper": "CPAPER",
    "inproceedings": "CPAPER", "conference review": "CPAPER", "meeting abstract": "CPAPER",
    "rprt": "RPRT", "report": "RPRT", "techreport": "RPRT",
    "thes": "THES", "thesis": "THES", "phdthesis": "THES", "mastersthesis": "THES",
    "dissertation": "THES",
    "elec": "ELEC", "web": "ELEC", "webpage": "ELEC", "online": "ELEC", "electronic": "ELEC"}
_BIB_TYPES = {"JOUR": "article", "BOOK": "book", "CHAP": "incollection",
              "CONF": "inproceedings", "CPAPER": "inproceedings", "RPRT": "techreport",
              "THES": "phdthesis", "ELEC": "misc", "GEN": "misc"}
#: Where each BibTeX type keeps the study's venue. A book's venue may be a series, a
#: journal or a publisher (the record does not say which): `howpublished` claims none.
_VENUE_FIELD = {"article": "journal", "incollection": "booktitle",
                "inproceedings": "booktitle", "book": "howpublished", "misc": "howpublished",
                "techreport": "institution", "phdthesis": "school"}


@lru_cache(maxsize=4096)   # a review has few distinct types; 100k studies ask 3 times each
def record_type(pub_type: str) -> str:
    """Return the RIS type of one record's publication type, or "" when it says nothing.

    "Article; Proceedings Paper" (Web of Science) and "Journal Article; Review"
    (PubMed) are read part by part; the first part that names a type wins.
    """
    for part in pub_type.lower().split(";"):
        kind = _RIS_TYPES.get(" ".join(part.split()))
        if kind:
            return kind
    return ""


def _ris_type(study, pub_type) -> str:
    """Return the RIS type of a study from the types of its records.

    A study merged from several records is an article when any of them says so (a
    journal article that one database files as a book of its series stays an article);
    otherwise the most frequent type wins, then the first.
    """
    types = [pub_type] if isinstance(pub_type, str) else list(pub_type or ())
    kinds = [k for k in (record_type(t) for t in types) if k]
    if "JOUR" in kinds:
        return "JOUR"
    if kinds:
        return max(dict.fromkeys(kinds), key=kinds.count)
    return "JOUR" if study.venue else "GEN"


def study_ris_type(study, pub_type) -> str:
    """Return the RIS type of a study from its records' publication types (see `_ris_type`)."""
    return _ris_type(study, pub_type)


#: The characters `_bib_escape` changes: a text with none of them is returned as it is.
_BIB_SPECIAL = re.compile(r"[{}\\~&%$#_]")


def _bib_escape(text: str) -> str:
    if _BIB_SPECIAL.search(text) is None:
        return text
    # Unbalanced braces would break the entry: drop them (before the escapes add their own).
    text = text.replace("{", "").replace("}", "")
    text = text.replace("\\", "\\textbackslash{}").replace("~", "\\textasciitilde{}")
    for ch in "&%$#_":
        text = text.replace(ch, "\\" + ch)
    return text


def _bib_link(text: str) -> str:
    """A URL or DOI kept verbatim, except braces and backslashes (percent-encoded: a brace
    would end the field, and a backslash before the closing brace escapes it)."""
    return text.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def _line(text: str) -> str:
    """One RIS line's value: any line break inside would start a new tag (or record)."""
    return " ".join(text.split())


def bibtex_text(studies: Iterable, pub_types: dict | None = None,
                notes: dict | None = None) -> str:
    """Return BibTeX for studies (workbench.core.dedupe.duplicates.Study); the key is the study id.

    Args:
        studies: the studies to write, in order.
        pub_types: study id -> the publication types of its records (a list), or of
            its first record (a string); optional.
        notes: study id -> `workbench.io.exports.csl.ReferenceNote` (the study id and
            final decision): written as `note` and added to `keywords`; optional.
    """
    pub_types, notes = pub_types or {}, notes or {}
    out = []
    for s in studies:
        kind = _BIB_TYPES[_ris_type(s, pub_types.get(s.id, ""))]
        note = notes.get(s.id)
        tags = list(s.keywords) + list(note.tags if note else ())
        fields = [("title", s.title), ("author", " and ".join(s.authors)),
                  ("year", str(s.year) if s.year else ""),
                  (_VENUE_FIELD.get(kind, "howpublished"), s.venue),
                  ("volume", s.volume), ("number", s.issue), ("pages", s.pages),
                  ("doi", s.doi), ("pmid", s.pmid), ("url", s.url),
                  ("keywords", ", ".join(tags)), ("abstract", s.abstract),
                  ("note", note.note.replace("\n", "; ") if note else "")]
        body = ",\n".join(f"  {k} = {{{_bib_link(v) if k in ('url', 'doi') else _bib_escape(v)}}}"
                          for k, v in fields if v)
        key = _KEY_UNSAFE.sub("_", s.id)
        out.append(f"@{kind}{{{key},\n{body}\n}}\n" if body else f"@{kind}{{{key}}}\n")
    return "\n".join(out)


def ris_text(studies: Iterable, pub_types: dict | None = None,
             notes: dict | None = None) -> str:
    """Return RIS for studies (workbench.core.dedupe.duplicates.Study); ID is the study id.

    `notes` (study id -> ReferenceNote) adds an N1 line per note line and a KW per tag.
    """
    pub_types, notes = pub_types or {}, notes or {}
    lines: list[str] = []
    for s in studies:
        lines.append(f"TY  - {_ris_type(s, pub_types.get(s.id, ''))}")
        lines.append(f"ID  - {s.id}")
        if s.title:
            lines.append(f"TI  - {_line(s.title)}")
        lines += [f"AU  - {_line(a)}" for a in s.authors if a.strip()]
        if s.year:
            lines.append(f"PY  - {s.year}")
        for tag, value in (("T2", s.venue), ("VL", s.volume), ("IS", s.issue),
                           ("DO", s.doi), ("UR", s.url)):
            if value:
                lines.append(f"{tag}  - {_line(value)}")
        if s.pages:
            first, _, last = s.pages.partition("-")
            lines.append(f"SP  - {_line(first)}")
            if last.strip("- "):
                lines.append(f"EP  - {_line(last.strip('- '))}")
        if s.abstract:
            lines.append(f"AB  - {_line(s.abstract)}")
        lines += [f"KW  - {_line(k)}" for k in s.keywords if k.strip()]
        note = notes.get(s.id)
        if note is not None:
            lines += [f"KW  - {_line(t)}" for t in note.tags]
            lines += [f"N1  - {_line(n)}" for n in note.note.split("\n") if n.strip()]
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)
