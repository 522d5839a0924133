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


def coder_value(conflict, coder: str, labels: dict[str, str] | None = None) -> str:
    """The value a coder gave, as shown (a row conflict shows the coder's whole row).

    `labels` (code id -> label) names the codes of a code conflict as the
    coding screen and `workbench conflicts` do: "theme_a (Financial harm)".
    """
    value = conflict.values.get(coder, "")
    if conflict.kind == "row":
        row = conflict.rows.get(coder)
        return row_summary(row) if row is not None else "(no row: drop it)"
    if conflict.kind in ("code", "criteria") or ";" in value:
        ids = [v for v in value.split(";") if v]
        if conflict.kind == "code" and labels:
            ids = [f"{i} ({labels[i]})" if labels.get(i) and labels[i] != i else i for i in ids]
        value = "; ".join(ids)   # wraps between ids
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
                  title: str = "", labels: dict[str, str] | None = None) -> Text:
    """Return the header and each coder's numbered block for one conflict."""
    text = Text()
    text.append(f"{conflict.stage} · {conflict.study_id} · {conflict.field}\n", style="bold")
    text.append(f"[{KIND_WORDS.get(conflict.kind, conflict.kind)}]  ", style="dim")
    text.append(f"{title}\n\n" if title else "\n\n", style="italic")
    for number, coder in enumerate(conflict.values, start=1):
        text.append(f"{number} ", style="bold reverse")
        text.append(f" {coder}: ", style="bold")
        text.append(coder_value(conflict, coder, labels) + "\n")
        coding = codings.get(coder)
        lines = coder_details(conflict, coding, None if criteria is None
                              else criteria.get(coder, ""))
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
