"""Stata .dta, SPSS .sav and load.R: labels from the codebook, missing stays missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.io.export_review import study_ids
from workbench.io.codebook_yaml import parse_codebook
from workbench.io.exports.folder import ExportFolder, write_csv
from workbench.io.exports.dictionary import data_dictionary
from workbench.io.exports.stats import describe_table, variable_names, write_stats

pyreadstat = pytest.importorskip("pyreadstat")
RSCRIPT = shutil.which("Rscript")


@pytest.fixture
def exported(hand_counted_exported):
    """The hand-counted review, exported once and shared (tests/io/conftest.py): read only."""
    return hand_counted_exported[0]


@pytest.mark.parametrize("ext", ["dta", "sav"])
def test_coded_dataset_reads_back_with_labels_and_missing(exported, ext):
    read = getattr(pyreadstat, f"read_{ext}")
    data, meta = read(str(exported.exports / "stats" / f"coded_dataset.{ext}"))
    ids = study_ids(exported)
    data = data.set_index("study_id")
    a, b = ids["A"], ids["B"]
    # sample size: NA by both coders for A (missing), a real 0 for B
    assert pd.isna(data.loc[a, "sample_size"]) and data.loc[b, "sample_size"] == 0
    # A's policy results are in conflict (missing); B coded none of them (0)
    legislative = "policy_results__legislative_"          # 28 characters at most
    assert pd.isna(data.loc[a, legislative]) and data.loc[b, legislative] == 0
    assert data.loc[a, "platforms__facebook"] == 1 and data.loc[b, "platforms__facebook"] == 0
    labels = meta.column_names_to_labels
    assert labels["sample_size"] == "Sample size"
    assert labels[legislative] == "Policy results: Legislative change"
    values = meta.variable_value_labels
    assert values[legislative] == {0: "not coded", 1: "coded"}
    source = values["source_type"]
    assert {source[data.loc[a, "source_type"]], source[data.loc[b, "source_type"]]} == {
        "Peer-reviewed article", "NGO case study"}
    assert data.loc[a, "pmid"] == ""                      # text NA: empty string
    assert data.loc[a, "year"] == 2019


@pytest.mark.parametrize("ext", ["dta", "sav"])
def test_group_table_keeps_missing_numbers_missing(exported, ext):
    read = getattr(pyreadstat, f"read_{ext}")
    data, meta = read(str(exported.exports / "stats" / f"campaigns.{ext}"))
    assert data["hashtag_reach"].isna().tolist() == [False, True, True]
    assert data["hashtag_reach"].iloc[0] == pytest.approx(5.2)
    assert meta.column_names_to_labels["engagement_rate"] == "Average engagement rate"


def test_variable_names_file_maps_every_csv_column(exported):
    names = pd.read_csv(exported.exports / "stats" / "variable_names.csv", dtype=str,
                        keep_default_na=False)
    wide = pd.read_csv(exported.exports / "coded_dataset.csv", nrows=0)
    mapped = names[names["file"] == "coded_dataset.csv"]
    assert list(mapped["column"]) == list(wide.columns)
    assert mapped["variable"].str.len().max() <= 28
    assert mapped["variable"].str.lower().is_unique


def test_variable_names_are_short_unique_and_not_reserved():
    names = variable_names(["a" * 40, "a" * 41, "A" * 40, "in", "1st", "x-y"])
    assert list(names.values()) == ["a" * 28, "a" * 26 + "_2", "A" * 26 + "_3", "in_",
                                    "v_1st", "x_y"]


CODEBOOK = """
stages: [{id: s, kind: screening}, {id: c, kind: coding, source: s}]
fields:
  - id: risk
    label: Risk of bias
    type: choice
    ordered: true
    choices: [{id: low, label: Low}, {id: some, label: Some concerns}, {id: high, label: High}]
  - {id: youth, label: Youth focus, type: boolean}
  - {id: published, label: Published on, type: date}
  - {id: quote, label: A quote, type: text}
"""


def synthetic():
    codebook = parse_codebook(CODEBOOK)
    wide = pd.DataFrame({
        "study_id": ["S1", "S2", "S3"],
        "risk": ["high", None, "unclear"],                 # "unclear" is not a listed choice
        "youth": pd.array([1, None, 0], dtype="Int64"),
        "published": ["2020-01-31", None, "2021-12-01"],
        "quote": ["=HYPERLINK(\"x\")", None, "plain"],
    })
    return codebook, {"coded_dataset.csv": wide}


def test_an_unlisted_choice_is_kept_with_its_own_number():
    codebook, tables = synthetic()
    dictionary = data_dictionary(codebook, tables)
    table, variables = describe_table(codebook, "coded_dataset.csv", tables["coded_dataset.csv"],
                                      dict(zip(dictionary["column"], dictionary["label"])))
    risk = next(v for v in variables if v.column == "risk")
    assert risk.value_labels == {1: "Low", 2: "Some concerns", 3: "High",
                                 4: "unclear (not in the codebook)"}
    assert risk.ordered
    assert table["risk"].tolist()[0] == 3 and pd.isna(table["risk"].tolist()[1])
    assert table["risk"].tolist()[2] == 4


@pytest.mark.skipif(RSCRIPT is None, reason="R is not installed")
def test_load_r_reads_types_levels_and_missing_in_r(tmp_path):
    codebook, tables = synthetic()
    dictionary = data_dictionary(codebook, tables)
    with ExportFolder(tmp_path) as folder:
        write_csv(folder, "coded_dataset.csv", tables["coded_dataset.csv"])
        write_stats(folder, codebook, tables, dictionary)
        folder.commit()
    assert (tmp_path / "coded_dataset.csv").read_text().count("'=HYPERLINK") == 1
    script = ('source("load.R", chdir = TRUE); d <- coded_dataset; cat(jsonlite_free <- '
              'paste0("{\\"risk_levels\\": [", paste0("\\"", levels(d$risk), "\\"", '
              'collapse = ","), "], \\"risk\\": [", paste0("\\"", as.character(d$risk), "\\"", '
              'collapse = ","), "], \\"ordered\\": ", tolower(is.ordered(d$risk)), '
              '", \\"youth\\": \\"", paste(d$youth, collapse = ","), "\\", \\"date_class\\": \\"", '
              'class(d$published), "\\", \\"published\\": \\"", paste(format(d$published), '
              'collapse = ","), "\\", \\"quote\\": \\"", gsub("\\"", "\'", d$quote[1]), '
              '"\\", \\"quote_na\\": ", tolower(is.na(d$quote[2])), ", \\"label\\": \\"", '
              'attr(d$risk, "label"), "\\"}"))')
    out = subprocess.run([RSCRIPT, "-e", script], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["risk_levels"] == ["Low", "Some concerns", "High", "unclear"]
    assert got["risk"] == ["High", "NA", "unclear"]
    assert got["ordered"] is True
    assert got["youth"] == "TRUE,NA,FALSE"
    assert got["date_class"] == "Date" and got["published"] == "2020-01-31,NA,2021-12-01"
    assert got["quote"] == "=HYPERLINK('x')" and got["quote_na"] is True
    assert got["label"] == "Risk of bias"


@pytest.mark.skipif(RSCRIPT is None, reason="R is not installed")
def test_load_r_runs_on_a_real_export(exported):
    script = ('source("load.R", chdir = TRUE); cat(class(coded_dataset$sample_size), '
              'sum(is.na(coded_dataset$sample_size)), sum(coded_dataset$sample_size == 0, '
              'na.rm = TRUE), class(coded_dataset$source_type), '
              'sum(is.na(campaigns$hashtag_reach)))')
    out = subprocess.run([RSCRIPT, "-e", script], cwd=exported.exports, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["integer", "1", "1", "factor", "2"]


MULTI = """
stages: [{id: s, kind: screening}, {id: c, kind: coding, source: s}]
fields:
  - id: outcomes_reported_in_the_trial
    label: Outcomes
    type: multi_choice
    choices: [{id: qol, label: Quality of life}, {id: pain, label: Pain}, {id: in, label: In}]
  - {id: outcomes_reported_in_the_trial__pain, label: A column named like an indicator,
     type: text}
"""


@pytest.mark.parametrize("ext", ["dta", "sav"])
def test_multi_choice_gets_a_labelled_indicator_per_choice_and_keeps_its_text(tmp_path, ext):
    """Stata and SPSS users get one 0/1 variable per choice (missing where the field is
    NA), after the field's text column; a value off the codebook ('Pain' in other
    capitals, 'fatigue') gets its own indicator: no value entered is dropped."""
    codebook = parse_codebook(MULTI)
    field = "outcomes_reported_in_the_trial"
    wide = pd.DataFrame({"study_id": ["S1", "S2", "S3", "S4"],
                         field: ["qol;pain", None, "Pain;fatigue", "in"],
                         f"{field}__pain": ["x", None, "y", "z"]})
    tables = {"coded_dataset.csv": wide}
    with ExportFolder(tmp_path / "exports") as folder:
        write_csv(folder, "coded_dataset.csv", wide)
        write_stats(folder, codebook, tables, data_dictionary(codebook, tables))
        folder.commit()
    data, meta = getattr(pyreadstat, f"read_{ext}")(
        str(tmp_path / "exports" / "stats" / f"coded_dataset.{ext}"))
    names = pd.read_csv(tmp_path / "exports" / "stats" / "variable_names.csv", dtype=str,
                        keep_default_na=False)
    flags = names[names["choice"] != ""]
    assert list(flags["choice"]) == ["qol", "pain", "in", "Pain", "fatigue"]
    assert set(flags["column"]) == {field}
    var = dict(zip(flags["choice"], flags["variable"]))
    assert var["qol"].endswith("__qol") and var["in"].endswith("__in")
    assert all(len(v) <= 28 for v in names["variable"])
    assert names["variable"].str.lower().is_unique          # the text column kept its name
    text = names.set_index("column").loc[f"{field}__pain"]
    assert text["choice"] == "" and text["variable"] not in var.values()
    columns = list(data.columns)
    at = columns.index(names[names["column"] == field]["variable"].iloc[0])   # the text
    assert columns[at + 1:at + 6] == [var[c] for c in ("qol", "pain", "in", "Pain", "fatigue")]
    assert data[columns[at]].tolist() == ["qol;pain", "", "Pain;fatigue", "in"]
    got = {c: ["NA" if pd.isna(v) else v for v in data[var[c]].tolist()] for c in var}
    assert got == {"qol": [1, "NA", 0, 0], "pain": [1, "NA", 0, 0], "in": [0, "NA", 0, 1],
                   "Pain": [0, "NA", 1, 0], "fatigue": [0, "NA", 1, 0]}   # NA stays missing
    labels = meta.column_names_to_labels
    assert labels[var["pain"]] == "Outcomes: Pain"
    assert labels[var["fatigue"]] == "Outcomes: fatigue (not in the codebook)"
    assert meta.variable_value_labels[var["qol"]] == {0: "not chosen", 1: "chosen"}


def test_a_choice_typed_in_other_capitals_is_not_labelled_like_the_choice():
    """'Qualitative' typed by hand for the choice qualitative (label Qualitative): its own
    number, and a label a Stata/SPSS table does not confuse with the choice's."""
    codebook = parse_codebook(CODEBOOK.replace("{id: high, label: High}",
                                               "{id: high, label: High}, {id: unc, label: unclear}"))
    wide = pd.DataFrame({"study_id": ["S1", "S2"], "risk": ["unc", "unclear"]})
    _, variables = describe_table(codebook, "coded_dataset.csv", wide, {})
    risk = next(v for v in variables if v.column == "risk")
    assert risk.value_labels[4] == "unclear" and risk.value_labels[5] == \
        "unclear (not in the codebook)"
