"""Format detection from content, with the extension as tie-breaker."""

from __future__ import annotations

import pytest

from workbench.errors import WorkbenchError
from workbench.io.formats.detect import detect_format

CASES = {
    "bibtex": "% comment\n@article{k,\n title={T}\n}\n",
    "ris": "\n1.\nTY  - JOUR\nTI  - T\nER  - \n",
    "medline": "\nPMID- 123\nOWN - NLM\nTI  - A title\nFAU - Doe, Jane\n",
    "wos": "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Doe, J\nTI T\nER\nEF\n",
    "endnote_xml": '<?xml version="1.0"?>\n<xml><records><record></record></records></xml>',
    "pubmed_xml": "<?xml version='1.0'?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>",
    "table": "Authors,Title,Year,Source title\nDoe J.,T,2020,J\n",
}


@pytest.mark.parametrize("expected", sorted(CASES))
def test_content_decides_even_with_a_misleading_extension(expected):
    assert detect_format(CASES[expected], "export.txt") == expected
    assert detect_format(CASES[expected], "export.dat") == expected


def test_wos_tab_delimited_is_a_table():
    text = "PT\tAU\tBA\tTI\tSO\nJ\tDoe, J\t\tT\tJ\n"
    assert detect_format(text, "savedrecs.txt") == "table"


def test_wos_plain_without_header():
    text = "PT J\nAU John, D\nTI Example Paper\nSO TOPICS\nER\n"
    assert detect_format(text, "SimplePaper.isi") == "wos"


def test_ris_without_ty_is_still_ris():
    text = "\nJF  - Journal\nT1  - Title\nER  -\n"
    assert detect_format(text, "broken.ris") == "ris"


def test_extension_is_used_when_content_says_nothing():
    assert detect_format("## ", "empty.isi") == "wos"


def test_unknown_content_names_file_and_formats():
    with pytest.raises(WorkbenchError) as info:
        detect_format("just some notes\nabout nothing\n", "notes.docx")
    message = str(info.value)
    assert message.startswith("notes.docx")
    assert "BibTeX" in message and "RIS" in message and "CSV" in message
