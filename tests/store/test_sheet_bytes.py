"""The columns of a sheet without quotes, found on its bytes (store/sheet_bytes.py).

Each sheet is read three ways and compared: `read_sheet` (events), the
pandas text path and the byte path of `read_sheet_frame`, including the
order of each column's categories.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from workbench.core.events import COLUMNS
from workbench.store import sheet_bytes, sheet_frame
from workbench.store.sheet_reading import is_valid_time, read_sheet, sheet_line

HEADER = ",".join(COLUMNS)
CHECKED = HEADER + ",check"


def line(*fields: str) -> str:
    return ",".join(fields) + "\n"


def ev(i: int, study: str = "S1", field: str = "decision", value: str = "include",
       note: str = "") -> list[str]:
    return [f"2025-01-01T00:00:{i % 60:02d}.{i:06d}Z", "alice", study, "title_abstract", field,
            value, note, "v1"]


WIDE = "a long extraction value that is wider than the byte matrix: " + "x" * 40
CLEAN = ([ev(i, f"S{i % 3}") for i in range(1, 8)]
         + [ev(9, note="Müller et al. say so"), ev(10, value=WIDE), ev(11, value="exclude"),
            ev(12, value=WIDE + "!"), ev(13, value=WIDE), ev(14, "S2", "row:g:k1:name", "日本")])
OLD = HEADER + "\n" + "".join(line(*r) for r in CLEAN[:7])


CASES = [pytest.param(*case, id=case[0]) for case in [
    ("checked", CHECKED + "\n" + "".join(sheet_line(r) for r in CLEAN)),
    ("old ascii", OLD),
    ("old not ascii", HEADER + "\n" + "".join(line(*r) for r in CLEAN)),
    ("mixed", HEADER + "\n" + line(*ev(1)) + line(*ev(2)) + "".join(sheet_line(r) for r in CLEAN)),
    ("mixed ascii", HEADER + "\n" + line(*ev(1)) + "".join(sheet_line(r) for r in CLEAN[:7])),
    ("torn last line", CHECKED + "\n" + "".join(sheet_line(r) for r in CLEAN) + "2025-01-01T0"),
    ("torn after the header", CHECKED + "\n2025-01"),
    ("marked torn", CHECKED + "\n" + sheet_line(ev(1)) + "2025-01,torn\n" + sheet_line(ev(2))),
    ("bad check", CHECKED + "\n" + sheet_line(ev(1)) + sheet_line(ev(2))[:-3] + "000\n"),
    ("check not hex", CHECKED + "\n" + sheet_line(ev(1)) + sheet_line(ev(2))[:-3] + "xyz\n"),
    # the careful reader compares the check as text: a check in capitals is not one, whatever
    # the other lines hold (the fast paths took it when every other line was clean)
    ("check in capitals", CHECKED + "\n" + sheet_line(ev(1)) + sheet_line(ev(2))[:-9]
     + sheet_line(ev(2))[-9:-1].upper() + "\n"),
    ("check in capitals, old sheet", HEADER + "\n" + line(*ev(1)) + sheet_line(ev(2))[:-9]
     + sheet_line(ev(2))[-9:-1].upper() + "\n"),
    ("short line", HEADER + "\n" + line(*ev(1)) + line(*ev(2)[:7]) + line(*ev(3))),
    ("long line", HEADER + "\n" + line(*ev(1)) + line(*ev(2), "x", "y") + line(*ev(3))),
    ("short and long line", HEADER + "\n" + line(*ev(2)[:7]) + line(*ev(2), "x")),
    ("checked short line", CHECKED + "\n" + sheet_line(ev(1)[:7]) + sheet_line(ev(2))),
    ("checked long line", CHECKED + "\n" + sheet_line(ev(1) + ["x"]) + sheet_line(ev(2))),
    # as many commas in all as whole lines hold, but one line short and the next long
    ("checked short then long line", CHECKED + "\n" + sheet_line(ev(1)[:7])
     + sheet_line(ev(2) + ["x"]) + sheet_line(ev(3))),
    ("checked long then short line", CHECKED + "\n" + sheet_line(ev(1) + ["x"])
     + sheet_line(ev(2)[:7]) + sheet_line(ev(3))),
    ("old line after checked", CHECKED + "\n" + sheet_line(ev(1)) + line(*ev(2))),
    ("old line ending like a check", HEADER + "\n" + line(*ev(1)[:7], "12345678")
     + sheet_line(ev(2))),
    ("30 February", HEADER + "\n" + line(*ev(1)) + line("2025-02-30T00:00:00.000000Z",
                                                        *ev(2)[1:])),
    ("29 February", HEADER + "\n" + line("2024-02-29T00:00:00.000000Z", *ev(2)[1:])
     + line("2023-02-29T00:00:00.000000Z", *ev(3)[1:])),
    ("29 February leap", CHECKED + "\n" + sheet_line(["2024-02-29T00:00:00.000000Z", *ev(2)[1:]])),
    ("fullwidth digit", CHECKED + "\n" + sheet_line(["\uff12025-01-01T00:00:00.000000Z",
                                                      *ev(2)[1:]])),
    ("short time", CHECKED + "\n" + sheet_line(["2025-01-01T00:00:00.00000Z", *ev(2)[1:]])),
    ("hour 24", HEADER + "\n" + line("2025-01-01T24:00:00.000000Z", *ev(2)[1:])),
    ("empty study", CHECKED + "\n" + sheet_line(ev(1)) + sheet_line(ev(2, study=""))),
    ("empty field", CHECKED + "\n" + sheet_line(ev(1)) + sheet_line(ev(2, field=""))),
    ("bad reviewer", CHECKED + "\n" + sheet_line([ev(1)[0], "al ice", *ev(1)[2:]])),
    ("bom", "\ufeff" + CHECKED + "\n" + "".join(sheet_line(r) for r in CLEAN)),
    ("header only", CHECKED + "\n"),
    ("header without newline", CHECKED),
    ("blank line", CHECKED + "\n" + sheet_line(ev(1)) + "\n" + sheet_line(ev(2))),
]]


def same(path) -> None:
    """read_sheet, the text path and read_sheet_frame agree (categories in the same order)."""
    events = read_sheet(path)
    frame = sheet_frame.read_sheet_frame(path)
    rows = [tuple(map(str, r)) for r in frame.events[list(COLUMNS)].astype(object).itertuples(
        index=False, name=None)]
    assert rows == [tuple(e) for e in events.events]
    assert frame.lines.tolist() == events.lines
    assert [str(p) for p in frame.problems] == [str(p) for p in events.problems]
    assert frame.events["time"].dtype == object
    text = sheet_frame._text_frame(path, path.read_bytes().decode("utf-8"))
    fast = sheet_frame._read_frame(path)
    assert (text is None) == (fast is None)
    if fast is not None:
        pd.testing.assert_frame_equal(fast.events, text.events)
        for name in COLUMNS[1:]:
            assert fast.events[name].cat.categories.tolist() \
                == text.events[name].cat.categories.tolist()
            assert fast.events[name].cat.categories.dtype == object
        assert fast.lines.tolist() == text.lines.tolist()
        assert [str(p) for p in fast.problems] == [str(p) for p in text.problems]


@pytest.mark.parametrize("name,text", CASES)
def test_the_byte_path_reads_what_the_others_read(tmp_path, name, text):
    path = tmp_path / "alice.csv"
    path.write_text(text, encoding="utf-8", newline="")
    same(path)


@pytest.mark.parametrize("name", ["checked", "old ascii", "mixed ascii", "torn last line", "bom",
                                  "29 February leap"])
def test_clean_sheets_without_quotes_take_the_byte_path(tmp_path, monkeypatch, name):
    text = dict((p.values[0], p.values[1]) for p in CASES)[name]
    path = tmp_path / "alice.csv"
    path.write_text(text, encoding="utf-8", newline="")
    monkeypatch.setattr(sheet_frame, "_text_frame", lambda *a: pytest.fail("text path"))
    assert sheet_frame._read_frame(path) is not None


def test_an_old_sheet_that_is_not_ascii_takes_the_text_path(tmp_path, monkeypatch):
    text = dict((p.values[0], p.values[1]) for p in CASES)["old not ascii"]
    path = tmp_path / "alice.csv"
    path.write_text(text, encoding="utf-8", newline="")
    monkeypatch.setattr(sheet_frame, "_bytes_frame", lambda *a: pytest.fail("byte path"))
    assert sheet_frame._read_frame(path) is not None


def random_sheet(rng: random.Random, checked: bool, old_lines: int = 0) -> str:
    values = ["include", "exclude", "", "1", "0.2", "#c4", "Ärger", "é" * 30, WIDE, WIDE + "y",
              "x" * 64, "x" * 65, "y" * 8, "y" * 9, "z" * 16, "z" * 17]
    fields = ["decision", "criteria", "code:a", "field:b", "row:g:k1", "row:g:k1:name",
              "row:g:" + "k" * 70 + ":name"]
    out = [CHECKED if checked else HEADER]
    for i in range(rng.randrange(1, 300)):
        row = [f"2025-0{rng.randrange(1, 10)}-1{rng.randrange(10)}T0{rng.randrange(10)}:00:00."
               f"{i:06d}Z", rng.choice(["alice", "bob"]), f"S{rng.randrange(40)}",
               rng.choice(["title_abstract", "coding"]), rng.choice(fields), rng.choice(values),
               rng.choice(["", "", "a note", "ünïcode note"]), rng.choice(["v1", "v2"])]
        out.append(",".join(row) if i < old_lines or not checked else sheet_line(row)[:-1])
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", range(12))
def test_random_sheets(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "alice.csv"
    for checked, old in ((True, 0), (False, 0), (True, 5)):
        text = random_sheet(rng, checked, old)
        if old:
            text = HEADER + text[len(CHECKED):]
            if not text.isascii():
                text = text.encode("ascii", "replace").decode("ascii")  # the byte path: ASCII
        path.write_text(text, encoding="utf-8", newline="")
        same(path)


def test_a_hash_collision_is_caught_by_comparing_the_bytes(tmp_path, monkeypatch):
    path = tmp_path / "alice.csv"
    path.write_text(random_sheet(random.Random(5), True), encoding="utf-8", newline="")
    honest = sheet_frame._read_frame(path)
    # every row the same key: only the comparison of the bytes keeps the values apart
    monkeypatch.setattr(sheet_bytes, "row_keys", lambda words: np.zeros(len(words), np.uint64))
    colliding = sheet_frame._read_frame(path)
    pd.testing.assert_frame_equal(colliding.events, honest.events)
    for name in COLUMNS[1:]:
        assert colliding.events[name].cat.categories.tolist() \
            == honest.events[name].cat.categories.tolist()


def test_factorize_spans_is_factorize():
    rng = random.Random(11)
    words = ["", "a", "ab", "a" * 8, "a" * 9, "b" * 64, "b" * 65, "c" * 100, "ü", "üü" * 40]
    values = [rng.choice(words) for _ in range(500)]
    data = ",".join(values).encode()
    widths = np.array([len(v.encode()) for v in values], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(widths + 1)[:-1]])
    padded = np.zeros(len(data) + sheet_bytes.WIDE_BYTES + 8, dtype=np.uint8)
    padded[:len(data)] = np.frombuffer(data, np.uint8)
    codes, names = sheet_bytes.factorize_spans(data, padded, starts, widths)
    expected, uniques = pd.factorize(np.array(values, dtype=object))
    assert names == list(uniques)
    assert codes.tolist() == expected.tolist()


def test_table_times_are_checked_as_is_valid_time():
    rng = random.Random(3)
    good = "2024-02-29T23:59:59.999999Z"
    cases = [good, "2023-02-29T00:00:00.000000Z", "2025-04-31T00:00:00.000000Z",
             "2025-12-31T00:00:00.000000Z", "2025-13-01T00:00:00.000000Z",
             "2025-00-10T00:00:00.000000Z", "2025-01-00T00:00:00.000000Z",
             "2025-01-01T00:60:00.000000Z", "2025-01-01T00:00:60.000000Z",
             "2025-01-01 00:00:00.000000Z", "2025-01-01T00:00:00.0000000"]
    for _ in range(300):
        chars = list(good)
        chars[rng.randrange(len(chars))] = rng.choice("0123456789-:TZ. x")
        cases.append("".join(chars))
    for case in cases:
        table = np.frombuffer((good + case).encode(), np.uint8).reshape(2, 27)
        assert sheet_bytes.table_times_valid(table) == is_valid_time(case), case


def hostile(rng: random.Random, text: str) -> str:
    """A random sheet with a few hand edits: a byte changed, a comma or newline added or
    removed, a line cut short at the end, a check's digit changed (never to a capital)."""
    data = list(text)
    for _ in range(rng.randrange(0, 3)):
        at = rng.randrange(len(data))
        what = rng.randrange(6)
        if what == 0:
            data[at] = rng.choice("x,\n9:-.Zé")
        elif what == 1:
            data.insert(at, rng.choice(",\n"))
        elif what == 2 and data[at] in ",\n":
            del data[at]
        elif what == 3:
            data[at] = rng.choice("0123456789abcdef")
        elif what == 4:
            del data[at:]
            data += list("2025-01-01T00:0")
        else:
            data.insert(at, rng.choice(["2025-02-30T00:00:00.000000Z", "", "\ufeff"]))
    return "".join(data)


@pytest.mark.parametrize("seed", range(16))
def test_the_byte_path_reads_what_its_old_code_read(tmp_path, seed):
    """The positions and bulk checks (#21r) against the previous byte path, kept as the oracle
    (tests/store/old_sheet_bytes.py): the same frame, or None for both."""
    from tests.store.old_sheet_bytes import old_bytes_frame
    rng = random.Random(seed)
    path = tmp_path / "alice.csv"
    for round_ in range(6):
        checked, old = rng.choice([(True, 0), (False, 0), (True, 5)])
        text = random_sheet(rng, checked, old)
        if old:
            text = (HEADER + text[len(CHECKED):]).encode("ascii", "replace").decode("ascii")
        if round_:
            text = hostile(rng, text)
        data = text.encode("utf-8")
        header_end = data.find(b"\n")
        if header_end <= 0:
            continue
        new = sheet_frame._bytes_frame(path, data, header_end)
        was = old_bytes_frame(path, data, header_end)
        assert (new is None) == (was is None), text[-300:]
        if new is not None:
            pd.testing.assert_frame_equal(new.events, was.events)
            for name in COLUMNS[1:]:
                assert new.events[name].cat.categories.tolist() \
                    == was.events[name].cat.categories.tolist()
            assert new.lines.tolist() == was.lines.tolist()
            assert [str(p) for p in new.problems] == [str(p) for p in was.problems]
        path.write_bytes(data)
        same(path)
