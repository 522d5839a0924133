"""One reviewer's own flow (`workbench export --reviewer NAME`): reports that never reached her.

The reviewer source takes her decisions only, by design: her export is what
her sheet says. At a stage screened by two or more reviewers, though, her
work list of the next stage is chosen by the team's decisions (the consensus
rule, `review.screening.passed_studies`). A study she included at title and
abstract that the team excluded there never reaches her at full text, so her
own flow sends a report on that she could not assess. Her export keeps it
apart as "not screened by this reviewer" at that stage (PRISMA
`reports_not_screened`), says so in a warning and in export_metadata.json,
and is not refused for it; a report that did reach her work list and that she
has not assessed is still unfinished work, and the export still refuses.
"""

from __future__ import annotations

from workbench.core.events import CONSENSUS
from workbench.core.prisma import FINAL, PASSED_ON, PENDING
from workbench.core.wording import plural

#: How many study ids the warning names (export_metadata.json lists every one).
NAMED = 5


def reports_not_reached(latest, stages, finals) -> set[str]:
    """Return the studies her decisions send to the last stage that she never decided there
    and that the team's decisions did not send there (so they never reached her).

    Args:
        latest: `latest_values` of every sheet.
        stages: the screening stages in codebook order.
        finals: [(stage id, study id -> FinalDecision)] of the reviewer source, same order.
    """
    from workbench.io.exports.decisions import final_screening
    if len(stages) < 2:
        return set()
    *earlier, _ = stages
    sent = None
    for _, mine in finals[:-1]:
        passed = {sid for sid, d in mine.items() if d.status == FINAL and d.decision in PASSED_ON}
        sent = passed if sent is None else sent & passed
    last = finals[-1][1]
    waiting = {sid for sid in sent or () if (d := last.get(sid)) is None or d.status == PENDING}
    out: set[str] = set()
    for stage in earlier:
        if not waiting or stage.reviewers <= 1:   # one reviewer: her own decision chose
            continue
        team = final_screening(latest, stage, CONSENSUS)
        kept = {sid for sid in waiting if (d := team.get(sid)) is not None
                and d.status == FINAL and d.decision in PASSED_ON}
        out |= waiting - kept
    return out


def describe_not_screened(reviewer: str, stage_id: str, studies: set[str]) -> str:
    """The export's warning about those studies (empty when there are none)."""
    if not studies:
        return ""
    ids = sorted(studies)
    named = ", ".join(ids[:NAMED]) + (f" and {len(ids) - NAMED} more" if len(ids) > NAMED
                                      else "")
    return (f"{plural(len(ids), 'study')} {reviewer}'s own decisions send to {stage_id} "
            f"{'was' if len(ids) == 1 else 'were'} never screened by {reviewer} at {stage_id}: "
            "the team's decisions did not send "
            f"{'it' if len(ids) == 1 else 'them'} on, so {reviewer}'s work list never showed "
            f"{'it' if len(ids) == 1 else 'them'} ({named}). This export shows "
            f"{'it' if len(ids) == 1 else 'them'} as not screened at {stage_id} "
            "(PRISMA: 'Reports not screened by this reviewer', prisma_studies.csv box "
            "reports_not_screened; export_metadata.json, `not_screened`), not included")
