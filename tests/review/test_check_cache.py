"""`check` from its per-sheet caches (.workbench/checks/) equals a full check, whatever happened.

The oracles are the full check on columns (`checking.full_check`, every sheet
read and checked) and the per-event check (`check_coding` on small sheets).
Every test changes the review, then compares `check_review` (a new Review:
from the caches on disk) with both. The hostile cases: random appends of every
kind, a torn last line and the save that marks it, lines typed by hand, a
sheet edited mid-file, shortened, replaced, an older 8-column sheet, damaged
or edited caches, a changed codebook, the clock moving on or set back.
"""

from __future__ import annotations

import random
import shutil
from datetime import timedelta

import pytest

from tests.review.coding_fixture import S
from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from tests.review.test_decision_frames import scramble
from workbench.core.checks import UNTICKED
from workbench.review import Review, check_cache, checking
from workbench.review import decision_frames as df
from workbench.store import sheet_checks, sheet_frame
from workbench.store.sheet import Event, append_events
from workbench.store.sheet_reading import sheet_line

SHEETS = ("alice", "bob", "carol", "consensus")


@pytest.fixture(autouse=True)
def on_columns(monkeypatch):
    """Check even these small sheets on their columns, through the caches."""
    monkeypatch.setattr(sheet_checks, "COLUMNS_FROM_BYTES", 0)
    monkeypatch.setattr(df, "COLUMNS_FROM_BYTES", 0)


def per_event(review) -> list[str]:
    """check_coding event by event (the small-review path)."""
    ids, _ = checking._study_ids(review)
    old = sheet_checks.COLUMNS_FROM_BYTES
    sheet_checks.COLUMNS_FROM_BYTES = 1 << 60
    try:
        return [str(p) for p in sheet_checks.check_coding(review.codebook(), review.coding, ids)]
    finally:
        sheet_checks.COLUMNS_FROM_BYTES = old


def assert_same(root) -> list[str]:
    """check_review (a new Review, caches on disk) equals both oracles; returns the problems."""
    got = checking.check_review(Review.open(root))
    fresh = Review.open(root)
    full = [str(p) for p in checking.full_check(fresh)]
    assert [str(p) for p in got.problems] == [p for p in full if "was renamed to" not in p
                                              and UNTICKED not in p]
    assert [str(p) for p in got.warnings] == [p for p in full if UNTICKED in p]
    assert [str(n) for n in got.notices if "was renamed to" in n.message] == \
        [p for p in full if "was renamed to" in p]
    again = [str(p) for p in checking._check_sheets(Review.open(root), fresh.codebook(),
                                                    checking._study_ids(fresh)[0])]
    assert again == full
    assert full == per_event(fresh)
    return full


def cached(root, name) -> bool:
    return check_cache.cache_path(root, root / "coding" / f"{name}.csv").exists()


def odd_events(version: str, rng: random.Random) -> list[tuple[str, Event]]:
    """Events `check` reports (and some it does not), each for a random sheet."""
    odd = [Event("", "mallory", S(1), "title_abstract", "decision", "include", "", version),
           Event("", "bob", "S-gone-1", "coding", "code:platforms", "telegraph", "", version),
           Event("", "bob", f"S-gone-{rng.randrange(50)}", "title_abstract", "decision",
                 "exclude", "", version),
           Event("", "bob", S(2), "no_such_stage", "decision", "include", "", version),
           Event("", "bob", S(3), "coding", "row:campaign:k9:hashtag_reach", "lots", "", version),
           Event("", "bob", S(3), "coding", "row:nogroup:k9", "1", "", version),
           Event("", "bob", S(3), "title_abstract", "criteria", "E1;X9", "", version),
           Event("", "bob", S(5), "coding", "field:nope", "1", "", version),
           Event("", "bob", S(3), "title_abstract", "criteria", "E1", "", version),
           Event("", "bob", S(3), "coding", "row:campaign:k9:hashtag_reach", "3.5", "", version),
           Event("", "bob", S(4), "title_abstract", "note", "typed", "", version + " "),
           # quotes and passages for codes the sheet may not have ticked (warnings)
           Event("", "bob", S(2), "coding", "quote:whatsapp", 'a "quote", with a comma', "",
                 version),
           Event("", "bob", S(3), "coding", "seg:q8p1", "code:youtube", "", version),
           Event("", "bob", S(2), "coding", "code:platforms", "", "", version),
           Event("", "bob", S(4), "coding", "quote:facebook", "  ", "", version),
           Event("", "bob", S(5), "coding", "quote:Twitter", "typed by hand", "", version)]
    return [(rng.choice(SHEETS), e) for e in rng.sample(odd, rng.randrange(1, len(odd)))]


def mess(root, seed: int) -> None:
    """Random saves on every sheet plus events check reports, and sometimes a future time."""
    rng = random.Random(seed)
    scramble(root, seed)
    version = Review.open(root).codebook().version
    for sheet, event in odd_events(version, rng):
        reviewer = "lead" if sheet == "consensus" and event.reviewer == "bob" else event.reviewer
        append_events(root / "coding" / f"{sheet}.csv", [event._replace(reviewer=reviewer)])
    if rng.random() < 0.5:
        with open(root / "coding" / "alice.csv", "a", encoding="utf-8") as sheet:
            sheet.write(sheet_line([f"{rng.choice(['2999', '2998'])}-01-01T00:00:00.000000Z",
                                    "alice", S(1), "title_abstract", "note", "late, \"quoted\"\nx",
                                    "", version]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_appends_equal_a_full_check(root, seed):
    found = assert_same(root)
    assert all(cached(root, p.stem) for p in (root / "coding").glob("*.csv"))
    seen = set(found)
    for round_ in range(4):
        mess(root, seed * 10 + round_)
        seen |= set(assert_same(root))
    assert any("mallory" in p or "not in this review's references" in p or "criterion" in p
               for p in seen)   # the appends did reach what check reports
    assert any(UNTICKED in p for p in seen)


def test_the_unchanged_review_reads_no_sheet_in_full(root, monkeypatch):
    mess(root, 4)
    assert_same(root)
    reads, fulls = [], []
    real_read = sheet_frame.read_sheet_frame
    monkeypatch.setattr(sheet_frame, "read_sheet_frame",
                        lambda path, *a, **k: reads.append(str(path)) or real_read(path, *a, **k))
    real_full = check_cache._full
    monkeypatch.setattr(check_cache, "_full",
                        lambda review, codebook, path, *a: fulls.append(path.name)
                        or real_full(review, codebook, path, *a))
    report = checking.check_review(Review.open(root))
    assert reads == [] and fulls == []
    assert [str(p) for p in report.problems] == [
        str(p) for p in checking.check_review(Review.open(root)).problems]
    mess(root, 5)   # after saves: only the appended bytes are read
    checking.check_review(Review.open(root))
    assert fulls == []
    assert reads and not any(str(root / "coding") in r for r in reads)
    monkeypatch.setattr(sheet_frame, "read_sheet_frame", real_read)
    monkeypatch.setattr(check_cache, "_full", real_full)
    assert_same(root)


def append_bytes(path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def test_torn_last_line_then_the_save_that_marks_it(root):
    path = root / "coding" / "alice.csv"
    assert_same(root)
    append_bytes(path, b"2025-03-01T00:00:00.000000Z,alice,S1,title_abstract,deci")
    found = assert_same(root)
    assert any("incomplete last line" in p for p in found)
    assert any("incomplete last line" in p for p in assert_same(root))   # from the cache
    mess(root, 7)   # append_events closes the torn line (",torn")
    assert_same(root)
    mess(root, 8)
    assert_same(root)


def test_torn_line_in_the_first_full_read(root):
    append_bytes(root / "coding" / "bob.csv", b"2025-03-01T00:00:00.000000Z,bob,S1,tit")
    assert_same(root)
    mess(root, 9)
    assert_same(root)


def test_lines_typed_by_hand(root):
    path = root / "coding" / "bob.csv"
    assert_same(root)
    append_bytes(path, b"2025-03-01T00:00:00.000000Z,bob,S1,title_abstract,decision,exclude,,v,"
                       b"00000000\n")
    assert any("check" in p or "bob.csv" in p for p in assert_same(root))
    append_bytes(path, b'not a time,bob,"S2,x\n')
    assert_same(root)
    mess(root, 11)
    assert_same(root)
    mess(root, 12)
    assert_same(root)


def test_sheet_shortened_edited_in_the_middle_or_replaced(root):
    assert_same(root)
    mess(root, 13)
    assert_same(root)
    path = root / "coding" / "alice.csv"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[: len(lines) // 2]) + b"\n")   # shorter, same inode
    assert_same(root)
    mess(root, 14)
    assert_same(root)
    data = bytearray(path.read_bytes())
    at = data.index(b"include", len(data) // 3)
    data[at:at + 7] = b"exclude"                     # an edit before the offset (bad check)
    path.write_bytes(bytes(data))
    assert any("alice.csv" in p for p in assert_same(root))
    other = root / "coding" / "bob.csv"
    replacement = other.with_suffix(".new")
    shutil.copy(other, replacement)
    replacement.replace(other)                       # another inode, same bytes
    mess(root, 15)
    assert_same(root)
    (root / "coding" / "carol.csv").unlink()         # a sheet removed, then made again
    assert_same(root)
    mess(root, 16)
    assert_same(root)


def test_damaged_or_edited_cache_is_rebuilt(root):
    assert_same(root)
    mess(root, 17)
    assert_same(root)
    meta = check_cache.cache_path(root, root / "coding" / "alice.csv")
    data = bytearray(meta.read_bytes())
    data[len(data) // 2] ^= 1
    meta.write_bytes(bytes(data))
    assert_same(root)
    text = meta.read_text()
    meta.write_text(text.replace('"offset":', '"offset": 1 +', 1))
    assert_same(root)
    meta.write_bytes(b"garbage")
    assert_same(root)
    assert cached(root, "alice")


def test_older_sheet_and_an_unchecked_line_after_the_offset(root):
    from workbench.core.events import COLUMNS
    path = root / "coding" / "carol.csv"
    rows = [",".join(COLUMNS)] + [
        f"2025-02-01T00:00:00.00000{i}Z,carol,S{i},title_abstract,decision,include,,v"
        for i in range(1, 6)]
    path.write_text("\n".join(rows) + "\n")
    assert_same(root)
    append_bytes(path, b"2025-02-02T00:00:00.000000Z,carol,S1,title_abstract,decision,exclude,,v\n")
    assert_same(root)
    mess(root, 18)   # checked lines: after them an unchecked line is refused
    assert_same(root)
    append_bytes(path, b"2025-02-03T00:00:00.000000Z,carol,S2,title_abstract,decision,exclude,,v\n")
    assert_same(root)


def test_a_changed_codebook_checks_the_values_again(root):
    mess(root, 19)
    before = assert_same(root)
    book = root / "codebook.yaml"
    text = book.read_text()
    assert "facebook" in text
    book.write_text(text.replace("facebook", "fbook"))   # a code used in the sheets renamed
    after = assert_same(root)
    assert after != before
    mess(root, 20)
    assert_same(root)


def test_times_move_from_the_future_into_the_past(root, monkeypatch):
    version = Review.open(root).codebook().version
    with open(root / "coding" / "alice.csv", "a", encoding="utf-8") as sheet:
        sheet.write(sheet_line(["2999-01-01T00:00:00.000000Z", "alice", S(1), "title_abstract",
                                "note", "late", "", version]))
    assert any("in the future" in p for p in assert_same(root))
    # the clock moves on past that time: it is no longer reported (from the cache)
    monkeypatch.setattr(sheet_checks, "FUTURE_SLACK", timedelta(days=400_000))
    assert not any("in the future" in p for p in assert_same(root))
    mess(root, 26)   # written again: the time is no longer kept as a future one
    assert not any("in the future" in p and "2999" in p for p in assert_same(root))
    # set back: what the cache left out may be in the future again
    monkeypatch.setattr(sheet_checks, "FUTURE_SLACK", timedelta(days=1))
    assert any("in the future" in p for p in assert_same(root))


def test_review_folder_read_only_still_checks(root, monkeypatch):
    monkeypatch.setattr(check_cache, "write_cache", lambda *a, **k: None)
    mess(root, 21)
    assert_same(root)
    assert not cached(root, "alice")
    mess(root, 22)
    assert_same(root)


def test_the_command_prints_the_same_with_and_without_its_caches(root):
    from click.testing import CliRunner

    from workbench.cli import cli

    def check() -> tuple:
        out = CliRunner().invoke(cli, ["--review", str(root), "check"])
        return out.exit_code, out.stdout, out.stderr

    for seed in (23, 24, 25):
        mess(root, seed)
        cached_run = check()
        shutil.rmtree(root / ".workbench" / check_cache.FOLDER)
        assert check() == cached_run
        assert check() == cached_run      # from the caches just written
    assert cached_run[0] == 1 and "problem" in cached_run[2]


def test_older_sheet_with_windows_line_ends_and_an_unchecked_line_after_the_offset(root):
    from workbench.core.events import COLUMNS
    path = root / "coding" / "carol.csv"
    rows = [",".join(COLUMNS)] + [
        f"2025-02-01T00:00:00.00000{i}Z,carol,S{i},title_abstract,decision,include,,v"
        for i in range(1, 6)]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode())
    assert_same(root)
    mess(root, 27)   # checked lines (LF) after the CRLF ones
    assert_same(root)
    append_bytes(path, b"2025-02-03T00:00:00.000000Z,carol,S2,title_abstract,decision,exclude,,v\n")
    assert_same(root)
