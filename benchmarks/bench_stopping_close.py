"""What the stopping close costs a review where nobody closed screening (the usual case).

Run: PYTHONPATH=. python benchmarks/bench_stopping_close.py
Prints CPU ms of `stopped_studies` (the export) on a 1.5M-row latest-values frame
(100k studies, the size of /tmp/r22c) with no `stopped` mark, as a ratio to
`latest_values` on the same frame measured in the same run, and of `stopped_by`
(the full-text work list) over 2 sheets of 100k cells.
"""
import time, numpy as np, pandas as pd
from types import SimpleNamespace
from workbench.review.stopping_close import stopped_studies
n = 1_500_000
rng = np.random.default_rng(0)
stages = np.where(rng.random(n) < 0.6, "title_abstract", "full_text").astype(object)
fields = rng.choice(np.array(["decision", "criteria", "note", "code:x"], dtype=object), n)
latest = pd.DataFrame({"sheet": rng.choice(np.array(["alice", "bob"], dtype=object), n),
                       "stage": stages, "study_id": np.array([f"S{i % 100000:06d}" for i in range(n)], dtype=object),
                       "field": fields, "value": np.full(n, "exclude", dtype=object)})
stage = SimpleNamespace(id="title_abstract", reviewers=2)
t = time.process_time(); stopped_studies(latest, stage, {}, "consensus"); a = time.process_time() - t
t = time.process_time(); latest.drop_duplicates(["sheet", "stage", "study_id", "field"], keep="last"); b = time.process_time() - t
print(f"stopped_studies, no marks, 1.5M rows: {a*1000:.0f} ms CPU; latest_values on the same frame (baseline): {b*1000:.0f} ms CPU; ratio {a/b:.2f}")
cells = {("title_abstract", f"S{i:06d}"): {"decision": 1} for i in range(100000)}
class St:
    def items(self): return cells.items()
from workbench.review.stopping_close import stopped_by
t = time.process_time(); stopped_by({"alice": St(), "bob": St()}, "title_abstract"); c = time.process_time() - t
print(f"stopped_by, 2 sheets x 100k cells: {c*1000:.0f} ms CPU")
