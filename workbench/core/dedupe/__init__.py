"""Duplicate detection, the whole subject in one place (no imports here: numpy stays lazy).

- `duplicates`: the values (`Study`, `DedupeResult`, `PairDecision`, `CandidatePair`)
  and `find_duplicates(records, decisions)`, the one function a caller uses: it
  groups records into studies, with a person's pair decisions winning.
- `features`: what one record contributes (blocking keys, then what a verdict reads).
- `match`: pairwise matching (blocking, pairs set aside in bulk, pair verdicts; numpy
  and rapidfuzz), imported by `duplicates` only when it has records to match.
"""
