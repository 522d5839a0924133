"""Published agreement values reproduced end to end: decisions written through the
public API (Sheet.record_screening / set_codes / set_field) into a fresh review,
read back from `workbench agreement --format json` and compared to 4 decimals.

References:
- Feinstein & Cicchetti (1990) / Cicchetti & Feinstein (1990): two 2x2 tables with
  the same observed agreement 0.85; Gwet (2008, 2014) gives their AC1: 0.70075
  (balanced, a=40 b=9 c=6 d=45) and 0.808 (skewed, a=80 b=10 c=5 d=5); PABAK
  (Byrt, Bishop & Carlin 1993) 2 * 0.85 - 1 = 0.70 for both; positive and
  negative (specific) agreement of the skewed table 0.914 and 0.40.
- Krippendorff (2011), "Computing Krippendorff's alpha-reliability", data C
  (12 units x 4 observers, values 1-5): nominal alpha 0.743, ordinal 0.815.
  The same data is irrCAC's cac.raw4raters: percent agreement 0.8181818, Gwet's
  AC1 0.7754441, Fleiss' kappa (fleiss.kappa.raw, generalised for missing
  ratings) 0.7611693, quadratic-weighted Fleiss' kappa 0.8649351.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.core.events import DecisionRefused
from workbench.review import Review
from workbench.store.reviewer_sheet import Sheet

CODEBOOK = """\
review: {title: Agreement reproduction}
stages:
  - {id: balanced, label: Balanced table, kind: screening, reviewers: 2,
     decisions: [include, exclude]}
  - {id: skewed, label: Skewed table, kind: screening, reviewers: 2,
     decisions: [include, exclude]}
  - {id: default, label: Title and abstract, kind: screening, reviewers: 2}
  - {id: coding, label: Coding, kind: coding, reviewers: 2, source: default}
criteria: []
dimensions:
  - id: grade
    label: Grade (single)
    select: single
    codes: [{id: g1, label: One}, {id: g2, label: Two}, {id: g3, label: Three},
            {id: g4, label: Four}, {id: g5, label: Five}]
fields:
  - id: likert
    label: Likert rating
    type: choice
    ordered: true
    choices: ["1", "2", "3", "4", "5"]
  - id: nominal
    label: Same values, unordered
    type: choice
    choices: ["1", "2", "3", "4", "5"]
"""

N = None
# Krippendorff (2011) data C, rows = observers A-D, columns = units 1-12.
DATA_C = {"a": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
          "b": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
          "c": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
          "d": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]}


def make_review(tmp_path: Path) -> tuple[Path, object]:
    root = tmp_path / "review"
    (root / "coding").mkdir(parents=True)
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return root, Review.open(root).codebook()


def sheet(root: Path, codebook, reviewer: str) -> Sheet:
    return Sheet.open(root / "coding" / f"{reviewer}.csv", reviewer, codebook.version)


def write_table(root: Path, codebook, stage: str, a: int, b: int, c: int, d: int) -> None:
    """A 2x2 table: a both include, b alice include/bob exclude, c the reverse, d both exclude."""
    pairs = ([("include", "include")] * a + [("include", "exclude")] * b
             + [("exclude", "include")] * c + [("exclude", "exclude")] * d)
    alice, bob = sheet(root, codebook, "alice"), sheet(root, codebook, "bob")
    for i, (x, y) in enumerate(pairs):
        alice.record_screening(codebook, stage, f"s{i:03d}", x)
        bob.record_screening(codebook, stage, f"s{i:03d}", y)


def agreement_json(root: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--review", str(root), "agreement", "--format", "json",
                                      *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def stat(data: list[dict], stage: str, variable: str, name: str, category: str = "") -> dict:
    report = next(s for s in data if s["stage"] == stage)
    return next(r for r in report["statistics"] if r["variable"] == variable
                and r["name"] == name and r["category"] == category)


def test_prevalence_paradox_tables_through_the_screening_path(tmp_path):
    root, codebook = make_review(tmp_path)
    write_table(root, codebook, "balanced", 40, 9, 6, 45)
    write_table(root, codebook, "skewed", 80, 10, 5, 5)
    write_table(root, codebook, "default", 80, 10, 5, 5)
    data = agreement_json(root, "--resamples", "0")
    for stage, ac1 in (("balanced", 0.70075), ("skewed", 0.808)):
        assert stat(data, stage, "decision", "percent_agreement")["value"] == pytest.approx(0.85)
        got = stat(data, stage, "decision", "gwet_ac1")
        assert got["value"] == pytest.approx(ac1, abs=5e-5) and got["q"] == 2
        got = stat(data, stage, "decision", "pabak")
        assert got["value"] == pytest.approx(0.70, abs=5e-5) and got["q"] == 2
    # Cicchetti & Feinstein's positive and negative agreement (skewed table)
    assert stat(data, "skewed", "decision", "specific_agreement", "include")["value"] == \
        pytest.approx(160 / 175, abs=5e-5)
    assert stat(data, "skewed", "decision", "specific_agreement", "exclude")["value"] == \
        pytest.approx(0.40, abs=5e-5)
    # a first stage without `decisions:` offers include, exclude and maybe: q = 3
    assert stat(data, "default", "decision", "gwet_ac1")["q"] == 3
    assert stat(data, "default", "decision", "pabak")["value"] == pytest.approx(
        (3 * 0.85 - 1) / 2, abs=5e-5)


def test_q_is_printed_next_to_ac1_and_pabak_and_a_binary_stage_refuses_maybe(tmp_path):
    root, codebook = make_review(tmp_path)
    write_table(root, codebook, "skewed", 80, 10, 5, 5)
    with pytest.raises(DecisionRefused, match="offers only include, exclude"):
        sheet(root, codebook, "alice").record_screening(codebook, "skewed", "s000", "maybe")
    result = CliRunner().invoke(cli, ["--review", str(root), "agreement", "--stage", "skewed",
                                      "--resamples", "0"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    ac1 = next(line for line in lines if line.startswith("  Gwet's AC1 q=2")).split()
    assert ac1[3] == "0.808"
    assert any(line.startswith("  PABAK q=2") and "0.700" in line for line in lines)


def test_a_sheet_that_never_coded_is_no_coder_of_the_coding_variables(tmp_path):
    """Three sheets; carol screened one study and coded nothing: coding stays 2-coder."""
    root, codebook = make_review(tmp_path)
    b, d = sheet(root, codebook, "bob"), sheet(root, codebook, "dave")
    for i in range(10):  # data C observers B and D, units 1-10
        b.set_field(codebook, "coding", f"u{i:02d}", "nominal", str(DATA_C["b"][i]))
        d.set_field(codebook, "coding", f"u{i:02d}", "nominal", str(DATA_C["d"][i]))
    sheet(root, codebook, "carol").record_screening(codebook, "default", "u00", "include")
    data = agreement_json(root, "--resamples", "0")
    coding = next(s for s in data if s["stage"] == "coding")
    assert coding["coders"] == ["bob", "dave"]
    kappa = stat(data, "coding", "field:nominal", "cohen_kappa")
    # 9 of 10 agree; marginals B (2,4,2,1,1), D (2,3,2,2,1): pe = 0.23, kappa = 0.67/0.77
    assert kappa["value"] == pytest.approx(0.67 / 0.77, abs=5e-5)
    assert kappa["n_coders"] == 2 and kappa["n_units"] == 10
    assert not any(r["name"] == "fleiss_kappa" for r in coding["statistics"])
    default = next(s for s in data if s["stage"] == "default")
    assert default["coders"] == ["carol"]


def test_json_and_csv_keep_every_digit_and_integers_stay_integers(tmp_path):
    root, codebook = make_review(tmp_path)
    write_table(root, codebook, "balanced", 40, 9, 6, 45)
    data = agreement_json(root, "--stage", "balanced", "--resamples", "50")
    report = data[0]
    assert type(report["seed"]) is int and report["seed"] == 20260701
    ac1 = stat(data, "balanced", "decision", "gwet_ac1")
    assert ac1["value"] == pytest.approx(0.35125 / 0.50125, abs=1e-12)  # not 0.701
    assert type(ac1["seed"]) is int and type(ac1["n_units"]) is int and type(ac1["q"]) is int
    rounded = stat(agreement_json(root, "--stage", "balanced", "--resamples", "0",
                                  "--digits", "2"), "balanced", "decision", "gwet_ac1")
    assert rounded["value"] == 0.7
    result = CliRunner().invoke(cli, ["--review", str(root), "agreement", "--stage", "balanced",
                                      "--format", "csv", "--resamples", "50"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    row = next(r for r in rows if r["name"] == "gwet_ac1")
    assert float(row["value"]) == pytest.approx(0.35125 / 0.50125, abs=1e-12)
    assert row["seed"] == "20260701" and row["n_units"] == "100" and row["q"] == "2"
    prevalence = next(r for r in rows if r["name"] == "prevalence")
    assert prevalence["q"] == "" and prevalence["seed"] in ("", "20260701")


def test_single_select_dimension_gets_kappa_alpha_ac1_pabak_with_q_its_codes(tmp_path):
    root, codebook = make_review(tmp_path)
    for coder, values in DATA_C.items():
        s = sheet(root, codebook, coder)
        for i, v in enumerate(values):
            if v is not None:
                s.set_codes(codebook, "coding", f"u{i:02d}", "grade", [f"g{v}"])
    data = agreement_json(root, "--stage", "coding", "--resamples", "0")
    get = lambda name: stat(data, "coding", "code:grade", name)  # noqa: E731
    assert get("percent_agreement")["value"] == pytest.approx(0.8181818, abs=5e-5)
    assert get("fleiss_kappa")["value"] == pytest.approx(0.7611693, abs=5e-5)
    assert get("krippendorff_alpha")["value"] == pytest.approx(0.743, abs=5e-4)
    assert get("krippendorff_alpha")["level"] == "nominal"
    assert get("gwet_ac1")["value"] == pytest.approx(0.7754441, abs=5e-5)
    assert get("gwet_ac1")["q"] == 5 and get("pabak")["q"] == 5
    # PABAK / Brennan-Prediger: (5 * 0.8181818 - 1) / 4
    assert get("pabak")["value"] == pytest.approx((5 * 9 / 11 - 1) / 4, abs=5e-5)


def test_ordered_choice_gets_ordinal_alpha_and_weighted_kappas(tmp_path):
    root, codebook = make_review(tmp_path)
    assert codebook.field("likert").ordered and not codebook.field("nominal").ordered
    for coder, values in DATA_C.items():
        s = sheet(root, codebook, coder)
        for i, v in enumerate(values):
            if v is not None:
                s.set_field(codebook, "coding", f"u{i:02d}", "likert", str(v))
    data = agreement_json(root, "--stage", "coding", "--resamples", "0")
    alpha = stat(data, "coding", "field:likert", "krippendorff_alpha")
    assert alpha["level"] == "ordinal" and alpha["value"] == pytest.approx(0.815, abs=5e-4)
    quadratic = stat(data, "coding", "field:likert", "fleiss_kappa_quadratic")
    assert quadratic["value"] == pytest.approx(0.8649351, abs=5e-5)
    assert stat(data, "coding", "field:likert", "fleiss_kappa")["value"] == \
        pytest.approx(0.7611693, abs=5e-5)


def test_weighted_kappa_of_data_c_coders_b_and_d(tmp_path):
    """Units 1-10, B and D differ only on unit 6 (2 vs 4).

    Cohen's quadratic kappa 1 - sum v O / sum v E with v = (i-j)^2: O = 4/10, E =
    var B + var D + (mean B - mean D)^2 = 1.45 + 1.61 + 0.04 = 3.1, so 27/31 = 0.8710.
    Linear: O = 2/10, E = 69/50 (hand sum over the marginals), 1 - 10/69 = 0.8551.
    With pooled marginals (Fleiss/Scott, quadratic weights): E = 2 * 1.54 = 3.08,
    1 - 0.4/3.08 = 0.8701, which equals the unweighted kappa here (0.67/0.77).
    """
    root, codebook = make_review(tmp_path)
    for coder in ("b", "d"):
        s = sheet(root, codebook, coder)
        for i in range(10):
            s.set_field(codebook, "coding", f"u{i:02d}", "likert", str(DATA_C[coder][i]))
    data = agreement_json(root, "--stage", "coding", "--resamples", "0")
    get = lambda name: stat(data, "coding", "field:likert", name)["value"]  # noqa: E731
    assert get("weighted_kappa_quadratic") == pytest.approx(27 / 31, abs=5e-5)
    assert get("weighted_kappa_linear") == pytest.approx(1 - 10 / 69, abs=5e-5)
    assert get("fleiss_kappa_quadratic") == pytest.approx(0.8701, abs=5e-5)
    assert get("cohen_kappa") == pytest.approx(0.8701, abs=5e-5)


def test_methods_paragraph_in_json_and_table(tmp_path):
    root, codebook = make_review(tmp_path)
    write_table(root, codebook, "skewed", 80, 10, 5, 5)
    data = agreement_json(root, "--stage", "skewed", "--resamples", "200")
    text = data[0]["methods"]
    kappa = stat(data, "skewed", "decision", "cohen_kappa")
    assert kappa["value"] == pytest.approx(0.07 / 0.22, abs=5e-5)
    assert text.startswith("Two reviewers screened 100 records independently; "
                           "agreement was 85.0% (Cohen's kappa 0.32, 95% CI "
                           f"{kappa['ci_low']:.2f}-{kappa['ci_high']:.2f}; Gwet's AC1 0.81")
    assert text.endswith(", 2 categories).")
    result = CliRunner().invoke(cli, ["--review", str(root), "agreement", "--stage", "skewed",
                                      "--resamples", "200"])
    flat = " ".join(line.strip() for line in result.stdout.splitlines())
    assert "methods: Two reviewers screened 100 records independently; agreement was 85.0%" \
        in flat


NAMES = ["MeToo Pakistan", "Clean Air", "Harassment Free Streets", "Justice for Zainab",
         "Aurat March", "Save Margalla", "Plant for Pakistan", "Flood Relief",
         "Girls Education", "Polio Drive", "Digital Rights", "Climate Action"]

GROUP_CODEBOOK = """\
review: {title: Group rows}
stages:
  - {id: coding, label: Coding, kind: coding, reviewers: 2}
groups:
  - id: campaign
    label: Campaign
    key: name
    fields:
      - {id: name, label: Name, type: text, required: true}
      - {id: reach, label: Reach, type: number, min: 0}
      - {id: change, label: Change, type: number}
      - {id: grade, label: Grade, type: choice, choices: ["1", "2", "3", "4", "5"]}
      - {id: note, label: Note, type: text}
"""


def test_group_rows_matched_by_key_compared_field_by_field_and_unmatched_reported(tmp_path):
    """Data C as 12 campaign rows (3 studies x 4): a coder with no value did not enter
    that row, so it is unmatched. Krippendorff (2011): interval 0.849, ratio 0.797,
    nominal 0.743; the key is matched after normalising ("Clean Air" = "clean-air")."""
    root = tmp_path / "review"
    (root / "coding").mkdir(parents=True)
    (root / "codebook.yaml").write_text(GROUP_CODEBOOK, encoding="utf-8")
    codebook = Review.open(root).codebook()
    for coder, values in DATA_C.items():
        s = sheet(root, codebook, coder)
        for i, v in enumerate(values):
            study = f"study{i // 4}"
            if v is None:
                # the coder did not enter this row
                continue
            name = NAMES[i] if coder != "c" else NAMES[i].lower().replace(" ", "-")
            s.add_row(codebook, "coding", study, "campaign",
                      {"name": name, "reach": str(v), "change": str(v), "grade": str(v),
                       "note": f"{coder} wrote this"})
    data = agreement_json(root, "--resamples", "0")
    (report,) = data
    assert report["coders"] == ["a", "b", "c", "d"]
    alpha = lambda name: stat(data, "coding", name, "krippendorff_alpha")  # noqa: E731
    assert alpha("row:campaign.change")["level"] == "interval"
    assert alpha("row:campaign.change")["value"] == pytest.approx(0.849, abs=5e-4)
    assert alpha("row:campaign.reach")["level"] == "ratio"
    assert alpha("row:campaign.reach")["value"] == pytest.approx(0.797, abs=5e-4)
    assert alpha("row:campaign.grade")["value"] == pytest.approx(0.743, abs=5e-4)
    assert stat(data, "coding", "row:campaign.grade", "fleiss_kappa")["value"] == \
        pytest.approx(0.7611693, abs=5e-5)
    # text: every coder wrote a different note, so agreement is 0 on every row
    assert stat(data, "coding", "row:campaign.note", "percent_agreement")["value"] == 0.0
    assert not any(r["variable"] == "row:campaign.name" for r in report["statistics"])
    # unit 12 was entered by b only: a, c and d coded study2 and have no such row
    unmatched = {(u["study_id"], u["key"]): u for u in report["unmatched_rows"]}
    # data C's units with a missing value: 1 (c), 10 (a), 11 (a, b), 12 (a, c, d)
    assert sorted(len(u["missing"]) for u in unmatched.values()) == [1, 1, 2, 3]
    twelve = unmatched[("study2", NAMES[11])]
    assert list(twelve["entered"]) == ["b"] and twelve["missing"] == ["a", "c", "d"]
    presence = stat(data, "coding", "rows:campaign", "percent_agreement")
    assert presence["n_units"] == 12
    table = CliRunner().invoke(cli, ["--review", str(root), "agreement", "--resamples", "0"])
    assert "  unmatched group rows: 4 (entered by some coders of the study only)" in table.stdout
    assert f"    study2 · campaign · {NAMES[11]}: not entered by a, c, d" in table.stdout


def test_csv_of_a_review_without_decisions_has_the_same_columns(tmp_path):
    root, codebook = make_review(tmp_path)
    empty = CliRunner().invoke(cli, ["--review", str(root), "agreement", "--format", "csv"])
    write_table(root, codebook, "skewed", 1, 1, 1, 1)
    full = CliRunner().invoke(cli, ["--review", str(root), "agreement", "--format", "csv",
                                    "--resamples", "0"])
    assert empty.exit_code == 0 and full.exit_code == 0
    assert empty.stdout.splitlines() == full.stdout.splitlines()[:1]
