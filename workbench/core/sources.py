"""Where records came from, for PRISMA 2020: databases and registers, or "other methods".

A record's database label decides its column: a database or register, or one
of the other methods PRISMA 2020 names (websites, organisations, citation
searching).
"""

from __future__ import annotations

import re

#: The two columns of a PRISMA 2020 diagram, and the kinds of "other methods".
DATABASES = "databases"
WEBSITES = "websites"
ORGANISATIONS = "organisations"
CITATIONS = "citations"
#: Words in a database label that make its records an "other method" (lower case),
#: tried in this order: citation searching first, then organisations (a label
#: naming an organisation, NGO, government, agency or a report: "NGO reports",
#: "Government reports", "UNESCO reports"), then websites. Grey literature in
#: general ("Grey literature") counts as websites: it is found by searching the
#: web (search engines, repositories, sites) unless the label names an
#: organisation ("Grey literature (NGO reports)" is organisations).
OTHER_METHOD_WORDS = (
    (CITATIONS, ("citation", "hand search", "hand-search", "handsearch", "snowball",
                 "reference list", "backward", "forward search")),
    (ORGANISATIONS, ("organisation", "organization", "ngo", "government", "agency",
                     "agencies", "report", "ministr", "think tank", "charit", "foundation",
                     "institution", "united nations", "unesco", "unicef", "world bank")),
    (WEBSITES, ("grey", "gray", "website", "web site", "web page", "webpage", "web search",
                "google search", "search engine", "internet")),
)
_OTHER_METHOD_PATTERNS = tuple(
    (method, re.compile("|".join(rf"\b{re.escape(w)}" for w in words)))
    for method, words in OTHER_METHOD_WORDS)


def source_method(database: str) -> str:
    """Return DATABASES, or the kind of other method (WEBSITES, ORGANISATIONS, CITATIONS).

    Args:
        database: a record's database label (e.g. "Scopus", "Grey literature").
    """
    label = database.lower()
    for method, pattern in _OTHER_METHOD_PATTERNS:
        if pattern.search(label):
            return method
    return DATABASES
