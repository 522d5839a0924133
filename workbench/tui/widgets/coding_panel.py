"""CodePanel: one section of the codebook (a dimension, the extraction fields or a group).

The coding screen owns the state (which section, which line has the cursor,
the study's coding) and calls `show(...)`; the panel only draws it, one line
per item so the cursor line is always visible at 80x24.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from workbench.core.codebook import Code, Codebook, Dimension, Field
from workbench.core.coding import StudyCoding, retired_codes

DIMENSION, FIELDS, GROUP = "dimension", "fields", "group"


@dataclass(frozen=True)
class Section:
    """One page of the codebook pane: a dimension, the fields, or a repeatable group."""

    kind: str
    id: str
    label: str


def sections_of(codebook: Codebook) -> list[Section]:
    """Return the pages of the codebook pane: every dimension, then fields, then groups."""
    out = [Section(DIMENSION, d.id, d.label or d.id) for d in codebook.dimensions]
    if codebook.fields:
        out.append(Section(FIELDS, "", "Extraction fields"))
    out += [Section(GROUP, g.id, g.label or g.id) for g in codebook.groups]
    return out


def codes_with_depth(dim: Dimension) -> list[tuple[Code, int]]:
    """Return a dimension's codes in order (nested ones after their parent) with their depth."""
    out: list[tuple[Code, int]] = []

    def walk(code: Code, depth: int) -> None:
        out.append((code, depth))
        for child in code.children:
            walk(child, depth + 1)

    for top in dim.codes:
        walk(top, 0)
    return out


def display_value(fld: Field, value: str) -> str:
    """Return a stored value as a person reads it: choice labels, units, "NA" when empty."""
    if value == "":
        return "NA"
    if fld.type in ("choice", "multi_choice"):
        labels = {c.id: c.label or c.id for c in fld.choices}
        return "; ".join(labels.get(v, v) for v in value.split(";"))
    if fld.type == "boolean":
        return {"true": "yes", "false": "no"}.get(value, value)
    if fld.unit:
        return f"{value} {fld.unit}" if fld.unit != "%" else f"{value}%"
    return value.replace("\n", " ")


def section_size(codebook: Codebook, section: Section, coding: StudyCoding | None) -> int:
    """Return how many items (lines the cursor can be on) a section has."""
    if section.kind == DIMENSION:
        dim = codebook.dimension(section.id)
        return len(dim.all_codes()) if dim else 0
    if section.kind == FIELDS:
        return len(codebook.fields)
    return len(coding.rows.get(section.id, ())) if coding else 0


def _dimension_lines(codebook: Codebook, section: Section, coding: StudyCoding,
                     cursor: int) -> tuple[Text, int]:
    dim = codebook.dimension(section.id)
    chosen = set(coding.codes.get(dim.id, ()))
    single = dim.select == "single"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(("choose one" if single else "choose any") + "; space toggles, 1-9 direct\n",
                style="dim")
    cursor_line = 1
    for number, (code, depth) in enumerate(codes_with_depth(dim), start=1):
        on = code.id in chosen
        mark = ("(•)" if on else "( )") if single else ("[x]" if on else "[ ]")
        key = str(number) if number <= 9 else " "
        line = Text(f"{'>' if number - 1 == cursor else ' '}{key} {'  ' * depth}{mark} ")
        line.append(code.label or code.id, style="bold green" if on else "")
        if code.id in coding.evidence:
            page = coding.evidence[code.id][1]
            line.append(f"  “p.{page}”" if page else "  “quote”", style="cyan")
        if number - 1 == cursor:
            line.stylize("reverse")
            cursor_line = number
        text.append_text(line)
        text.append("\n")
    retired = retired_codes(codebook, dim, coding.codes.get(dim.id, ()))
    if retired:   # saved before the codebook dropped them: kept, and shown
        text.append(f"also saved, not in the codebook: {', '.join(retired)} "
                    "(kept; workbench check)\n", style="yellow")
    memo = coding.memos.get(dim.id, "")
    text.append("memo: ", style="bold")
    text.append(memo.replace("\n", " ") if memo else "(none; m writes one)",
                style="italic" if memo else "dim")
    return text, cursor_line


def _fields_lines(codebook: Codebook, coding: StudyCoding, cursor: int) -> tuple[Text, int]:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("Enter/space edits; empty = NA (not reported)\n", style="dim")
    cursor_line = 1
    for number, fld in enumerate(codebook.fields, start=1):
        value = coding.values.get(fld.id, "")
        line = Text(f"{'>' if number - 1 == cursor else ' '}{number if number <= 9 else ' '} ")
        line.append(fld.label or fld.id, style="bold")
        line.append("*" if fld.required else "")
        line.append(": ")
        line.append(display_value(fld, value), style="dim" if value == "" else "green")
        if number - 1 == cursor:
            line.stylize("reverse")
            cursor_line = number
        text.append_text(line)
        text.append("\n")
    return text, cursor_line


def _group_lines(codebook: Codebook, section: Section, coding: StudyCoding,
                 cursor: int) -> tuple[Text, int]:
    group = codebook.group(section.id)
    rows = coding.rows.get(group.id, [])
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("a adds a row, Enter edits, x removes\n", style="dim")
    if not rows:
        text.append(f"No {group.label.lower() or group.id} rows yet (a adds one).", style="dim")
        return text, 0
    cursor_line = 1
    for number, row in enumerate(rows, start=1):
        first, *rest = group.fields
        line = Text(f"{'>' if number - 1 == cursor else ' '}{number if number <= 9 else ' '} ")
        line.append(row.values.get(first.id, "") or "(unnamed)", style="bold")
        for fld in rest:
            line.append(" | ")
            value = row.values.get(fld.id, "")
            line.append(display_value(fld, value), style="dim" if value == "" else "")
        if number - 1 == cursor:
            line.stylize("reverse")
            cursor_line = number
        text.append_text(line)
        text.append("\n")
    text.append(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", style="dim")
    return text, cursor_line


@dataclass(frozen=True)
class CodingCounts:
    """A coder's progress as shown: complete (coded, nothing required missing), started, flagged."""

    total: int
    coded: int
    incomplete: int
    flagged: int

    @property
    def left(self) -> int:
        return self.total - self.coded


def coding_counts(session) -> CodingCounts:
    """Count a session's studies: a study missing a required field is not coded yet."""
    coded = incomplete = flagged = 0
    for study in session.studies:
        if session.is_coded(study.id):
            if session.missing_required(study.id):
                incomplete += 1
            else:
                coded += 1
        flagged += session.is_flagged(study.id)
    return CodingCounts(len(session.studies), coded, incomplete, flagged)


def status_line(counts: CodingCounts, flagged: bool, reason: str, missing: list[str]) -> Text:
    """Return the status bar: the flag and its reason, coded/flagged counts, missing required.

    A study with a required field still NA does not count as coded; how many
    such studies there are is shown next to the count.
    """
    status = Text(no_wrap=True, overflow="ellipsis")
    if flagged:
        status.append(f"FLAGGED: {reason or '(no reason)'}  ", style="bold red")
    status.append(f"coded {counts.coded}/{counts.total}", style="bold")
    if counts.incomplete:
        status.append(f" ({counts.incomplete} required missing)", style="yellow")
    status.append(f" · flagged {counts.flagged}")
    if missing:
        status.append(f" · missing here: {', '.join(missing)}", style="yellow")
    return status


def item_hint(item) -> Text:
    """Return the one-line hint for the item under the cursor (its description)."""
    text = Text(no_wrap=True, overflow="ellipsis", style="dim")
    if item is None:
        return text
    kind, obj = item
    if kind == "code":
        text.append(obj.description or (f"e.g. {'; '.join(obj.examples)}" if obj.examples
                                        else "d: description, e: evidence, p: copy previous"))
    elif kind == "field":
        text.append(obj.description or f"{obj.type}{' (required)' if obj.required else ''}")
    return text


def describe_lines(kind: str, obj, evidence: tuple[str, str] = ("", "")) -> list[str]:
    """Return what `d` shows for a code or field: id, description, examples, nesting, evidence."""
    if kind == "row":
        return [f"{k}: {v or 'NA'}" for k, v in obj.values.items()]
    lines = [f"id: {obj.id}", obj.description or "(no description)"]
    if kind == "code" and obj.examples:
        lines += ["Examples:"] + [f"  • {e}" for e in obj.examples]
    if kind == "code" and obj.children:
        lines += ["Nested codes: " + ", ".join(c.label for c in obj.children)]
    if any(evidence):
        lines += [f"Your evidence (p. {evidence[1] or '?'}): {evidence[0]}"]
    return lines


class CodePanel(VerticalScroll):
    """The codebook side of the coding screen: one section at a time, a cursor on one item."""

    DEFAULT_CSS = """
    CodePanel { width: 1fr; height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    CodePanel > #panel-title { height: 1; text-style: bold; }
    CodePanel > #panel-body { width: 1fr; height: auto; text-wrap: nowrap;
                              text-overflow: ellipsis; }
    """

    def compose(self):
        yield Static("", id="panel-title")
        yield Static("", id="panel-body")

    def show(self, codebook: Codebook, sections: list[Section], index: int,
             coding: StudyCoding | None, cursor: int) -> None:
        """Draw section `index` of `sections` for a study's coding with the cursor on an item."""
        title = self.query_one("#panel-title", Static)
        body = self.query_one("#panel-body", Static)
        if coding is None or not sections:
            title.update("")
            body.update(Text("Nothing to code.", style="dim"))
            return
        section = sections[index]
        title.update(Text(f"◂ {index + 1}/{len(sections)} {section.label} ▸  (tab)",
                          no_wrap=True, overflow="ellipsis"))
        if section.kind == DIMENSION:
            text, line = _dimension_lines(codebook, section, coding, cursor)
        elif section.kind == FIELDS:
            text, line = _fields_lines(codebook, coding, cursor)
        else:
            text, line = _group_lines(codebook, section, coding, cursor)
        body.update(text)
        self.call_after_refresh(self._keep_visible, line + 1)

    def _keep_visible(self, line: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        if line < self.scroll_y:
            self.scroll_to(y=max(0, line - 1), animate=False)
        elif line >= self.scroll_y + height:
            self.scroll_to(y=line - height + 1, animate=False)
