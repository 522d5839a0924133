"""REFI-QDA (QDA-XML 1.0) common ground: namespaces, stable GUIDs, hardened XML reading.

The REFI-QDA standard (www.qdasoftware.org) exchanges codebooks (.qdc) and
projects (.qdpx) between NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette and
others. Every object carries a GUID; workbench derives its GUIDs from its own
ids with uuid5, so exporting twice gives the same GUIDs and another tool sees
the same code as the same code.

Files from other people are read with lxml configured to resolve no entity,
load no DTD and touch no network, and any DOCTYPE is refused outright: a
codebook never needs one, and that closes XXE and "billion laughs" attacks.
"""

from __future__ import annotations

import uuid
from hashlib import sha1
from pathlib import Path

from workbench.errors import ImportProblems, Problem

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_XSD = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
PROJECT_XSD = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
#: The namespace every workbench GUID is derived in (uuid5 of a fixed URL).
WORKBENCH_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://workbench.invalid/refi-qda")
_NS_BYTES = WORKBENCH_NS.bytes
#: A hex digit -> that digit with its two high bits set to 10 (the RFC 4122 variant).
_VARIANT = {d: format((int(d, 16) & 0x3) | 0x8, "x") for d in "0123456789abcdef"}
#: Largest REFI-QDA XML document read (a big real project.qde is a few tens of MB).
MAX_XML_BYTES = 200_000_000


def stable_guid(kind: str, ident: str) -> str:
    """Return the GUID workbench gives an object: uuid5 of its kind and id (lower case).

    Args:
        kind: what the id names ("dimension", "code", "study", "coder", "field", ...).
        ident: the workbench id.
    """
    # uuid5 spelled out (SHA-1 of the namespace and the name; the version digit is 5, the
    # variant's two bits 10): the same text as str(uuid.uuid5(WORKBENCH_NS, ...)), without
    # a UUID object or a byte array per call (an export makes a few per included study; a
    # test compares the two).
    text = sha1(_NS_BYTES + f"{kind}:{ident}".encode("utf-8")).hexdigest()
    return (f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-"
            f"{text[20:32]}")


def same_guid(a: str, b: str) -> bool:
    """Return whether two GUIDs are equal (case and braces ignored, as the standard allows)."""
    return a.strip("{} ").lower() == b.strip("{} ").lower()


def read_xml(data: bytes, path: str | Path):
    """Parse REFI-QDA XML bytes safely and return the lxml root element.

    A UTF-8 byte order mark is accepted. A DOCTYPE (and so any entity
    declaration), a document too large, or XML that does not parse is refused
    with the file and line named.

    Raises:
        ImportProblems: the document is refused; nothing was imported.
    """
    from lxml import etree
    path = str(path)
    if len(data) > MAX_XML_BYTES:
        raise ImportProblems([Problem(path, None, None, f"larger than {MAX_XML_BYTES:,} bytes; "
                                      "is this a REFI-QDA file?")])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"<!DOCTYPE" in data:  # refused before parsing: no entity is ever declared
        line = data[:data.index(b"<!DOCTYPE")].count(b"\n") + 1
        raise ImportProblems([Problem(path, line, None, "a DOCTYPE is not allowed in a REFI-QDA "
                                      "file (entities are never expanded)")])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        raise ImportProblems([Problem(path, line, None, f"not well-formed XML: {exc.msg}")]) \
            from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ImportProblems([Problem(path, 1, None, "a DOCTYPE is not allowed in a REFI-QDA "
                                      "file (entities are never expanded)")])
    return root


def local(tag) -> str:
    """Return an element's tag without its namespace ("" for comments and the like)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    """Return the namespace of a tag ("" when none)."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
