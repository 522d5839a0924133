"""The team at a glance: who does what, how far each reviewer is, how well they agree.

`team_overview(review)` gives, for every person in the codebook's `team:` or
with a sheet, their roles and their progress at each stage, plus per stage
how well the reviewers agree on their decisions so far. `pilot_status`
reports a stage's calibration round (`pilot: N` in the stage): the first N
studies of the stage, which everyone who screens decides before the rest
(they come first in import order); once all have, the agreement on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.core.events import CONSENSUS, is_valid_reviewer

__all__ = ["require_role", "MemberProgress", "PilotStatus", "StageAgreement", "team_overview", "pilot_status"]


@dataclass(frozen=True)
class MemberProgress:
    """One person: roles (empty: no team declared) and {stage: (done, total)} for their roles."""

    name: str
    roles: tuple[str, ...]
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class StageAgreement:
    """Agreement on a stage's decisions so far (studies that at least two reviewers decided)."""

    stage: str
    units: int
    percent: float | None
    kappa: float | None
    kappa_name: str
    label: str
    bulk: int = 0       # of `units`, studies a reviewer's kept decision came from a bulk decision


@dataclass(frozen=True)
class PilotStatus:
    """A stage's calibration round: each screener's progress on it and, when done, agreement."""

    stage: str
    size: int
    done: dict[str, int]
    agreement: StageAgreement | None

    @property
    def waiting_for(self) -> list[str]:
        """Return who has not decided every pilot study yet."""
        return [name for name, n in self.done.items() if n < self.size]


def require_role(review, reviewer: str, role: str) -> None:
    """Refuse a reviewer who lacks a role in the codebook's `team:` (no team: anyone may).

    Raises:
        ReviewError: the codebook lists a team and `reviewer` has not got `role`.
    """
    from workbench.errors import ReviewError
    codebook = review.codebook()
    if codebook.may(reviewer, role):
        return
    who = [n for n in codebook.members(role)]
    roles = codebook.team.get(reviewer)
    has = f"{reviewer}'s roles are {', '.join(roles)}" if roles else \
        f"{reviewer} is not in the codebook's team"
    raise ReviewError(f"{has}; the {role} role belongs to {', '.join(who) or 'nobody'}",
                      path=review.codebook_path,
                      hint=f"add {role!r} to {reviewer}'s roles under `team:` if that is right; "
                      "nothing was recorded")


def _people(review) -> list[str]:
    codebook = review.codebook()
    names = list(codebook.team)
    folder = review.coding
    if folder.is_dir():
        for path in sorted(folder.glob("*.csv")):
            if path.stem != CONSENSUS and is_valid_reviewer(path.stem) and path.stem not in names:
                names.append(path.stem)
    return names


def team_overview(review) -> tuple[list[MemberProgress], list[StageAgreement]]:
    """Return each person's roles and progress, and each stage's agreement so far.

    Raises:
        CodebookError, SheetError: the codebook or a sheet cannot be read.
    """
    from workbench.review.coding import open_coding_session
    from workbench.review.screening import stage_progress
    codebook = review.codebook()
    members = []
    for name in _people(review):
        progress = {}
        if codebook.may(name, "screen"):
            progress = {p.stage: (p.done, p.total) for p in stage_progress(review, name)}
        if codebook.may(name, "code"):
            for stage in codebook.coding_stages():
                coding = open_coding_session(review, name, stage.id).progress()
                progress[stage.id] = (coding.coded, coding.total)
        members.append(MemberProgress(name, codebook.team.get(name, ()), progress))
    agreement = [_agreement(review, stage.id) for stage in codebook.screening_stages()]
    return members, agreement


def pilot_status(review, stage_id: str) -> PilotStatus | None:
    """Return the calibration round of a screening stage, or None when it has none.

    The pilot studies are the first `pilot` studies of the stage in import
    order (for a later stage, of the studies that passed the one before).
    The screeners are the team members with the screen role, or, without a
    team, everyone with a sheet.
    """
    from workbench.review.screening import open_session
    stage = review.codebook().stage(stage_id)
    if stage is None or stage.pilot <= 0:
        return None
    codebook = review.codebook()
    screeners = list(codebook.members("screen")) or _people(review)
    done: dict[str, int] = {}
    pilot: list[str] = []
    for name in screeners:
        session = open_session(review, name, stage_id)
        ids = [s.id for s in session.studies[:stage.pilot]]
        pilot = pilot or ids
        done[name] = sum(1 for sid in ids if session.decision(sid))
    size = len(pilot)
    finished = bool(done) and all(n >= size for n in done.values()) and size > 0
    agreement = _agreement(review, stage_id, set(pilot), screeners) if finished else None
    return PilotStatus(stage_id, size, done, agreement)


def _agreement(review, stage_id: str, studies: set[str] | None = None,
               coders: list[str] | None = None) -> StageAgreement:
    """Percent agreement and Cohen's (two coders) or Fleiss' kappa on a stage's decisions."""
    import pandas as pd

    from workbench.core.agreement.measures import cohen_kappa, fleiss_kappa, percent_agreement
    from workbench.core.events import SheetState
    from workbench.core.screening import NOT_RETRIEVED
    from workbench.review.all_sheets import read_sheets
    from workbench.review.bulk import BULK_NOTE
    sheets = read_sheets(review)
    columns = {}
    bulk: set[str] = set()
    for name, events in sheets.reviewers.items():
        if coders is not None and name not in coders:
            continue
        state = SheetState(e for e in events if e.stage == stage_id)
        values = {sid: state.value(stage_id, sid, "decision") for sid in state.studies(stage_id)}
        # A not_retrieved mark is no eligibility decision: agreement leaves it out
        # (core.agreement.audit.drop_not_retrieved), so "so far" matches `workbench agreement`.
        values = {sid: v for sid, v in values.items()
                  if v and v != NOT_RETRIEVED and (studies is None or sid in studies)}
        if values:
            columns[name] = values
        bulk.update(sid for sid in values
                    if state.latest(stage_id, sid, "decision").note.startswith(f"{BULK_NOTE}:"))
    matrix = pd.DataFrame(columns).dropna(thresh=2) if columns else pd.DataFrame()
    if len(matrix.columns) < 2 or matrix.empty:
        return StageAgreement(stage_id, 0, None, None, "", "no study decided by two reviewers yet")
    matrix = matrix.astype(object).where(matrix.notna(), None)
    percent = percent_agreement(matrix, n_resamples=0)
    two = len(matrix.columns) == 2
    kappa = (cohen_kappa if two else fleiss_kappa)(matrix, n_resamples=0)
    return StageAgreement(stage_id, int(len(matrix)), percent.value, kappa.value,
                          "Cohen's kappa" if two else "Fleiss' kappa",
                          kappa.label if kappa.value is not None else kappa.reason,
                          len(bulk.intersection(matrix.index)))
