"""Time the export's coding consensus (`resolve_coding`) and the conflict count on a
synthetic coding stage shaped like bench_export.py's (two coders, five dimensions'
worth of codes and fields, one campaign row each, a consensus value on 1 study in 9).

Usage: .venv/bin/python benchmarks/bench_consensus_rule.py [N] [OLD_MODULE.py]

N studies (default 20000). With OLD_MODULE.py (an older io/exports/decisions.py,
e.g. `git show REV:workbench/io/exports/decisions.py > /tmp/old.py`) the same
frame is also resolved by that module's `resolve_coding` in the same run, and the
ratio is printed, so a loaded machine does not fake a regression.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.events import Event, SheetState  # noqa: E402
from workbench.io.codebook_yaml import load_codebook  # noqa: E402
from workbench.io.exports.decisions import events_frame, latest_values, resolve_coding  # noqa: E402


def frame(n: int) -> tuple[pd.DataFrame, dict]:
    sheets: dict[str, list[tuple]] = {"alice": [], "bob": [], "consensus": []}
    t = 0
    for i in range(n):
        sid = f"S{i:07d}"
        for who in ("alice", "bob"):
            def ev(field, value):
                nonlocal t
                t += 1
                sheets[who].append((f"2025-01-01T00:{t // 60_000_000 % 60:02d}:"
                                    f"{t // 1_000_000 % 60:02d}.{t % 1_000_000:06d}Z", who, sid,
                                    "coding", field, value, "", "v"))
            ev("code:platforms", "twitter;facebook" if i % 2 else "twitter")
            ev("code:policy_results", "legislative_change" if who == "alice" or i % 9
               else "policy_review")
            ev("field:source_type", "peer_reviewed")
            ev("field:youth_focus", "true" if i % 3 else "")
            rid = f"{who[0]}{i:07x}"
            ev(f"row:campaign:{rid}", "1")
            ev(f"row:campaign:{rid}:name", f"#c{i % 500}")
            ev(f"row:campaign:{rid}:hashtag_reach", "" if i % 5 == 0 else f"{i % 13}.5")
            ev(f"row:campaign:{rid}:engagement_rate", f"{i % 7}.2")
        if i % 9 == 0:
            sheets["consensus"].append(("2025-02-01T00:00:00.000000Z", "lead", sid, "coding",
                                        "code:policy_results", "legislative_change", "", "v"))
    latest = latest_values(pd.concat([events_frame(rows, name) for name, rows in sheets.items()],
                                     ignore_index=True))
    return latest, sheets


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    codebook = load_codebook(REPO / "codebook.yaml")
    stage = codebook.stage("coding")
    latest, sheets = frame(n)
    ids = pd.Index(sorted(latest["study_id"].unique()))
    start = time.perf_counter()
    values, rows, unresolved = resolve_coding(latest, stage, "consensus", ids, codebook)
    new = time.perf_counter() - start
    print(f"resolve_coding (one consensus rule): {new:.2f} s for {n:,} studies; "
          f"{len(values):,} values, {len(rows):,} row lines, {len(unresolved):,} not agreed")
    if len(sys.argv) > 2:
        spec = importlib.util.spec_from_file_location("old_export_decisions", sys.argv[2])
        old_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(old_module)
        start = time.perf_counter()
        old_module.resolve_coding(latest, stage, "consensus", ids)
        old = time.perf_counter() - start
        print(f"resolve_coding (before, {sys.argv[2]}): {old:.2f} s; ratio new/old "
              f"{new / old:.2f}")
    from workbench.core.consensus import coding_consensus, quick_agreed
    states = {name: SheetState(Event(*r) for r in rows) for name, rows in sheets.items()}
    start = time.perf_counter()
    skipped = 0
    for sid in ids[: min(n, 5000)]:
        cells = {name: st.fields("coding", sid) for name, st in states.items()}
        cells = {k: v for k, v in cells.items() if v}
        if quick_agreed(cells, 2):
            skipped += 1
            continue
        coding_consensus(codebook, "coding", sid, cells, 2)
    per = (time.perf_counter() - start) / min(n, 5000) * 1e6
    print(f"conflict count per coded study: {per:.0f} us ({skipped} of {min(n, 5000)} "
          "skipped by the quick check)")


if __name__ == "__main__":
    main()
