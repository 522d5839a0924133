"""Prioritised screening: the workbench against ASReview side by side, and speed at 100k studies.

Side by side (default): for each labelled set in ../shared/data/screening/ and
seeds 0..N-1, both tools start from the same priors (one relevant and one
irrelevant record, `workbench.core.simulation.pick_priors(labels, seed)`).
ASReview runs its own simulation (its default model, ELAS u4) in a separate
environment through benchmarks/asreview_replay.py; the workbench replays its
default model. Both screening orders are scored with the same functions
(asreview-insights' definitions, priors excluded) and printed as differences.

    python3 -m venv /tmp/asr && /tmp/asr/bin/pip install asreview asreview-insights
    python benchmarks/bench_prioritise.py --seeds 5 [--asreview-python /tmp/asr/bin/python]
    python benchmarks/bench_prioritise.py --speed [--studies 100000]

Orders are cached as JSON under --cache (default /tmp/workbench-bench-prioritise) so a
rerun only computes what is missing. Without an ASReview environment, the
faithful ELAS u4 copy (workbench.core.ranking.ELAS_U4) stands in and the
column says so.

Targets (issue 15): WSS@95 >= ASReview's on every set and the mean over sets
>= +0.02; recall >= 95% at the stopping point on every run; next study < 50 ms
at 100k while a retrain runs; retrain + rescore at 100k < 1 s; features for
100k built < 60 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "screening"


def read_set(path: Path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return ([r["title"] for r in rows], [r["abstract"] for r in rows],
            [int(r["label_included"]) for r in rows])


def asreview_order(python: str, path: Path, seed: int, priors, cache: Path):
    out = cache / f"asreview_{path.stem}_{seed}.json"
    if not out.exists():
        result = subprocess.run([python, str(ROOT / "benchmarks" / "asreview_replay.py"),
                                 str(path), str(seed), *map(str, priors)],
                                capture_output=True, text=True, check=True)
        out.write_text(result.stdout, encoding="utf-8")
    data = json.loads(out.read_text(encoding="utf-8"))
    if sorted(data["order"][:2]) != sorted(int(p) for p in priors):
        raise SystemExit(f"{out}: starts with {data['order'][:2]}, not the priors {priors} "
                         "(a stale run: delete it)")
    return data["order"][2:]


def settings_key(settings) -> str:
    """The model's name and a hash of all its settings: a changed model is never read stale."""
    import dataclasses
    import hashlib
    fields = json.dumps(dataclasses.asdict(settings), sort_keys=True)
    return f"{settings.name}-{hashlib.sha256(fields.encode()).hexdigest()[:10]}"


def workbench_path(settings, path: Path, seed: int, cache: Path) -> Path:
    return cache / f"workbench_{settings_key(settings)}_{path.stem}_{seed}.json"


def workbench_order(settings, features, labels, path: Path, seed: int, priors, cache: Path):
    import dataclasses

    from workbench.core.simulation import replay
    out = workbench_path(settings, path, seed, cache)
    if out.exists():
        data = json.loads(out.read_text(encoding="utf-8"))
    else:
        r = replay(features(), labels, priors, settings, seed=seed)
        data = {"order": list(r.order), "stop_at": r.stop_at, "stop_recall": r.stop_recall,
                "settings": dataclasses.asdict(settings)}
        out.write_text(json.dumps(data), encoding="utf-8")
    return data


def stop_recall(labels, priors, order, seed: int) -> float:
    """Recall at the stopping test's stop on a screening order (as the workbench replays it)."""
    from workbench.core.simulation import replay_stopping
    seen = set(priors) | set(order)
    rest = [i for i in range(len(labels)) if i not in seen]
    ordered = [labels[i] for i in list(order) + rest]
    _, found = replay_stopping(ordered, sum(labels[p] for p in priors), sum(labels), seed)
    return found / sum(labels)


def metrics(labels, order, n_priors=2):
    from workbench.core.simulation import average_time_to_discovery, recall_at, wss
    seq = [labels[i] for i in order]
    seq += [0] * (len(labels) - n_priors - len(seq))
    return {"wss95": wss(seq, 0.95), "wss100": wss(seq, 1.0), "recall10": recall_at(seq, 0.1),
            "atd": average_time_to_discovery(seq)}


METRICS = (("wss95", "WSS@95", 3), ("wss100", "WSS@100", 3), ("recall10", "rec@10%", 3),
           ("atd", "ATD", 1))


def side_by_side(args) -> None:
    from workbench.core.ranking import ELAS_U4, build_features, model_settings, study_text
    from workbench.core.simulation import pick_priors
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    ours = model_settings(args.model)
    python = args.asreview_python if Path(args.asreview_python).exists() else None
    other = "ASReview (its own run)" if python else "ELAS u4 copy (no ASReview env)"
    sets = sorted(DATA.glob("*.csv")) if not args.sets else [DATA / s for s in args.sets]
    print(f"workbench model: {ours.describe()} [cache key {settings_key(ours)}]")
    print(f"against: {other}; seeds 0..{args.seeds - 1}; metrics: asreview-insights, "
          "priors excluded; each cell: the other / workbench / difference, mean over seeds")
    head = f"{'set':34}" + "".join(f"{label:>23}" for _, label, _ in METRICS) + (
        f"{'stop rec min':>17} {'stop saved':>10} {'same order':>10}")
    print(head)
    print(f"{'':34}" + "".join(f"{'asr     wb      d':>23}" for _ in METRICS)
          + f"{'asr    wb':>17}")
    per_set, stop_ok, every_set_ok, runs_out = [], True, True, []
    for path in sets:
        titles, abstracts, labels = read_set(path)
        texts = [study_text(t, a) for t, a in zip(titles, abstracts)]
        cached = {}

        def features(settings=ours):
            if settings.name not in cached:
                cached[settings.name] = build_features(texts, settings)
            return cached[settings.name]

        rows = []
        for seed in range(args.seeds):
            priors = pick_priors(labels, seed)
            if args.cached_only and not (
                    workbench_path(ours, path, seed, cache).exists()
                    and (cache / f"asreview_{path.stem}_{seed}.json").exists()):
                continue
            mine = workbench_order(ours, lambda: features(ours), labels, path, seed, priors,
                                   cache)
            if python:
                theirs = asreview_order(python, path, seed, priors, cache)
            else:
                theirs = workbench_order(ELAS_U4, lambda: features(ELAS_U4), labels, path,
                                         seed, priors, cache)["order"]
            m, t = metrics(labels, mine["order"]), metrics(labels, theirs)
            same = mine["order"][:len(theirs)] == list(theirs)
            their_stop = stop_recall(labels, priors, theirs, seed)
            rows.append((m, t, mine["stop_recall"], mine["stop_at"], same, their_stop))
            runs_out.append(f"  {path.stem:32} seed {seed}: WSS@95 {t['wss95']:.3f} / "
                            f"{m['wss95']:.3f}, stop recall {their_stop:.3f} / "
                            f"{mine['stop_recall']:.3f} after {mine['stop_at']} of "
                            f"{len(labels) - 2} ({sum(labels)} relevant)")
        if not rows:
            print(f"{path.stem:34} (no run of both tools in the cache)")
            continue
        n = len(labels) - 2
        values = {key: (statistics.mean(r[1][key] for r in rows),
                        statistics.mean(r[0][key] for r in rows)) for key, _, _ in METRICS}
        every_set_ok &= values["wss95"][1] >= values["wss95"][0]
        stop_min = min(r[2] for r in rows)
        their_min = min(r[5] for r in rows)
        stop_ok &= stop_min >= 0.95
        saved = statistics.mean(1 - r[3] / n for r in rows)
        per_set.append((values, stop_min, their_min, saved))
        print(f"{path.stem:34}" + cells(values) + f"{their_min:>10.3f} {stop_min:6.3f} "
              f"{saved:10.3f} {sum(r[4] for r in rows):>6}/{len(rows)}"
              + (f"  ({len(rows)} of {args.seeds} seeds)" if len(rows) < args.seeds else ""))
    if not per_set:
        return
    means = {key: (statistics.mean(v[0][key][0] for v in per_set),
                   statistics.mean(v[0][key][1] for v in per_set)) for key, _, _ in METRICS}
    print(f"{'mean over sets':34}" + cells(means)
          + f"{min(v[2] for v in per_set):>10.3f} {min(v[1] for v in per_set):6.3f} "
          f"{statistics.mean(v[3] for v in per_set):10.3f}")
    mean_diff = means["wss95"][1] - means["wss95"][0]
    print(f"mean WSS@95 difference over sets: {mean_diff:+.3f} (target >= +0.020: "
          f"{'met' if mean_diff >= 0.02 else 'NOT met'}); every set >= ASReview: "
          f"{'yes' if every_set_ok else 'NO'}; stopping recall >= 0.95 on every run: "
          f"{'yes' if stop_ok else 'NO'}")
    print("(d = workbench minus the other; ATD in records, lower is better; 'stop rec min': "
          "the lowest recall at the stopping test's stop over the seeds, the test replayed "
          "on each tool's order; 'stop saved': the workbench's share of records not screened "
          "at its stop; 'same order': runs whose screening order equals the other's record "
          "for record)")
    if args.runs:
        print("every run (the other / workbench):")
        print("\n".join(runs_out))


def cells(values) -> str:
    """One table row's metric cells: the other's value, the workbench's, the difference."""
    out = ""
    for key, _, digits in METRICS:
        theirs, mine = values[key]
        out += f"{theirs:>8.{digits}f}{mine:>7.{digits}f}{mine - theirs:>+8.{digits}f}"
    return out


def synthetic_texts(n: int):
    """n distinct study texts made of sentences of the real sets' abstracts."""
    import random
    sentences, relevant_sentences = [], []
    for path in sorted(DATA.glob("*.csv")):
        titles, abstracts, labels = read_set(path)
        for t, a, y in zip(titles, abstracts, labels):
            parts = [s for s in (t + ". " + a).split(". ") if len(s) > 20]
            (relevant_sentences if y else sentences).extend(parts)
    rng = random.Random(0)
    texts, labels = [], []
    for i in range(n):
        relevant = rng.random() < 0.03
        pool = relevant_sentences if relevant else sentences
        texts.append(" ".join(rng.choice(pool) for _ in range(9)))
        labels.append(int(relevant))
    return texts, labels


class timed:
    """Append (wall, CPU) seconds of the block to a pair of lists."""

    def __init__(self, into) -> None:
        self.into = into

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc) -> None:
        self.into[0].append(time.perf_counter() - self.wall)
        self.into[1].append(time.process_time() - self.cpu)


def plain_fit(x, rows, labels, settings):
    """The SVM as a plain scikit-learn call on the decided rows (the baseline and oracle)."""
    import numpy as np
    from sklearn.svm import LinearSVC

    from workbench.core.ranking import sample_weights
    svm = LinearSVC(C=settings.c, loss="squared_hinge", random_state=0,
                    dual=True if settings.dual == "dual" else "auto")
    svm.fit(x[rows].astype(np.float64), labels, sample_weight=sample_weights(labels,
                                                                          settings.ratio))
    return svm.coef_.ravel().astype(np.float32), float(svm.intercept_[0])


def rank_all(scores):
    """Order (highest first) and each study's rank, as the worker makes them."""
    import numpy as np
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(len(scores))
    return order, ranks


def speed(args) -> None:
    import numpy as np

    from workbench.core import ranking
    from workbench.core.ranking import build_features, model_settings, score, train_model
    from workbench.review.prioritise import RankedQueue, Ranking
    from workbench.store.features import features_key, read_features, write_features
    settings = model_settings(args.model)
    n = args.studies
    texts, labels = synthetic_texts(n)
    t, c = time.perf_counter(), time.process_time()
    baseline_tokens = sum(len(x.lower().split()) for x in texts)
    baseline, baseline_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"{n:,} synthetic studies ({sum(labels):,} relevant), {baseline_tokens:,} words; "
          f"baseline (lowercase + split every text, same run): {baseline:.2f} s wall, "
          f"{baseline_cpu:.2f} s CPU (wall/CPU = how loaded the machine is: "
          f"{baseline / max(baseline_cpu, 1e-9):.1f}x)")
    tmp = Path(args.cache) / "speed"
    key = features_key(texts, settings.feature_key())
    x = read_features(tmp, key) if args.cached_features else None
    if x is not None:
        print(f"features {x.shape[0]:,} x {x.shape[1]:,} ({x.nnz:,} non-zero) read from "
              f"{tmp} (--cached-features: building them is not measured in this run)")
    else:
        t, c = time.perf_counter(), time.process_time()
        x = build_features(texts, settings)
        build, build_cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        write_features(tmp, key, x)
        write = time.perf_counter() - t
        t = time.perf_counter()
        read_features(tmp, key)
        read = time.perf_counter() - t
        print(f"features {x.shape[0]:,} x {x.shape[1]:,} ({x.nnz:,} non-zero): built "
              f"{build:.1f} s wall, {build_cpu:.1f} s CPU ({build_cpu / baseline_cpu:.0f}x the "
              f"baseline's CPU; target < 60 s: {'met' if build_cpu < 60 else 'NOT met'} in "
              f"CPU time); cache write {write:.2f} s, read {read:.2f} s")
    rng = np.random.default_rng(0)
    y = np.asarray(labels)
    print("retrain + rescore + rank (CPU s, median of 3; 'plain' = the plain scikit-learn "
          "call on features[decided].astype(float64), the baseline; 'first' = the first "
          "retrain after opening; 'next' = the retrain after one more decision, what the "
          "worker does while a reviewer screens):")
    for decided in (500, 2000, 10000):
        idx = np.concatenate([rng.choice(np.flatnonzero(y == 1), decided // 20, replace=False),
                              rng.choice(np.flatnonzero(y == 0), decided - decided // 20,
                                         replace=False)])
        rng.shuffle(idx)
        runs = {"plain": ([], []), "first": ([], []), "next": ([], [])}
        identical = True
        for _ in range(3):
            with timed(runs["plain"]):
                coef, intercept = plain_fit(x, idx, y[idx], settings)
                rank_all(x @ coef + np.float32(intercept))
            ranking._KEPT.clear()
            with timed(runs["first"]):
                model = train_model(x, idx[:-1].tolist(), y[idx[:-1]].tolist(), settings)
                rank_all(score(x, model))
            with timed(runs["next"]):
                model = train_model(x, idx.tolist(), y[idx].tolist(), settings)
                s = score(x, model)
                order, ranks = rank_all(s)
            identical &= (np.array_equal(model.coef, coef) and model.intercept == intercept
                          and np.array_equal(order, rank_all(x @ coef
                                                             + np.float32(intercept))[0]))
        cpu = {k: statistics.median(v[1]) for k, v in runs.items()}
        wall = {k: statistics.median(v[0]) for k, v in runs.items()}
        print(f"  {decided:6,} decisions: plain {cpu['plain']:.2f} s, first "
              f"{cpu['first']:.2f} s ({cpu['first'] / cpu['plain']:.2f}x), next "
              f"{cpu['next']:.2f} s ({cpu['next'] / cpu['plain']:.2f}x); wall "
              f"{wall['plain']:.2f} / {wall['first']:.2f} / {wall['next']:.2f} s; same model "
              f"and order as plain: {'yes' if identical else 'NO'}; target < 1 s (next): "
              f"{'met' if cpu['next'] < 1 else 'NOT met'} in CPU time")
    ranked_ahead(x, texts, idx, y, settings)
    # next study while a retrain runs in another thread
    decided_set: set[int] = set()
    queue = RankedQueue(lambda p: p in decided_set)
    queue.set_ranking(Ranking(tuple(order.tolist()), s, 1, "model", 2000, ranks))
    stop = threading.Event()

    def retrain_forever():
        while not stop.is_set():
            m = train_model(x, idx.tolist(), y[idx].tolist(), settings)
            np.argsort(-score(x, m), kind="stable")

    worker = threading.Thread(target=retrain_forever)
    worker.start()
    pops = []
    try:
        for _ in range(300):
            t = time.perf_counter()
            position = queue.next()
            queue.rank_of(position)
            decided_set.add(position)
            pops.append(time.perf_counter() - t)
            time.sleep(0.002)
    finally:
        stop.set()
        worker.join()
    pops.sort()
    print(f"next study while a retrain runs: median {1000 * pops[len(pops) // 2]:.3f} ms, "
          f"max {1000 * pops[-1]:.3f} ms over {len(pops)} pops (target < 50 ms: "
          f"{'met' if pops[-1] < 0.05 else 'NOT met'})")


def ranked_ahead(x, texts, idx, y, settings) -> None:
    """The worker's cycle as the app runs it (Prioritiser.rank), and the same ranking made
    ahead of the decision (Prioritiser.ahead) then taken at the keypress (ready)."""
    from types import SimpleNamespace

    import numpy as np

    from workbench.core import ranking
    from workbench.review.prioritise import Prioritiser, RankedQueue, Snapshot
    studies = [SimpleNamespace(id=str(i), title=t, abstract="") for i, t in enumerate(texts)]
    session = SimpleNamespace(studies=studies,
                              codebook=SimpleNamespace(highlights=SimpleNamespace(include=())))
    features = SimpleNamespace(rows={s.id: i for i, s in enumerate(studies)}, matrix=x)
    labelled = tuple(int(i) for i in idx)
    labels = tuple(int(v) for v in y[idx])
    before = Snapshot(labelled[:-1], labels[:-1], frozenset(labelled[:-1]), 1)
    after = Snapshot(labelled, labels, frozenset(labelled), 2)
    runs = {"cycle": ([], []), "ahead": ([], [])}
    taken, same = [], True
    for _ in range(3):
        prioritiser = Prioritiser(session, features, settings)
        ranking._KEPT.clear()
        prioritiser.rank(before)                 # the ranking on screen before the decision
        fresh = Prioritiser(session, features, settings)
        fresh.rank(before)
        with timed(runs["cycle"]):               # the worker after the decision, as before
            expected = fresh.rank(after)
        with timed(runs["ahead"]):               # while the reviewer reads the study
            prioritiser.ahead(before, labelled[-1])
        queue = RankedQueue(lambda p: False)
        t = time.perf_counter()
        made = prioritiser.ready(after)          # at the keypress, on the UI thread
        queue.set_ranking(made)
        queue.next()
        taken.append(time.perf_counter() - t)
        same &= made.order == expected.order and np.array_equal(made.scores, expected.scores)
    cpu = {k: statistics.median(v[1]) for k, v in runs.items()}
    print(f"  the app's path at {len(labelled):,} decisions: retrain + rescore + rank "
          f"(Prioritiser.rank) {cpu['cycle']:.2f} s CPU; ranked ahead while the study is "
          f"read, both decisions {cpu['ahead']:.2f} s CPU; then at the keypress "
          f"{1000 * statistics.median(taken):.2f} ms wall (median of 3) to the ranking that "
          f"learned from the decision; same order and scores as the retrain: "
          f"{'yes' if same else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sets", nargs="*", help="file names under shared/data/screening")
    parser.add_argument("--model", default=None)
    parser.add_argument("--asreview-python", default="/tmp/asr/bin/python")
    parser.add_argument("--cache", default="/tmp/workbench-bench-prioritise")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--runs", action="store_true",
                        help="also print every run (WSS@95 and the stopping recall per seed)")
    parser.add_argument("--cached-only", action="store_true",
                        help="use only the seeds both tools already have in the cache")
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--cached-features", action="store_true",
                        help="--speed: read the features an earlier run cached (the build "
                             "is then not timed)")
    args = parser.parse_args()
    if args.speed:
        speed(args)
    else:
        side_by_side(args)


if __name__ == "__main__":
    main()
