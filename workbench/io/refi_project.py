"""The coded review as a REFI-QDA project (.qdpx: a zip of project.qde and Sources/).

`project_qdpx` turns prepared `ProjectSource` values into the archive:

- Users: every coder (and the consensus sheet), GUID `stable_guid("coder", name)`.
- CodeBook: the framework as in the .qdc (`refi_codebook.add_codes`).
- Variables: every extraction field (integer -> Integer, number -> Float,
  boolean -> Boolean, date -> Date, anything else -> Text).
- Sources: one TextSource per included study, its text in Sources/<guid>.txt
  (`plainTextPath="internal://<guid>.txt"`): the full text's extracted pages
  joined by a blank line, or title and abstract. Whole-source `Coding`s carry
  each coder's study-level codes (`creatingUser` = the coder); each evidence
  passage is a `PlainTextSelection` at its offsets in that text, coded with
  its code; the study's agreed extraction values are `VariableValue`s.

Positions are counted in characters (code points) of the source text, as
REFI-QDA and QualCoder count them. A character XML cannot hold is replaced by
U+FFFD, one for one, so every offset stays put.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from workbench.core.codebook import Codebook
from workbench.io.refi import PROJECT_NS, PROJECT_XSD, stable_guid
from workbench.io.refi_codebook import add_codes, code_guid, xml_text

#: Text joined between pages of a full text in a source.
PAGE_JOIN = "\n\n"
_XML_BAD_ONE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_VARIABLE_TYPES = {"integer": "Integer", "number": "Float", "boolean": "Boolean",
                   "date": "Date"}


@dataclass(frozen=True)
class Selection:
    """A coded passage: who, the code (or field) it is for, its place in the source text."""

    coder: str
    target: str          # "code:<id>" or "field:<id>"
    start: int
    end: int
    quote: str
    page: int = 0


@dataclass(frozen=True)
class ProjectSource:
    """One study as a text source, with its codings, passages and variable values."""

    study_id: str
    name: str
    text: str
    description: str = ""
    codings: tuple[tuple[str, str], ...] = ()          # (coder, code id)
    selections: tuple[Selection, ...] = ()
    values: dict = field(default_factory=dict)          # field id -> text value


def source_text(text: str) -> str:
    """Return text an XML file can hold, each bad character replaced one for one."""
    return _XML_BAD_ONE.sub("\ufffd", text)


def _decimal(value: str) -> str | None:
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        return None
    return format(number, "f") if number.is_finite() else None


def _typed_value(fld, value: str) -> tuple[str, str]:
    """(element name, text) of a variable value; Text when the value does not fit its type."""
    kind = _VARIABLE_TYPES.get(fld.type, "Text")
    text = value.strip()
    if kind == "Integer" and re.fullmatch(r"[+-]?\d+", text):
        return "IntegerValue", str(int(text))
    if kind == "Float" and _decimal(text) is not None:
        return "FloatValue", _decimal(text)
    if kind == "Boolean" and text in ("true", "false"):
        return "BooleanValue", text
    if kind == "Date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            datetime.strptime(text, "%Y-%m-%d")
            return "DateValue", text
        except ValueError:
            pass
    return "TextValue", value


def project_qdpx(codebook: Codebook, sources: list[ProjectSource], coders: list[str],
                 name: str, now: datetime | None = None) -> bytes:
    """Return the .qdpx archive (zip bytes) of the sources, coders and codebook."""
    from lxml import etree
    ns = PROJECT_NS
    q = lambda tag: f"{{{ns}}}{tag}"  # noqa: E731
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = etree.Element(q("Project"), nsmap={None: ns, "xsi": xsi})
    root.set(f"{{{xsi}}}schemaLocation", f"{ns} {PROJECT_XSD}")
    root.set("name", xml_text(name or "workbench review"))
    root.set("origin", "workbench")
    root.set("creationDateTime", when)
    users = {c: stable_guid("coder", c) for c in coders}
    if users:
        element = etree.SubElement(root, q("Users"))
        for coder, guid in users.items():
            etree.SubElement(element, q("User"), guid=guid, name=xml_text(coder), id=coder)
    if codebook.dimensions:
        add_codes(etree.SubElement(etree.SubElement(root, q("CodeBook")), q("Codes")),
                  codebook, ns)
    fields = {f.id: f for f in codebook.fields}
    if fields:
        element = etree.SubElement(root, q("Variables"))
        for fld in fields.values():
            var = etree.SubElement(element, q("Variable"), guid=stable_guid("field", fld.id),
                                   name=xml_text(fld.label or fld.id),
                                   typeOfVariable=_VARIABLE_TYPES.get(fld.type, "Text"))
            etree.SubElement(var, q("Description")).text = xml_text(
                f"{fld.description}\n\nworkbench id: {fld.id}".strip())
    codes = {c.id: code_guid(c, "code") for d in codebook.dimensions for c in d.all_codes()}
    files: dict[str, bytes] = {}
    if sources:
        element = etree.SubElement(root, q("Sources"))
        for src in sources:
            guid = stable_guid("study", src.study_id)
            text = source_text(src.text)
            files[f"Sources/{guid}.txt"] = text.encode("utf-8")
            node = etree.SubElement(element, q("TextSource"), guid=guid,
                                    name=xml_text(src.name or src.study_id),
                                    plainTextPath=f"internal://{guid}.txt", creationDateTime=when)
            etree.SubElement(node, q("Description")).text = xml_text(
                f"workbench study: {src.study_id}" + (f"\n{src.description}"
                                                      if src.description else ""))
            for i, sel in enumerate(src.selections):
                kind, _, target = sel.target.partition(":")
                part = etree.SubElement(
                    node, q("PlainTextSelection"),
                    guid=stable_guid("passage", f"{src.study_id}:{sel.coder}:{i}:{sel.target}:"
                                     f"{sel.start}:{sel.end}"),
                    name=xml_text(sel.quote[:80]), startPosition=str(sel.start),
                    endPosition=str(sel.end), creationDateTime=when)
                if sel.coder in users:
                    part.set("creatingUser", users[sel.coder])
                where = f"page {sel.page}, " if sel.page else ""
                label = (f"field {target}" if kind == "field" else f"code {target}")
                etree.SubElement(part, q("Description")).text = xml_text(
                    f"{where}{label}, coded by {sel.coder}")
                if kind == "code" and target in codes:
                    coding = etree.SubElement(part, q("Coding"),
                                              guid=stable_guid("coding", part.get("guid")))
                    if sel.coder in users:
                        coding.set("creatingUser", users[sel.coder])
                    etree.SubElement(coding, q("CodeRef"), targetGUID=codes[target])
            for coder, code in src.codings:
                if code not in codes:
                    continue
                coding = etree.SubElement(node, q("Coding"),
                                          guid=stable_guid("coding", f"{src.study_id}:{coder}:"
                                                                     f"{code}"))
                if coder in users:
                    coding.set("creatingUser", users[coder])
                etree.SubElement(coding, q("CodeRef"), targetGUID=codes[code])
            for fid, value in src.values.items():
                fld = fields.get(fid)
                if fld is None or value in (None, ""):
                    continue
                holder = etree.SubElement(node, q("VariableValue"))
                etree.SubElement(holder, q("VariableRef"), targetGUID=stable_guid("field", fid))
                tag, text = _typed_value(fld, str(value))
                etree.SubElement(holder, q(tag)).text = xml_text(text)
    qde = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()
