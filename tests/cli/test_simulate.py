"""`workbench simulate`: replay a labelled CSV and print the asreview-insights metrics."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from workbench.cli import cli


def write_set(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        writer.writerows(rows)
    return path


@pytest.fixture
def tiny(tmp_path):
    """20 records: 5 about 'alpha' (relevant), 15 about 'beta' (irrelevant)."""
    rows = [(i, f"Alpha study {i}", "alpha outcomes", 1) for i in range(5)]
    rows += [(i, f"Beta trial {i}", "beta outcomes", 0) for i in range(5, 20)]
    return write_set(tmp_path / "tiny.csv", rows)


def test_simulate_reproduces_a_hand_computed_wss(tiny):
    result = CliRunner().invoke(cli, ["simulate", str(tiny), "--seeds", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["records"] == 20 and report["relevant"] == 5
    for run in report["runs"]:
        # after the two priors: 18 records, the 4 relevant ranked first.
        # WSS@95 is read at 3 of 4 found: 3 records against 12 in random order
        # (round(linspace(0, 4, 18)) first reaches 3 at record 12): (12 - 3) / 18.
        assert run["wss95"] == pytest.approx(9 / 18)
        # WSS@100: 4 records against 16: (16 - 4) / 18
        assert run["wss100"] == pytest.approx(12 / 18)
        assert run["recall10"] == pytest.approx(0.25)     # 1 of 18 records screened
        assert run["atd"] == pytest.approx(2.5)           # found at 1, 2, 3, 4
        assert run["stop_recall"] == 1.0                  # no 50-run: everything screened
    assert report["mean"]["wss95"] == pytest.approx(0.5)


def test_simulate_prints_a_table_and_writes_the_plot(tiny, tmp_path):
    plot = tmp_path / "curve.svg"
    result = CliRunner().invoke(cli, ["simulate", str(tiny), "--seeds", "1", "--plot",
                                      str(plot)])
    assert result.exit_code == 0, result.output
    assert "WSS@95" in result.stdout and "mean" in result.stdout
    assert plot.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_simulate_names_the_file_and_line_of_a_bad_label(tmp_path):
    path = write_set(tmp_path / "bad.csv", [(1, "A", "a", 1), (2, "B", "b", "yes-ish")])
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 1
    assert "bad.csv:3" in result.stderr and "'yes-ish'" in result.stderr


def test_simulate_refuses_a_set_without_a_label_column(tmp_path):
    path = tmp_path / "nolabel.csv"
    path.write_text("title,abstract\nA,a\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 1
    assert "no label column" in result.stderr and "nolabel.csv" in result.stderr


def test_simulate_reads_labelled_ris_and_bibtex_like_the_csv(tiny, tmp_path):
    with open(tiny, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ris = tmp_path / "tiny.ris"
    ris.write_text("".join(
        f"TY  - JOUR\nTI  - {r['title']}\nAB  - {r['abstract']}\n"
        + (f"LB  - {r['label_included']}\n" if i % 2 else
           f"N1  - ASReview_{'relevant' if r['label_included'] == '1' else 'irrelevant'}\n")
        + "ER  - \n\n" for i, r in enumerate(rows)), encoding="utf-8")
    bib = tmp_path / "tiny.bib"
    bib.write_text("".join(
        f"@article{{k{i},\n  title = {{{r['title']}}},\n  abstract = {{{r['abstract']}}},\n"
        f"  label_included = {{{r['label_included']}}}\n}}\n\n" for i, r in enumerate(rows)),
        encoding="utf-8")
    figures = []
    for path in (tiny, ris, bib):
        result = CliRunner().invoke(cli, ["simulate", str(path), "--seeds", "2", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert (data["records"], data["relevant"]) == (20, 5)
        figures.append(data["runs"])
    assert figures[0] == figures[1] == figures[2]
    # a record without a label names the file and its line
    ris.write_text("TY  - JOUR\nTI  - A\nER  - \n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["simulate", str(ris)])
    assert result.exit_code == 1 and "tiny.ris:1" in result.stderr and "no label" in result.stderr
