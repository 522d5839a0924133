"""Full-text extraction: repairs, running headers, problems, other formats, the JSON cache."""

from __future__ import annotations

import json
import zipfile

import pytest

from workbench.core.fulltext import (BROKEN, NO_TEXT, OK, PARTIAL, PASSWORD, Extraction,
                                     build_extraction, find_bodies, repair_text)
from workbench.io.fulltext import docx_text, extract_fulltext, html_text
from workbench.store.fulltext_cache import (cache_path, read_cached_extraction,
                                            write_cached_extraction)


def test_repair_joins_marked_hyphens_expands_ligatures_and_drops_controls():
    raw = "appro\ufffe\r\npriately \ufb01ne e\ufb00ort\r\nnext\x04 line.\rend"
    assert repair_text(raw) == "appropriately fine effort\nnext line.\nend"


def test_repair_marks_an_unmapped_character_inside_a_word():
    assert repair_text("Spee\rh-Enabled") == "Spee\ufffdh-Enabled"


def test_unmarked_hyphen_joined_only_when_asked():
    assert repair_text("conti-\nnued", marked_hyphens=False) == "continued"
    assert repair_text("conti-\nnued", marked_hyphens=True) == "conti-\nnued"
    assert repair_text("well-\nKnown", marked_hyphens=False) == "well-\nKnown"


def test_running_header_and_page_numbers_are_cut_from_the_edges_only():
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    pages = [f"Journal of Things {n}\nBody text on {w} about Journal of Things.\n{w} more\n{n}"
             for n, w in enumerate(words, 1)]
    bodies = find_bodies(pages)
    for text, (start, end) in zip(pages, bodies):
        body = text[start:end]
        assert body.startswith("Body text") and "Journal of Things." in body
        assert not body.rstrip().endswith(("1", "2", "3", "4", "5"))


def test_json_round_trip_keeps_every_page_and_offset():
    ex = build_extraction("ab" * 32, "x.pdf", "pdf", ["Head\nA page\n1", "Head\nB\n2",
                                                      "Head\nC\n3"])
    again = Extraction.from_json(json.loads(json.dumps(ex.to_json())))
    assert again == ex


def test_cache_is_plain_json_keyed_by_digest_and_damage_means_rebuild(tmp_path):
    ex = build_extraction("cd" * 32, "x.txt", "txt", ["Hello world " * 5])
    path = write_cached_extraction(tmp_path, ex)
    assert path == cache_path(tmp_path, ex.sha256)
    assert json.loads(path.read_text(encoding="utf-8"))["sha256"] == ex.sha256
    assert read_cached_extraction(tmp_path, ex.sha256) == ex
    path.write_text("{not json", encoding="utf-8")
    assert read_cached_extraction(tmp_path, ex.sha256) is None


def test_html_text_leaves_out_scripts_and_navigation():
    markup = ("<html><head><title>Case &amp; study</title><script>var x=1</script></head>"
              "<body><nav>Home | About</nav><h1>Case &amp; study</h1><p>First para.</p>"
              "<p>Second <b>bold</b> para.</p></body></html>")
    text = html_text(markup)
    assert "var x" not in text and "Home | About" not in text
    assert text.startswith("Case & study") and "Second bold para." in text


def test_docx_paragraphs(tmp_path):
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>Report title</w:t></w:r></w:p>'
           f'<w:p><w:r><w:t xml:space="preserve">Findings: </w:t></w:r><w:r><w:t>كتاب</w:t>'
           "</w:r></w:p></w:body></w:document>")
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", xml)
    assert docx_text(path) == "Report title\nFindings: كتاب"
    ex = extract_fulltext(path)
    assert (ex.kind, ex.problem, len(ex.pages)) == ("docx", OK, 1)


def test_broken_docx_and_unknown_type_are_named(tmp_path):
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"not a zip")
    from workbench.errors import FulltextError
    with pytest.raises(FulltextError, match="x.docx: not a readable .docx"):
        docx_text(bad)
    other = tmp_path / "x.epub"
    other.write_bytes(b"")
    with pytest.raises(FulltextError, match="x.epub"):
        extract_fulltext(other)


def test_txt_in_latin1_is_decoded(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes("Café résumé naïve façade. " .encode("latin-1") * 10)
    assert extract_fulltext(path).pages[0].text.startswith("Café résumé")


# -- the shared real PDFs ----------------------------------------------------------------------

def pdf(shared_data, stem):
    return shared_data / "fulltext" / f"{stem}.pdf"


def test_two_column_bmc_article_pages_repairs_and_running_lines(shared_data):
    ex = extract_fulltext(pdf(shared_data, "datta2010_dvt_prophylaxis_review"))
    assert (ex.kind, ex.problem, len(ex.pages)) == ("pdf", OK, 4)
    assert "appropriately utilized" in ex.pages[0].text
    assert "\ufffe" not in "".join(p.text for p in ex.pages)
    body = ex.pages[1].body
    assert "Page 9 of 11" not in body and "Page 9 of 11" in ex.pages[1].text
    assert "Datta et al. Journal of Trauma" not in body


def test_ligatures_are_plain_letters(shared_data):
    ex = extract_fulltext(pdf(shared_data, "tully2010_heart_failure_programmes"))
    text = "".join(p.text for p in ex.pages)
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in text)
    assert "Rehabilitation Research and Practice" not in ex.pages[2].body


def test_scanned_pdf_says_no_text_layer(shared_data):
    ex = extract_fulltext(pdf(shared_data, "severens_asih_plasma_scanned"))
    assert ex.problem == NO_TEXT and "no text layer" in ex.message and "abstract" in ex.message


def test_password_pdf_says_so_and_opens_with_the_password(shared_data):
    path = pdf(shared_data, "libreoffice_password_protected")
    ex = extract_fulltext(path)
    assert ex.problem == PASSWORD and "password" in ex.message and not ex.pages
    ok = extract_fulltext(path, password="openpassword")
    assert ok.problem == OK and "Lorem ipsum" in ok.pages[0].text
    wrong = extract_fulltext(path, password="nope")
    assert wrong.problem == PASSWORD and "does not open" in wrong.message


def test_broken_font_is_reported(shared_data):
    ex = extract_fulltext(pdf(shared_data, "rayner2010_callslt_broken_font"))
    assert ex.problem == BROKEN and "Unicode" in ex.message
    assert "Spee\ufffdh-Enabled" in ex.pages[0].text


def test_owner_password_only_opens_without_one(shared_data):
    ex = extract_fulltext(pdf(shared_data, "shen2021_layoutparser_copyprotected"))
    assert ex.problem == OK and "LayoutParser" in ex.pages[0].text


def test_rtl_and_cjk_text_is_kept_in_logical_order(shared_data):
    fa = extract_fulltext(pdf(shared_data, "mehrad_wireless_libraries_fa"))
    assert "کتابداران" in fa.pages[0].text
    zh = extract_fulltext(pdf(shared_data, "luo2024_digital_anthropomorphic_zh"))
    assert zh.pages[0].text.startswith("摘要")


def test_a_page_without_text_in_a_long_report(shared_data):
    ex = extract_fulltext(pdf(shared_data, "who2022_hcv_children_guideline"))
    assert len(ex.pages) == 155
    assert ex.problem == PARTIAL and "p. 98" in ex.message
