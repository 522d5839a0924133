"""The included studies as BibTeX and RIS, one entry per study (deduplicated)."""

from __future__ import annotations

import re
from typing import Iterable

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:-]")
_RIS_TYPES = {"article": "JOUR", "journal article": "JOUR", "book": "BOOK", "chapter": "CHAP",
              "conference": "CONF", "conference paper": "CPAPER", "report": "RPRT",
              "thesis": "THES", "web": "ELEC", "webpage": "ELEC"}
_BIB_TYPES = {"JOUR": "article", "BOOK": "book", "CHAP": "incollection",
              "CONF": "inproceedings", "CPAPER": "inproceedings", "RPRT": "techreport",
              "THES": "phdthesis", "ELEC": "misc", "GEN": "misc"}


def _ris_type(study, pub_type: str) -> str:
    kind = _RIS_TYPES.get(pub_type.strip().lower())
    if kind:
        return kind
    return "JOUR" if study.venue else "GEN"


def _bib_escape(text: str) -> str:
    text = text.replace("\\", "\\textbackslash{}")
    for ch in "&%$#_":
        text = text.replace(ch, "\\" + ch)
    # Unbalanced braces would break the entry: drop them.
    return text.replace("{", "").replace("}", "")


def bibtex_text(studies: Iterable, pub_types: dict[str, str] | None = None) -> str:
    """Return BibTeX for studies (workbench.core.dedupe.Study); the key is the study id.

    Args:
        studies: the studies to write, in order.
        pub_types: study id -> publication type of its first record (optional).
    """
    pub_types = pub_types or {}
    out = []
    for s in studies:
        kind = _BIB_TYPES[_ris_type(s, pub_types.get(s.id, ""))]
        fields = [("title", s.title), ("author", " and ".join(s.authors)),
                  ("year", str(s.year) if s.year else ""),
                  ("journal" if kind == "article" else "howpublished" if kind == "misc"
                   else "booktitle" if kind in ("incollection", "inproceedings")
                   else "publisher", s.venue),
                  ("volume", s.volume), ("number", s.issue), ("pages", s.pages),
                  ("doi", s.doi), ("pmid", s.pmid), ("url", s.url),
                  ("keywords", ", ".join(s.keywords)), ("abstract", s.abstract)]
        body = ",\n".join(f"  {k} = {{{_bib_escape(v) if k not in ('url', 'doi') else v}}}"
                          for k, v in fields if v)
        key = _KEY_UNSAFE.sub("_", s.id)
        out.append(f"@{kind}{{{key},\n{body}\n}}\n" if body else f"@{kind}{{{key}}}\n")
    return "\n".join(out)


def ris_text(studies: Iterable, pub_types: dict[str, str] | None = None) -> str:
    """Return RIS for studies (workbench.core.dedupe.Study); ID is the study id."""
    pub_types = pub_types or {}
    lines: list[str] = []
    for s in studies:
        lines.append(f"TY  - {_ris_type(s, pub_types.get(s.id, ''))}")
        lines.append(f"ID  - {s.id}")
        if s.title:
            lines.append(f"TI  - {' '.join(s.title.split())}")
        lines += [f"AU  - {a}" for a in s.authors]
        if s.year:
            lines.append(f"PY  - {s.year}")
        for tag, value in (("T2", s.venue), ("VL", s.volume), ("IS", s.issue),
                           ("DO", s.doi), ("UR", s.url)):
            if value:
                lines.append(f"{tag}  - {' '.join(value.split())}")
        if s.pages:
            first, _, last = s.pages.partition("-")
            lines.append(f"SP  - {first.strip()}")
            if last.strip("- "):
                lines.append(f"EP  - {last.strip('- ')}")
        if s.abstract:
            lines.append(f"AB  - {' '.join(s.abstract.split())}")
        lines += [f"KW  - {k}" for k in s.keywords]
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)
