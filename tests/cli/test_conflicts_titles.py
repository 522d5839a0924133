"""`workbench conflicts` titles each study from the small study index, not every study.

After a save, listing the conflicts of a 100,000-study review loaded every
record to rebuild the studies only for their titles (~2 s). The index holds
the same titles (the importers turn a control character such as the index's
separator into a space); these tests hold it to the studies' own and check
that a warm index answers alone.
"""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.review.studies import INDEX_NAME, study_index

from tests.review.coding_fixture import S, build_review, screen

RIS = """TY  - JOUR
TI  - {title}
AU  - Khan, A.
PY  - 2020
JO  - Journal of Tests
DO  - 10.1000/{n}
ER  - 
"""


def _review(tmp_path, titles: list[str]):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    extra = tmp_path / "extra.ris"
    extra.write_text("\n".join(RIS.format(title=t, n=n) for n, t in enumerate(titles)),
                     encoding="utf-8")
    review.import_references([extra], database="Other")
    review = Review.open(root)
    wanted = {t.replace("\x1f", " ") for t in titles}   # the importer's space
    new = [s.id for s in review.studies() if s.title in wanted]
    assert len(new) == len(titles)
    screen(review, "alice", "title_abstract", {sid: "include" for sid in new})
    screen(review, "bob", "title_abstract", {sid: "exclude" for sid in new})
    return root, new


def _conflicts(root) -> str:
    result = CliRunner().invoke(cli, ["--review", str(root), "conflicts", "--stage",
                                      "title_abstract"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_titles_shown_are_the_studies_own_and_a_warm_index_answers_alone(tmp_path,
                                                                           monkeypatch):
    root, new = _review(tmp_path, ["Unit\x1fseparated title of a study on policy",
                                   "A plain title on platforms"])
    studies = {s.id: s.title for s in Review.open(root).studies()}
    first = _conflicts(root)
    for sid in new:
        assert f"  {studies[sid][:76]}\n" in first, (sid, first)
    index = study_index(root, lambda: None)   # written by the first run, read back whole
    assert index.titles == studies

    def refused(*args, **kwargs):
        raise AssertionError("the studies were built")
    monkeypatch.setattr("workbench.review.studies.group_studies", refused)
    assert _conflicts(root) == first


def test_a_damaged_index_is_ignored(tmp_path):
    root, new = _review(tmp_path, ["Yet another plain title"])
    first = _conflicts(root)
    path = root / ".workbench" / INDEX_NAME
    for damage in (b"", path.read_bytes()[:-30]):
        path.write_bytes(damage)
        assert _conflicts(root) == first
    shutil.rmtree(root / ".workbench")
    assert _conflicts(root) == first
