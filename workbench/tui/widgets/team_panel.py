"""TeamPanel: on the home screen, everyone's progress per stage, agreement so far, pilot rounds.

The same figures as `workbench team` (workbench.review.team), read in a thread
worker when mounted and whenever the review changes on disk. Hidden while the
review has a single reviewer and no team.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from workbench.core.wording import plural
from workbench.errors import WorkbenchError
from workbench.review.team import pilot_status, team_overview
from workbench.tui.loading import bulk_loading


def agreement_words(a) -> str:
    """"85% (Cohen's kappa 0.44)" or why there is no figure yet."""
    if a.percent is None:
        return a.label
    kappa = "undefined" if a.kappa is None else f"{a.kappa:.2f}"
    bulk = f"; {a.bulk:,} decided in bulk by a reviewer" if a.bulk else ""
    return f"{a.percent:.0%} ({a.kappa_name} {kappa}, {plural(a.units, 'study')}{bulk})"


def team_text(members, agreement, pilots) -> Text:
    """Return the panel's text ("" when there is no one to compare)."""
    text = Text()
    if len(members) < 2:
        return text
    text.append("Team\n", style="bold")
    for m in members:
        roles = f" ({', '.join(m.roles)})" if m.roles else ""
        stages = " · ".join(f"{stage} {done}/{total}" for stage, (done, total)
                            in m.progress.items())
        text.append(f"  {m.name}{roles}: {stages or 'no stage of their roles'}\n")
    for a in agreement:
        text.append(f"  Agreement so far at {a.stage}: {agreement_words(a)}\n", style="dim")
    for p in pilots:
        if p.agreement is None:
            waiting = ", ".join(f"{n} {p.done[n]}/{p.size}" for n in p.waiting_for)
            text.append(f"  Pilot round at {p.stage}: waiting for {waiting}\n", style="italic")
        else:
            text.append(f"  Pilot round at {p.stage} done: {agreement_words(p.agreement)}\n",
                        style="bold")
    return text


class TeamPanel(Static):
    """Everyone's progress, agreement so far and pilot rounds (see `workbench team`)."""

    class Figures(Message):
        def __init__(self, text: Text) -> None:
            super().__init__()
            self.text = text

    def __init__(self, review, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.review = review

    def on_mount(self) -> None:
        self.display = False
        self.read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team-panel")
    def read(self) -> None:
        """Read the figures again (in a thread)."""
        try:
            with bulk_loading():
                members, agreement = team_overview(self.review)
                pilots = [p for s in self.review.codebook().screening_stages()
                          if (p := pilot_status(self.review, s.id)) is not None]
        except WorkbenchError:
            return          # the home screen reports sheet and codebook problems itself
        self.post_message(self.Figures(team_text(members, agreement, pilots)))

    def on_team_panel_figures(self, event: Figures) -> None:
        event.stop()
        self.display = bool(event.text.plain)
        self.update(event.text)
