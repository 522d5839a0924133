"""Turn the bytes of a search export into text: BOMs, UTF-16, legacy encodings, line ends."""

from __future__ import annotations

import codecs
import logging

from charset_normalizer import from_bytes

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
    if len(sample) < 4 or len(sample) % 2:
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


def _guess_legacy(data: bytes) -> str | None:
    """Return the name of a legacy encoding that decodes the bytes, or None."""
    matches = [m for m in from_bytes(data) if m.encoding not in ("utf_8", "ascii")]
    if not matches:
        return None
    chaos = min(m.chaos for m in matches)
    coherence = max(m.coherence for m in matches if m.chaos <= chaos + 0.01)
    tied = [m for m in matches if m.chaos <= chaos + 0.01 and m.coherence >= coherence - 0.01]
    for preferred in _PREFERRED:
        for match in tied:
            if preferred in match.could_be_from_charset:
                log.debug("charset-normalizer: %s among %d tied guesses", preferred, len(tied))
                return preferred
    return tied[0].encoding


def decode_bytes(data: bytes, path: str) -> str:
    """Decode an export's bytes to text with LF line ends, whatever its encoding.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are decoded directly;
    BOM-less UTF-16 is recognised by its NUL bytes; anything else is detected
    with charset-normalizer (GBK, cp1252, Latin-1, ...). Non-Latin text such as
    Urdu is kept exactly.

    Args:
        data: the file's bytes, untouched.
        path: the display path, used in the error message.

    Returns:
        The decoded text, without BOM, with "\\n" line ends.

    Raises:
        WorkbenchError: when no encoding decodes the bytes.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _normalize(data[len(bom):].decode(encoding))
            except UnicodeDecodeError as exc:
                raise WorkbenchError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {exc.start + len(bom)})", path=path,
                    hint="re-export the file as UTF-8; nothing was imported") from exc
    try:
        return _normalize(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        first_error = exc
    utf16 = _utf16_without_bom(data)
    candidates = [utf16] if utf16 else []
    legacy = _guess_legacy(data)
    if legacy:
        candidates.append(legacy)
    candidates.extend(_FALLBACKS)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        log.info("%s: decoded as %s", path, encoding)
        return _normalize(text)
    line = data[:first_error.start].count(b"\n") + 1
    raise WorkbenchError(
        "cannot work out the text encoding (not UTF-8, UTF-16 or a known legacy encoding)",
        path=path, line=line, hint="re-export the file as UTF-8; nothing was imported")
