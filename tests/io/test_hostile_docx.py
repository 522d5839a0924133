"""A .docx whose word/document.xml unpacks to far more than any real one (a zip bomb) is refused.

Full texts come from publishers and from other people's shared folders. A
.docx is a zip: `docx_text` read word/document.xml whole, so 4 MB of zip that
unpack to 4 GB of XML took 4 GB of memory (and several times that to parse)
before anything was checked, ending the app or the `fulltext` command. The
size the zip declares is now checked first, and the read is bounded by it.
"""

from __future__ import annotations

import zipfile

import pytest

from workbench.core.fulltext import UNREADABLE
from workbench.errors import FulltextError
from workbench.io import fulltext

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(path, body: str):
    xml = (f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>{body}</w:t></w:r></w:p>'
           "</w:body></w:document>")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", xml)
    return path


def test_a_docx_that_unpacks_past_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(fulltext, "DOCX_XML_MAX", 1 << 20, raising=False)
    path = docx(tmp_path / "bomb.docx", " " * (3 << 20))
    assert path.stat().st_size < 20_000           # 3 MB of XML in a few kB of zip
    read = []
    real = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, *a, **k: read.append(a) or
                        real(self, *a, **k))
    with pytest.raises(FulltextError, match="bomb.docx: .*unpacks to 3,1"):
        fulltext.docx_text(path)
    assert not read
    with pytest.raises(FulltextError, match="zip bomb") as caught:   # as a broken .docx is
        fulltext.extract_fulltext(path)
    assert caught.value.problem == UNREADABLE


def test_a_docx_under_the_limit_still_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(fulltext, "DOCX_XML_MAX", 1 << 20, raising=False)
    path = docx(tmp_path / "ok.docx", "Findings " * 1000)
    assert fulltext.docx_text(path).startswith("Findings Findings")
