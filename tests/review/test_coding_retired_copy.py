"""`p` (copy the previous study's codes) with a code retired from the codebook.

After the w7 fix a retired code stays saved when other codes are ticked; copying
codes must neither spread the retired code to another study nor drop the one the
target study already has (before: the copy was refused, "code ... is not one of
its codes").
"""

from __future__ import annotations

from tests.review.coding_fixture import S, build_review
from workbench.core.events import SheetState
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.store.sheet import read_sheet

INSTAGRAM = '      - id: instagram\n        label: Instagram\n        examples: ["#ClimateActionPK"]\n'


def codes(root, study):
    state = SheetState(read_sheet(root / "coding" / "carol.csv").events)
    event = state.fields("coding", study).get("code:platforms")
    return event.value if event is not None else None


def test_copying_codes_neither_spreads_nor_drops_a_retired_code(tmp_path):
    root = build_review(tmp_path / "review")
    session = open_coding_session(Review.open(root), "carol")
    session.set_codes(S(1), "platforms", ["twitter", "instagram"])
    session.set_codes(S(3), "platforms", ["instagram"])
    path = root / "codebook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(INSTAGRAM, ""), encoding="utf-8")

    session = open_coding_session(Review.open(root), "carol")
    assert session.copy_codes(S(1), S(3)) >= 1
    assert codes(root, S(3)) == "twitter;instagram"     # S(3)'s own instagram kept
    assert session.copy_codes(S(1), S(5)) >= 1
    assert codes(root, S(5)) == "twitter"               # not spread to S(5)
    assert codes(root, S(1)) == "twitter;instagram"
