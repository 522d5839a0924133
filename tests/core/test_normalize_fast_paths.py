"""The fast paths of title normalisation give what the full path gives, on hostile titles.

`normalize_title` skips the thousands rule without a comma, `split_language_marker`
skips the marker rule without a "[", `title_numbers` answers () at once for an ASCII
title with no digit and no part word, and duplicate detection's memo reads each
distinct volume, issue and pages text once. The full paths are kept here as they
were, as the oracle.
"""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core import normalize
from workbench.core.dedupe.features import FeatureMemo
from workbench.core.normalize import (
    _NON_ALNUM, _ROMAN, _PART_WORDS, fold, first_page, strip_annotations, volume_number,
)

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def old_split_language_marker(title: str) -> tuple[str, str]:
    language = ""

    def _drop(match: re.Match) -> str:
        nonlocal language
        name = match.group(1).lower()
        if name in normalize.LANGUAGES:
            language = language or name
            return " "
        return match.group(0)

    text = normalize._LANG_MARKER.sub(_drop, title).strip()
    words = text.rstrip(" .)").rsplit(None, 1)  # (the old code raised IndexError on ".")
    last = words[-1].lstrip("(").lower() if words else ""
    trailing = normalize._TRAILING_LANGUAGE.search(text) if last in normalize.LANGUAGES else None
    if trailing and trailing.group(1).lower() in normalize.LANGUAGES and trailing.start() > 0:
        language = language or trailing.group(1).lower()
        text = text[:trailing.start()].rstrip()
    if text.startswith("[") and (text.endswith("]") or text.endswith("].")):
        text = text.rstrip(".")[1:-1]
    return text.strip(), language


def old_normalize_title(title: str) -> tuple[str, str]:
    text, language = old_split_language_marker(fold(title))
    text = strip_annotations(text)
    text = _THOUSANDS.sub("", text)
    return _NON_ALNUM.sub(" ", text.lower()).strip(), language


def old_title_numbers(words: list[str]) -> tuple[str, ...]:
    numbers = []
    previous = ""
    for word in words:
        if word.isdigit():
            numbers.append(word.lstrip("0") or "0")
        elif previous in _PART_WORDS and word in _ROMAN:
            numbers.append(_ROMAN[word])
        elif not word.isalpha():
            numbers.extend(n.lstrip("0") or "0" for n in re.findall(r"\d+", word))
        previous = word
    return tuple(numbers)


PIECES = ["Part", "part", "II", "ii", "iv", "phase", "three", "type", "1,000", "12,5", "2,345,678",
          "[Chinese]", "[Article in German]", "[", "]", "(Spanish)", ". SPANISH", "[in french, abstr]",
          "[Erratum appears in X]", "²", "٣", "Ⅻ", "x", "2diabetes", "p66shc", "&amp;", "<i>", "</i>",
          "{", "}", "\\alpha", "$x$", "Müller", "MÃ¼ller", "α", ",", ".", " ", "  ", "\n", "\t",
          "0", "007", "one", "first", "vol", "no", "Étude", "ﬁ", "１２", "editorial", "Reply"]


def hostile_title(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) + rng.choice(["", " ", " ", ", "]) for _ in range(rng.randint(0, 12)))


def test_fast_paths_equal_the_full_paths_on_hostile_titles():
    rng = random.Random(21)
    for _ in range(5_000):
        title = hostile_title(rng)
        assert normalize.split_language_marker(title) == old_split_language_marker(title), title
        assert normalize.normalize_title(title) == old_normalize_title(title), title
        for words in (title.split(), normalize.normalize_title(title)[0].split(), title.lower().split()):
            assert normalize.title_numbers(words) == old_title_numbers(words), words


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("aIiVvx0129²٣,. []()pPhasetyonA\\{}&;<>é-\n"), max_size=40))
def test_fast_paths_equal_the_full_paths_on_generated_titles(title):
    assert normalize.split_language_marker(title) == old_split_language_marker(title)
    assert normalize.normalize_title(title) == old_normalize_title(title)
    assert normalize.title_numbers(title.split()) == old_title_numbers(title.split())


def test_the_memo_reads_volumes_issues_and_pages_as_the_functions_do():
    memo = FeatureMemo()
    texts = ["", " ", "32 (Supplement 2)", "032", "0", "S72-S73", "11-Sep", "Nov-19", "e0137960",
             "iii-iv", "12(3)", "٣", "²", "x", "1-15", "1-15"]
    for text in texts * 2:
        assert memo.volume_number(text) == volume_number(text)
        assert memo.first_page(text) == first_page(text)
    assert len(memo.numbers) == len(set(texts))


def test_a_title_of_only_dots_and_brackets_is_an_empty_key_not_a_crash():
    from workbench.core.dedupe.duplicates import find_duplicates
    from workbench.core.records import Record
    for title in (".", " ) ", ").", ". .", ")"):
        assert normalize.split_language_marker(title)[1] == ""  # raised IndexError before
        assert normalize.normalize_title(title) == ("", "")
    records = [Record(title=t, year=2001, id=f"r-{i}") for i, t in enumerate([".", ")", "A title"])]
    assert len(find_duplicates(records).studies) == 3  # duplicate detection ran to the end


def test_features_with_the_memo_are_the_features_without_it():
    from tests.core.test_dedupe_bulk import hostile_records
    from workbench.core.dedupe.features import complete_features, record_features
    records = hostile_records(400, seed=7)
    kinds = ["", "Article", "Meeting Abstract", " BOOK ", "Conference Proceeding", "book", "Monograph"]
    volumes = ["", "32 (Supplement 2)", "032", "12(3)", "x", "٣"]
    rng = random.Random(7)
    records = [r.with_(pub_type=rng.choice(kinds), volume=rng.choice(volumes), issue=rng.choice(volumes),
                       pages=rng.choice(["", "11-Sep", "S72-S73", r.pages]))
               for r in records]
    memo = FeatureMemo()
    for i, record in enumerate(records):
        with_memo = complete_features(record_features(i, record, memo), record, memo)
        without = complete_features(record_features(i, record), record)
        assert with_memo == without, record
    assert len(memo.kinds) == len(kinds) and memo.numbers and memo.pages


LANGUAGE_ENDS = ["English", "(german)", "in French.", "SPANISH )", "Thai ..", "czechs", "xenglish", ".english",
                 "Malay", "english 2", "(Chinese). ", "ENGLISH\t", "dutch\x1f"]


def test_titles_in_bulk_are_the_titles_one_by_one():
    rng = random.Random(2111)
    plain = [" ".join(rng.choice(["Effect", "of", "1,000", "12,34", "mg", "a", "vs.", "-", "(RCT)", ":", "  ",
                                  "Part", "II", "x,123", "1,234,567.", "'s", "e.g.", "!", "", "ok?"])
                      for _ in range(rng.randint(0, 9))) for _ in range(3000)]
    hostile = [hostile_title(rng) for _ in range(3000)]
    ended = [rng.choice(plain) + rng.choice([" ", "", ". ", "; ", " ("]) + rng.choice(LANGUAGE_ENDS)
             for _ in range(1000)]
    odd = ["", " ", ".", "\x00", "a\x00b", "a \x00 b", " lead", "trail ", ", ,", "1,000", "english", "[x]", "x]"]
    for titles in (plain, hostile, ended, odd, plain + hostile + ended + odd, []):
        titles = list(titles)
        rng.shuffle(titles)
        assert normalize.normalize_titles(titles) == [normalize.normalize_title(t) for t in titles]
    assert normalize.normalize_titles(["English"]) == [("english", "")]  # not a marker alone


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aIiVvx0129²,. []()\x00\n\tEnglsh-&$;"), max_size=30),
                max_size=8))
def test_titles_in_bulk_on_generated_titles(titles):
    assert normalize.normalize_titles(titles) == [normalize.normalize_title(t) for t in titles]
