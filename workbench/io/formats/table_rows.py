"""The rows of a CSV/TSV export, read fast and in order, with the line where each starts.

`csv.reader` reads every character through its state machine, which costs about
30 s for a million Scopus rows. Most rows of a real export are one physical
line that needs no state machine: a line with no quote at all (split on the
delimiter), or a line where every cell is quoted and no cell holds a quote
(`"a","b","c"`: split on `","`). `table_rows` reads those two kinds itself (a bare CR, which `csv.reader`
refuses in an unquoted cell, also goes to it) and
hands every other row (escaped quotes, newlines inside a cell, a quote in an
unquoted cell) to the same `csv.reader`, so the rows are exactly the ones
`csv.reader` gives for the whole text (tests/io/test_table_rows.py compares
them on hostile tables).

`decoded_lines` streams an export's lines from disk for `import`, so a 1.5 GB
export is never held in memory at once. It reads only clean UTF-8 (with or
without a byte-order mark) with no NUL byte; anything else raises
`NotStreamable` and the caller reads the whole file the careful way
(`workbench.io.formats.encoding.decode_export`).
"""

from __future__ import annotations

import codecs
import csv
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

#: Bytes read from disk at a time when streaming an export.
BLOCK_BYTES = 8 << 20


class NotStreamable(Exception):
    """The export is not clean UTF-8 text (or holds NUL bytes): read it whole instead."""


class _Feed:
    """The lines of a table for `csv.reader` and for `table_rows`, counted, with one pushback."""

    __slots__ = ("source", "pending", "lines")

    def __init__(self, source: Iterator[str]) -> None:
        self.source = source
        self.pending: str | None = None
        self.lines = 0

    def __iter__(self) -> "_Feed":
        return self

    def __next__(self) -> str:
        if self.pending is not None:
            line, self.pending = self.pending, None
            return line
        line = next(self.source)
        self.lines += 1
        return line


def table_rows(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """Yield each row of a table with the lines it spans, as `csv.reader` reads them.

    Args:
        lines: the table's lines, each ending in "\\n" (the last one may not),
            as iterating over `io.StringIO(text)` gives them.
        delimiter: "," ";" or "\\t".

    Yields:
        (first line, last line, cells), lines 1-based; an empty line gives no cells.

    Raises:
        csv.Error: as `csv.reader` raises it for the same text.
    """
    feed = _Feed(iter(lines))
    reader = csv.reader(feed, delimiter=delimiter)
    quoted = '"' + delimiter + '"'
    for line in feed:
        start = feed.lines
        body = line[:-1] if line[-1:] == "\n" else line
        if '"' not in body and "\r" not in body:
            yield start, start, body.split(delimiter) if body else []
        elif len(body) > 1 and body[0] == '"' and body[-1] == '"' \
                and body.count('"') == 2 * body.count(quoted) + 2:
            # every cell quoted and no quote inside a cell: the quotes are all delimiters
            yield start, start, body[1:-1].split(quoted)
        else:
            feed.pending = line
            try:
                row = next(reader)
            except StopIteration:  # pragma: no cover - the pending line is always read
                return
            yield start, feed.lines, row


def text_lines(text: str) -> Iterator[str]:
    """Yield the lines of a text as `io.StringIO(text)` does (split on "\\n", ends kept)."""
    start = 0
    find = text.find
    while True:
        end = find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _blocks(path: Path) -> Iterator[str]:
    """Yield an export's text in blocks: strict UTF-8, BOM dropped, line ends as they are."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    first, bom = True, True
    with open(path, "rb") as handle:
        while True:
            data = handle.read(max(BLOCK_BYTES, 4096) if first else BLOCK_BYTES)
            final = not data
            if first:
                if data[:3] == codecs.BOM_UTF8:
                    data = data[3:]
                elif b"\x00" in data[:4000] or data[:2] in (codecs.BOM_UTF16_LE,
                                                            codecs.BOM_UTF16_BE):
                    raise NotStreamable("UTF-16, UTF-32 or NUL bytes")
                first = False
            try:
                text = decoder.decode(data, final)
            except UnicodeDecodeError as exc:
                raise NotStreamable(str(exc)) from None
            if "\x00" in text:
                raise NotStreamable("NUL bytes")
            if bom and text:  # decode_export drops one U+FEFF after the byte-order mark
                text = text[1:] if text[0] == "\ufeff" else text
                bom = False
            if text:
                yield text
            if final:
                return


def lf_blocks(blocks: Iterable[str]) -> Iterator[str]:
    """Yield text given in blocks with CR LF and lone CR turned into LF (as `decode_export`)."""
    carry = ""
    for text in blocks:
        if carry:
            text, carry = carry + text, ""
        if text.endswith("\r"):  # its "\n" may start the next block
            text, carry = text[:-1], "\r"
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text:
            yield text
    if carry:
        yield "\n"


def decoded_lines(path: Path) -> Iterator[str]:
    """Yield an export's decoded lines from disk, as `decode_export` then `text_lines` give them.

    Raises:
        NotStreamable: (while iterating) the file is not clean UTF-8, or holds NUL bytes.
        OSError: the file cannot be read.
    """
    return block_lines(text_blocks(path))


def text_blocks(path: Path, newlines: bool = True) -> Iterator[str]:
    """Yield an export's decoded text in blocks (strict UTF-8, BOM dropped, line ends LF).

    Joined, the blocks are `decode_export`'s text for a clean UTF-8 file. With
    `newlines` False, CR LF and lone CR are left as they are (for
    `table_row_lists`, which reads them as `decode_export` would).

    Raises:
        NotStreamable: (while iterating) the file is not clean UTF-8, or holds NUL bytes.
        OSError: the file cannot be read.
    """
    return lf_blocks(_blocks(Path(path))) if newlines else _blocks(Path(path))


def block_lines(blocks: Iterable[str]) -> Iterator[str]:
    """Yield the lines of text given in blocks, as `text_lines` gives them for the joined text."""
    carry = ""
    for block in blocks:
        if carry:
            block = carry + block
        end = block.rfind("\n")
        if end < 0:
            carry = block
            continue
        carry = block[end + 1:]
        yield from text_lines(block[:end + 1])
    if carry:
        yield carry


def split_blocks(blocks: Iterable[str]) -> Iterator[list[str]]:
    """Yield the lines of text given in blocks, a list at a time, as `text.split("\\n")` gives them.

    Chained, the lists are `"".join(blocks).split("\\n")`: lines without their
    "\\n", and a last (maybe empty) line after the last "\\n".
    """
    carry = ""
    for block in blocks:
        if carry:
            block = carry + block
        lines = block.split("\n")
        carry = lines.pop()
        if lines:
            yield lines
    yield [carry]


def _piece_lines(piece: str, final: bool) -> tuple[list[str], bool]:
    """The lines of a piece of text, without their ends, as `decode_export` would end them.

    CR LF and a lone CR end a line as LF does. A piece that is not `final`
    ends with its last line's end. Returns the lines and whether the last one
    had an end (only the file's last line may have none).
    """
    if "\r" in piece:
        crs = piece.count("\r")
        lines = piece.split("\r\n") if crs == piece.count("\n") else None
        if lines is None or len(lines) != crs + 1:  # a lone CR or LF: the careful way
            lines = piece.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    else:
        lines = piece.split("\n")
    if lines[-1]:
        return lines, False
    lines.pop()
    return lines, True


class _Lines:
    """The lines of a text given in blocks, a list at a time, for `table_row_lists`.

    `lines` is the current list (without line ends), `at` the next line to
    read in it and `base` the number of the line before `lines[0]`. Iterating
    gives the lines one by one with their "\n" (for `csv.reader`), moving on
    to the next list when one is used up.
    """

    __slots__ = ("pieces", "lines", "at", "base", "ended", "read")

    def __init__(self, blocks: Iterable[str]) -> None:
        self.pieces = self._pieces(blocks)
        self.lines: list[str] = []
        self.at = 0
        self.base = 0
        self.ended = True  # whether the last line of `lines` has its "\n"
        self.read = 0  # the number of the last line handed out

    @staticmethod
    def _pieces(blocks: Iterable[str]) -> Iterator[tuple[list[str], bool]]:
        carry = ""
        first = True
        for block in blocks:
            if carry:
                block = carry + block
            if first and block:
                block = block.lstrip("\ufeff")  # as parse_table's text.lstrip("\ufeff")
                first = not block
            end = block.rfind("\n")
            if end < 0:
                carry = block
                continue
            carry = block[end + 1:]
            yield _piece_lines(block[:end + 1], False)
        if carry:
            yield _piece_lines(carry, True)

    def next_list(self) -> bool:
        """Move to the next list of lines; False at the end of the text."""
        self.base += len(self.lines)
        for self.lines, self.ended in self.pieces:
            self.at = 0
            if self.lines:
                return True
        self.lines, self.at = [], 0
        return False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        while self.at >= len(self.lines):
            if not self.next_list():
                raise StopIteration
        line = self.lines[self.at]
        self.at += 1
        self.read = self.base + self.at
        return line + "\n" if self.at < len(self.lines) or self.ended else line


def table_row_lists(blocks: Iterable[str], delimiter: str
                    ) -> Iterator[tuple[list[int], list[int], list[list[str]]]]:
    """Yield a table's rows a list at a time: `table_rows` over `decode_export`'s lines.

    Args:
        blocks: the text in blocks as `text_blocks(path, newlines=False)` gives
            them: its lines may end in CR LF, LF or a lone CR (all read as LF,
            as `decode_export` does); leading U+FEFF are dropped (as
            `parse_table` does).
        delimiter: "," ";" or "\t".

    Yields:
        (first lines, last lines, rows): for the rows found in one block, what
        `table_rows` yields for them one by one. A block whose text holds no
        quote is split on its line ends and delimiters with no test per line.

    Raises:
        csv.Error: as `csv.reader` raises it for the same text.
    """
    source = _Lines(blocks)
    reader = csv.reader(source, delimiter=delimiter)
    quoted = '"' + delimiter + '"'
    while source.next_list():
        lines, base = source.lines, source.base
        if not any('"' in line for line in lines):
            numbers = list(range(base + 1, base + len(lines) + 1))
            source.at = len(lines)
            yield numbers, numbers, [line.split(delimiter) if line else [] for line in lines]
            continue
        starts: list[int] = []
        ends: list[int] = []
        rows: list[list[str]] = []
        while source.at < len(source.lines):
            body = source.lines[source.at]
            number = source.base + source.at + 1
            if '"' not in body:
                row = body.split(delimiter) if body else []
                source.at += 1
            elif len(body) > 1 and body[0] == '"' and body[-1] == '"' \
                    and body.count('"') == 2 * body.count(quoted) + 2:
                row = body[1:-1].split(quoted)  # every cell quoted, no quote inside a cell
                source.at += 1
            else:
                row = next(reader)
                starts.append(number)
                ends.append(source.read)
                rows.append(row)
                continue
            starts.append(number)
            ends.append(number)
            rows.append(row)
        if rows:
            yield starts, ends, rows
