"""The studies cache holds which record went to which study, not the studies' text.

Every reader (the app opening a review, status, screening, export) gets from it
the very studies a fresh duplicate detection gives; a damaged cache, or one that
does not fit the records, is ignored and detection runs again.
"""

from __future__ import annotations

import json
import random
import shutil

import pytest

from tests.core.test_dedupe_bulk import hostile_records, some_decisions
from tests.tui.conftest import DATA, shown_text, wait_for
from workbench.core.dedupe import duplicates
from workbench.core.dedupe.duplicates import find_duplicates, rebuild_studies
from workbench.core.records import Record
from workbench.review import Review, studies
from workbench.store.cache import read_cache, write_cache

PAIRS = DATA.parent / "duplicates"
MARK = "Zürich \ud7ff 😀 \"quoted\"\n\\title\u2028\x1f"


def hostile(n: int, seed: int) -> list[Record]:
    records = hostile_records(n, seed=seed)
    if n:  # texts JSON must escape, and characters it must not
        records[0] = records[0].with_(title=MARK, abstract="é" * 250)
    records.append(Record(title="Zürich \ud7ff 😀", authors=("Müller, J.",), id="extra-0001"))
    return records


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("n", [0, 1, 14, 250])
def test_the_cache_gives_back_the_run(tmp_path, n, seed):
    records = hostile(n, seed + n)
    decisions = some_decisions(records, random.Random(n), n=30) if len(records) > 1 else []
    result = find_duplicates(records, decisions)
    path = tmp_path / "studies.json"
    assert write_cache(path, "studies", studies._encode("k" * 64, result))
    value = read_cache(path, "studies")
    assert studies._fits(value, "k" * 64) and not studies._fits(value, "j" * 64)
    back = studies._decode(value, records)
    assert back == result
    assert list(back.record_to_study.items()) == list(result.record_to_study.items())
    for old, new in zip(result.studies, back.studies, strict=True):
        assert vars(old) == vars(new)
        assert all(type(getattr(old, f)) is type(getattr(new, f)) for f in vars(old))
    if n > 1:  # some records were joined, and none of their text is in the file
        assert any(len(s.record_ids) > 1 for s in result.studies)
        assert MARK.encode("utf-8", "surrogatepass") not in path.read_bytes()
        assert "é" * 100 not in path.read_text("utf-8", "replace")


def test_a_single_record_study_is_the_one_the_constructor_builds():
    record = hostile_records(1, seed=3)[0]
    built = duplicates._build_study("S" + record.id, [record])
    made = duplicates.Study(id="S" + record.id, record_ids=(record.id,), title=record.title,
                            abstract=record.abstract, authors=record.authors, year=record.year,
                            venue=record.venue, volume=record.volume, issue=record.issue,
                            pages=record.pages, doi=record.doi, pmid=record.pmid, url=record.url,
                            keywords=record.keywords, databases=(record.database,))
    assert built == made and vars(built) == vars(made) and hash(built) == hash(made)
    with pytest.raises(Exception):
        built.title = "changed"  # still frozen


def test_a_map_that_find_duplicates_cannot_have_made_is_refused():
    records = hostile(40, 5)
    result = find_duplicates(records)
    mapping = result.record_to_study
    assert rebuild_studies(mapping, records) == result.studies
    with pytest.raises(ValueError, match="names 41 records, not 40"):
        rebuild_studies(mapping, records[:-1])
    items = list(mapping.items())
    joined = next(i for i in range(len(items) - 1) if items[i][1] == items[i + 1][1])
    unknown = {("nobody" if n == joined + 1 else r): s for n, (r, s) in enumerate(items)}
    with pytest.raises(ValueError, match="'nobody', which is not imported"):
        rebuild_studies(unknown, records)
    apart = items[:joined + 1] + items[joined + 2:] + [items[joined + 1]]
    with pytest.raises(ValueError, match="not listed together"):
        rebuild_studies(dict(apart), records)
    renamed = dict(mapping)
    renamed[items[0][0]] = "S" + items[1][0]
    with pytest.raises(ValueError):
        rebuild_studies(renamed, records)
    with pytest.raises(ValueError, match="share an id"):
        rebuild_studies(mapping, records[:-1] + [records[0]])


@pytest.fixture
def pair_review(tmp_path):
    """Two exports with duplicates across them, and a person's answers on two pairs."""
    root = tmp_path / "review"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    review = Review.open(root)
    review.import_references([PAIRS / "scopus.ris"], database="Scopus")
    review.import_references([PAIRS / "scholar.csv"], database="Google Scholar")
    review.import_references([DATA / "search.ris"], database="Embase")
    pending = review.pending_pairs()
    assert len(pending) >= 3
    review.decide_pair("alice", pending[0].record_a, pending[0].record_b, "same")
    review.decide_pair("bob", pending[1].record_a, pending[1].record_b, "different")
    return root


def fresh(root):
    return studies.group_studies(root, Review.open(root).records, use_cache=False)


def refuse_detection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("duplicate detection ran: the cache was not used")
    monkeypatch.setattr(studies, "find_duplicates", refuse)


def test_every_reader_of_a_warm_review_gets_the_studies_of_a_fresh_run(pair_review, monkeypatch):
    from workbench.review.screening import open_session
    expected = fresh(pair_review)
    assert any(len(s.record_ids) > 1 for s in expected.studies) and expected.uncertain
    cold = Review.open(pair_review)
    assert cold.dedupe() == expected  # runs detection, writes the cache
    status = cold.status()
    work = open_session(cold, "alice").studies
    refuse_detection(monkeypatch)
    warm = Review.open(pair_review)
    assert warm.dedupe() == expected
    assert warm.studies() == expected.studies
    assert warm.study_of_records() == expected.record_to_study
    assert warm.pending_pairs() == Review.open(pair_review).pending_pairs()
    assert Review.open(pair_review).aliases() == expected.aliases
    (pair_review / ".workbench" / "status.json").unlink(missing_ok=True)
    (pair_review / ".workbench" / "status_header.json").unlink(missing_ok=True)
    assert Review.open(pair_review).status() == status
    assert open_session(Review.open(pair_review), "alice").studies == work == expected.studies


async def test_the_app_opens_a_warm_review_on_the_studies_of_a_fresh_run(pair_review, monkeypatch):
    from workbench.tui.app import make_app
    from workbench.tui.screens.home import HomeScreen
    from workbench.tui.screens.screening import ScreeningScreen
    expected = fresh(pair_review)
    Review.open(pair_review).dedupe()  # the cache, as the import's first status leaves it
    refuse_detection(monkeypatch)
    app = make_app(pair_review, reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.stages)
        waiting = " ".join(shown_text(app.screen.query_one("#home-waiting").content).split())
        assert f"Duplicate pairs to check: {len(expected.uncertain)} " in waiting
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen)
                       and app.screen.session is not None)
        assert app.screen.session.studies == expected.studies


def test_export_of_a_warm_review_is_the_export_of_a_fresh_run(template_root, monkeypatch):
    from workbench.review.exporting import write_exports
    root = template_root
    (root / ".workbench" / "studies.json").unlink(missing_ok=True)
    cold = write_exports(Review.open(root), "alice", charts=False, out=root.parent / "cold")
    assert (root / ".workbench" / "studies.json").is_file()
    refuse_detection(monkeypatch)
    warm = write_exports(Review.open(root), "alice", charts=False, out=root.parent / "warm")
    names = sorted(str(p.relative_to(root.parent / "cold")) for p in (root.parent / "cold").rglob("*")
                   if p.is_file())
    assert names == sorted(str(p.relative_to(root.parent / "warm"))
                           for p in (root.parent / "warm").rglob("*") if p.is_file()) and cold and warm
    def timeless(path):  # the export's own clock aside
        return [line for line in path.read_bytes().splitlines() if b"Exported at" not in line]
    compared = 0
    for name in names:
        if not name.endswith("export_metadata.json") and not name.endswith((".xlsx", ".qdpx", ".dta", ".sav")):
            assert timeless(root.parent / "cold" / name) == timeless(root.parent / "warm" / name), name
            compared += 1
    assert compared >= 10


@pytest.fixture
def template_root(tmp_path):
    from tests.review.test_consensus_scenario import build_scenario
    root = tmp_path / "review"
    build_scenario(root)
    return root


@pytest.mark.parametrize("damage", ["record gone", "apart", "renamed", "count", "garbage"])
def test_a_cache_that_does_not_fit_the_records_is_ignored(pair_review, damage, caplog):
    expected = fresh(pair_review)
    key = studies.studies_key(pair_review)
    value = studies._encode(key, expected)
    items = list(value["record_to_study"].items())
    if damage == "record gone":
        value["record_to_study"] = dict(items[1:])
    elif damage == "apart":
        joined = next(i for i in range(len(items) - 1) if items[i][1] == items[i + 1][1])
        value["record_to_study"] = dict(items[:joined + 1] + items[joined + 2:] + [items[joined + 1]])
    elif damage == "renamed":
        value["record_to_study"] = {r: "S" + items[1][0] if r == items[0][0] else s for r, s in items}
    elif damage == "count":
        value["studies"] += 1
    else:
        value["uncertain"] = [["a", "b"]]
    path = pair_review / ".workbench" / studies.CACHE_NAME
    assert write_cache(path, "studies", json.loads(json.dumps(value)))
    assert Review.open(pair_review).dedupe() == expected
    assert "ignoring unreadable cache" in caplog.text
    assert studies._decode(read_cache(path, "studies"), Review.open(pair_review).records()) \
        == expected  # written again
