"""How each reviewer screened, for the export's methods: order used and the stopping test.

`screening_methods` reports, per reviewer sheet and screening stage, whether
prioritised screening was used (and with which model) and what the stopping
test found. The export counts it on its events frame (`_methods_from_frame`);
without one it builds a SheetState per reviewer (`figures_from_state`), the
path the tests compare the frame path with.
"""

from __future__ import annotations

from workbench.core import stopping
from workbench.core.events import SheetState
from workbench.core.screening import DECISION
from workbench.review.prioritise import (MODEL_DESCRIPTIONS, PRIORITISED, RELEVANT,
                                         figures_from_state, stopping_estimate)


def screening_methods(review, events=None) -> list[dict]:
    """Return, per reviewer sheet and screening stage, the order used and how screening stopped.

    For the export's metadata and README (the methods section): whether
    prioritised screening was used (and with which model), and the stopping
    test's result.

    Args:
        review: the open Review.
        events: the export's frame of every sheet's events (columns time,
            study_id, stage, field, value and the sheet name in "sheet"),
            the review's aliases applied; None reads the sheets (a SheetState
            per reviewer: the path the tests compare this one with).
    """
    from workbench.core.events import CONSENSUS
    from workbench.store.sheet import read_sheet
    from workbench.store.sheet_checks import sheet_files
    if events is not None:
        return _methods_from_frame(review, events)
    stages = review.codebook().screening_stages()
    states: dict[str, SheetState] = {}
    for path in sheet_files(review.coding):
        if path.stem != CONSENSUS:
            states[path.stem] = SheetState(read_sheet(path, review.aliases()).events)
    out = []
    for name, state in states.items():
        for stage in stages:
            figures = figures_from_state(state, stage)
            if not figures.decided:
                continue
            orders = sorted({cell[stopping.ORDER_FIELD].value for (st, _), cell in state.items()
                             if st == stage.id and stopping.ORDER_FIELD in cell})
            out.append(_method(name, stage, orders, figures.decided, figures.relevant,
                               figures.estimate))
    return out


def _method(name: str, stage, orders: list[str], decided: int, relevant: int,
            estimate: stopping.StoppingEstimate) -> dict:
    """One reviewer's screening method at one stage (an item of `screening_methods`)."""
    prioritised = [o for o in orders if o.startswith(PRIORITISED)]
    if prioritised:
        model = prioritised[-1].split(" ", 1)[-1]
        order = f"prioritised screening ({MODEL_DESCRIPTIONS.get(model, model)})"
    else:
        order = "not prioritised (import order)"
    stopped = (f"{stopping.METHOD}: {estimate.describe()}" if estimate.sample_size
               else "no stopping test recorded")
    return {"reviewer": name, "stage": stage.id, "order": order,
            "orders_recorded": orders, "decided": decided,
            "relevant": relevant, "stopping": stopped,
            "stopping_confidence": round(estimate.confidence, 4)
            if estimate.sample_size and estimate.screened else None}


def _methods_from_frame(review, events) -> list[dict]:
    """`screening_methods` on the export's events frame, counted in bulk.

    The same figures as a SheetState per reviewer (`figures_from_state`): the
    latest decision, order and sample value of each (sheet, stage, study); the
    decisions are counted on columns, and only the few order and stopping-test
    values (with the decisions of the sampled studies) become Events for
    `stopping_estimate`.
    """
    import numpy as np
    import pandas as pd

    from workbench.core.events import CONSENSUS, Event
    stages = review.codebook().screening_stages()
    ids = [s.id for s in stages]
    fields = [DECISION, stopping.ORDER_FIELD, stopping.SAMPLE_FIELD]
    keep = events["stage"].isin(ids).to_numpy() & events["field"].isin(fields).to_numpy()
    rows = events[keep]
    rows = rows[rows["sheet"].to_numpy(dtype=object) != CONSENSUS]
    latest = rows.drop_duplicates(["sheet", "stage", "study_id", "field"], keep="last")
    sheet = latest["sheet"].to_numpy(dtype=object)
    stage_col = latest["stage"].to_numpy(dtype=object)
    field = latest["field"].to_numpy(dtype=object)
    value = latest["value"].to_numpy(dtype=object)
    study = latest["study_id"].to_numpy(dtype=object)
    times = latest["time"].to_numpy(dtype=object)
    is_decision = field == DECISION
    decided = is_decision & (value != "")
    relevant = decided & pd.Index(value).isin(list(RELEVANT))
    is_order = field == stopping.ORDER_FIELD
    is_sample = field == stopping.SAMPLE_FIELD
    out = []
    for name in sorted(set(sheet.tolist())):
        mine = sheet == name
        for stage in stages:
            here = mine & (stage_col == stage.id)
            n_decided = int(np.count_nonzero(decided & here))
            if not n_decided:
                continue
            orders = sorted(set(value[is_order & here].tolist()))
            sampled = is_sample & here
            small = sampled
            if sampled.any():
                wanted = pd.Index(study[sampled]).unique()
                small = sampled | (is_decision & here & pd.Index(study).isin(wanted))
            state = SheetState(Event(t, name, sid, stage.id, f, v) for t, sid, f, v in zip(
                times[small].tolist(), study[small].tolist(), field[small].tolist(),
                value[small].tolist()))
            out.append(_method(name, stage, orders, n_decided,
                               int(np.count_nonzero(relevant & here)),
                               stopping_estimate(state, stage.id)))
    return out
