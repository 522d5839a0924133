"""Prioritised screening: does a candidate model beat ELAS u4 on data it was not tuned on?

Replays (retrain after every decision, as `workbench simulate` does) of two
models on the labelled sets in ../shared/data/screening/ and on variants of
them built here, so that a gain found on some sets is confirmed elsewhere:

- original: the set as it is;
- prev1: relevant records sampled down (all irrelevant kept) to about 1% prevalence;
- noabs30: the abstract removed from a random 30% of the records;
- shuffle: the records in a random order (other priors follow);
- titles50: the abstract removed from a random 50% of the records;
- trunc50: every abstract cut to its first 50 words;
- drop20: every word of title and abstract dropped with probability 0.2;
- rename20: 20% of the distinct words (lowercased) replaced everywhere by a random
  string of letters of the same length (another field's vocabulary: shared word
  parts such as drug-class suffixes no longer help).

Candidates (`--candidate`): a model name of workbench.core.ranking.MODELS, or one
of CANDIDATES below, measured before adoption: pseudo100 (AutoTAR pseudo-negatives),
title_block (a title-only TF-IDF block stacked 1:1 with title + abstract), lsa100 (a
latent semantic block, TruncatedSVD with 100 components, stacked 1:1 with the TF-IDF), tar_lr
(the TAR baseline of the stopping-rule literature: logistic regression on BM25 saturated tf x
idf unigrams), fuse_u4_tar (ELAS u4 and tar_lr fused 1:1 by mean rank). Models of
MODELS measured this way include nbsvm (NB log-count ratio scaled features, same SVM) and
fusion_nb (reciprocal rank fusion of the SVM with multinomial naive Bayes).

Each variant is rebuilt from the seed, so every model sees the same data and
priors (one relevant and one irrelevant, `pick_priors`). Sets named with
--tuned are marked: the candidate was tuned on them, so only the other rows
count as confirmation. Figures are asreview-insights' (priors excluded).

    python benchmarks/bench_prioritise_models.py --seeds 5 --tuned ProtonPumpInhibitors \
        AtypicalAntipsychotics

Results are cached as JSON under --cache (default /tmp/workbench-bench-models), so
a rerun only replays what is missing; --cached-only prints what is there.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "screening"
VARIANTS = ("original", "prev1", "noabs30", "shuffle", "titles50", "trunc50", "drop20",
            "rename20")
_WORD = re.compile(r"\w+")


def read_set(path: Path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return ([r["title"] for r in rows], [r["abstract"] for r in rows],
            [int(r["label_included"]) for r in rows])


def make_variant(titles, abstracts, labels, variant: str, seed: int):
    """Return (titles, abstracts, labels) of a variant of a set, rebuilt from the seed."""
    rng = random.Random(1000 + seed)
    rows = list(range(len(labels)))
    if variant == "prev1":
        relevant = [i for i in rows if labels[i]]
        irrelevant = [i for i in rows if not labels[i]]
        keep = max(3, round(len(irrelevant) * 0.01 / 0.99))
        if keep < len(relevant):
            chosen = set(rng.sample(relevant, keep))
            rows = [i for i in rows if not labels[i] or i in chosen]
    elif variant == "shuffle":
        rng.shuffle(rows)
    titles, abstracts = list(titles), list(abstracts)
    if variant in ("noabs30", "titles50"):
        for i in rng.sample(rows, round((0.3 if variant == "noabs30" else 0.5) * len(rows))):
            abstracts[i] = ""
    elif variant == "trunc50":
        abstracts = [" ".join(a.split()[:50]) for a in abstracts]
    elif variant == "drop20":
        def drop(text: str) -> str:
            return " ".join(_WORD.sub(lambda m: "" if rng.random() < 0.2 else m.group(),
                                      text).split())
        titles, abstracts = [drop(t) for t in titles], [drop(a) for a in abstracts]
    elif variant == "rename20":
        types = sorted({w.lower() for text in titles + abstracts for w in _WORD.findall(text)})
        letters = "abcdefghijklmnopqrstuvwxyz"
        new = {w: "".join(rng.choice(letters) for _ in w)
               for w in rng.sample(types, round(0.2 * len(types)))}

        def rename(text: str) -> str:
            return _WORD.sub(lambda m: new.get(m.group().lower(), m.group()), text)
        titles, abstracts = [rename(t) for t in titles], [rename(a) for a in abstracts]
    elif variant not in VARIANTS:
        raise SystemExit(f"unknown variant {variant!r} (variants: {', '.join(VARIANTS)})")
    return [titles[i] for i in rows], [abstracts[i] for i in rows], [labels[i] for i in rows]


def every_k(k: int):
    """A replay ranker that retrains after every k-th decision (a cheaper proxy when k > 1)."""
    from workbench.core.ranking import score, train_model

    def ranker(features, labelled, labels, settings, state):
        if "scores" not in state or len(labelled) - state["at"] >= k:
            state["scores"] = score(features, train_model(features, labelled, labels, settings))
            state["at"] = len(labelled)
        return state["scores"]
    return ranker


def _pseudo_scores(features, labelled, labels, settings, state):
    from workbench.core.ranking import score
    from workbench.core.ranking_models import train_with_pseudo_negatives
    model = train_with_pseudo_negatives(features, labelled, labels, settings, 100,
                                        state.get("seed", 0))
    return score(features, model) if model is not None else None


def _word_features(titles, abstracts):
    from workbench.core.ranking import ELAS_U4, build_features, study_text
    return build_features([study_text(t, a) for t, a in zip(titles, abstracts)], ELAS_U4)


def _title_features(titles, abstracts):
    from workbench.core.ranking_models import title_block_features
    return title_block_features(titles, abstracts)


def _lsa_features(titles, abstracts):
    from workbench.core.ranking_models import lsa_block_features
    return lsa_block_features(_word_features(titles, abstracts))


def _bm25_features(titles, abstracts):
    from workbench.core.ranking import study_text
    from workbench.core.ranking_models import bm25_features
    return bm25_features([study_text(t, a) for t, a in zip(titles, abstracts)])


def _u4_bm25_features(titles, abstracts):
    return (_word_features(titles, abstracts), _bm25_features(titles, abstracts))


def _tar_lr_scores(features, labelled, labels, settings, state):
    from workbench.core.ranking_models import tar_lr_scores
    return tar_lr_scores(features, labelled, labels)


def _fuse_u4_tar_scores(features, labelled, labels, settings, state):
    from workbench.core.ranking_models import fuse_u4_tar_scores
    return fuse_u4_tar_scores(features, labelled, labels, settings)


def _svm_scores(features, labelled, labels, settings, state):
    from workbench.core.ranking import score, train_model
    model = train_model(features, labelled, labels, settings)
    return score(features, model) if model is not None else None



def _model_scores(features, labelled, labels, settings, state):
    from workbench.core.ranking_models import model_scores
    return model_scores(features, labelled, labels, settings, state)


#: candidates that are not models of the workbench (yet): name -> (features from (titles,
#: abstracts), scorer(features, labelled, labels, settings, state)); parameters fixed a
#: priori (core/ranking_models.py gives the sources)
CANDIDATES = {"pseudo100": (_word_features, _pseudo_scores),
              "title_block": (_title_features, _svm_scores),
              "lsa100": (_lsa_features, _svm_scores),
              "tar_lr": (_bm25_features, _tar_lr_scores),
              "fuse_u4_tar": (_u4_bm25_features, _fuse_u4_tar_scores)}


def candidate_ranker(scorer, k: int):
    """A replay ranker for a candidate, retrained after every k-th decision."""
    import numpy as np

    def ranker(features, labelled, labels, settings, state):
        if "scores" not in state or len(labelled) - state["at"] >= k:
            scores = scorer(features, labelled, labels, settings, state)
            n = features[0].shape[0] if isinstance(features, tuple) else features.shape[0]
            state["scores"] = np.zeros(n, dtype=np.float32) if scores is None else scores
            state["at"] = len(labelled)
        return state["scores"]
    return ranker


def cache_file(cache: Path, model: str, path: Path, variant: str, seed: int, k: int) -> Path:
    return cache / f"{model}_{path.stem}_{variant}_{seed}{'' if k == 1 else f'_k{k}'}.json"


def run_one(model: str, path: Path, variant: str, seed: int, cache: Path, k: int = 1) -> dict:
    from workbench.core.ranking import model_settings, study_text
    from workbench.core.ranking_models import build_model_features
    from workbench.core.simulation import pick_priors, replay
    out = cache_file(cache, model, path, variant, seed, k)
    if out.exists():
        return json.loads(out.read_text(encoding="utf-8"))
    titles, abstracts, labels = make_variant(*read_set(path), variant, seed)
    texts = [study_text(a, b) for a, b in zip(titles, abstracts)]
    t, c = time.perf_counter(), time.process_time()
    if model in CANDIDATES:
        make, scorer = CANDIDATES[model]
        settings = model_settings()
        features = make(titles, abstracts)
        ranker = candidate_ranker(scorer, k)
        state_seed = seed

        def seeded(features, labelled, labels, settings, state):
            state.setdefault("seed", state_seed)
            return ranker(features, labelled, labels, settings, state)
        r = replay(features, labels, pick_priors(labels, seed), settings, seed=seed,
                   ranker=seeded)
    else:
        settings = model_settings(model)
        features = build_model_features(texts, settings)
        if k > 1:
            ranker = (every_k(k) if settings.combine == "stack"
                      else candidate_ranker(_model_scores, k))
        else:
            ranker = None       # retrain after every decision, as `workbench simulate` does
        r = replay(features, labels, pick_priors(labels, seed), settings, seed=seed,
                   ranker=ranker)
    data = {"records": len(labels), "relevant": sum(labels), **r.metrics(),
            "wall": time.perf_counter() - t, "cpu": time.process_time() - c}
    out.write_text(json.dumps(data), encoding="utf-8")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="elas_u4")
    parser.add_argument("--candidate", default="elas_char")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sets", nargs="*", help="set names (e.g. Opiods); default: all five")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--tuned", nargs="*", default=[],
                        help="sets the candidate was tuned on (shown, left out of the verdict)")
    parser.add_argument("--retrain-every", type=int, default=1,
                        help="retrain after every k-th decision (k > 1: a cheaper proxy, "
                             "both models under the same protocol)")
    parser.add_argument("--cache", default="/tmp/workbench-bench-models")
    parser.add_argument("--cached-only", action="store_true")
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    paths = sorted(DATA.glob("*.csv"))
    if args.sets:
        paths = [p for p in paths if any(s in p.stem for s in args.sets)]
    tuned = {p.stem for p in paths if any(s in p.stem for s in args.tuned)}
    k = args.retrain_every
    print(f"{args.candidate} against {args.base}; seeds 0..{args.seeds - 1}; retrain after "
          f"{'every decision' if k == 1 else f'every {k} decisions (proxy)'}; "
          "asreview-insights metrics, priors excluded")
    print(f"{'set':24} {'variant':9} {'n':>5} {'rel':>4} {'tuned':>5} {'WSS@95 base':>11} "
          f"{'cand':>6} {'d':>7} {'WSS@100 d':>9} {'rec@10 d':>8} {'stop rec min':>12} "
          f"{'cpu x':>6} {'runs':>5}")
    confirm, tuned_d = [], []
    for variant in args.variants:
        for path in paths:
            pairs = []
            for seed in range(args.seeds):
                files = [cache_file(cache, m, path, variant, seed, k)
                         for m in (args.base, args.candidate)]
                if args.cached_only and not all(f.exists() for f in files):
                    continue
                pairs.append((run_one(args.base, path, variant, seed, cache, k),
                              run_one(args.candidate, path, variant, seed, cache, k)))
            if not pairs:
                continue
            mean = lambda key, i: statistics.mean(p[i][key] for p in pairs)  # noqa: E731
            d = mean("wss95", 1) - mean("wss95", 0)
            (tuned_d if path.stem in tuned else confirm).append(d)
            stop_min = min(min(p[0]["stop_recall"], p[1]["stop_recall"]) for p in pairs)
            print(f"{path.stem.replace('Cohen_2006_', ''):24} {variant:9} "
                  f"{pairs[0][0]['records']:5} {pairs[0][0]['relevant']:4} "
                  f"{'yes' if path.stem in tuned else 'no':>5} {mean('wss95', 0):11.3f} "
                  f"{mean('wss95', 1):6.3f} {d:+7.3f} "
                  f"{mean('wss100', 1) - mean('wss100', 0):+9.3f} "
                  f"{mean('recall10', 1) - mean('recall10', 0):+8.3f} {stop_min:12.3f} "
                  f"{mean('cpu', 1) / max(mean('cpu', 0), 1e-9):6.1f} {len(pairs):5}",
                  flush=True)
    if confirm:
        wins = sum(d > 0 for d in confirm)
        print(f"not tuned on: mean WSS@95 difference {statistics.mean(confirm):+.3f} over "
              f"{len(confirm)} set x variant rows; candidate ahead in {wins}, behind in "
              f"{sum(d < 0 for d in confirm)}")
    if tuned_d:
        print(f"tuned on: mean WSS@95 difference {statistics.mean(tuned_d):+.3f} over "
              f"{len(tuned_d)} rows")


if __name__ == "__main__":
    main()
