"""Reference-manager exports: CSL-JSON (included.json) and the decision notes every format carries.

Each included study goes back to Zotero, EndNote, Mendeley or Pandoc with its
study id and its final screening decision and reasons, so a library can be
filtered by decision:

- CSL-JSON (`csl_json`): `id` is the study id; `note` holds lines
  "workbench study: <id>" and "workbench decision: include at <stage> (<criteria>)"
  (Zotero shows the note as the item's Extra field); `keyword` lists the tags;
  `custom` holds the same as key-value pairs (CSL 1.0.2).
- RIS and BibTeX (`workbench.io.exports.refs`) carry the note (N1 / note) and the
  tags (KW / keywords), which Zotero and EndNote import as tags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from workbench.io.exports.refs import study_ris_type

#: RIS type -> CSL type.
_CSL_TYPES = {"JOUR": "article-journal", "BOOK": "book", "CHAP": "chapter",
              "CONF": "paper-conference", "CPAPER": "paper-conference", "RPRT": "report",
              "THES": "thesis", "ELEC": "webpage", "GEN": "article"}
TAG_DECISION = "workbench-decision:"
TAG_CRITERION = "workbench-criterion:"


@dataclass(frozen=True)
class ReferenceNote:
    """What a study's reference carries: a note, tags, and the same as key-value pairs."""

    note: str
    tags: tuple[str, ...]
    custom: dict


def reference_notes(study_ids: Iterable[str], finals, criteria_labels: dict[str, str],
                    stage_labels: dict[str, str]) -> dict[str, ReferenceNote]:
    """Return study id -> ReferenceNote from the final screening decisions.

    Args:
        study_ids: the studies exported.
        finals: [(stage id, {study id: FinalDecision})] for every screening stage, in order.
        criteria_labels: criterion id -> label.
        stage_labels: stage id -> label.
    """
    out = {}
    for sid in study_ids:
        lines = [f"workbench study: {sid}"]
        tags: list[str] = []
        custom: dict = {"workbench_study_id": sid, "workbench_decisions": []}
        last = None
        for stage_id, decisions in finals:
            final = decisions.get(sid)
            if final is None or not final.decision:
                continue
            reasons = [f"{c} {criteria_labels[c]}" if c in criteria_labels else c
                       for c in final.criteria]
            union = "" if final.criteria_agreed else " (criteria not agreed: union)"
            why = f": {'; '.join(reasons)}{union}" if reasons else ""
            lines.append(f"workbench {stage_id}: {final.decision}{why}")
            custom["workbench_decisions"].append(
                {"stage": stage_id, "stage_label": stage_labels.get(stage_id, stage_id),
                 "decision": final.decision, "criteria": list(final.criteria),
                 "criteria_agreed": final.criteria_agreed})
            last = final
        if last is not None:
            lines.insert(1, f"workbench decision: {last.decision} at {last.stage}")
            tags.append(f"{TAG_DECISION}{last.decision}")
            tags += [f"{TAG_CRITERION}{c}" for c in last.criteria]
            custom["workbench_decision"] = last.decision
        out[sid] = ReferenceNote("\n".join(lines), tuple(tags), custom)
    return out


def _name(author: str) -> dict:
    family, comma, given = author.partition(",")
    if comma and family.strip():
        return {"family": family.strip(), "given": given.strip()} if given.strip() \
            else {"family": family.strip()}
    return {"literal": author.strip()}


def csl_json(studies: Iterable, pub_types: dict | None = None,
             notes: dict[str, ReferenceNote] | None = None) -> str:
    """Return the studies (workbench.core.dedupe.duplicates.Study) as CSL-JSON text (an array)."""
    pub_types, notes = pub_types or {}, notes or {}
    return pretty_json([csl_item(s, pub_types, notes) for s in studies]) + "\n"


def csl_item(s, pub_types: dict, notes: dict[str, ReferenceNote]) -> dict:
    """Return one study's CSL-JSON item (a dict, in the key order written)."""
    item: dict = {"id": s.id,
                  "type": _CSL_TYPES.get(study_ris_type(s, pub_types.get(s.id, "")),
                                         "article")}
    if s.title:
        item["title"] = s.title
    authors = [_name(a) for a in s.authors if a.strip()]
    if authors:
        item["author"] = authors
    if s.year:
        item["issued"] = {"date-parts": [[int(s.year)]]}
    for key, value in (("container-title", s.venue), ("volume", s.volume),
                       ("issue", s.issue), ("page", s.pages), ("DOI", s.doi),
                       ("PMID", s.pmid), ("URL", s.url), ("abstract", s.abstract)):
        if value:
            item[key] = value
    note = notes.get(s.id)
    keywords = [k for k in s.keywords if k.strip()] + list(note.tags if note else ())
    if keywords:
        item["keyword"] = ", ".join(keywords)
    if note is not None:
        item["note"] = note.note
        item["custom"] = note.custom
    return item


def pretty_json(value: object, pad: str = "") -> str:
    """Return `json.dumps(value, indent=2, ensure_ascii=False)`, built faster.

    With an indent, the json module encodes in pure Python, one generator per
    level (seconds for a 100k-study CSL-JSON file); here each string goes
    through json's C string encoder and each level is joined by str.join. Values are
    what JSON holds: dicts with text keys, lists or tuples, text, ints,
    floats, bools and None. `pad` is the indent of the line `value` starts on
    (an item of a list at the top level: "  ").
    """
    from json.encoder import encode_basestring as enc

    def text(item: object, pad: str) -> str:
        kind = item.__class__
        if kind is str:
            return enc(item)
        if item is None:
            return "null"
        if item is True:
            return "true"
        if item is False:
            return "false"
        if kind is int:
            return int.__repr__(item)
        if kind is dict or isinstance(item, dict):
            if not item:
                return "{}"
            inner = pad + "  "
            # a str value (most of them) inline: no call per value; joined in C
            return ("{\n" + inner + (",\n" + inner).join([
                enc(key) + ": " + (enc(sub) if sub.__class__ is str else text(sub, inner))
                for key, sub in item.items()]) + "\n" + pad + "}")
        if kind in (list, tuple) or isinstance(item, (list, tuple)):
            if not item:
                return "[]"
            inner = pad + "  "
            return ("[\n" + inner + (",\n" + inner).join([
                enc(sub) if sub.__class__ is str else text(sub, inner) for sub in item])
                + "\n" + pad + "]")
        # floats, int and str subclasses: exactly as the json module writes them
        return json.dumps(item, ensure_ascii=False)

    return text(value, pad)


#: Studies written at a time by `write_reference_files`: each file is written in
#: pieces, so its whole text (and its UTF-8 bytes) is never held.
REFERENCE_CHUNK = 2000


def write_reference_files(folder, studies: list, pub_types: dict, finals, codebook,
                          chunk: int = REFERENCE_CHUNK) -> None:
    """Write included.bib, included.ris and included.json (CSL-JSON), each with decision notes.

    Each file is written `chunk` studies at a time; its bytes are those of
    `bibtex_text`, `ris_text` and `csl_json` of all the studies at once (the
    entries are separated alike whatever the chunk).

    Args:
        folder: the export's staging folder.
        studies: the included studies, in order.
        pub_types: study id -> its records' publication types.
        finals: [(stage id, {study id: FinalDecision})] for every screening stage.
        codebook: the review's codebook (criterion and stage labels).
    """
    from workbench.io.exports.refs import bibtex_text, ris_text
    notes = reference_notes([s.id for s in studies], finals,
                            {c.id: c.label for c in codebook.criteria},
                            {s.id: s.label for s in codebook.stages})
    parts = [studies[at:at + chunk] for at in range(0, len(studies), max(chunk, 1))]
    # BibTeX entries and RIS records are joined by a blank line / a line break: so
    # are the pieces (each piece is one or more whole entries, never empty).
    for name, text in (("included.bib", bibtex_text), ("included.ris", ris_text)):
        with open(folder.path(name), "w", encoding="utf-8") as handle:
            for i, part in enumerate(parts):
                handle.write(("\n" if i else "") + text(part, pub_types, notes))
    # CSL-JSON: one array, its items laid out as `pretty_json` lays out a list.
    with open(folder.path("included.json"), "w", encoding="utf-8") as handle:
        if not parts:
            handle.write(pretty_json([]) + "\n")
            return
        handle.write("[\n  ")
        for i, part in enumerate(parts):
            handle.write((",\n  " if i else "") + ",\n  ".join(
                pretty_json(csl_item(s, pub_types, notes), "  ") for s in part))
        handle.write("\n]\n")
