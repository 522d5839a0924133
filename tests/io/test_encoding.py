"""Decoding exports: BOMs, UTF-16, legacy encodings, line ends, non-Latin text."""

from __future__ import annotations

import codecs

import pytest

from workbench.errors import WorkbenchError
from workbench.io.formats.encoding import decode_bytes

URDU = "سوشل میڈیا سرگرمی اور پاکستان میں پالیسی"


def test_utf8_bom_is_removed():
    assert decode_bytes(codecs.BOM_UTF8 + b"TY  - JOUR\n", "a.ris") == "TY  - JOUR\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_32_with_and_without_bom(encoding):
    text = f"TY  - JOUR\nTI  - {URDU}\nER  - \n"
    assert decode_bytes(text.encode(encoding), "a.ris") == text


def test_crlf_and_cr_become_lf():
    assert decode_bytes(b"a\r\nb\rc\n", "x.txt") == "a\nb\nc\n"


def test_urdu_kept_exactly(data_dir):
    text = decode_bytes((data_dir / "io_a" / "urdu.ris").read_bytes(), "urdu.ris")
    assert URDU.split()[0] in text
    assert "سوشل میڈیا سرگرمی اور پالیسی تبدیلی" in text


def test_gbk_bibtex_is_detected(data_dir):
    text = decode_bytes((data_dir / "io_a" / "gbk.bib").read_bytes(), "gbk.bib")
    assert "社交媒体与政策变化" in text and "王, 小明" in text


def test_cp1252_is_detected(data_dir):
    text = decode_bytes((data_dir / "io_a" / "cp1252.ris").read_bytes(), "cp1252.ris")
    assert "Müller’s café study – “activism”" in text


def test_latin1_is_detected():
    text = "TY  - JOUR\nAU  - Müller, Jörg\nTI  - Études françaises à Genève\nER  - \n"
    assert decode_bytes(text.encode("latin-1"), "x.ris") == text


def test_undecodable_bytes_name_the_file():
    with pytest.raises(WorkbenchError) as info:
        decode_bytes(b"TY  - JOUR\n" + bytes(range(256)) * 4, "refs/bad.ris")
    assert "refs/bad.ris" in str(info.value)
    assert "encoding" in str(info.value)


def test_bad_utf16_after_bom_names_the_file():
    with pytest.raises(WorkbenchError) as info:
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8a", "refs/x.ris")
    assert str(info.value).startswith("refs/x.ris")
