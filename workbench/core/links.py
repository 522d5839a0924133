"""Which links from the data may be handed to the system's opener.

A study's URL comes from a search export or a CSV someone else wrote: it may
be `file:///etc/passwd`, `javascript:...`, a `smb://` share, a path to a
program, or a string starting with `-` that an opener would read as an
option. Only web links (http, https) with a host and DOI links (built as
`https://doi.org/<doi>`, the DOI percent-encoded) are opened; anything else
is shown to the person instead, who can copy it if they trust it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

WEB_SCHEMES = ("http", "https")
DOI_RESOLVER = "https://doi.org/"
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:doi\s*:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\"<>\\^`{|}]")


def web_link(url: str) -> str | None:
    """Return `url` (trimmed) when it is an http(s) link with a host, else None.

    Args:
        url: a link from the data.

    Returns:
        The link to open, or None when it must only be shown: another scheme
        (file:, javascript:, smb:, data: ...), no host, or spaces, control
        characters or quotes inside it.
    """
    text = (url or "").strip()
    if not text or _UNSAFE.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:            # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return text


def doi_link(doi: str) -> str | None:
    """Return the https://doi.org/ link of a DOI ("10.xxxx/..."), or None when it is not one.

    The DOI is percent-encoded (a DOI may hold `<`, `#`, `?` or spaces), so the
    link always goes to the DOI resolver and nowhere else.
    """
    text = _DOI_PREFIX.sub("", (doi or "").strip())
    if not _DOI.fullmatch(text):
        return None
    return DOI_RESOLVER + quote(text, safe="/:;()._-")


@dataclass(frozen=True)
class Links:
    """What to open for a study, in order of preference, and what was refused."""

    openable: tuple[str, ...]
    refused: tuple[str, ...]


def study_links(files: list[str], doi: str = "", url: str = "") -> Links:
    """Return the targets the opener may open and the links it must only show.

    Args:
        files: full texts found by the tool itself (paths under references/).
        doi: the study's DOI.
        url: the study's URL (a "doi:" or doi.org URL counts as a DOI link).

    Returns:
        Links: `openable` (files, then the DOI link, then the web link) and
        `refused` (a DOI or URL from the data that is neither).
    """
    openable, refused = list(files), []
    for value, check in ((doi, doi_link), (url, _url_or_doi)):
        if not (value or "").strip():
            continue
        link = check(value)
        if link is None:
            refused.append(value)
        elif link not in openable:
            openable.append(link)
    return Links(tuple(openable), tuple(refused))


def _url_or_doi(url: str) -> str | None:
    if _DOI_PREFIX.match(url.strip()):
        return doi_link(url)
    return web_link(url)
