"""Turn the bytes of a search export into text: BOMs, UTF-16, legacy encodings, line ends.

A file that is UTF-8 apart from a few damaged bytes stays UTF-8: the damaged
bytes become U+FFFD and their lines are reported (`Decoded.bad_lines`), so one
bad byte never re-decodes the whole file as a legacy encoding. A file is read
as a legacy encoding (cp1252, Latin-1, GBK, ...) only when its non-ASCII lines
are, on the whole, not UTF-8.
"""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass

from workbench.errors import WorkbenchError

log = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Encodings worth trying, in order, when charset-normalizer has no confident answer.
_FALLBACKS: tuple[str, ...] = ("gb18030", "cp1252")

#: Stands for a damaged byte sequence while lines are counted (a decoder never
#: yields a lone surrogate itself), then replaced by U+FFFD.
_MARK = "\udcff"
_ERRORS = "workbench.mark"
codecs.register_error(_ERRORS, lambda exc: (_MARK, exc.end))

#: A UTF-8 file whose clean non-ASCII lines are fewer than this share of its damaged
#: lines is taken for a legacy encoding (real cp1252/GBK files have no clean ones).
_UTF8_EVIDENCE = 0.1
#: Above this many NUL bytes (and not UTF-16), the file is not a text export.
_MAX_NULS = 64
_ASCII_PROBE = bytes(range(0x20, 0x7f)) + b"\t\n\r"


@dataclass(frozen=True)
class Decoded:
    """An export's text and what decoding it found.

    `bad_lines` lists the 1-based lines (of `text`) where bytes were not valid
    in `encoding` or were NUL bytes; they are shown as U+FFFD in `text`.
    """

    text: str
    encoding: str
    bad_lines: tuple[int, ...] = ()


def _normalize(text: str) -> str:
    """Strip a leading BOM character and turn CRLF / CR line ends into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" when the bytes look like BOM-less UTF-16 text."""
    sample = data[:4000]
    sample = sample[:len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


#: Among equally plausible guesses, the encodings search exports are most often in.
_PREFERRED: tuple[str, ...] = ("cp1252", "gb18030", "big5", "shift_jis", "cp1256", "latin_1")


def _ascii_compatible(encoding: str) -> bool:
    """True when the encoding reads plain ASCII bytes as themselves (not UTF-7, EBCDIC...)."""
    try:
        return _ASCII_PROBE.decode(encoding) == _ASCII_PROBE.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


#: Legacy encodings that search exports and reference managers actually write. Guesses
#: outside this list (Celtic ISO 8859-14, Mac Central European, HP Roman-8...) are
#: charset-normalizer over-fitting a few accented letters.
_PLAUSIBLE: frozenset[str] = frozenset({
    "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "cp1253",
    "iso8859_7", "cp1254", "iso8859_9", "cp1255", "iso8859_8", "cp1256", "iso8859_6",
    "cp1257", "iso8859_13", "cp1258", "mac_roman", "gb18030", "gbk", "gb2312", "big5",
    "big5hkscs", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949", "cp874", "tis_620"})
_CHAOS_TIE = 0.02


def _guess_legacy(data: bytes) -> str | None:
    """Return the name of a legacy encoding that decodes the bytes, or None."""
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data) if m.encoding not in ("utf_8", "ascii")
               and _ascii_compatible(m.encoding)]
    plausible = [m for m in matches if _PLAUSIBLE.intersection(m.could_be_from_charset)]
    matches = plausible or matches
    if not matches:
        return None
    chaos = min(m.chaos for m in matches)
    coherence = max(m.coherence for m in matches if m.chaos <= chaos + _CHAOS_TIE)
    tied = [m for m in matches
            if m.chaos <= chaos + _CHAOS_TIE and m.coherence >= coherence - 0.01]
    for preferred in _PREFERRED:
        for match in tied:
            if preferred in match.could_be_from_charset:
                log.debug("charset-normalizer: %s among %d tied guesses", preferred, len(tied))
                return preferred
    return tied[0].encoding


def _marked(data: bytes, encoding: str) -> tuple[str, list[int], int, int]:
    """Decode with damaged bytes marked.

    Returns:
        (text, lines with damaged or NUL bytes, lines with damaged bytes,
        clean non-ASCII lines).
    """
    text = _normalize(data.decode(encoding, errors=_ERRORS))
    bad: list[int] = []
    invalid = clean = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.isascii() and "\x00" not in line:
            continue
        if _MARK in line:
            bad.append(number)
            invalid += 1
        elif "\x00" in line:
            bad.append(number)
        elif not line.isascii():
            clean += 1
    return text, bad, invalid, clean


def _finish(text: str, encoding: str, bad: list[int], path: str) -> Decoded:
    if bad:
        log.info("%s: %d line(s) with bytes that are not %s, first at line %d",
                 path, len(bad), encoding, bad[0])
        text = text.replace(_MARK, "\ufffd").replace("\x00", "\ufffd")
    return Decoded(text, encoding, tuple(bad))


def _refuse_binary(data: bytes, path: str) -> None:
    """Raise when the bytes are plainly not a text export (many NUL bytes, not UTF-16)."""
    nuls = data.count(0)
    if nuls <= _MAX_NULS and nuls * 100 <= len(data):
        return
    what = "a ZIP or XLSX file" if data.startswith(b"PK\x03\x04") else \
        "a PDF" if data.startswith(b"%PDF") else "a binary file"
    first = data.index(0)
    line = data[:first].count(b"\n") + 1
    raise WorkbenchError(
        f"this looks like {what}, not a text export ({nuls} NUL bytes, the first at "
        f"byte {first + 1})", path=path, line=line,
        hint="export the records as RIS, BibTeX, CSV or plain text (if this is text in "
             "UTF-16 or UTF-32, re-export it as UTF-8); nothing was imported")


def decode_export(data: bytes, path: str) -> Decoded:
    """Decode an export's bytes to text with LF line ends, reporting damaged lines.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are decoded directly;
    BOM-less UTF-16 is recognised by its NUL bytes; a file whose non-ASCII
    lines are not UTF-8 is detected with charset-normalizer (GBK, cp1252,
    Latin-1, ...). A UTF-8 file with a few invalid bytes (or NUL bytes) stays
    UTF-8: those bytes become U+FFFD and their lines are listed in `bad_lines`.

    Args:
        data: the file's bytes, untouched.
        path: the display path, used in the error message.

    Returns:
        Decoded text, without BOM, with "\\n" line ends.

    Raises:
        WorkbenchError: when no encoding decodes the bytes, or they are binary.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text, bad, _, _ = _marked(data[len(bom):], encoding)
            return _finish(text, encoding, bad, path)
    if b"\x00" in data[:4000]:
        utf16 = _utf16_without_bom(data)
        if utf16:
            log.info("%s: UTF-16 without a byte-order mark (%s)", path, utf16)
            text, bad, _, _ = _marked(data, utf16)
            return _finish(text, utf16, bad, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return Decoded(_normalize(text), "utf-8")
    _refuse_binary(data, path)
    text, bad, invalid, clean = _marked(data, "utf-8")
    if not invalid or clean >= max(1.0, _UTF8_EVIDENCE * invalid):
        return _finish(text, "utf-8", bad, path)
    candidates = []
    legacy = _guess_legacy(data)
    if legacy:
        candidates.append(legacy)
    candidates.extend(_FALLBACKS)
    for encoding in candidates:
        try:
            data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        log.info("%s: decoded as %s", path, encoding)
        legacy_text, nul_lines, _, _ = _marked(data, encoding)
        return _finish(legacy_text, encoding, nul_lines, path)
    raise WorkbenchError(
        "cannot work out the text encoding (not UTF-8, UTF-16 or a known legacy encoding)",
        path=path, line=bad[0], hint="re-export the file as UTF-8; nothing was imported")


def decode_bytes(data: bytes, path: str) -> str:
    """Decode an export's bytes to text, refusing any damaged byte (see `decode_export`).

    Args:
        data: the file's bytes, untouched.
        path: the display path, used in the error message.

    Returns:
        The decoded text, without BOM, with "\\n" line ends.

    Raises:
        WorkbenchError: when no encoding decodes the bytes, or some bytes are damaged
            (the message names the first damaged line).
    """
    decoded = decode_export(data, path)
    if decoded.bad_lines:
        n = len(decoded.bad_lines)
        raise WorkbenchError(
            f"{n} line{'s' if n != 1 else ''} with bytes that are not valid "
            f"{decoded.encoding} (or NUL bytes)", path=path, line=decoded.bad_lines[0],
            hint="re-export the file; nothing was imported")
    return decoded.text
