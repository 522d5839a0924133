"""The tree-built .qdpx writer as it was before the streamed one (kept as the test oracle).

A frozen copy of `project_qdpx` in workbench/io/refi_project.py at 70f1fdc: lxml
builds the whole project.qde and `tostring(pretty_print=True)` writes it, then
each part goes to the zip with `writestr`. Tests compare the library's streamed
writer to it. Do not change it to make a test pass.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from workbench.io.refi import PROJECT_NS, PROJECT_XSD, stable_guid
from workbench.io.refi_codebook import add_codes, code_guid, xml_text
from workbench.io.refi_project import _VARIABLE_TYPES, _typed_value, source_text


def project_qdpx(codebook, sources, coders, name, now=None, compresslevel=None) -> bytes:
    """Return the .qdpx archive (zip bytes) of the sources, coders and codebook.

    `compresslevel` (added in session 7, when the library went to level 1): the
    deflate level of the archive, zlib's default when None, as it always was."""
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
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("project.qde", qde)
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()
