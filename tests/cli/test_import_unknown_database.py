"""An export whose database the import cannot tell: the message says how to name it.

Found in the session-6 walkthrough: Ovid's PsycINFO RIS (no DB tag) was imported
as "database unknown" and nothing said how to put the name right; a hand edit of
`references/imports.csv` does it, and the PRISMA counts follow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.io.formats.references import guess_database

OVID = Path(__file__).resolve().parents[3] / "shared" / "data" / "formats" / "ris" \
    / "asreview_ovid_psycinfo.ris"
RIS = "TY  - JOUR\nTI  - A title\nAU  - Smith, J\nPY  - 2019\nER  - \n"


def test_an_unknown_database_is_named_in_imports_csv_as_the_message_says(review, run, tmp_path):
    export = tmp_path / "hand-search.ris"
    export.write_text(RIS, encoding="utf-8")
    result = run("import", str(export))
    assert result.exit_code == 0, result.output
    assert "database unknown" in result.stdout
    assert "references/imports.csv" in result.stdout    # where to write it
    manifest = review / "references" / "imports.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("hand-search.ris,,")
    manifest.write_text("\n".join([lines[0], lines[1].replace(",,", ",Hand search,", 1)])
                        + "\n", encoding="utf-8")
    status = json.loads(run("status", "--json").stdout)
    assert status["records_per_database"] == {"Hand search": 1}


def test_a_named_database_gets_no_hint(review, run, tmp_path):
    export = tmp_path / "hand-search.ris"
    export.write_text(RIS, encoding="utf-8")
    result = run("import", str(export), "--database", "Hand search")
    assert result.exit_code == 0, result.output
    assert "imports.csv" not in result.stdout


@pytest.mark.skipif(not OVID.exists(), reason="shared real exports not available")
def test_ovid_psycinfo_ris_is_recognised_from_its_ovid_links():
    text = OVID.read_text(encoding="utf-8")
    assert guess_database(text, "export.ris") == "PsycINFO"     # the content says it
    assert guess_database(RIS, "my_psycinfo_search.ris") == "PsycINFO"   # the file name
