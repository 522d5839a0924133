"""Said when an export is read again: decisions on studies of an export the manifest does not list.

Record ids are made from an export's SHA-256 as `references/imports.csv`
records it, and a study's id is "S" + its earliest record's id. An export
edited together with its manifest row (the new digest written in) reads
without complaint, since the file and the manifest agree, but its records get
new ids, and every decision made on its studies names ids no export has any
more: `check` lists them one by one, the sheets keep them, nothing uses them.

`orphaned_prefixes` is called when an export is parsed again (no records
cache: a fresh clone, `.workbench/` removed, or the manifest row changed) and
says so at once: which digest prefixes the sheets name that no export has,
and which exports just read are named by no sheet (the likely edited ones).
It is a warning, not a refusal: an export removed on purpose leaves the same
trace, and the decisions are kept either way. Its cost is one scan of the
sheets (about 0.4 s of CPU for the 156 MB of the 100k review), paid only on
such a parse, never when the records come from the cache.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

#: A study id as the third CSV field of a sheet line: ",S<8 hex>-<ordinal>,".
_STUDY = re.compile(rb",S([0-9a-f]{8})-[0-9]{4,},")
#: The largest sheet scanned (larger ones are left to `check`).
_SCAN_LIMIT = 4 << 30


def orphaned_prefixes(root: Path) -> set[str]:
    """The 8-hex digest prefixes of the study ids the review's sheets name."""
    from workbench.store.files import mapped_regular_file
    found: set[bytes] = set()
    for sheet in sorted((Path(root) / "coding").glob("*.csv")):
        try:
            with mapped_regular_file(sheet, _SCAN_LIMIT, "sheet") as data:
                found.update(_STUDY.findall(data))
        except OSError:
            continue   # a sheet that cannot be read is reported by the commands that read it
    return {p.decode("ascii") for p in found}


def warn_orphaned(root: Path, listed: dict[str, str], fresh: list[str]) -> str:
    """Log (and return) a warning when the sheets name studies of an export not listed.

    Args:
        root: the review folder.
        listed: digest prefix (8 hex) -> export file, for every export read.
        fresh: the exports just parsed again (review-relative paths).
    """
    named = orphaned_prefixes(root)
    unknown = sorted(named - set(listed))
    if not unknown:
        return ""
    quiet = [rel for prefix, rel in listed.items() if rel in fresh and prefix not in named]
    text = (f"the coding sheets hold decisions on studies of "
            f"{'an export' if len(unknown) == 1 else f'{len(unknown)} exports'} that "
            f"references/imports.csv does not list (study ids "
            f"{', '.join(f'S{p}-NNNN' for p in unknown[:5])}{', ...' if len(unknown) > 5 else ''}"
            "): those decisions are kept but "
            "reach no study")
    if quiet:
        text += (f"; read again just now and named by no decision: {', '.join(quiet)}: if it "
                 "was edited together with its row in references/imports.csv, its records "
                 "got new ids; restore both as imported (from version control, or a "
                 "teammate's copy)")
    text += "; `workbench check` lists every such line"
    log.warning("%s", text)
    return text
