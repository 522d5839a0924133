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
import time
import zipfile
import zlib
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
    buffer = io.BytesIO()
    write_project_qdpx(buffer, codebook, sources, coders, name, now)
    return buffer.getvalue()


#: Sources whose XML is joined before it goes to the compressor.
_SOURCES_PER_WRITE = 256
#: Deflate level of every part. 1 (fastest), not zlib's default 6: the parts are the same
#: bytes whichever the level, the archive (XML that compresses ~9:1 either way) is a few
#: per cent larger, and at 100k studies writing it takes seconds less.
COMPRESS_LEVEL = 1
#: Sources above which project.qde is written as a zip64 entry (streamed, its size is
#: not known when its header is written; 1.5 KB of XML a source stays under 2 GB well past it).
_ZIP64_SOURCES = 500_000


def write_project_qdpx(target, codebook: Codebook, sources: list[ProjectSource],
                       coders: list[str], name: str, now: datetime | None = None) -> None:
    """Write the .qdpx archive to `target` (a path or a binary file), project.qde streamed.

    The small head of project.qde (users, codebook, variables) is built with
    lxml; each source's XML is written as text, a few hundred sources at a
    time, straight into the compressed zip entry: neither the XML nor the
    archive is ever whole in memory. The parts are the bytes `lxml` writes with
    `pretty_print` (the old tree-built writer is the tests' oracle).

    Args:
        target: a path, or a binary file open for writing.
        codebook: the codebook (codes and variables).
        sources: the studies as `ProjectSource`s, in order.
        coders: every coder (and the consensus sheet) named in the project.
        name: the project's name (the review title).
        now: the creation time written (default: now, UTC).
    """
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    users = {c: stable_guid("coder", c) for c in coders}
    fields = {f.id: f for f in codebook.fields}
    codes = {c.id: code_guid(c, "code") for d in codebook.dimensions for c in d.all_codes()}
    head, tail = _project_head(codebook, users, fields, name, when, bool(sources))
    guids = [stable_guid("study", src.study_id) for src in sources]
    writer = _SourceXml(when, {c: _attr(g) for c, g in users.items()},
                        {c: _attr(g) for c, g in codes.items()}, fields)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED,
                         compresslevel=COMPRESS_LEVEL) as archive:
        with archive.open(_entry(archive, "project.qde"), "w",
                          force_zip64=len(sources) > _ZIP64_SOURCES) as part:
            part.write(head)
            for at in range(0, len(sources), _SOURCES_PER_WRITE):
                chunk = []
                for src, guid in zip(sources[at:at + _SOURCES_PER_WRITE],
                                     guids[at:at + _SOURCES_PER_WRITE]):
                    writer.write(chunk, src, guid)
                part.write("".join(chunk).encode("utf-8"))
            part.write(tail)
        # One part per study guid, in the order first seen, with the last text given
        # for it (as a dict of paths kept them).
        last = {}
        for i, guid in enumerate(guids):
            last[guid] = i
        put = _part_writer(archive)
        for guid, i in last.items():
            put(_entry(archive, f"Sources/{guid}.txt"),
                source_text(sources[i].text).encode("utf-8"))


def _part_writer(archive: zipfile.ZipFile):
    """Return put(info, data): what `archive.writestr(info, data)` writes, with less work.

    A review has a source part per included study (68,000 at 100k), most of
    them a title: `writestr`'s machinery per part (a write handle, a header
    written, then sought back to and written again with the CRC and sizes,
    three seeks) cost more than the compression. Here each part is compressed
    whole, then its final header and data are written once, and the archive's
    directory is told as `writestr` tells it; the bytes are those `writestr`
    writes (tests/io/test_refi_project_stream.py compares whole archives).
    Not seekable, a part that could need zip64, or a zipfile without the
    attributes used: `writestr` itself.
    """
    fp = getattr(archive, "fp", None)
    usable = (getattr(archive, "_seekable", False) and fp is not None
              and isinstance(getattr(archive, "start_dir", None), int)
              and isinstance(getattr(archive, "filelist", None), list)
              and isinstance(getattr(archive, "NameToInfo", None), dict)
              and not getattr(archive, "_writing", True)
              and archive.compression == zipfile.ZIP_DEFLATED)
    if not usable or fp.tell() != archive.start_dir:
        return archive.writestr
    level = archive.compresslevel if archive.compresslevel is not None \
        else zlib.Z_DEFAULT_COMPRESSION

    def put(info: zipfile.ZipInfo, data: bytes) -> None:
        if len(data) * 1.05 > zipfile.ZIP64_LIMIT or info.filename in archive.NameToInfo:
            archive.writestr(info, data)     # zip64, or writestr's duplicate-name warning
            return
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        info.file_size, info.compress_size, info.CRC = len(data), len(packed), zlib.crc32(data)
        info.flag_bits = 0
        info.header_offset = archive.start_dir
        fp.write(info.FileHeader(False))
        fp.write(packed)
        archive.start_dir = fp.tell()
        archive._didModify = True
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info

    return put


def _entry(archive: zipfile.ZipFile, path: str) -> zipfile.ZipInfo:
    """The ZipInfo `ZipFile.writestr(path, ...)` makes: now, the archive's compression, rw-------."""
    info = zipfile.ZipInfo(path, date_time=time.localtime(time.time())[:6])
    info.compress_type = archive.compression
    info._compresslevel = archive.compresslevel
    info.external_attr = 0o600 << 16
    return info


def _project_head(codebook: Codebook, users: dict[str, str], fields: dict, name: str,
                  when: str, has_sources: bool) -> tuple[bytes, bytes]:
    """project.qde before and after its sources: the document lxml writes with an empty
    <Sources/>, cut at that element (just the document when there is no source)."""
    from lxml import etree
    ns = PROJECT_NS
    q = lambda tag: f"{{{ns}}}{tag}"  # noqa: E731
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    root = etree.Element(q("Project"), nsmap={None: ns, "xsi": xsi})
    root.set(f"{{{xsi}}}schemaLocation", f"{ns} {PROJECT_XSD}")
    root.set("name", xml_text(name or "workbench review"))
    root.set("origin", "workbench")
    root.set("creationDateTime", when)
    if users:
        element = etree.SubElement(root, q("Users"))
        for coder, guid in users.items():
            etree.SubElement(element, q("User"), guid=guid, name=xml_text(coder), id=coder)
    if codebook.dimensions:
        add_codes(etree.SubElement(etree.SubElement(root, q("CodeBook")), q("Codes")),
                  codebook, ns)
    if fields:
        element = etree.SubElement(root, q("Variables"))
        for fld in fields.values():
            var = etree.SubElement(element, q("Variable"), guid=stable_guid("field", fld.id),
                                   name=xml_text(fld.label or fld.id),
                                   typeOfVariable=_VARIABLE_TYPES.get(fld.type, "Text"))
            etree.SubElement(var, q("Description")).text = xml_text(
                f"{fld.description}\n\nworkbench id: {fld.id}".strip())
    if not has_sources:
        return etree.tostring(root, xml_declaration=True, encoding="utf-8",
                              pretty_print=True), b""
    etree.SubElement(root, q("Sources"))
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    empty = b"  <Sources/>\n</Project>\n"
    if not data.endswith(empty):  # lxml always writes it so; refuse rather than guess
        raise RuntimeError("unexpected project.qde layout from lxml")
    return data[:-len(empty)] + b"  <Sources>\n", b"  </Sources>\n</Project>\n"


_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')


def _text(value: str) -> str:
    """Element text escaped as libxml2 writes it (& < > and CR)."""
    if _TEXT_SPECIAL.search(value) is None:
        return value
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attr(value: str) -> str:
    """An attribute value escaped as libxml2 writes it (& < > " and tab, LF, CR)."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


class _SourceXml:
    """Writes one <TextSource> of project.qde as text, indented as lxml's pretty_print."""

    def __init__(self, when: str, users: dict[str, str], codes: dict[str, str],
                 fields: dict) -> None:
        self.when = when
        self.users = users      # coder -> escaped GUID
        self.codes = codes      # code id -> escaped GUID
        self.fields = fields
        self.refs = {fid: stable_guid("field", fid) for fid in fields}

    def write(self, out: list[str], src: ProjectSource, guid: str) -> None:
        """Append the source's XML (each line indented, newline-ended) to `out`."""
        when, users, codes = self.when, self.users, self.codes
        out.append(f'    <TextSource guid="{guid}" name="{_attr(xml_text(src.name or src.study_id))}" '
                   f'plainTextPath="internal://{guid}.txt" creationDateTime="{when}">\n')
        description = f"workbench study: {src.study_id}" + (
            f"\n{src.description}" if src.description else "")
        out.append(f"      <Description>{_text(xml_text(description))}</Description>\n")
        for i, sel in enumerate(src.selections):
            kind, _, target = sel.target.partition(":")
            part = stable_guid("passage", f"{src.study_id}:{sel.coder}:{i}:{sel.target}:"
                                          f"{sel.start}:{sel.end}")
            user = users.get(sel.coder)
            creator = f' creatingUser="{user}"' if user is not None else ""
            out.append(f'      <PlainTextSelection guid="{part}" '
                       f'name="{_attr(xml_text(sel.quote[:80]))}" startPosition="{sel.start}" '
                       f'endPosition="{sel.end}" creationDateTime="{when}"{creator}>\n')
            where = f"page {sel.page}, " if sel.page else ""
            label = (f"field {target}" if kind == "field" else f"code {target}")
            out.append(f"        <Description>"
                       f"{_text(xml_text(f'{where}{label}, coded by {sel.coder}'))}"
                       f"</Description>\n")
            if kind == "code" and target in codes:
                out.append(f'        <Coding guid="{stable_guid("coding", part)}"{creator}>\n'
                           f'          <CodeRef targetGUID="{codes[target]}"/>\n'
                           f"        </Coding>\n")
            out.append("      </PlainTextSelection>\n")
        for coder, code in src.codings:
            ref = codes.get(code)
            if ref is None:
                continue
            user = users.get(coder)
            creator = f' creatingUser="{user}"' if user is not None else ""
            out.append(f'      <Coding guid="{stable_guid("coding", f"{src.study_id}:{coder}:{code}")}"'
                       f"{creator}>\n"
                       f'        <CodeRef targetGUID="{ref}"/>\n'
                       f"      </Coding>\n")
        for fid, value in src.values.items():
            fld = self.fields.get(fid)
            if fld is None or value in (None, ""):
                continue
            tag, text = _typed_value(fld, str(value))
            out.append(f"      <VariableValue>\n"
                       f'        <VariableRef targetGUID="{self.refs[fid]}"/>\n'
                       f"        <{tag}>{_text(xml_text(text))}</{tag}>\n"
                       f"      </VariableValue>\n")
        out.append("    </TextSource>\n")
