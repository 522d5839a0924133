"""The sheet caches against lines another tool (or a hand) appended: every cache equals a full read.

Session 4-5's fast paths read only what was appended after a cached offset:
the latest rows (`sheet_tails`), `check` (`check_cache`), the open conflicts
and the status figures (`conflict_cache`, `progress_cache`, which recount only
the studies `touched_since` names). A sheet travels, and lines arrive that no
save wrote: a CSV library quoting every field (with a valid check), CRLF or a
bare CR, a BOM before a line, a NUL, a quoted note holding line breaks and
quotes, a study id in other case or with a space, another reviewer's name, a
quoted reviewer holding a comma or a line break (so a naive split finds the
study id in the wrong field), a time in year 9999, an unknown stage, a ninth
field too many, an unchecked old-format line, a torn last line. Random runs of
them, between ordinary saves, must leave every cached answer equal to the
oracles the caches' own tests use (a full read of the sheet, `full_check`,
conflicts counted on every sheet, status of a copy without .workbench/).
"""

from __future__ import annotations

import os
import random
import zlib

import pytest

from tests.review import test_check_cache as checks
from tests.review import test_conflict_cache as conflicts
from tests.review import test_sheet_tails as tails
from tests.review.coding_fixture import S
from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from tests.review.test_decision_frames import scramble
from workbench.review import Review, sheet_tails
from workbench.review import decision_frames as df
from workbench.store import sheet_checks

#: Seeds of two rounds each (six seeds of three rounds held in session 6);
#: WORKBENCH_FUZZ_ROUNDS=6 runs more.
ROUNDS = int(os.environ.get("WORKBENCH_FUZZ_ROUNDS", "1"))


@pytest.fixture(autouse=True)
def through_the_caches(monkeypatch):
    """These small sheets go through every cache, and every merged tail is written back."""
    monkeypatch.setattr(sheet_checks, "COLUMNS_FROM_BYTES", 0)
    monkeypatch.setattr(df, "COLUMNS_FROM_BYTES", 0)
    monkeypatch.setattr(sheet_tails, "SAVE_TAIL_BYTES", 0)


def quoted(values) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values)


def plain(values) -> str:
    import csv
    import io
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


def checked(body: str, end: str = "\n") -> bytes:
    return f"{body},{zlib.crc32(body.encode('utf-8')):08x}{end}".encode("utf-8")


#: Lines the reader takes as events: the caches keep reading only what follows them.
CLEAN = ("quote-all", "note-lines", "case", "space", "other-reviewer", "year-9999",
         "unknown-stage")
#: Every kind (a line with a problem makes a sheet holding quotes read in full from then on).
EVERY = CLEAN + ("crlf", "bare-cr", "bom", "nul", "reviewer-comma", "reviewer-newline",
                 "extra-field", "unchecked", "bad-check")


def foreign_line(rng: random.Random, sheet: str, studies: list[str], version: str,
                 n: int, kinds=EVERY) -> tuple[str, bytes]:
    """One line a save would not write: (its kind, its bytes)."""
    time = f"2026-06-01T00:00:{n % 60:02d}.{n:06d}Z"
    study = rng.choice(studies)
    stage, field, value = rng.choice([
        ("title_abstract", "decision", rng.choice(["include", "exclude"])),
        ("title_abstract", "criteria", "E1"), ("full_text", "decision", "include"),
        ("coding", "code:platforms", rng.choice(["twitter", "facebook;twitter"])),
        ("coding", "field:software", rng.choice(["R", "Stata"]))])
    who = "lead" if sheet == "consensus" else sheet
    values = [time, who, study, stage, field, value, "", version]
    kind = rng.choice(kinds)
    if kind == "quote-all":
        return kind, checked(quoted(values))
    if kind == "crlf":
        return kind, checked(plain(values), "\r\n")
    if kind == "bare-cr":
        return kind, checked(plain(values), "\r")
    if kind == "bom":
        return kind, b"\xef\xbb\xbf" + checked(plain(values))
    if kind == "nul":
        values[6] = "a\x00b"
    elif kind == "note-lines":
        values[6] = 'line one\nline "two", and\r\nthree'
    elif kind == "case":
        values[2] = study.lower()
    elif kind == "space":
        values[2] = f" {study}"
    elif kind == "other-reviewer":
        values[1] = "carol" if who != "carol" else "bob"
    elif kind == "reviewer-comma":
        values[1] = f"{who},x"
    elif kind == "reviewer-newline":
        values[1] = f"{who}\nx"
    elif kind == "year-9999":
        values[0] = "9999-12-31T23:59:59.999999Z"
    elif kind == "unknown-stage":
        values[3] = "stage_nine"
    elif kind == "extra-field":
        return kind, checked(plain(values + ["extra"]))
    elif kind == "unchecked":
        return kind, (plain(values) + "\n").encode("utf-8")
    elif kind == "bad-check":
        return kind, (plain(values) + ",00000000\n").encode("utf-8")
    return kind, checked(plain(values))


def append_foreign(root, seed: int, torn: bool, kinds=EVERY) -> list[str]:
    rng = random.Random(seed)
    review = Review.open(root)
    studies = [s.id for s in review.studies()] + [S(6)]
    version = review.codebook().version
    made = []
    for n in range(rng.randrange(1, 5)):
        sheet = rng.choice(["alice", "bob", "carol", "consensus"])
        kind, data = foreign_line(rng, sheet, studies, version, seed * 10 + n, kinds)
        made.append(kind)
        with open(root / "coding" / f"{sheet}.csv", "ab") as handle:
            handle.write(data)
    if torn:
        with open(root / "coding" / "alice.csv", "ab") as handle:
            handle.write(b"2026-06-02T00:00:00.000000Z,alice," + studies[0].encode() + b",codi")
    return made


def assert_every_cache_is_a_full_read(root, tmp_path):
    tails.assert_same_rows(root)
    checks.assert_same(root)
    conflicts.assert_same(root, tmp_path)


@pytest.mark.parametrize("kinds", [CLEAN, EVERY], ids=["clean", "every"])
@pytest.mark.parametrize("seed", range(ROUNDS))
def test_lines_from_other_tools_between_saves(root, tmp_path, seed, kinds):
    scramble(root, 100 + seed)
    assert_every_cache_is_a_full_read(root, tmp_path)
    for round_ in range(2):
        append_foreign(root, seed * 100 + round_, torn=round_ == 1, kinds=kinds)
        assert_every_cache_is_a_full_read(root, tmp_path)
        scramble(root, seed * 100 + round_ + 50)   # the save closes a torn line
        assert_every_cache_is_a_full_read(root, tmp_path)
