"""`workbench sheet` says which lines of the sheet it set aside, as `check` does (on stderr)."""

from __future__ import annotations

from click.testing import CliRunner

from workbench.cli import cli

from tests.review.coding_fixture import S, build_review


def test_sheet_warns_about_the_lines_it_set_aside_and_writes_the_same_table(tmp_path):
    root = build_review(tmp_path / "review")
    runner = CliRunner()
    clean = runner.invoke(cli, ["--review", str(root), "sheet", "--reviewer", "alice"])
    assert clean.exit_code == 0, clean.output
    assert clean.stderr == ""
    table = (root / "exports" / "sheet-alice.csv").read_bytes()
    sheet = root / "coding" / "alice.csv"
    lines = len(sheet.read_text(encoding="utf-8").splitlines())
    with sheet.open("a", encoding="utf-8") as out:  # two lines typed by hand, without a check
        out.write(f"2026-01-01T00:00:00.000000Z,alice,{S(2)},title_abstract,decision,maybe,,"
                  "2e5d0d9a7020\n")
        out.write(f"2026-01-01T00:00:01.000000Z,alice,{S(4)},title_abstract,decision,include,,"
                  "2e5d0d9a7020\n")
    result = runner.invoke(cli, ["--review", str(root), "sheet", "--reviewer", "alice"])
    assert result.exit_code == 0, result.output
    assert result.stdout == clean.stdout
    warned = result.stderr.splitlines()
    assert [w.split(": ", 2)[1].rsplit("/", 1)[-1] for w in warned[:2]] == \
        [f"alice.csv:{lines + 1}", f"alice.csv:{lines + 2}"]
    assert all("no check value" in w for w in warned[:2])
    assert warned[2].startswith("warning: 2 lines of the sheet set aside")
    assert (root / "exports" / "sheet-alice.csv").read_bytes() == table
    check = runner.invoke(cli, ["--review", str(root), "check"])
    assert f"alice.csv:{lines + 1}:" in check.stderr and f"alice.csv:{lines + 2}:" in check.stderr
