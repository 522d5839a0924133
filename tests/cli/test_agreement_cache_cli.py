"""`workbench agreement` twice, then `export`: the stored agreement prints and exports the same bytes.

The second command and the export read .workbench/agreement.json (the
computation is made to fail to prove it) and give the same bytes as the
computation; a torn last line's warning is printed again from the stored
result; a changed sheet or a save computes it again.
"""

from __future__ import annotations

from tests.cli.test_agreement_cli import TA, folder, run  # noqa: F401 (fixture)
from tests.io.export_review import make_review
from workbench.review import agreement as agreement_module
from workbench.review import Review
from workbench.review.exporting import write_exports
from workbench.store.reviewer_sheet import Sheet


def test_the_command_and_the_export_share_the_stored_agreement(folder, monkeypatch):  # noqa: F811
    with open(folder / "coding" / "bob.csv", "ab") as handle:
        handle.write(b'2031-01-01T00:00:00.000000Z,bob,u09,title_abstract,note,"torn')
    outputs = {}
    for fmt in ("csv", "json", "table"):
        first = run(folder, "agreement", "--format", fmt)
        assert first.exit_code == 0, first.output
        assert "warning:" in first.stderr and "line" in first.stderr
        outputs[fmt] = (first.stdout, first.stderr)
    assert (folder / ".workbench" / "agreement.json").exists()

    def no_computing(*args, **kwargs):
        raise AssertionError("computed again")

    with monkeypatch.context() as m:
        m.setattr(agreement_module, "agreement_report", no_computing)
        for fmt in ("csv", "json", "table"):
            again = run(folder, "agreement", "--format", fmt)
            assert again.exit_code == 0, again.output
            assert (again.stdout, again.stderr) == outputs[fmt]
        (folder / "coding" / "bob.csv").write_bytes(
            (folder / "coding" / "bob.csv").read_bytes().rsplit(b"\n", 1)[0] + b"\n")
        assert run(folder, "agreement", "--format", "csv").exit_code != 0   # a changed sheet

    stored = run(folder, "agreement", "--format", "csv")
    codebook = Review.open(folder).codebook()
    Sheet.open(folder / "coding" / "bob.csv", "bob", codebook.version).record_screening(
        codebook, TA, "u00", "exclude", ["E2"])
    with monkeypatch.context() as m:
        m.setattr(agreement_module, "agreement_report", no_computing)
        assert run(folder, "agreement", "--format", "csv").exit_code != 0   # a save
    assert run(folder, "agreement", "--format", "csv").stdout != stored.stdout


def test_the_export_reads_what_the_command_stored(tmp_path, monkeypatch):
    review = make_review(tmp_path / "review")
    write_exports(review, charts=False, out=tmp_path / "ref")   # computes (and stores)
    (review.root / ".workbench" / "agreement.json").unlink()
    stored = run(review.root, "agreement", "--format", "csv")
    assert stored.exit_code == 0, stored.output

    def no_computing(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(agreement_module, "agreement_report", no_computing)
    write_exports(Review.open(review.root), charts=False, out=tmp_path / "new")
    for name in ("agreement.csv", "agreement_methods.txt"):
        assert (tmp_path / "new" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes()
