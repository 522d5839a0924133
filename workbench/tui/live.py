"""Live updates: a running app sees what changes in the review folder on disk.

`DiskWatcher` polls the review's sheets, duplicate answers, full-text links,
imports and codebook every POLL seconds (`workbench.review.watch`: a few
stats, no reading), tells the Review to forget what it read from files that
changed, and posts `ReviewChanged` to the screen on top. Screens that show
something those files decide handle `on_review_changed`: the home counts, the
conflicts list, and a screening stage whose work list depends on other
people's decisions or on the duplicate groups. The reviewer's own files,
written by this app, are left out: the screens already show those changes.
"""

from __future__ import annotations

from textual.message import Message

from workbench.review.watch import changed, signature

#: Seconds between two looks at the folder.
POLL = 2.0


class ReviewChanged(Message):
    """Files of the review changed on disk (review-relative paths, the app's own left out)."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__()
        self.paths = paths


def own_files(reviewer: str | None) -> set[str]:
    """Return the review-relative files this app's reviewer writes."""
    if not reviewer:
        return set()
    return {f"coding/{reviewer}.csv", f"coding/duplicates/{reviewer}.csv",
            f"coding/fulltext/{reviewer}.csv"}


class DiskWatcher:
    """Polls a review folder for an app and posts ReviewChanged to its current screen."""

    def __init__(self, app) -> None:
        self.app = app
        self.last = signature(app.review.root)

    def start(self) -> None:
        """Start polling (call once the app has its Review)."""
        self.app.set_interval(POLL, self.poll, name="review-watch")

    def poll(self) -> list[str]:
        """Look once; forget and announce what changed. Returns the changed paths."""
        now = signature(self.app.review.root)
        paths = [p for p in changed(self.last, now) if p not in own_files(self.app.reviewer)]
        self.last = now
        if paths:
            self.app.review.forget(paths)
            self.app.screen.post_message(ReviewChanged(paths))
        return paths


def others_decide(paths: list[str], stage_has_source: bool) -> bool:
    """Return True when changed files can change a screening stage's work list.

    Imports and duplicate answers change the studies at every stage; at a stage
    fed by another one, other people's decisions and the consensus choose the
    studies that pass (the first stage shows every study).
    """
    return any(p.startswith(("references/", "coding/duplicates/")) or p == "codebook.yaml"
               or (stage_has_source and p.startswith("coding/") and p.endswith(".csv")
                   and p.count("/") == 1)
               for p in paths)
