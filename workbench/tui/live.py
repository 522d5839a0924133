"""Live updates: a running app sees what changes in the review folder on disk.

`DiskWatcher` polls the review's sheets, duplicate answers, full-text links,
imports and codebook every POLL seconds (`workbench.review.watch`: a few
stats, no reading), tells the Review to forget what it read from files that
changed, and posts `ReviewChanged` to the screen on top. Screens that show
something those files decide handle `on_review_changed`: the home counts, the
conflicts list, and a screening stage whose work list depends on other
people's decisions or on the duplicate groups. The reviewer's own files are
announced apart (`ReviewChanged.own`): this app writes them itself, so a
screen reads its own sheet again only when the sheet says another process
(a CLI command such as `workbench fulltext not-retrieved`) appended to it
(`Sheet.changed_on_disk`).
"""

from __future__ import annotations

from textual.message import Message

from workbench.review.watch import changed, signature

#: Seconds between two looks at the folder.
POLL = 2.0


class ReviewChanged(Message):
    """Files of the review changed on disk (review-relative paths).

    `paths` leaves out the reviewer's own files; `own` lists those of them that
    changed (by this app's own writes, or by another process).
    """

    def __init__(self, paths: list[str], own: list[str] | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.own = own or []


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
        mine = own_files(self.app.reviewer)
        every = changed(self.last, now)
        paths = [p for p in every if p not in mine]
        own = [p for p in every if p in mine]
        self.last = now
        if paths or own:
            self.app.review.forget(paths)
            self.app.screen.post_message(ReviewChanged(paths, own))
        return paths


def own_sheet_changed(event: ReviewChanged, sheet) -> bool:
    """Return True when the reviewer's sheet that `sheet` (a Sheet) holds was appended to
    by another process since it was read (a CLI command run while the app is open)."""
    return any(sheet.path.as_posix().endswith("/" + p) for p in event.own) \
        and sheet.changed_on_disk()


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
