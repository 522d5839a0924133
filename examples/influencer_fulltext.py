"""Give the influencer-advocacy example its full text and code three passages from it.

    .venv/bin/python examples/influencer_fulltext.py                 # the shipped example
    .venv/bin/python examples/influencer_fulltext.py /tmp/copy SEED  # a copy, another seed path

The example's one study is the web case study the project's seed
`../shared/seeds/000_f35f4ee003a1555a.txt` is the text of. The script links that
text as the study's full text (`workbench fulltext link` does the same: the
file is copied to fulltext/, the link appended to coding/fulltext/alice.csv),
has alice and bob include the study at screening, and has alice code three
approaches from the text with the passage each rests on (the bullet that
names the approach), through the same functions the coding screen calls.
Nothing is invented: every quote is the text's own, found by its words.

The script refuses to run on a review whose coding/ already holds sheets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.evidence import add_passage
from workbench.review.fulltext import link_file, open_fulltext
from workbench.review.screening import open_session

HERE = Path(__file__).resolve().parent
SEED = Path("..") / "shared" / "seeds" / "000_f35f4ee003a1555a.txt"

#: Code -> the words that start the bullet it rests on.
PASSAGES = {"raising_awareness": "- Raising Awareness:",
            "advocating_change": "- Advocating for Change:",
            "supporting_charities": "- Supporting Charities and Initiatives:"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("review", nargs="?", default=str(HERE / "influencer-advocacy"))
    parser.add_argument("seed", nargs="?", default=str(SEED),
                        help="the seed case study (relative to where you run this)")
    args = parser.parse_args()
    review = Review.open(args.review)
    if any(review.coding.glob("*.csv")) or (review.coding / "fulltext").exists():
        print(f"{review.coding} already holds sheets; run this on a fresh copy", file=sys.stderr)
        return 1
    seed = Path(args.seed)
    if not seed.is_file():
        print(f"{seed}: no such file (the seed lives in ../shared/seeds)", file=sys.stderr)
        return 1
    [study] = review.studies()
    link_file(review, seed, study.id, "alice")
    for reviewer in ("alice", "bob"):
        session = open_session(review, reviewer, "screening")
        session.record(study.id, "include", ("I1", "I2"))
    coding = open_coding_session(review, "alice")
    extraction = open_fulltext(review, study.id)
    text = extraction.pages[0].text
    for code, words in PASSAGES.items():
        start = text.index(words)
        end = text.index("\n", start)
        coding.toggle_code(study.id, "approaches", code)
        add_passage(coding, study.id, "code", code, extraction, 1, start, end)
    print(f"linked {seed} to {study.id}; alice coded {len(PASSAGES)} approaches from it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
