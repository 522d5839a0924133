"""A small review for the coding tests: shipped codebook, six studies, some included."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.review import Review
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import sheet_path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "coding"
S = "Sda3dfc03-{:04d}".format
#: Included at both stages by alice and bob (the codebook needs two reviewers).
INCLUDED = [S(1), S(3), S(5)]


def screen(review: Review, reviewer: str, stage: str, decisions: dict[str, str]) -> None:
    """Write screening decisions through the sheet API."""
    codebook = review.codebook()
    sheet = Sheet.open(sheet_path(review.coding, reviewer), reviewer, codebook.version)
    for study_id, decision in decisions.items():
        criteria = ["E1"] if decision == "exclude" else []
        sheet.record_screening(codebook, stage, study_id, decision, criteria)


def build_review(path: Path, extra_fields: str = "") -> Path:
    """Make the review at `path`; `extra_fields` is YAML appended to the codebook's fields."""
    for name in ("references", "coding", "exports"):
        (path / name).mkdir(parents=True, exist_ok=True)
    text = (REPO / "codebook.yaml").read_text(encoding="utf-8")
    if extra_fields:
        text = text.replace("\n# -- Repeatable groups", extra_fields + "\n# -- Repeatable groups")
    (path / "codebook.yaml").write_text(text, encoding="utf-8")
    review = Review.open(path)
    review.import_references([DATA / "search.ris"], database="Scopus")
    ta = {S(1): "include", S(2): "exclude", S(3): "include", S(4): "exclude",
          S(5): "include", S(6): "include"}
    ft = {S(1): "include", S(3): "include", S(5): "include"}
    for reviewer in ("alice", "bob"):
        screen(review, reviewer, "title_abstract", ta)
        screen(review, reviewer, "full_text", ft)
    screen(review, "alice", "full_text", {S(6): "include"})  # bob has not decided: pending
    review.studies()
    return path


#: Fields of the types the shipped codebook lacks (integer, date, text).
EXTRA_FIELDS = """  - id: sample_size
    label: Sample size
    type: integer
    min: 1
  - id: published
    label: Publication date
    type: date
  - id: country
    label: Country
    type: text
"""


def copy_review(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target
