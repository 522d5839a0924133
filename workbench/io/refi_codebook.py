"""The thematic framework as a REFI-QDA codebook (.qdc, QDA-XML 1.0), out and back in.

Out (`codebook_qdc`): each dimension is a non-codable parent code, each of its
codes a codable child (nested codes nested). A code's Description carries its
definition, its examples and a last line `workbench id: <id>`, so a codebook
that went through another tool comes back with the same ids. GUIDs are
`stable_guid("dimension"|"code", id)` unless the codebook keeps a foreign one
(`guid:` in codebook.yaml, written by an import).

In (`read_qdc`): what real tools write is accepted (a byte order mark,
QualCoder's `origin`, ATLAS.ti's schema location and upper-case GUIDs,
Taguette's flat dotted names and empty `<Sets/>`); a code without guid, name
or isCodable, a malformed GUID or colour, or a GUID used twice is refused with
the file, line and element named. `draft_yaml` turns the result into a
codebook.yaml draft (see `workbench.review.refi_exchange`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.codebook import COLOR_PATTERN, GUID_PATTERN, ID_PATTERN, Code, Codebook
from workbench.errors import ExportError, ImportProblems, Problem
from workbench.io.refi import (CODEBOOK_NS, CODEBOOK_XSD, local, namespace, read_xml,
                               same_guid, stable_guid)

ID_LINE = "workbench id: "
SELECT_LINE = "Selection: "
EXAMPLES_LINE = "Examples:"
#: Characters XML 1.0 cannot hold (control characters other than tab and line breaks).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: The draft namespace ATLAS.ti writes in some versions (its schema location names it too).
CODEBOOK_NS_ATLAS = "urn:QDA-XML:codebook:0:4"
_BOOL = {"true": True, "1": True, "false": False, "0": False}


def xml_text(text: str) -> str:
    """Return text an XML document can hold (control characters dropped)."""
    return _XML_BAD.sub("", text)


def code_guid(code, kind: str) -> str:
    """Return the GUID of a dimension or code: the kept foreign one, else the stable one."""
    return code.guid or stable_guid(kind, code.id)


def describe(description: str, examples=(), select: str = "", ident: str = "") -> str:
    """Return a REFI-QDA Description: definition, examples, selection mode, workbench id."""
    parts = [description.strip()] if description.strip() else []
    if examples:
        parts.append("\n".join([EXAMPLES_LINE] + [f"- {e}" for e in examples]))
    tail = []
    if select == "single":
        tail.append(f"{SELECT_LINE}single")
    if ident:
        tail.append(f"{ID_LINE}{ident}")
    if tail:
        parts.append("\n".join(tail))
    return "\n\n".join(parts)


def parse_description(text: str) -> tuple[str, tuple[str, ...], str, str]:
    """Split a Description into (definition, examples, select, workbench id)."""
    ident, select, examples, body = "", "", [], []
    in_examples = False
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(ID_LINE):
            ident = stripped[len(ID_LINE):].strip()
        elif stripped.startswith(SELECT_LINE) and stripped[len(SELECT_LINE):] in ("single",
                                                                                 "multi"):
            select = stripped[len(SELECT_LINE):]
        elif stripped == EXAMPLES_LINE:
            in_examples = True
        elif in_examples and stripped.startswith("- "):
            examples.append(stripped[2:].strip())
        else:
            in_examples = False
            body.append(line.rstrip())
    return "\n".join(body).strip(), tuple(examples), select, ident


def codebook_qdc(codebook: Codebook, origin: str = "workbench") -> bytes:
    """Return the codebook's thematic framework as a REFI-QDA .qdc document (UTF-8 bytes).

    Raises:
        ExportError: the codebook has no dimension (a .qdc needs at least one
            code), or two of its codes keep the same foreign GUID.
    """
    from lxml import etree
    if not codebook.dimensions:
        raise ExportError("the codebook has no dimensions to export", path=codebook.path or None,
                          hint="a REFI-QDA codebook needs at least one code")
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS, "xsi": xsi})
    root.set(f"{{{xsi}}}schemaLocation", f"{CODEBOOK_NS} {CODEBOOK_XSD}")
    root.set("origin", origin)
    add_codes(etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes"), codebook, CODEBOOK_NS)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def add_codes(codes, codebook: Codebook, ns: str) -> None:
    """Add the framework under a <Codes> element (of a .qdc or a project, namespace `ns`).

    Raises:
        ExportError: two dimensions or codes keep the same foreign GUID.
    """
    from lxml import etree
    seen: dict[str, str] = {}

    def add(parent, item, kind: str, codable: bool, text: str):
        guid = code_guid(item, kind)
        key = guid.strip("{}").lower()
        if key in seen:
            raise ExportError(f"{kind} {item.id!r} has the GUID of {seen[key]!r} ({guid})",
                              path=codebook.path or None, hint="remove one of the guid: lines")
        seen[key] = item.id
        element = etree.SubElement(parent, f"{{{ns}}}Code", guid=guid,
                                   name=xml_text(item.label or item.id),
                                   isCodable="true" if codable else "false")
        if item.color:
            element.set("color", item.color)
        if text:
            etree.SubElement(element, f"{{{ns}}}Description").text = xml_text(text)
        return element

    def add_code(parent, code: Code) -> None:
        element = add(parent, code, "code", True,
                      describe(code.description, code.examples, ident=code.id))
        for child in code.children:
            add_code(element, child)

    for dim in codebook.dimensions:
        element = add(codes, dim, "dimension", False,
                      describe(dim.description, select=dim.select, ident=dim.id))
        for code in dim.codes:
            add_code(element, code)


@dataclass
class QdcCode:
    """One <Code> of a .qdc as read: attributes, description, children, source line."""

    guid: str
    name: str
    codable: bool
    color: str
    description: str
    line: int | None
    children: list["QdcCode"] = field(default_factory=list)


@dataclass
class QdcCodebook:
    """A .qdc as read: its top-level codes, its origin, and what was not imported."""

    codes: list[QdcCode]
    origin: str = ""
    notes: list[str] = field(default_factory=list)


def read_qdc(data: bytes, path: str | Path) -> QdcCodebook:
    """Read a REFI-QDA codebook (.qdc bytes); every problem is reported at once.

    Raises:
        ImportProblems: the file is not a codebook, or codes lack guid, name or
            isCodable, have a malformed GUID, isCodable or colour, or share a GUID.
    """
    path = str(path)
    root = read_xml(data, path)
    if local(root.tag) != "CodeBook":
        raise ImportProblems([Problem(path, root.sourceline, f"<{local(root.tag)}>",
                                      "the root element is not <CodeBook>: not a REFI-QDA "
                                      "codebook (.qdc)")])
    if namespace(root.tag) not in (CODEBOOK_NS, CODEBOOK_NS_ATLAS, ""):
        raise ImportProblems([Problem(path, root.sourceline, "<CodeBook>",
                                      f"namespace {namespace(root.tag)!r} is not "
                                      f"{CODEBOOK_NS!r}")])
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}

    def entry(element) -> str:
        name = element.get("name")
        return f"<Code name={name!r}>" if name is not None else "<Code>"

    def read_code(element) -> QdcCode:
        where = (path, element.sourceline, entry(element))
        for attr in ("guid", "name", "isCodable"):
            if element.get(attr) is None:
                problems.append(Problem(*where, f"missing attribute {attr!r}"))
        guid = (element.get("guid") or "").strip()
        if guid and not GUID_PATTERN.match(guid):
            problems.append(Problem(*where, f"guid {guid!r} is not a GUID"))
        elif guid:
            key = guid.strip("{}").lower()
            if key in seen:
                problems.append(Problem(*where, f"duplicate GUID {guid} (first used on line "
                                        f"{seen[key]})"))
            else:
                seen[key] = element.sourceline
        codable_text = (element.get("isCodable") or "").strip()
        if codable_text and codable_text not in _BOOL:
            problems.append(Problem(*where, f"isCodable {codable_text!r} is not true or false"))
        color = (element.get("color") or "").strip()
        if color and not COLOR_PATTERN.match(color):
            problems.append(Problem(*where, f"color {color!r} is not a colour like #1f77b4"))
        description = ""
        children = []
        for child in element:
            if local(child.tag) == "Description":
                description = child.text or ""
            elif local(child.tag) == "Code":
                children.append(read_code(child))
        return QdcCode(guid, (element.get("name") or "").strip(),
                       _BOOL.get(codable_text, True), color, description, element.sourceline,
                       children)

    codes: list[QdcCode] = []
    notes: list[str] = []
    codes_seen = False
    for part in root:
        if local(part.tag) == "Codes":
            codes_seen = True
            codes += [read_code(c) for c in part if local(c.tag) == "Code"]
        elif local(part.tag) == "Sets":
            sets = [s for s in part if local(s.tag) == "Set"]
            if sets:
                notes.append(f"{len(sets)} set(s) of codes not imported (workbench groups "
                             "codes by dimension only): "
                             + ", ".join(repr(s.get("name", "")) for s in sets))
    if not codes_seen:
        problems.append(Problem(path, root.sourceline, "<CodeBook>", "no <Codes> element"))
    elif not codes and not problems:
        problems.append(Problem(path, root.sourceline, "<Codes>", "the codebook has no codes"))
    if problems:
        raise ImportProblems(problems, hint="nothing was imported; no file was written")
    return QdcCodebook(codes, root.get("origin", ""), notes)


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", text.strip().lower()).strip("_.-")
    return slug or "code"


class _Ids:
    """Hands out ids unique within one namespace, preferring the one a file carries."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str, name: str) -> str:
        base = wanted if wanted and ID_PATTERN.match(wanted) else _slug(name)
        ident, n = base, 2
        while ident in self.used:
            ident, n = f"{base}_{n}", n + 1
        self.used.add(ident)
        return ident


def _item(code: QdcCode, kind: str, ids: _Ids, name: str | None = None) -> dict:
    """A dimension or code as codebook.yaml data, with its foreign GUID kept when not ours."""
    definition, examples, select, wanted = parse_description(code.description)
    label = name if name is not None else code.name
    ident = ids.take(wanted, label)
    out: dict = {"id": ident, "label": label or ident}
    if definition:
        out["description"] = definition
    if kind == "dimension":
        out["select"] = select or "multi"
    elif examples:
        out["examples"] = list(examples)
    if code.guid and not same_guid(code.guid, stable_guid(kind, ident)):
        out["guid"] = code.guid
    if code.color:
        out["color"] = code.color
    return out


def qdc_dimensions(qdc: QdcCodebook) -> tuple[list[dict], list[str]]:
    """Return the codebook's dimensions as codebook.yaml data, and notes on what changed.

    A top-level code with children, or not codable, is a dimension; its
    children are its codes. Top-level codes that are codable leaves (a flat
    codebook, as Taguette writes) are grouped into dimensions by the part of
    their name before the first dot ("theme.subtheme"), the rest into one
    dimension "codes".
    """
    dim_ids, code_ids = _Ids(), _Ids()
    notes = list(qdc.notes)
    dims: list[dict] = []
    flat: dict[str, list[tuple[QdcCode, str]]] = {}

    def convert(code: QdcCode) -> dict:
        out = _item(code, "code", code_ids)
        if code.children:
            out["children"] = [convert(c) for c in code.children]
        if not code.codable:
            notes.append(f"code {code.name!r} (line {code.line}) is not codable in the file; "
                         f"in workbench it is a code like the others")
        return out

    for top in qdc.codes:
        if top.children or not top.codable:
            dim = _item(top, "dimension", dim_ids)
            dim["codes"] = [convert(c) for c in top.children]
            if top.codable:
                notes.append(f"code {top.name!r} (line {top.line}) is codable and has children: "
                             f"it became dimension {dim['id']!r}, which is not codable")
            dims.append(dim)
        else:
            head, dot, rest = top.name.partition(".")
            key, label = (head.strip(), rest.strip()) if dot and head.strip() and rest.strip() \
                else ("", top.name)
            flat.setdefault(key, []).append((top, label))
    for key, members in flat.items():
        dim_label = key or "Imported codes"
        dim = {"id": dim_ids.take("", key or "codes"), "label": dim_label, "select": "multi",
               "codes": []}
        for code, label in members:
            item = _item(code, "code", code_ids, name=label)
            dim["codes"].append(item)
        dims.append(dim)
    for dim in dims:
        if not dim["codes"]:
            notes.append(f"dimension {dim['id']!r} has no codes; add some before coding")
    return dims, notes
