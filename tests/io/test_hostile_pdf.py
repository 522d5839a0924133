"""Hostile PDFs (a decompression bomb, a huge page tree, deep nesting) cannot take the machine down.

Full texts come from publishers and from other people's shared folders. PDFium
inflates a page's content stream whole: a 10 kB PDF whose stream inflates to
8 GB took that much memory in the app's or the command's own process (an
earlier build of this file's bomb took 2 GB for a 1 GB stream), and a page
tree of 100,000 pages took minutes. PDFs are now read in a child process that
limits its own memory and CPU time and refuses more than MAX_PAGES pages; the
file is reported by name with the limit it hit, and a batch (`fulltext link
FOLDER`) goes on with the next file. Every hostile file is built here, small.
"""

from __future__ import annotations

import shutil
import threading
import zipfile
import zlib

import pytest

from workbench.core.fulltext import UNREADABLE
from workbench.errors import FulltextError
from workbench.io import pdf_pages as bounded
from workbench.io.fulltext import extract_fulltext

HELLO = b"BT /F1 12 Tf 72 712 Td (Findings of a randomised trial of text) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (object n is objects[n-1], 1 the catalog), with a true xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, filters: int = 1) -> bytes:
    for _ in range(filters):
        data = zlib.compress(data, 9)
    names = b" ".join([b"/FlateDecode"] * filters)
    return b"<< /Length %d /Filter [%s] >>\nstream\n%s\nendstream" % (len(data), names, data)


def one_page(contents: bytes) -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>", contents, FONT])


def pages(count: int, text: bytes = HELLO) -> bytes:
    """`count` pages, all the same page object (6 bytes each in the page tree)."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b"3 0 R " * count, count),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>", stream(text), FONT])


#: A page of 3,000 lines of text: each of 9,000 such pages takes PDFium milliseconds.
SLOW = b"BT /F1 6 Tf 10 TL 72 712 Td " + b"(a line of words on a page) ' " * 3_000 + b"ET"


def _adler_join(a: int, b: int, length_b: int) -> int:
    """The Adler-32 of two pieces from theirs (the arithmetic of zlib's adler32_combine)."""
    base = 65521
    rem = length_b % base
    low = (a & 0xFFFF) + (b & 0xFFFF) + base - 1
    high = (rem * (a & 0xFFFF)) % base + (a >> 16) + (b >> 16) + base - rem
    return (low % base) | ((high % base) << 16)


def inflating_stream(megabytes: int) -> bytes:
    """A zlib stream that inflates to `megabytes` MB of spaces, made without inflating them:
    after a full flush the deflate of each 1 MB block is the same bytes."""
    block = b" " * (1 << 20)
    packer = zlib.compressobj(9)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()[:-4]   # the last block; its checksum is computed below
    one = zlib.adler32(block)
    total, length = one, len(block)
    for _ in range(megabytes - 1):
        total = _adler_join(total, one, len(block))
        length += len(block)
    return first + again * (megabytes - 1) + end + total.to_bytes(4, "big")


def test_the_bomb_builder_makes_what_it_says():
    for megabytes in (1, 2, 5):
        assert zlib.decompress(inflating_stream(megabytes)) == b" " * (megabytes << 20)


def bomb(gigabytes: int) -> bytes:
    inner = inflating_stream(gigabytes << 10)   # a few MB, themselves very regular
    outer = zlib.compress(inner, 9)
    return one_page(b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n%s\n"
                    b"endstream" % (len(outer), outer))


def test_a_decompression_bomb_is_stopped_at_the_memory_limit_and_named(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb(16))   # 16 GB of content stream
    assert path.stat().st_size < 100_000
    with pytest.raises(FulltextError) as caught:
        bounded.read_pdf_pages(path)
    message = str(caught.value)
    assert str(path) in message and "2,048 MB of memory" in message, message
    assert caught.value.problem == UNREADABLE
    got = extract_fulltext(path)   # reported like any unreadable PDF, not raised
    assert got.problem == UNREADABLE and "memory" in got.message and not got.pages


def test_a_huge_page_tree_is_refused_by_its_count(tmp_path):
    path = tmp_path / "pages.pdf"
    path.write_bytes(pages(bounded.MAX_PAGES + 1))
    with pytest.raises(FulltextError, match=r"pages.pdf: the PDF has 10,001 pages, more than"):
        bounded.read_pdf_pages(path)


def test_a_page_tree_that_takes_too_long_stops_at_the_cpu_limit(tmp_path):
    path = tmp_path / "slow.pdf"
    path.write_bytes(pages(9_000, SLOW))
    with pytest.raises(FulltextError, match=r"slow.pdf: .*more than the 1 s of CPU"):
        bounded.read_pdf_pages(path, cpu=1)


def test_cancel_ends_the_child(tmp_path):
    path = tmp_path / "slow.pdf"
    path.write_bytes(pages(9_000))
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        if done >= 50:
            cancel.set()
    with pytest.raises(FulltextError, match="cancelled"):
        bounded.read_pdf_pages(path, progress=progress, cancel=cancel)
    assert 50 <= seen[-1] < 9_000


def test_deep_nesting_and_odd_text_read_as_in_process(tmp_path):
    cases = {"deep.pdf": one_page(b"<< /Length 0 /X " + b"[" * 100_000 + b"]" * 100_000
                                  + b" >>\nstream\n\nendstream"),
             "hello.pdf": one_page(stream(HELLO)),
             "odd.pdf": one_page(stream(b"BT /F1 12 Tf 72 712 Td (quo\\ted \\(x\\) \\\\ "
                                        b"line\\nbreak \\222 \\377) Tj ET")),
             "twice.pdf": pages(3)}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert bounded.read_pdf_pages(tmp_path / name) == bounded.pdf_pages(tmp_path / name)
    assert "randomised trial" in bounded.read_pdf_pages(tmp_path / "hello.pdf")[0]


def test_not_a_pdf_is_named_as_before(tmp_path):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    with pytest.raises(FulltextError, match="junk.pdf: not a readable PDF") as caught:
        bounded.read_pdf_pages(path)
    assert caught.value.problem == UNREADABLE


def test_shared_pdfs_read_the_same_in_the_child(shared_data):
    folder = shared_data / "fulltext"
    for path in sorted(folder.glob("*.pdf"))[:6]:
        assert bounded.read_pdf_pages(path) == bounded.pdf_pages(path), path.name


def test_a_batch_goes_on_past_hostile_files(shared_data, tmp_path, monkeypatch):
    from workbench.io import fulltext
    from workbench.review import init_review
    from workbench.review.fulltext import link_folder
    review = init_review(tmp_path / "rv")
    review.import_references([shared_data / "fulltext" / "references.bib"])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a_bomb.pdf").write_bytes(bomb(16))
    (inbox / "b_pages.pdf").write_bytes(pages(bounded.MAX_PAGES + 5))
    monkeypatch.setattr(fulltext, "DOCX_XML_MAX", 1 << 20)
    monkeypatch.setattr(bounded, "MEMORY_BYTES", 512 << 20)   # the 2 GB limit: the test above
    with zipfile.ZipFile(inbox / "c_bomb.docx", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", " " * (3 << 20))
    shutil.copyfile(shared_data / "fulltext" / "huang2010_hpylori_iron_anaemia.pdf",
                    inbox / "z_scan.pdf")
    report = link_folder(review, inbox, "alice")
    assert [p.name for p, _, _ in report.linked] == ["z_scan.pdf"]
    why = {p.name: text for p, text in report.unmatched}
    assert "memory" in why["a_bomb.pdf"] and "10,005 pages" in why["b_pages.pdf"]
    assert "zip bomb" in why["c_bomb.docx"]


def test_a_batch_reuses_one_child_and_a_hostile_file_ends_only_that_one(tmp_path):
    hello, slow, huge = tmp_path / "hello.pdf", tmp_path / "slow.pdf", tmp_path / "bomb.pdf"
    hello.write_bytes(one_page(stream(HELLO)))
    slow.write_bytes(pages(9_000, SLOW))
    huge.write_bytes(bomb(16))
    expected = bounded.pdf_pages(hello)
    with bounded.PdfReader(cpu=1, memory=512 << 20) as reader:
        assert reader.read(hello) == expected
        first = reader.child.pid
        assert reader.read(hello) == expected and reader.child.pid == first   # reused
        with pytest.raises(FulltextError, match="1 s of CPU"):
            reader.read(slow)
        assert reader.read(hello) == expected and reader.child.pid != first   # a new one
        with pytest.raises(FulltextError, match="of memory|of CPU"):   # whichever comes first
            reader.read(huge)
        assert reader.read(hello) == expected
    assert reader.child is None
    with bounded.pdf_batch() as shared:   # what `fulltext link FOLDER` opens
        assert bounded.read_pdf_pages(hello) == expected
        first = shared.child.pid
        assert bounded.read_pdf_pages(hello) == expected and shared.child.pid == first
    assert shared.child is None
