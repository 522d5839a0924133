"""A codebook changed mid-review: the export names every value it no longer defines or accepts.

The w7 walkthrough retired a code both coders had agreed on, removed a field
with an agreed value and turned an integer field into a date; `export` ran
with exit code 0 and said nothing: the code had no 0/1 column, the field was
only in coded_long.csv, and "30" sat in a date column. The values stay as
saved (a coder's value is never dropped); the export now says where they are.
"""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from tests.review.coding_fixture import EXTRA_FIELDS, S, build_review, screen
from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session


def export(root):
    result = CliRunner().invoke(cli, ["--review", str(root), "export", "--no-charts", "--quiet"])
    assert result.exit_code == 0, result.output
    meta = json.loads((root / "exports" / "export_metadata.json").read_text(encoding="utf-8"))
    return result, meta


def test_values_a_changed_codebook_no_longer_fits_are_named_and_kept(tmp_path):
    root = build_review(tmp_path / "review", EXTRA_FIELDS)
    review = Review.open(root)
    screen(review, "bob", "full_text", {S(6): "exclude"})
    screen(review, "alice", "full_text", {S(6): "exclude"})
    for coder in ("alice", "bob"):                       # agreed, so exported
        session = open_coding_session(Review.open(root), coder)
        for sid in (S(1), S(3), S(5)):
            session.set_codes(sid, "platforms", ["twitter", "instagram"] if sid == S(1)
                              else ["twitter"])
            session.set_field(sid, "source_type", "peer_reviewed")
        session.set_field(S(1), "sample_size", "30")
        session.set_field(S(3), "youth_focus", "yes")
        session.set_field(S(5), "country", "Pakistan")
        session.add_row(S(1), "campaign", {"name": "Aurat March", "hashtag_reach": "2.5"})

    before, meta = export(root)
    assert meta["values_off_codebook"] == [] and "current codebook" not in before.stderr

    path = root / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("      - id: instagram\n        label: Instagram\n"
                        "        examples: [\"#ClimateActionPK\"]\n", "")     # retired
    text = text.replace("  - id: youth_focus\n    label: Focuses on youth\n"
                        "    type: boolean\n", "")                             # removed
    text = text.replace("    label: Sample size\n    type: integer\n    min: 1\n",
                        "    label: Sample size\n    type: date\n")           # retyped
    text = text.replace("        label: Hashtag reach\n        type: number\n",
                        "        label: Hashtag reach\n        type: integer\n")
    text = text.replace("  - id: country\n    label: Country\n    type: text\n",
                        "  - id: country\n    label: Country\n    type: choice\n"
                        "    choices: [india, pakistan]\n")
    path.write_text(text, encoding="utf-8")

    result, meta = export(root)
    found = {(d["study_id"], d["field"], d["value"]) for d in meta["values_off_codebook"]}
    row_field = next(d["field"] for d in meta["values_off_codebook"]
                     if d["field"].startswith("row:"))
    assert row_field.startswith("row:campaign:") and row_field.endswith(":hashtag_reach")
    assert found == {(S(1), "code:platforms", "twitter;instagram"),
                     (S(3), "field:youth_focus", "true"),
                     (S(1), "field:sample_size", "30"),
                     (S(5), "field:country", "Pakistan"),     # a choice now: 'pakistan'
                     (S(1), row_field, "2.5")}
    problems = {d["field"]: d["problem"] for d in meta["values_off_codebook"]}
    assert "'instagram' is not in the codebook" in problems["code:platforms"]
    assert "not in the codebook" in problems["field:youth_focus"]
    assert "not a date" in problems["field:sample_size"]
    assert "5 exported values do not fit the current codebook" in result.stderr
    assert "field:youth_focus = 'true'" in result.stderr
    readme = (root / "exports" / "README.txt").read_text(encoding="utf-8")
    assert "Values the current codebook does not define or accept: 5 " in readme
    # the tidy table's columns are explained (they were labelled with their own names)
    dictionary = pd.read_csv(root / "exports" / "data_dictionary.csv", dtype=str,
                             keep_default_na=False)
    labels = dict(zip(dictionary.loc[dictionary["file"] == "coded_long.csv", "column"],
                      dictionary.loc[dictionary["file"] == "coded_long.csv", "label"]))
    assert "agreed (every coder who coded the study gave it)" in labels["source"]
    assert labels["kind"] != "kind" and labels["row"] != "row"
    # nothing dropped: every value is in the tidy table as saved
    tidy = pd.read_csv(root / "exports" / "coded_long.csv", dtype=str, keep_default_na=False)
    assert set(tidy.loc[tidy["study_id"] == S(1), "value"]) >= {"twitter", "instagram", "30"}
    assert "true" in set(tidy.loc[(tidy["study_id"] == S(3)) & (tidy["name"] == "youth_focus"),
                                  "value"])


def test_an_integer_column_holds_what_fits_and_never_crashes_on_what_does_not():
    # A field made an integer after 2.5 (or 1e30, or text) was entered: the export raised
    # "cannot safely cast non-equivalent object to int64" before.
    from workbench.core.codebook import Field
    from workbench.io.exports.tables import typed
    column = typed(pd.Series(["2.5", "30", "", "1e30", "abc", "-4", "7.0", "inf"], dtype=object),
                   Field("n", "N", "integer"))
    assert str(column.dtype) == "Int64"
    assert [None if pd.isna(v) else int(v) for v in column] == \
        [None, 30, None, None, None, -4, 7, None]
