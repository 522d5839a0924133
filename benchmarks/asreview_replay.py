"""Run ASReview's own simulation (its default model, ELAS u4) with given priors; print JSON.

Run with the Python of a separate environment that has asreview installed
(bench_prioritise.py does this); the workbench never imports asreview.

    /tmp/asr/bin/python benchmarks/asreview_replay.py DATA.csv SEED RELEVANT_ROW IRRELEVANT_ROW
"""

import json
import sys
from pathlib import Path

import numpy as np


def main(path: str, seed: int, priors: list[int]) -> None:
    import asreview
    from asreview import load_dataset
    from asreview.learner import ActiveLearningCycle
    from asreview.models.models import get_ai_config
    from asreview.models.queriers import TopDown
    from asreview.models.stoppers import IsFittable, LastRelevant
    from asreview.simulation.simulate import Simulate

    np.random.seed(seed)                      # as `asreview simulate --seed` does
    store = load_dataset(path, dataset_id=Path(path).name)
    data = getattr(store, "input", store)     # asreview 3 wraps the store; 2.x returns it
    cycles = [ActiveLearningCycle(querier=TopDown(), stopper=IsFittable()),
              ActiveLearningCycle.from_meta(get_ai_config("elas_u4")["value"])]
    labels = data["included"]
    sim = Simulate(data.get_df(), labels, cycles, stopper=LastRelevant(),
                   print_progress=False)
    sim.label(priors)
    sim.review()
    order = [int(r) for r in sim._results["record_id"].tolist()]
    print(json.dumps({"asreview": asreview.__version__, "seed": seed, "priors": priors,
                      "n": int(len(labels)), "order": order,
                      "labels": [int(v) for v in labels]}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), [int(sys.argv[3]), int(sys.argv[4])])
