"""The bulk paths of duplicate detection give what the old one-by-one code gave.

`dedupe_oracle.py` is the detection of 2026-11-29 before the bulk paths, frozen. Here
`find_duplicates` and the oracle run on the same records and must agree on every field of
the result (studies, record -> study map, automatic merges with scores and reasons, the
queue, aliases, counts): on the shared labelled sets as they are and degraded as other
databases export them, on the speed benchmark's generated exports, on the command
benchmark's records (a small vocabulary: many similar titles years apart) and on random
hostile records, with people's pair decisions mixed in.
"""

from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path

import numpy as np
import pytest

from tests.core.dedupe_oracle import oracle_find_duplicates
from workbench.core.dedupe import features, match
from workbench.core.dedupe.duplicates import PairDecision, find_duplicates
from workbench.core.normalize import author_words, first_author_key
from workbench.core.records import Record

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
FIELDS = ("studies", "record_to_study", "auto_merged_pairs", "uncertain", "aliases", "records",
          "candidate_pairs", "person_merges", "person_splits", "conflicts")


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_same(records: list[Record], decisions: list[PairDecision] = ()) -> None:
    new = find_duplicates(records, decisions)
    old = oracle_find_duplicates(records, decisions)
    for name in FIELDS:
        assert getattr(new, name) == getattr(old, name), f"{name} differs from the old code"


def some_decisions(records: list[Record], rng: random.Random, n: int = 40) -> list[PairDecision]:
    """Pair answers on random pairs and on neighbours (often duplicates): same, different, possible."""
    out = []
    for k in range(n):
        if k % 2 and len(records) > 1:
            i = rng.randrange(len(records) - 1)
            a, b = records[i], records[i + 1]
        else:
            a, b = rng.sample(records, 2)
        out.append(PairDecision(f"2026-11-29T08:{k // 60:02d}:{k % 60:02d}", rng.choice(("ann", "bob")),
                                a.id, b.id, rng.choice(("same", "different", "possible")),
                                rng.choice(("", 'said "maybe",\nthen no'))))
    return out


# -- the shared labelled sets ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["diabetes", "stroke"])
@pytest.mark.parametrize("seed", [None, 1, 14])
def test_shared_sets_as_is_and_degraded_give_the_same_result(shared_data, name, seed):
    path = shared_data / "dedup" / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    records, gold = _bench("bench_dedupe_accuracy").load_labelled(path)
    if seed is not None:
        degraded = _bench("bench_dedupe_degraded")
        records, gold = degraded.degrade(records, gold, list(degraded.GENERATORS), seed)
    assert_same(records)
    assert_same(records, some_decisions(records, random.Random(seed or 0)))


# -- generated exports -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2])
def test_speed_benchmark_records_give_the_same_result(seed):
    records, _ = _bench("bench_dedupe_speed").make_records(3000, seed=seed)
    assert_same(records)
    assert_same(records, some_decisions(records, random.Random(seed)))


def command_bench_records(n: int, seed: int) -> list[Record]:
    """Records as bench_commands.py's generated exports hold them (bench_import's records)."""
    rng = random.Random(seed)
    make = _bench("bench_import")._record
    out = []
    for i in range(n):
        r = make(rng, i)
        out.append(Record(title=r["title"], abstract=r["abstract"], year=r["year"],
                          authors=tuple(f"{last} {first[0]}." for last, first in r["authors"]),
                          venue=r["journal"], volume=r["volume"], issue=r["issue"], pages=r["pages"],
                          doi=r["doi"] if i % 7 else "", database="Scopus", id=f"c{seed}-{i:05d}"))
    # copies as another database exports them: other case, no DOI, a year later
    for k in range(0, n, 9):
        r = out[k]
        out.append(r.with_(title=r.title.upper(), doi="", year=(r.year or 2000) + k % 2,
                           database="wos", id=f"c{seed}-copy{k:05d}"))
    return out


@pytest.mark.parametrize("seed", [3, 4])
def test_command_benchmark_records_give_the_same_result(seed):
    records = command_bench_records(2500, seed)
    assert_same(records)
    assert_same(records, some_decisions(records, random.Random(seed)))


# -- random hostile records ------------------------------------------------------------------

WORDS = ("social media activism policy change digital platforms campaign youth women rights "
         "protest survey outcome analysis review part phase ii iii 2 3 editorial comment").split()
NAMES = ("Khan, A.", "KHAN A", "Müller, J.", "MÃ¼ller, J.", "M?ller J", "García-López, María",
         "O'Brien, S.", "van der Berg, K. L.", "Smith J.Jones K. L.Lee M.", "Smith JohnJones Kevin",
         "Nguyen; Tran; Le", "Li and Wang", "", "et al.", "Ørsted, H. C.", "ΑΛΦΑ, Β.", "Ito, K")


def hostile_title(rng: random.Random) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 9)))
    roll = rng.random()
    if roll < 0.08:
        title = "Erratum: " + title
    elif roll < 0.14:
        title = f"<i>{title}</i> &amp; more"
    elif roll < 0.2:
        title = title + " [Chinese]"
    elif roll < 0.25:
        title = r"Z\"{u}rich \textit{" + title + "}"
    elif roll < 0.3:
        title = "Editor's Comments"
    elif roll < 0.34:
        title = f"[{title}]."
    elif roll < 0.38:
        title = title + ". SPANISH"
    elif roll < 0.41:
        title = "Reply to: " + title
    return rng.choice((title, title.upper(), title.lower(), title.replace(" ", "  ")))


def hostile_records(n: int, seed: int) -> list[Record]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if out and rng.random() < 0.35:  # a copy of an earlier record, as another database writes it
            base = rng.choice(out)
            changes = {"id": f"h{seed}-{i:05d}", "database": rng.choice(("wos", "pubmed", "embase"))}
            for field, value in (("title", base.title.upper()), ("doi", base.doi.upper()),
                                 ("doi", base.doi.replace("(", "%28")), ("year", (base.year or 2001) + 1),
                                 ("year", None), ("pages", base.pages.split("-")[0]), ("pmid", ""),
                                 ("abstract", base.abstract.upper() + "!"), ("issue", ""),
                                 ("authors", tuple(reversed(base.authors)))):
                if rng.random() < 0.25:
                    changes[field] = value
            out.append(base.with_(**changes))
            continue
        authors = tuple(rng.choice(NAMES) for _ in range(rng.choice((0, 1, 2, 3, 6, 12))))
        if rng.random() < 0.05:  # a run-together list of many names in one entry
            authors = ("".join(f"Name{k} J." for k in range(rng.randint(8, 14))),) + authors
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.choice((0, 10, 60, 120))))
        if rng.random() < 0.2:
            abstract = rng.choice(("Kelvin \u212a ", "İstanbul ", "naïve – ", "a\u00a0b ", "x\ty\n")) + abstract
        first = rng.randint(1, 400)
        out.append(Record(
            title=hostile_title(rng), abstract=abstract, authors=authors,
            year=rng.choice((None, 2018, 2019, 2020, 2021, 2023)),
            venue=rng.choice(("", "Journal of Policy", "J Policy", "Policy (Oxford)", "Annual Meeting Abstracts")),
            volume=rng.choice(("", "12", "12 (Suppl 2)", "13")), issue=rng.choice(("", "1", "2")),
            pages=rng.choice(("", f"{first}-{first + 9}", f"e{first}", "01-Dec", f"S{first}")),
            doi=rng.choice(("", f"10.1000/x({i % 50})", f"10.1000/y{i % 30}", f"10.1000/X({i % 50})")),
            pmid=rng.choice(("", "", str(1000 + i % 40))),
            url=rng.choice(("", f"https://pubmed.ncbi.nlm.nih.gov/{2000 + i % 25}/")),
            language=rng.choice(("", "", "English", "Chinese; English", "ger")),
            pub_type=rng.choice(("", "Article", "Conference Abstract", "Book")),
            database=rng.choice(("scopus", "wos")), id=f"h{seed}-{i:05d}"))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_hostile_records_give_the_same_result(seed):
    records = hostile_records(700, seed)
    assert_same(records)
    assert_same(records, some_decisions(records, random.Random(seed), n=80))


def test_a_pair_set_aside_on_its_years_is_one_the_old_judge_keeps_apart_without_effect():
    """Every pair `apart_by_years` sets aside is DISTINCT with a score above 0 by judge_pair:
    not merged, not queued, not a keep-apart constraint."""
    seen = 0
    for seed in range(4):
        records = hostile_records(700, seed) + command_bench_records(800, seed)
        memo = features.FeatureMemo()
        feats = [features.record_features(i, r, memo) for i, r in enumerate(records)]
        pairs = match.worth_judging(feats, match.find_candidates(feats))
        for i in set(pairs.ravel().tolist()):
            features.complete_features(feats[i], records[i], memo)
        match.mark_recurring(feats, records)
        mask = match.apart_by_years(feats, pairs)
        for i, j in pairs[mask].tolist():
            verdict, score, _ = match.judge_pair(feats[i], feats[j])
            assert verdict == match.DISTINCT and score > 0.0, (records[i], records[j])
        seen += int(mask.sum())
        assert not mask.all()  # the others still go to judge_pair
    assert seen > 1000


def test_bulk_helpers_equal_the_one_by_one_forms():
    rng = random.Random(5)
    memo = features.FeatureMemo()
    lists = [tuple(rng.choice(NAMES) for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    lists += [("".join(f"Name{k} J." for k in range(12)),), ("A B.C D.",) * 6, ("Li and Wang",) * 9]
    for authors in lists:
        assert memo.author_words(authors) == author_words(authors)
        record = Record(title="t", authors=authors, id="r1")
        assert features.record_features(0, record, memo).first_author == first_author_key(authors)
    non_word = re.compile(r"[^0-9a-z]+")
    texts = ["x" * 700, "Kelvin \u212a sign " * 40, "İstanbul naïve " * 30, "a--b  c\t\nd " * 80,
             "UPPER lower 123 " * 50, "é" * 300, "word " * 200 + "tail"]
    texts += [" ".join(["Ab"] * k) + tail for k in (59, 60, 61, 62, 300) for tail in ("", " ", "  x", "\x7f\x00Z")]
    texts += ["".join(rng.choice("aZ9 -\t\n\x0b\x1c\x7f.\u212aİé") for _ in range(rng.randint(0, 900)))
              for _ in range(2000)]
    for text in texts:
        assert features.abstract_key(text) == " ".join(non_word.sub(" ", text[:600].lower()).split()[:60])
    codes = rng.choices(range(1, 1 << 40), k=5000) + [0, 0]
    assert match.sorted_unique(np.array(codes, dtype=np.int64)).tolist() == sorted(set(codes))


def test_features_in_bulk_are_the_features_one_by_one():
    """`records_features` (title keys made together) gives `record_features` of each record."""
    for seed in range(3):
        records = hostile_records(900, seed) + command_bench_records(600, seed)
        rng = random.Random(seed)
        records += [r.with_(title=rng.choice(["", " ", "\x00", "A title in English", "Titre (French).", "x]",
                                              "Costs of 1,000 beds", "Tab\there", "Bell &amp; co", r.title + " Thai"]),
                            url=rng.choice(["", "https://pubmed.ncbi.nlm.nih.gov/12345678/"]), pmid=rng.choice(["", " 77 "]),
                            doi=rng.choice(["", " 10.1/A%28b%29. ", r.doi]))
                    for r in records[:300]]
        rng.shuffle(records)
        one, bulk = features.FeatureMemo(), features.FeatureMemo()
        expected = [features.record_features(i, r, one) for i, r in enumerate(records)]
        got = features.records_features(records[:500], bulk) + features.records_features(records[500:], bulk, 500)
        assert got == expected
        assert one.first_author == bulk.first_author and one.pages == bulk.pages


def test_a_record_keeps_a_digest_of_its_abstract_key_equal_exactly_when_the_keys_are():
    records = hostile_records(600, 3)
    records += [r.with_(abstract=rng_abstract) for r, rng_abstract in zip(
        records[:40], ["-" * 250, "é " * 150, "A" * 200, "a" * 199, ("Word " * 70) + "x", ("word " * 70) + "y"] * 7)]
    memo = features.FeatureMemo()
    feats = [features.complete_features(features.record_features(i, r, memo), r, memo) for i, r in enumerate(records)]
    keys = [features.abstract_key(r.abstract) if len(r.abstract) >= 200 else "" for r in records]
    assert all((f.abstract == "") == (key == "") for f, key in zip(feats, keys))
    assert len({f.abstract for f in feats}) == len(set(keys))
    pairs = random.Random(3).sample([(i, j) for i in range(len(records)) for j in range(i)], 20000)
    pairs += [(i, j) for i in range(len(records)) for j in range(i) if keys[i] and keys[i] == keys[j]]
    for i, j in pairs:
        assert (feats[i].abstract == feats[j].abstract) == (keys[i] == keys[j])
    assert any(keys[i] and keys[i] == keys[j] for i, j in pairs)
