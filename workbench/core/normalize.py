"""Text normalization for duplicate detection: titles, authors, venues, pages.

Pure functions, no I/O. Each turns one exported field into a comparable key,
so that the same study written by different databases gives equal keys.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from itertools import accumulate
import unicodedata
import logging
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

log = logging.getLogger(__name__)

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "π": "pi", "σ": "sigma", "τ": "tau", "ω": "omega",
    "Α": "alpha", "Β": "beta", "Γ": "gamma", "Δ": "delta", "Κ": "kappa", "Ω": "omega",
}
_GREEK_RE = re.compile("|".join(map(re.escape, _GREEK)))
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_LATEX_CMD = re.compile(r"\\[A-Za-z]+\s*|\\.")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

#: Language names as databases write them in title markers ("[Chinese]", "[Article in German]").
LANGUAGES = frozenset("""
afrikaans albanian arabic armenian bulgarian catalan chinese croatian czech danish dutch english
estonian finnish french german greek hebrew hindi hungarian icelandic indonesian italian japanese
korean latvian lithuanian malay norwegian persian polish portuguese romanian russian serbian
slovak slovene slovenian spanish swedish thai turkish ukrainian urdu vietnamese
""".split())
_LANG_MARKER = re.compile(
    r"\[\s*(?:article\s+in\s+|in\s+)?([A-Za-z]+)(?:\s+language)?(?:\s*,\s*[A-Za-z ]+)?\s*\]\.?",
    re.IGNORECASE)


#: A translated title's original language after a full stop or in parentheses ("... . SPANISH").
_TRAILING_LANGUAGE = re.compile(r"(?:[.;]\s*|\s*\(\s*)(?:in\s+|original\s+in\s+)?([A-Za-z]+)\s*\)?\s*\.?\s*$")

_LATEX = LatexNodes2Text(math_mode="text")


def _latex_to_text(text: str) -> str:
    try:
        return _LATEX.latex_to_text(text)
    except Exception as exc:  # pylatexenc raises several kinds on malformed markup
        log.debug("LaTeX markup not parsed (%s); commands dropped instead", exc)
        return _LATEX_CMD.sub("", text).replace("$", "")


#: A UTF-8 lead byte read as cp1252/Latin-1, then a continuation byte read the same way ("Ã¼").
_MOJIBAKE = re.compile("[\u00c2-\u00df\u00e2][\u00a0-\u00bf\u0152-\u0192\u02c6-\u02dc\u2013-\u2122\ufffd]")


def repair_mojibake(text: str) -> str:
    """Return text with UTF-8 that was decoded as cp1252 or Latin-1 read back ("MÃ¼ller" -> "Müller").

    When the bytes cannot be recovered (a byte was replaced), the garbled pair is dropped,
    so "MÃ\ufffdller" gives "Mller", which author matching still pairs with "Müller".
    """
    if text.isascii() or not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return _MOJIBAKE.sub("", text)


def fold(text: str) -> str:
    """Return text with markup removed, accents dropped and Greek letters spelled out.

    Handles HTML tags and entities, LaTeX commands and braces, mojibake and Unicode
    accents; case and punctuation are kept (see `normalize_title` for the comparison key).
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "\\" in text or "$" in text:
        text = _latex_to_text(text)
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
    if not text.isascii():
        text = repair_mojibake(text)
        text = _GREEK_RE.sub(lambda m: _GREEK[m.group(0)], text)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text


def split_language_marker(title: str) -> tuple[str, str]:
    """Return (title without "[Chinese]"-style markers, language named by the marker or "").

    A trailing original-language marker of a translated title (". SPANISH",
    "(Japanese)") is a marker too.

    A title wholly in square brackets (PubMed's convention for a translated title)
    loses its brackets too.
    """
    language = ""

    def _drop(match: re.Match) -> str:
        nonlocal language
        name = match.group(1).lower()
        if name in LANGUAGES:
            language = language or name
            return " "
        return match.group(0)

    text = (_LANG_MARKER.sub(_drop, title) if "[" in title else title).strip()  # a marker opens with [
    words = text.rstrip(" .)").rsplit(None, 1)  # none in a title of only " .)": ".", ")"
    last = words[-1].lstrip("(").lower() if words else ""
    trailing = _TRAILING_LANGUAGE.search(text) if last in LANGUAGES else None
    if trailing and trailing.group(1).lower() in LANGUAGES and trailing.start() > 0:
        language = language or trailing.group(1).lower()
        text = text[:trailing.start()].rstrip()
    if text.startswith("[") and (text.endswith("]") or text.endswith("].")):
        text = text.rstrip(".")[1:-1]
    return text.strip(), language


@lru_cache(maxsize=4096)
def normalize_languages(value: str) -> frozenset[str]:
    """Return the languages a field names as three-letter keys ("Chinese; English" -> {"chi", "eng"})."""
    words = (_NON_ALNUM.sub("", w) for w in re.split(r"[;,/|]| and ", fold(value).lower()))
    return frozenset(w[:3] for w in words if w)


def strip_annotations(title: str) -> str:
    """Return a title without trailing bracketed notes a database appended.

    MEDLINE-style exports add "[Erratum appears in ...]", "[corrected]" or
    "[Comment in ...]" after the title; they describe the record, not the study.
    A title wholly in brackets is kept.
    """
    text = title.rstrip(" .")
    while text.endswith("]"):
        depth, start = 0, -1
        for pos in range(len(text) - 1, -1, -1):
            if text[pos] == "]":
                depth += 1
            elif text[pos] == "[":
                depth -= 1
                if depth == 0:
                    start = pos
                    break
        if start <= 0 or not text[:start].strip(" .:"):
            break
        text = text[:start].rstrip(" .")
    return text


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def normalize_title(title: str) -> tuple[str, str]:
    """Return (comparison key, marker language) for a title.

    The key is lower case ASCII words separated by single spaces, with markup,
    accents, punctuation and language markers removed.
    """
    text, language = split_language_marker(fold(title))
    text = strip_annotations(text)
    if "," in text:  # what _THOUSANDS removes is a comma
        text = _THOUSANDS.sub("", text)
    key = _NON_ALNUM.sub(" ", text.lower()).strip()
    return key, language


#: A character `normalize_title` reads in a printable ASCII title beyond its words: markup
#: (`fold`) or an opening bracket (`split_language_marker` and `strip_annotations` act only
#: on a "[").
_MARKUP_OR_BRACKET = re.compile(r"[&<\\${}\[]")
#: In NUL-joined titles read backwards: each title's last run of letters before what
#: `split_language_marker` strips at the end (" .)"), read backwards.
_LAST_LETTERS_REVERSED = re.compile(r"\x00[ .)]*([A-Za-z]*)")
_LANGUAGES_REVERSED = frozenset(name[::-1] for name in LANGUAGES)
#: Bytes of a lower-case ASCII title: [0-9a-z] kept, NUL kept (between titles), all else a space.
_KEY_BYTES = bytes(b if 48 <= b <= 57 or 97 <= b <= 122 or b == 0 else 32 for b in range(256))


def normalize_titles(titles: list[str]) -> list[tuple[str, str]]:
    """Return `[normalize_title(t) for t in titles]`, the plain titles done together.

    Most titles are printable ASCII with no markup, no bracket and no language name
    at the end: their key is their words in lower case ([0-9a-z] runs, after the
    thousands rule), single spaces between. Those titles are joined with NUL (which
    none of them holds) and keyed with a few passes over the whole text; every other
    title takes `normalize_title` itself. tests/core/test_normalize_fast_paths.py
    compares the two.
    """
    plain = [i for i, title in enumerate(titles) if title.isascii() and title.isprintable()]
    slow = set(range(len(titles))).difference(plain) if len(plain) != len(titles) else set()
    text = "\x00".join([titles[i] for i in plain]) + "\x00"
    starts = None
    if _MARKUP_OR_BRACKET.search(text):
        starts = list(accumulate((len(titles[i]) + 1 for i in plain), initial=0))
        slow.update(plain[bisect_right(starts, m.start()) - 1] for m in _MARKUP_OR_BRACKET.finditer(text))
    # a title ending with a language name (then " .)" only) may lose it as a marker
    ends = _LAST_LETTERS_REVERSED.findall("\x00" + text[-2::-1].lower())[::-1]
    if not _LANGUAGES_REVERSED.isdisjoint(ends):
        slow.update(i for i, word in zip(plain, ends) if word in _LANGUAGES_REVERSED)
    if slow:
        plain = [i for i in plain if i not in slow]
    if starts is not None or len(plain) != len(ends) or "," in text:
        text = "\x00".join([_THOUSANDS.sub("", titles[i]) if "," in titles[i] else titles[i]
                            for i in plain]) + "\x00"
    words = text.lower().encode("ascii").translate(_KEY_BYTES)
    while b"  " in words:  # runs of spaces made single (each pass halves them)
        words = words.replace(b"  ", b" ")
    words = words.replace(b" \x00", b"\x00").replace(b"\x00 ", b"\x00")
    keys = words[1:].decode("ascii").split("\x00") if words[:1] == b" " else words.decode("ascii").split("\x00")
    out: list[tuple[str, str]] = [None] * len(titles)  # type: ignore[list-item]
    for i, key in zip(plain, keys):
        out[i] = (key, "")
    for i in slow:
        out[i] = normalize_title(titles[i])
    return out


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
          "viii": "8", "ix": "9", "x": "10", "one": "1", "two": "2", "three": "3", "four": "4",
          "first": "1", "second": "2", "third": "3"}
_PART_WORDS = frozenset({"part", "parts", "type", "grade", "class", "stage", "phase", "stage", "volume", "vol", "no", "number",
                         "series", "section", "chapter", "report", "paper"})


_ASCII_DIGIT = re.compile(r"[0-9]")


def title_numbers(words: list[str]) -> tuple[str, ...]:
    """Return the numbers a normalized title contains, in order (years, part numbers, doses).

    Roman numerals and number words count when they follow "part", "phase" and similar,
    so "Part II" gives "2".
    """
    if _PART_WORDS.isdisjoint(words):  # no Roman numeral counts; any number has a digit
        text = " ".join(words)
        if text.isascii() and not _ASCII_DIGIT.search(text):
            return ()
    numbers = []
    previous = ""
    for word in words:
        if word.isdigit():
            numbers.append(word.lstrip("0") or "0")
        elif previous in _PART_WORDS and word in _ROMAN:
            numbers.append(_ROMAN[word])
        elif not word.isalpha():  # a digit inside: "p66shc", "2diabetes" (words run together)
            numbers.extend(n.lstrip("0") or "0" for n in re.findall(r"\d+", word))
        previous = word
    return tuple(numbers)


#: Titles that name a kind of item rather than a study.
_GENERIC_PHRASES = frozenset(p.strip() for p in """
editorial, introduction, preface, foreword, letter, letters, book review, book reviews,
erratum, errata, corrigendum, correction, corrections, commentary, comment, comments,
reply, response, abstract, abstracts, news, index, contents, table of contents,
in this issue, untitled, no title, conclusion, conclusions, discussion, obituary,
announcement, announcements, highlights, summary, overview, guest editorial,
editorial comment, letter to the editor, letters to the editor, editor s note,
editors note, note, notes, acknowledgement, acknowledgements, acknowledgment, reviewers,
meeting abstracts, poster abstracts, proceedings, invited commentary, retraction,
retraction notice, expression of concern
""".split(","))


def is_generic_title(key: str) -> bool:
    """Return True when a normalized title says nothing about the study ("editorial", "")."""
    if not key:
        return True
    if key in _GENERIC_PHRASES:
        return True
    return len(key.split()) <= 2 and len(key) < 20


_NOTICE_PATTERNS = (
    ("erratum", re.compile(
        r"^\s*(?:erratum|errata|corrigendum|corrigenda|correction|corrections|author correction|"
        r"publisher correction|publisher's note)\s*(?:[:\-.\[(]|to\b|notice\b|for\b|$)"
        r"|\b(?:erratum|errata|corrigendum|corrigenda)\b")),
    ("retraction", re.compile(
        r"^\s*(?:retraction|notice of retraction|retraction note|retraction notice|"
        r"expression of concern|withdrawal)\b|\bretraction (?:note|notice)\b")),
    ("reply", re.compile(
        r"^\s*(?:reply|replies|in reply|authors?'? reply|author's reply|the authors? repl(?:y|ies))\b"
        r"|^\s*response\s*(?::|to (?:the )?(?:letter|comments?|commentary|editor|dr|drs|"
        r"reviewers?|critique|criticism)\b)"
        r"|\breply to\b|\b(?:author'?s'?|authors|the authors) (?:reply|response)\b")),
    ("comment", re.compile(
        r"^\s*(?:comment|comments|commentary)\s*(?::|on\b|to\b|regarding\b|$)"
        r"|^\s*re\s*:|^\s*letter\s*(?::|to the editor|regarding|$)"
        r"|\bcomment(?:s|ary)? on\b|\bletter to the editor\b")),
)


#: A database's note about the record, anywhere in the title ("[Erratum appears in ...]"):
#: the record is the article, not the erratum.
_NOTE_ON_RECORD = re.compile(
    r"\[\s*(?:erratum|corrigendum|comment|retraction|retracted|update|summary for patients|corrected)"
    r"\b[^\]]*(?:\]|$)", re.IGNORECASE)

_NOTICE_HINT = re.compile(r"errat|corrig|correct|retract|concern|withdraw|repl|respon|comment|"
                          r"letter|publisher")


def notice_kind(title: str) -> str:
    """Return the kind of notice a title announces ("erratum", "retraction", "reply",
    "comment") or "" for an ordinary article. Reads the folded title with its punctuation."""
    lower = title.lower()
    if not _NOTICE_HINT.search(lower) and not lower.lstrip().startswith("re"):
        return ""
    text = _NOTE_ON_RECORD.sub(" ", split_language_marker(fold(title))[0])
    text = " ".join(strip_annotations(text).lower().split())
    for kind, pattern in _NOTICE_PATTERNS:
        if pattern.search(text):
            return kind
    return ""


_INITIALS = re.compile(r"^(?:[A-Za-z]\.-?)+[A-Za-z]?$|^[A-Z]{1,3}$|^[a-z]$")
#: Where a list exported with no separator between names can be cut: after an initial's
#: full stop ("Adeli K.Lewis G. F.") or between a given name and the next surname
#: ("Smith JohnJones Kevin"), never inside "McDonald" or "DeVries".
_RUN_TOGETHER = re.compile(r"(?<=\.)(?=[A-Z][a-z])|(?<=[a-z]{2})(?=[A-Z][a-z])")
_AND = re.compile(r"\s+and\s+|;\s*", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_NAME_SPLIT = re.compile(r"[^0-9A-Za-z]+")
#: Words in author fields that say nothing about who the author is.
_NAME_STOP = frozenset("""and null jr sr others etal et al van von der den de da del di la le du dos das
ii iii""".split())


def split_authors(authors: tuple[str, ...] | list[str]) -> list[str]:
    """Return one string per author, splitting lists a database ran together.

    Handles "A and B", "A; B", "Adeli K.Lewis G. F." and "Smith JohnJones Kevin"
    (no separator at all; each name then starts with the surname).
    """
    return [name for name, _ in _split_names(authors)]


def _split_names(authors) -> list[tuple[str, bool]]:
    """Return (name, whether it was cut out of a run-together list) per author."""
    out: list[tuple[str, bool]] = []
    for entry in authors:
        for part in _AND.split(entry):
            part = part.strip()
            if not part:
                continue
            if "," not in part and _RUN_TOGETHER.search(part):
                out.extend((p.strip(), True) for p in _RUN_TOGETHER.split(part) if p.strip())
            else:
                out.append((part, False))
    return out


def surname(author: str, surname_first: bool = False) -> str:
    """Return an author's surname as a lower-case ASCII key ("Lewis G. F." -> "lewis").

    `surname_first` says the name comes from a run-together list, where every
    name starts with the surname ("Smith John").
    """
    text = fold(author).strip()
    if "," in text:
        head = text.split(",", 1)[0]
        tokens = head.split()
        if len(tokens) > 1 and _INITIALS.match(tokens[-1]):  # "Smith J, Jones K" (PubMed style)
            head = " ".join(t for t in tokens if not _INITIALS.match(t))
    else:
        tokens = text.split()
        words = [w for w in tokens if not _INITIALS.match(w)]
        if not words:
            return ""
        # "Lewis G. F." / "Lewis GF" -> Lewis; "Gary F. Lewis" -> Lewis
        head = words[0] if surname_first or _INITIALS.match(tokens[-1]) else words[-1]
    return _NON_ALNUM.sub("", head.lower())


def clean_name(text: str) -> str:
    """Return an author field folded to ASCII, mojibake read back and "?" placeholders dropped."""
    text = fold(text)
    return text.replace("?", "").replace("\ufffd", "") if "?" in text or "\ufffd" in text else text


def first_author_key(authors: tuple[str, ...]) -> str:
    """Return the first author's surname as a key ("" when there is no author)."""
    if not authors:
        return ""
    names = _split_names([clean_name(authors[0])])
    return surname(*names[0]) if names else ""


def author_words(authors: tuple[str, ...]) -> frozenset[str]:
    """Return the name words of the first ten authors: surnames and any given names.

    Robust to the forms databases export: run-together lists, full given names
    or initials (initials are left out: "GF", "K. L."), names written in
    mojibake ("MÃ¼ller" -> "muller") or with "?" for a letter ("M?ller" -> "mller").
    """
    words: set[str] = set()
    for name in split_authors([clean_name(a) for a in authors[:10]])[:10]:
        text = name
        has_lower = text != text.upper()
        for token in _NAME_SPLIT.split(_CAMEL.sub(" ", text)):
            if len(token) < 2 or (token.isupper() and len(token) <= (3 if has_lower else 1)):
                continue
            word = token.lower()
            if word not in _NAME_STOP:
                words.add(word)
    return frozenset(words)


def author_keys(authors: tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """Return (first author's surname, set of name words of the first ten authors)."""
    return first_author_key(authors), author_words(authors)


_VENUE_STOP = frozenset({"of", "the", "and", "in", "for", "on", "de", "la", "und", "fur", "a"})
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@lru_cache(maxsize=65536)
def venue_tokens(venue: str) -> tuple[str, ...]:
    """Return a venue's significant lower-case words, without parenthesized parts."""
    text = _PAREN.sub(" ", fold(venue).lower()).replace("&", " ")
    text = text.split(":", 1)[0] if len(text.split(":", 1)[0].split()) >= 1 else text
    return tuple(w for w in _NON_ALNUM.split(text) if w and w not in _VENUE_STOP)


def _abbreviates(short: str, word: str) -> bool:
    """Return True when `short` can abbreviate `word` ("soc" society, "br" british, "natl" national)."""
    if word.startswith(short):
        return True
    if short[0] != word[0] or len(short) > len(word):
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in short[1:])


def _abbreviation_of(short: tuple[str, ...], long_: tuple[str, ...]) -> bool:
    i = 0
    for word in short:
        while i < len(long_) and not _abbreviates(word, long_[i]):
            i += 1
        if i == len(long_):
            return False
        i += 1
    return True


@lru_cache(maxsize=65536)
def venues_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Return True when two venues can name the same journal (full name vs abbreviation).

    Each word of one name must abbreviate a word of the other, in order
    ("J Am Heart Assoc" and "Journal of the American Heart Association").
    Cached: a review's journals recur, and dedupe asks once per candidate pair.
    """
    if not a or not b or a == b:
        return True
    return _abbreviation_of(a, b) or _abbreviation_of(b, a)


_FIRST_PAGE = re.compile(r"\d+")
_LEADING_INT = re.compile(r"^\s*(\d+)\s*(?:\(|-|$|\s)")
_MONTHS = {m: str(n) for n, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_EXCEL_DATE = re.compile(r"^\s*(?:(\d{1,4})-([A-Za-z]{3})|([A-Za-z]{3})-(\d{1,4}))\s*$")


def first_page(pages: str) -> str:
    """Return the first page as a number key: "123-9" -> "123", "S72-S73" -> "72", "e0137960" -> "137960".

    Page ranges that a spreadsheet turned into dates ("11-Sep" for 11-9, "Nov-19" for 11-19)
    are read back as page ranges.
    """
    if not pages:
        return ""
    date = _EXCEL_DATE.match(pages)
    if date:
        if date.group(1) and date.group(2).lower() in _MONTHS:
            return date.group(1).lstrip("0") or "0"
        if date.group(3) and date.group(3).lower() in _MONTHS:
            return _MONTHS[date.group(3).lower()]
    match = _FIRST_PAGE.search(pages)
    if not match:
        return ""
    return match.group(0).lstrip("0") or "0"


def volume_number(volume: str) -> str:
    """Return the volume as a plain number ("32 (Supplement 2)" -> "32"), or "" if unclear."""
    match = _LEADING_INT.match(volume or "")
    return match.group(1).lstrip("0") if match else ""
