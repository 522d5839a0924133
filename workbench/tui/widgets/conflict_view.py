"""What the resolve screen shows of a conflict: each coder's value with their memo,
evidence, flag and note, then the whole record (authors, venue, abstract, full-text link).

Rendered as wrapped text blocks rather than table columns, so at 80x24 no
value is cut: a long value wraps and the screen scrolls.
"""

from __future__ import annotations

from rich.text import Text

from workbench.core.coding import StudyCoding

#: How a conflict kind is named on screen.
KIND_WORDS = {"decision": "decision", "criteria": "criteria under an agreeing decision",
              "code": "codes", "field": "value", "row": "group row (one coder entered it)",
              "row_field": "value of a group row", "merge": "merged studies differ"}


def shown(value: str) -> str:
    """A value as displayed ("(none)" for empty)."""
    return value if value.strip() else "(none)"


def row_summary(values: dict[str, str]) -> str:
    """A group row as "name=..., platform=..." (empty values left out)."""
    return ", ".join(f"{k}={v}" for k, v in values.items() if v) or "(empty row)"


def coder_value(conflict, coder: str, codebook=None) -> str:
    """The value a coder gave, as shown (a row conflict shows the coder's whole row).

    With the `codebook`, each code, criterion and choice id is named as
    `workbench conflicts` names it: "Financial harm (theme_a)"
    (core.value_labels).
    """
    from workbench.core.value_labels import labelled, labelled_row
    value = conflict.values.get(coder, "")
    if conflict.kind == "row":
        row = conflict.rows.get(coder)
        if row is not None and codebook is not None:
            row = labelled_row(codebook, conflict.group, row)
        return row_summary(row) if row is not None else "(no row: drop it)"
    if codebook is not None:
        value = labelled(codebook, conflict.field, value)
    if conflict.kind in ("code", "criteria") or ";" in value:
        value = "; ".join(v.strip() for v in value.split(";") if v.strip())  # wraps between ids
    return shown(value)


def coder_details(conflict, coding: StudyCoding | None,
                  criteria: str | None) -> list[tuple[str, str]]:
    """Return (label, text) lines about one coder: criteria, memo, evidence, flag, note."""
    out: list[tuple[str, str]] = []
    if criteria is not None:
        out.append(("criteria", criteria or "-"))
    if coding is not None:
        if conflict.field.startswith("code:"):
            dim = conflict.field[5:]
            if coding.memos.get(dim):
                out.append(("memo", coding.memos[dim]))
            chosen = set(coding.codes.get(dim, ()))
            for code, (quote, page) in sorted(coding.evidence.items()):
                if code in chosen:
                    where = f" (p. {page})" if page else ""
                    out.append((f"evidence {code}", f"\u201c{quote}\u201d{where}"))
        if coding.flagged:
            out.append(("flag", coding.flag_reason or "flagged for discussion"))
        if coding.note:
            out.append(("note", coding.note))
    return out


def conflict_text(conflict, codings: dict[str, StudyCoding], criteria: dict[str, str] | None,
                  title: str = "", codebook=None) -> Text:
    """Return the header and each coder's numbered block for one conflict (ids labelled
    with the `codebook`)."""
    from workbench.core.value_labels import labelled
    text = Text()
    text.append(f"{conflict.stage} · {conflict.study_id} · {conflict.field}\n", style="bold")
    text.append(f"[{KIND_WORDS.get(conflict.kind, conflict.kind)}]  ", style="dim")
    text.append(f"{title}\n\n" if title else "\n\n", style="italic")
    for number, coder in enumerate(conflict.values, start=1):
        text.append(f"{number} ", style="bold reverse")
        text.append(f" {coder}: ", style="bold")
        text.append(coder_value(conflict, coder, codebook) + "\n")
        coding = codings.get(coder)
        given = None if criteria is None else criteria.get(coder, "")
        if given and codebook is not None:
            given = labelled(codebook, "criteria", given)
        lines = coder_details(conflict, coding, given)
        if coding is None and conflict.notes.get(coder):
            lines.append(("note", conflict.notes[coder]))
        for label, body in lines:
            text.append(f"    {label}: ", style="dim")
            text.append(body + "\n")
    return text


def record_text(study, link: str = "") -> Text:
    """Return the study's record: authors, year, venue, identifiers, full-text link, abstract."""
    text = Text()
    if study is None:
        return text
    who = "; ".join(study.authors[:6]) + (" et al." if len(study.authors) > 6 else "")
    line = " · ".join(p for p in (who, str(study.year or ""), study.venue) if p)
    if line:
        text.append(line + "\n")
    if study.doi:
        text.append(f"doi: {study.doi}\n", style="dim")
    if link:
        text.append(f"Full text: {link}\n", style="bold")
    elif study.url:
        text.append(f"Link: {study.url}\n", style="dim")
    if study.keywords:
        text.append("Keywords: " + "; ".join(study.keywords) + "\n", style="dim")
    text.append("\n" + (study.abstract or "(no abstract)") + "\n")
    return text


__all__ = ["KIND_WORDS", "shown", "row_summary", "coder_value", "coder_details",
           "conflict_text", "record_text"]
