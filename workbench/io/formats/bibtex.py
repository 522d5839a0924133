"""BibTeX exports (Scopus, WoS, Zotero, JabRef, ...) via bibtexparser v2."""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import re
import threading
import unicodedata
from concurrent.futures import ProcessPoolExecutor

import bibtexparser
from bibtexparser.model import (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry,
                                ImplicitComment, MiddlewareErrorBlock, ParsingFailedBlock)
from pylatexenc.latex2text import LatexNodes2Text

from workbench.core.records import ImportReport, Record, clean_text, normalize_doi, parse_year
from workbench.errors import Problem
from workbench.io.formats.ris import split_issn_isbn

log = logging.getLogger(__name__)

_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)
_ENTRY_HEAD = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s=]*)")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
#: Scopus (2017) affiliation letters glued to the initials: "C.a", "A.a  b  c", "M.D.a".
_AFFILIATION_LETTERS = re.compile(r"(?<=\.)[a-z]{1,2}(?:\s+[a-z]{1,2})*\s*$")
#: The longest value an @string macro or a field may expand to; a longer one is refused.
MAX_VALUE_CHARS = 1_000_000
_VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "series", "publisher", "institution",
                 "school", "organization", "howpublished")
_TEXT_FIELDS = ("title", "abstract", "keywords", "author_keywords") + _VENUE_FIELDS


_COMBINING = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
              "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
              "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_SYMBOL_ACCENT = re.compile(r"""\\([`'^"~=.])\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))""")
_LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+([A-Za-z]))")
_SPECIALS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
             "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ"}
_SPECIAL = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\s*\{\}| )?")
_ESCAPED = re.compile(r"\\([&%$#_{}])")


def _accent(match: re.Match[str]) -> str:
    base = match.group(2) or match.group(3)
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _COMBINING[match.group(1)])


def _fast_latex(value: str) -> str | None:
    """Decode the LaTeX found in bibliographic data; None when something else remains."""
    text = _SYMBOL_ACCENT.sub(_accent, value)
    text = _LETTER_ACCENT.sub(_accent, text)
    text = _SPECIAL.sub(lambda m: _SPECIALS[m.group(1)], text)
    escaped: list[str] = []
    text = _ESCAPED.sub(lambda m: escaped.append(m.group(1)) or f"\x00{len(escaped) - 1}\x00",
                        text)
    if "\\" in text or "$" in text:
        return None
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    text = text.replace("---", "\u2014").replace("--", "\u2013")
    if escaped:
        text = re.sub("\x00(\\d+)\x00", lambda m: escaped[int(m.group(1))], text)
    return text


def decode_latex(value: str) -> str:
    """Return a BibTeX value as plain text.

    Accents, special letters and escaped symbols are decoded here (fast);
    pylatexenc runs only on values with other LaTeX (macros, math).
    """
    if "\\" not in value and "{" not in value and "~" not in value and "$" not in value:
        return value
    fast = _fast_latex(value)
    if fast is not None:
        return fast
    try:
        return _LATEX.latex_to_text(value)
    except Exception as exc:  # pylatexenc raises assorted errors on odd input
        log.debug("LaTeX decoding failed for %r: %s", value[:60], exc)
        return value.replace("{", "").replace("}", "")


def _split_top_level(value: str) -> list[str]:
    """Split an author field on " and " outside braces."""
    if "{" not in value:
        return [p for p in _AND.split(value.strip()) if p.strip()]
    parts, depth, start, i = [], 0, 0, 0
    lower = value.lower()
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch.isspace() and lower.startswith("and", i + 1) and \
                i + 4 < len(value) and value[i + 4].isspace():
            parts.append(value[start:i])
            i += 5
            start = i
            continue
        i += 1
    parts.append(value[start:])
    return [p for p in (p.strip() for p in parts) if p]


def _as_last_first(name: str) -> str:
    """Return one author as "Last, First" ("First Last" and "{Corporate}" handled)."""
    raw = name.strip()
    if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
        return clean_text(decode_latex(raw))
    text = clean_text(decode_latex(raw))
    if "," in text or " " not in text:
        return re.sub(r"\s*,\s*", ", ", text, count=1)
    words = text.split(" ")
    cut = len(words) - 1
    for i, word in enumerate(words[1:-1], start=1):
        if word[:1].islower():  # von, van, de, ...
            cut = i
            break
    return f"{' '.join(words[cut:])}, {' '.join(words[:cut])}"


def split_authors(value: str) -> tuple[str, ...]:
    """Return the authors of a BibTeX author field, each as "Last, First".

    Handles " and " lists (outside braces) and the 2017 Scopus style
    "D'Ambrosio, A.a , Aria, M.a" where authors are separated by commas.
    """
    names = _split_top_level(value)
    if len(names) == 1 and names[0].count(",") >= 2 and "{" not in names[0]:
        tokens = [t.strip() for t in names[0].split(",") if t.strip()]
        if len(tokens) % 2 == 0:
            names = [f"{tokens[i]}, {tokens[i + 1]}" for i in range(0, len(tokens), 2)]
    return tuple(a for a in (_without_affiliation(_as_last_first(n)) for n in names) if a)


def _without_affiliation(name: str) -> str:
    """Drop affiliation letters glued to a "Last, F.M." name's initials ("Iorio, C.a b")."""
    last, comma, given = name.partition(", ")
    if not comma or "." not in given:
        return name
    return f"{last}, {_AFFILIATION_LETTERS.sub('', given)}"


def _keywords(value: str) -> tuple[str, ...]:
    """Split a keywords field on ";" (or "," when there is no ";")."""
    sep = ";" if ";" in value else ","
    return tuple(k for k in (clean_text(part) for part in value.split(sep)) if k)


def _split_concat(value: str) -> list[str]:
    """Split a raw value on "#" concatenation outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p.strip() for p in parts]


class ValueTooLong(ValueError):
    """A value expands (through @string macros) beyond MAX_VALUE_CHARS characters."""


#: Stands for an @string whose value was refused: any use of it is refused too.
_REFUSED = "\x00refused\x00"


def resolve_value(raw: str, strings: dict[str, str]) -> str:
    """Return a raw BibTeX value with enclosing braces/quotes removed and macros expanded.

    Args:
        raw: the value as written ("{Text}", "\"Text\"", "jan", "a # \" \" # b").
        strings: @string macros, keys in lower case, values already resolved.

    Raises:
        ValueTooLong: the expanded value would exceed MAX_VALUE_CHARS (an @string bomb).
    """
    raw = raw.strip()
    pieces = _split_concat(raw) if "#" in raw else [raw]
    out = []
    size = 0
    for piece in pieces:
        if len(piece) >= 2 and ((piece[0] == "{" and piece[-1] == "}") or
                                (piece[0] == '"' and piece[-1] == '"')):
            value = piece[1:-1]
        else:
            value = strings.get(piece.lower(), piece)
            if value is _REFUSED:
                raise ValueTooLong(f"uses @string {piece}, which was refused")
        size += len(value)
        if size > MAX_VALUE_CHARS:
            raise ValueTooLong(f"expands to more than {MAX_VALUE_CHARS:,} characters")
        out.append(value)
    return "".join(out)


def _fields(fields: list[tuple[str, str]], strings: dict[str, str]) -> dict[str, str]:
    """Return an entry's resolved fields as a dict with lower-case names."""
    out: dict[str, str] = {}
    for key, value in fields:
        out.setdefault(key.lower().strip(), resolve_value(value, strings))
    return out


def _plain(value: str) -> str:
    """Return a short non-prose value without braces and extra spaces."""
    return clean_text(value.replace("{", "").replace("}", ""))


def _to_record(key: str, entry_type: str, fields: dict[str, str], line: int,
               path: str, database: str) -> Record:
    """Build a Record from resolved BibTeX fields."""
    text = {name: clean_text(decode_latex(fields[name])) for name in _TEXT_FIELDS
            if fields.get(name)}
    venue = next((text[n] for n in _VENUE_FIELDS if text.get(n)), "")
    pmid = fields.get("pmid", "")
    if not pmid and fields.get("eprinttype", "").lower() == "pubmed":
        pmid = fields.get("eprint", "")
    issn, isbn = split_issn_isbn(_plain(fields.get("issn", "") + " " + fields.get("isbn", "")))
    url = _plain(fields.get("url", ""))
    doi = normalize_doi(_plain(fields.get("doi", ""))) or (
        normalize_doi(url) if "doi.org" in url else "")
    keywords = _keywords(text.get("keywords", "")) + _keywords(text.get("author_keywords", ""))
    return Record(
        title=text.get("title", ""), abstract=text.get("abstract", ""),
        authors=split_authors(fields["author"]) if fields.get("author") else (),
        year=parse_year(fields.get("year") or fields.get("date")),
        venue=venue, volume=_plain(fields.get("volume", "")),
        issue=_plain(fields.get("number") or fields.get("issue", "")),
        pages=_plain(fields.get("pages", "")).replace("--", "-"),
        doi=doi, pmid=_plain(pmid), isbn=isbn, issn=issn, url=url, keywords=keywords,
        language=clean_text(decode_latex(fields.get("language") or fields.get("langid", ""))),
        pub_type=entry_type.lower(), file=path, database=database, key=key, line=line)


def _failed_problem(block, path: str) -> Problem:
    """Describe a block bibtexparser could not parse."""
    line = block.start_line + 1
    head = _ENTRY_HEAD.search(block.raw or "")
    entry = head.group(2) if head and head.group(2) else None
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = str(block.error).split(":", 1)[-1].split(".")[0].strip()
        message = f"field {fields} appears twice in this entry; entry was not imported"
    elif isinstance(block, DuplicateBlockKeyBlock):
        what = f"@{head.group(1)}" if head else "block"
        message = f"{what} {entry} is defined twice; the second definition was not used"
    elif isinstance(block, MiddlewareErrorBlock):
        message = f"entry could not be processed ({block.error}); entry was not imported"
    elif isinstance(block, ParsingFailedBlock):
        what = f"@{head.group(1)} entry" if head else "text"
        message = (f"{what} is not valid BibTeX (unclosed brace or quote, or missing comma?); "
                   "entry was not imported")
    else:
        message = f"{type(block).__name__}: {block.error}; entry was not imported"
    return Problem(path, line, entry, message)


def _inherit_crossrefs(items: list[tuple[str, str, dict[str, str], int]]) -> None:
    """Copy missing fields from each crossref'd parent entry into the child (in place)."""
    by_key = {key.lower(): fields for key, _, fields, _ in items}
    for key, _, fields, _ in items:
        parent_key = fields.get("crossref", "").strip().lower()
        if not parent_key:
            continue
        parent = by_key.get(parent_key)
        if parent is None:
            log.info("entry %s: crossref %r not found in the file", key, parent_key)
            continue
        if "title" in parent and "booktitle" not in fields:
            fields["booktitle"] = parent["title"]
        for name, value in parent.items():
            if name not in ("title", "crossref", "ids", "entrysubtype"):
                fields.setdefault(name, value)


_RawEntry = tuple[str, str, list[tuple[str, str]], int]
_PARALLEL_MIN_CHARS = 4_000_000


_STRAY_HINTS = re.compile(r"[{}]|@\s*[^\s{(]*\s*[{(]|^\s*[A-Za-z][\w-]*\s*=", re.MULTILINE)
_BAD_TYPE = re.compile(r"@\s*([^\s{(]+)\s*[{(]\s*([^,\s=]*)")
_NO_AT = re.compile(r"^\s*([A-Za-z]+)\s*[{(]\s*([^,\s={}]*)\s*,")


def _stray_problems(block: ImplicitComment, path: str, line_offset: int) -> list[Problem]:
    """Report each blank-line separated stretch of text outside entries that looks like BibTeX.

    Free text between entries is a comment in BibTeX (a "Scopus / EXPORT DATE" header,
    "% ..." lines); a stretch with braces, an "@type{" head or a "field =" line is a
    broken entry, and saying nothing about it would lose the entry silently.
    """
    problems: list[Problem] = []
    first = block.start_line + 1 + line_offset
    stretch: list[str] = []
    start = first
    lines = block.comment.split("\n") + [""]
    for number, line in enumerate(lines, start=first):
        if line.strip():
            if not stretch:
                start = number
            stretch.append(line)
            continue
        if stretch:
            text = "\n".join(s for s in stretch if not s.lstrip().startswith("%"))
            if _STRAY_HINTS.search(text):
                problems.append(_stray_problem(text, path, start))
            stretch = []
    return problems


def _stray_problem(text: str, path: str, line: int) -> Problem:
    head = _BAD_TYPE.search(text)
    if head:
        key = head.group(2) or None
        return Problem(path, line, key, f"'@{head.group(1)}' is not a valid BibTeX entry type "
                                        "(letters only); entry was not imported")
    head = _NO_AT.match(text)
    if head:
        key = head.group(2) or None
        return Problem(path, line, key, f"entry has no '@' before '{head.group(1)}'; "
                                        "entry was not imported")
    shown = " ".join(text.split())[:50]
    return Problem(path, line, None, f"text outside any entry looks like part of one "
                                     f"({shown!r}); it was not imported")


def _parse_chunk(text: str, line_offset: int, path: str
                 ) -> tuple[list[_RawEntry], list[tuple[str, str, int]], list[Problem]]:
    """Run bibtexparser on part of a file; return raw entries, @strings and problems.

    Lines in the results are 1-based lines of the whole file.
    """
    library = bibtexparser.parse_string(text, parse_stack=[])
    entries: list[_RawEntry] = [
        (e.key, e.entry_type, [(f.key, str(f.value)) for f in e.fields],
         e.start_line + 1 + line_offset) for e in library.entries]
    strings = [(m.key, str(m.value), m.start_line + 1 + line_offset) for m in library.strings]
    problems: list[Problem] = []
    for block in library.failed_blocks:
        entry = block.ignore_error_block
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(entry, Entry):
            entries.append((entry.key, entry.entry_type,
                            [(f.key, str(f.value)) for f in entry.fields],
                            block.start_line + 1 + line_offset))
            continue
        problem = _failed_problem(block, path)
        problems.append(dataclasses.replace(problem, line=(problem.line or 0) + line_offset))
    for block in library.comments:
        if isinstance(block, ImplicitComment) and block.comment.strip():
            problems.extend(_stray_problems(block, path, line_offset))
    return entries, strings, problems


def _chunk_starts(text: str, parts: int) -> list[int]:
    """Return offsets where the text can be cut into parts: entry starts at brace depth 0."""
    starts = [0]
    for k in range(1, parts):
        pos = text.find("\n@", len(text) * k // parts)
        for _ in range(50):
            if pos < 0:
                break
            depth = (text.count("{", 0, pos) - text.count("}", 0, pos)
                     - text.count("\\{", 0, pos) + text.count("\\}", 0, pos))
            if depth == 0 and pos + 1 > starts[-1]:
                starts.append(pos + 1)
                break
            pos = text.find("\n@", pos + 1)
    return starts


def _parse_all(text: str, path: str):
    """Parse the whole text, in parallel processes for big files when it is safe to fork."""
    workers = min(os.cpu_count() or 1, 4)
    if (len(text) < _PARALLEL_MIN_CHARS or workers < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [_parse_chunk(text, 0, path)]
    starts = _chunk_starts(text, workers)
    if len(starts) < 2:
        return [_parse_chunk(text, 0, path)]
    bounds = list(zip(starts, starts[1:] + [len(text)]))
    offsets = [text.count("\n", 0, a) for a, _ in bounds]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(bounds), mp_context=context) as pool:
        futures = [pool.submit(_parse_chunk, text[a:b], offset, path)
                   for (a, b), offset in zip(bounds, offsets)]
        return [future.result() for future in futures]


def parse_bibtex(text: str, path: str, database: str = "") -> ImportReport:
    """Parse a BibTeX export into records, reporting every entry it cannot read.

    Entries that repeat a key (Scopus writes Garfield1989 for different papers)
    are imported with their key; broken entries become Problems. Big files are
    split at entry boundaries and parsed by several processes.

    Args:
        text: the decoded file content.
        path: display path for problems and Record.file.
        database: the database label for Record.database.

    Returns:
        ImportReport with records in file order and one Problem per broken entry.
    """
    raw_entries: list[_RawEntry] = []
    problems: list[Problem] = []
    strings: dict[str, str] = {}
    for entries, macros, chunk_problems in _parse_all(text, path):
        raw_entries.extend(entries)
        problems.extend(chunk_problems)
        for key, value, line in macros:
            name = key.lower().strip()
            if name in strings:
                problems.append(Problem(path, line, key, f"@string {key} is defined twice; "
                                        "the second definition was not used"))
                continue
            try:
                strings[name] = resolve_value(value, strings)
            except ValueTooLong as exc:
                problems.append(Problem(path, line, key, f"@string {key} {exc}; it was not "
                                        "used, and entries that use it were not imported"))
                strings[name] = _REFUSED
    items = []
    for key, etype, fields, line in raw_entries:
        try:
            items.append((key, etype, _fields(fields, strings), line))
        except ValueTooLong as exc:
            problems.append(Problem(path, line, key, f"a field {exc}; entry was not imported"))
    items.sort(key=lambda item: item[3])
    _inherit_crossrefs(items)
    records = [_to_record(key, etype, fields, line, path, database)
               for key, etype, fields, line in items]
    problems.sort(key=lambda p: p.line or 0)
    return ImportReport(records=records, problems=problems, format="bibtex")
