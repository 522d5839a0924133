"""Duplicate detection: group records into studies, with a person in the loop.

`find_duplicates(records, decisions)` proposes candidate pairs by blocking,
judges each pair (see `workbench.core.dedupe.match`), and joins records into
studies with a constrained union: a person's "different" (and a certain
automatic "distinct") is never overridden by a chain of merges. Study ids are
derived from the records ("S" + id of the earliest record of the study), so
they are stable across re-runs and machines with no saved state.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from workbench.core.records import Record
from workbench.errors import DedupeError

log = logging.getLogger(__name__)

#: A person's answer on a pair: the same study, different studies, or (sent from the
#: screening screen) a possible duplicate for the duplicates queue to decide.
POSSIBLE = "possible"
VERDICTS = ("same", "different", POSSIBLE)
#: The reason a pair marked possible shows in the queue starts with this.
MARKED = "marked as a possible duplicate by"


class DedupeCancelled(DedupeError):
    """The caller cancelled duplicate detection; nothing was changed."""


@dataclass(frozen=True)
class PairDecision:
    """A person's answer about two records: "same" study or "different" studies."""

    time: str
    reviewer: str
    record_a: str
    record_b: str
    verdict: str
    note: str = ""

    @property
    def pair(self) -> frozenset[str]:
        """The unordered pair of record ids."""
        return frozenset((self.record_a, self.record_b))


@dataclass(frozen=True)
class CandidatePair:
    """Two records the algorithm compared, with its score (0..1) and reasons."""

    record_a: str
    record_b: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Study:
    """One study: its records (in import order) and display fields from the most complete values."""

    id: str
    record_ids: tuple[str, ...]
    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    keywords: tuple[str, ...] = ()
    databases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DedupeResult:
    """What duplicate detection made of a list of records."""

    studies: list[Study]
    record_to_study: dict[str, str]
    auto_merged_pairs: list[CandidatePair]
    uncertain: list[CandidatePair]
    aliases: dict[str, str] = field(default_factory=dict)
    records: int = 0
    candidate_pairs: int = 0
    person_merges: int = 0
    person_splits: int = 0
    conflicts: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """Counts for reports: records, studies, duplicates removed, automatic merges, pairs waiting."""
        return {
            "records": self.records,
            "studies": len(self.studies),
            "duplicates_removed": self.records - len(self.studies),
            "candidate_pairs": self.candidate_pairs,
            "auto_merged_pairs": len(self.auto_merged_pairs),
            "uncertain_pairs": len(self.uncertain),
            "person_merges": self.person_merges,
            "person_splits": self.person_splits,
        }


def latest_pair_decisions(decisions: Iterable[PairDecision]) -> dict[frozenset[str], PairDecision]:
    """Return the latest decision per unordered pair of records (ties: the later one listed wins).

    Args:
        decisions: decisions from every reviewer, in any order.

    Returns:
        A dict from frozenset({record_a, record_b}) to the decision that stands.
    """
    latest: dict[frozenset[str], PairDecision] = {}
    for decision in sorted(decisions, key=lambda d: d.time):
        latest[decision.pair] = decision
    return latest


class _ConstrainedUnion:
    """Union-find that refuses to join groups a "cannot link" constraint keeps apart."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.apart: dict[int, set[int]] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def keep_apart(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        self.apart.setdefault(ri, set()).add(rj)
        self.apart.setdefault(rj, set()).add(ri)
        return True

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        if rj in self.apart.get(ri, ()):
            return False
        keep, gone = (ri, rj) if ri < rj else (rj, ri)  # the earlier record stays the root
        self.parent[gone] = keep
        moved = self.apart.pop(gone, set())
        for other in moved:
            peers = self.apart[other]
            peers.discard(gone)
            peers.add(keep)
        if moved:
            self.apart.setdefault(keep, set()).update(moved)
        return True


def _most_complete(values: Sequence):
    """Return the longest value; on a tie the earliest record's value."""
    best = values[0]
    for value in values[1:]:
        if len(value) > len(best):
            best = value
    return best


def _build_study(sid: str, members: list[Record]) -> Study:
    if len(members) == 1:
        r = members[0]
        # the Study that Study(id=..., ...) builds, without the frozen __init__'s 15 setattr calls
        study = _new(Study)
        study.__dict__.update(
            id=sid, record_ids=(r.id,), title=r.title, abstract=r.abstract, authors=r.authors,
            year=r.year, venue=r.venue, volume=r.volume, issue=r.issue, pages=r.pages,
            doi=r.doi, pmid=r.pmid, url=r.url, keywords=r.keywords,
            databases=(r.database,) if r.database else ())
        return study
    years = Counter(r.year for r in members if r.year)
    year = max(years, key=lambda y: (years[y], -y)) if years else None
    text = {name: _most_complete([getattr(r, name) for r in members])
            for name in ("title", "abstract", "venue", "volume", "issue", "pages", "doi", "pmid", "url")}
    databases = tuple(dict.fromkeys(r.database for r in members if r.database))
    return Study(id=sid, record_ids=tuple(r.id for r in members), year=year,
                 authors=_most_complete([r.authors for r in members]),
                 keywords=_most_complete([r.keywords for r in members]),
                 databases=databases, **text)


_new = object.__new__


def rebuild_studies(record_to_study: dict[str, str], records: Sequence[Record]) -> list[Study]:
    """Return the studies a run built, from its record -> study map and the same records.

    `find_duplicates` lists `record_to_study` study by study, in the order of its
    studies, each study's records in import order; a study's fields depend on its
    records alone (`_build_study`). So the map and the records give back the very
    studies, and the studies cache need not hold a second copy of every record's text.

    Raises:
        ValueError: the map does not name every record once, names an unknown record,
            lists a study's records apart or names a study after another record than
            its first (not a map `find_duplicates` made).
    """
    if len(record_to_study) != len(records):
        raise ValueError(f"the map names {len(record_to_study)} records, not {len(records)}")
    by_id = {r.id: r for r in records}
    if len(by_id) != len(records):
        raise ValueError("two records share an id")
    studies: list[Study] = []
    seen: set[str] = set()
    sid, members = None, []
    for rid, study_id in record_to_study.items():
        if study_id != sid:
            if members:
                studies.append(_build_study(sid, members))
            if study_id in seen:
                raise ValueError(f"the records of study {study_id!r} are not listed together")
            if study_id != "S" + rid:
                raise ValueError(f"study {study_id!r} does not start with its record {rid!r}")
            seen.add(study_id)
            sid, members = study_id, []
        try:
            members.append(by_id[rid])
        except KeyError:
            raise ValueError(f"the map names record {rid!r}, which is not imported") from None
    if members:
        studies.append(_build_study(sid, members))
    return studies


def find_duplicates(
    records: list[Record],
    decisions: Iterable[PairDecision] = (),
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    known_study_ids: Iterable[str] | None = None,
) -> DedupeResult:
    """Group records into studies: identifiers, fuzzy matching, and people's decisions.

    Args:
        records: every record, in import order (files in import order, then position).
        decisions: people's pair decisions from all reviewers; the latest per pair stands.
            "different" always keeps two records apart, "same" always joins them.
        progress: called with (done, total) as the run advances; total is 100 (per cent).
        cancel: when set, the run stops and raises DedupeCancelled.
        known_study_ids: study ids that carry decisions; when given, `aliases` is
            limited to these. Otherwise every id a study could have had before is listed.

    Returns:
        A DedupeResult: studies, record -> study id, automatic merges, uncertain pairs
        not yet decided by a person, and aliases from absorbed study ids to the surviving id.

    Raises:
        DedupeError: two records share an id.
        DedupeCancelled: `cancel` was set.
    """
    # The run allocates many small objects and frees nothing until it ends; the cyclic
    # garbage collector would rescan them all repeatedly (2-3x slower at 100k records).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _find_duplicates(records, decisions, progress, cancel, known_study_ids)
    finally:
        if collecting:
            gc.enable()


def _find_duplicates(records, decisions, progress, cancel, known_study_ids) -> DedupeResult:
    from workbench.core.dedupe.features import FeatureMemo, complete_features, records_features
    from workbench.core.dedupe.match import (
        DISTINCT, DUPLICATE, UNCERTAIN, apart_by_years, find_candidates, judge_pair, mark_recurring,
        sorted_unique, worth_judging,
    )
    index = {}
    for i, record in enumerate(records):
        if record.id in index:
            raise DedupeError(f"record id {record.id!r} appears twice; re-import the references",
                              hint="duplicate detection did not run")
        index[record.id] = i
    def report(done: float) -> None:  # progress in per cent of the whole run
        _check(cancel)
        if progress:
            progress(int(done), 100)

    report(0)
    memo = FeatureMemo()
    feats = []
    chunk = max(1000, len(records) // 20)
    for start in range(0, len(records), chunk):
        feats.extend(records_features(records[start:start + chunk], memo, start))
        report(35 * min(start + chunk, len(records)) / len(records))
    candidates = find_candidates(feats)
    total = len(candidates)
    report(50)
    worth = worth_judging(feats, candidates)
    del candidates
    for i in sorted_unique(worth.flatten()).tolist():
        complete_features(feats[i], records[i], memo)
    mark_recurring(feats, records)
    # pairs kept apart by their years alone change nothing: set aside in bulk
    pairs = worth[~apart_by_years(feats, worth)].tolist()
    del worth
    judged = len(pairs)
    report(65)

    union = _ConstrainedUnion(len(records))
    latest = latest_pair_decisions(decisions)
    conflicts: list[str] = []
    person_pairs: set[tuple[int, int]] = set()
    marked: list[tuple[int, int, PairDecision]] = []
    person_same = person_different = 0
    for pair, decision in latest.items():
        a, b = decision.record_a, decision.record_b
        if a not in index or b not in index or a == b:
            log.info("pair decision %s/%s names a record that is not imported; ignored", a, b)
            continue
        i, j = sorted((index[a], index[b]))
        person_pairs.add((i, j))   # a possible duplicate is neither merged nor kept apart
        if decision.verdict == POSSIBLE:
            marked.append((i, j, decision))
        if decision.verdict == "different":
            union.keep_apart(i, j)
            person_different += 1
    for decision in latest.values():
        a, b = decision.record_a, decision.record_b
        if decision.verdict == "same" and a in index and b in index and a != b:
            person_same += 1
            if not union.union(index[a], index[b]):
                conflicts.append(f"{a} and {b}: marked the same, but another answer keeps them apart")

    merges: list[tuple[float, int, int, tuple[str, ...]]] = []
    uncertain: list[CandidatePair] = []
    step = max(1, judged // 30)
    for n, (i, j) in enumerate(pairs):
        if n % step == 0:
            report(65 + 30 * n / judged)
        verdict, score, reasons = judge_pair(feats[i], feats[j])
        if verdict == DUPLICATE:
            merges.append((score, i, j, reasons))
        elif verdict == UNCERTAIN:
            if (i, j) not in person_pairs:
                uncertain.append(CandidatePair(records[i].id, records[j].id, round(score, 3), reasons))
        elif verdict == DISTINCT and score == 0.0 and (i, j) not in person_pairs:
            union.keep_apart(i, j)
    for i, j, decision in marked:   # a person asked: the pair waits in the queue, first
        complete_features(feats[i], records[i], memo)
        complete_features(feats[j], records[j], memo)
        _, score, reasons = judge_pair(feats[i], feats[j])
        said = f"{MARKED} {decision.reviewer}" + (f": {decision.note}" if decision.note else "")
        uncertain.append(CandidatePair(records[i].id, records[j].id, round(score, 3),
                                       (said,) + tuple(reasons)))
    report(95)

    merges.sort(key=lambda m: (-m[0], m[1], m[2]))
    auto_merged: list[CandidatePair] = []
    for score, i, j, reasons in merges:
        if (i, j) in person_pairs:
            continue
        if union.union(i, j):
            auto_merged.append(CandidatePair(records[i].id, records[j].id, round(score, 3), reasons))
        else:
            uncertain.append(CandidatePair(records[i].id, records[j].id, round(score, 3),
                                           reasons + ("would join records kept apart",)))
    del feats, memo, pairs, merges  # the features are done with before the studies are built

    groups: dict[int, list[Record]] = {}
    for i, record in enumerate(records):
        groups.setdefault(union.find(i), []).append(record)
    studies = [_build_study("S" + members[0].id, members) for _, members in sorted(groups.items())]
    record_to_study = {rid: s.id for s in studies for rid in s.record_ids}
    uncertain = [p for p in uncertain if record_to_study[p.record_a] != record_to_study[p.record_b]]
    uncertain.sort(key=lambda p: (not p.reasons[:1] or not p.reasons[0].startswith(MARKED),
                                  -p.score, p.record_a, p.record_b))
    known = set(known_study_ids) if known_study_ids is not None else None
    aliases = {}
    for study in studies:
        for rid in study.record_ids[1:]:
            old = "S" + rid
            if known is None or old in known:
                aliases[old] = study.id
    result = DedupeResult(studies=studies, record_to_study=record_to_study,
                          auto_merged_pairs=auto_merged, uncertain=uncertain, aliases=aliases,
                          records=len(records), candidate_pairs=total, person_merges=person_same,
                          person_splits=person_different, conflicts=conflicts)
    if progress:
        progress(100, 100)
    log.info("dedupe: %(records)d records -> %(studies)d studies; %(candidate_pairs)d candidate pairs, "
             "%(auto_merged_pairs)d merged automatically, %(uncertain_pairs)d waiting for a person",
             result.summary)
    return result


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise DedupeCancelled("duplicate detection was cancelled", hint="nothing was changed")
