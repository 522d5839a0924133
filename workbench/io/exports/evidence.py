"""The evidence table: every quote tied to a code (or field), by study and page, for the paper.

Built from the annotations table (memo/evidence/passage rows): quotes typed
with `e` (a quote and a page) and passages selected in the full text (a quote,
its page, offsets and the file's SHA-256). One row per quote, ordered by the
codebook's order of codes and fields, then study, page and position, so a
results section can cite "code X: study (year), p. N: '...'" straight from it.

`code_ticked` says whether the coder has the quote's code ticked for that study
("yes"/"no"; "" for a field's passage). Saving a quote ticks its code, but a
sheet can hold a quote for an unticked code (an older sheet, a code unticked
after its quote, a hand edit): such a quote is kept, never dropped, and marked
"no" so the evidence and the coded dataset can be told apart.
"""

from __future__ import annotations

import pandas as pd

from workbench.io.exports.decisions import EVIDENCE, PASSAGE

EVIDENCE_FILE = "evidence.csv"
EVIDENCE_COLUMNS = ("target_kind", "target", "label", "study_id", "study", "coder", "quote",
                    "page", "start", "end", "file_sha256", "code_ticked")


def _study_label(row) -> str:
    authors = str(row.get("authors", "") or "")
    first = authors.split(";")[0].strip()
    surname = first.split(",")[0].strip() if "," in first else (first.split() or [""])[-1]
    year = str(row.get("year", "") or "n.d.")
    return f"{surname} ({year})" if surname else f"({year})"


def ticked_codes(latest: pd.DataFrame, stage_id: str, studies, resolve_code=None) -> set:
    """Return {(study_id, sheet, code id)} of the codes each sheet has ticked at a stage.

    Args:
        latest: `latest_values` of every sheet (columns sheet, stage, study_id, field, value).
        stage_id: the coding stage.
        studies: the studies to look at (those with evidence: few).
        resolve_code: maps an old code id to its current one (codebook renames).
    """
    from workbench.core.screening import split_ids
    from workbench.io.exports.decisions import SHEET
    wanted = list(studies)
    if not wanted or not len(latest):
        return set()
    part = latest[latest["study_id"].isin(wanted).to_numpy()]
    part = part[(part["stage"] == stage_id).to_numpy()
                & part["field"].astype(str).str.startswith("code:").to_numpy()]
    resolve = resolve_code or (lambda code: code)
    return {(study, sheet, resolve(code))
            for study, sheet, value in zip(part["study_id"].tolist(), part[SHEET].tolist(),
                                           part["value"].tolist())
            for code in split_ids(value)}


def evidence_table(codebook, annotations: pd.DataFrame, bib: pd.DataFrame,
                   ticked: set | None = None) -> pd.DataFrame:
    """Return one row per evidence quote: code or field, study, coder, quote, page, position.

    Args:
        codebook: the review's codebook (labels and order).
        annotations: the annotations table (`coding_annotations`).
        bib: the included studies (`study_table`), for "First author (year)".
        ticked: `ticked_codes` of the quoted studies (None: code_ticked left empty).
    """
    labels = {("code", cid): code.label or cid
              for cid, (_, code) in codebook.code_index().items()}
    labels.update({("field", f.id): f.label or f.id for f in codebook.fields})
    rank = {key: i for i, key in enumerate(labels)}
    records = annotations.to_dict("records")
    # Labels of the studies that have evidence only: a row dict per included study
    # costs seconds on a large review (pandas 3 str columns give cells one by one).
    quoted = {r["study_id"] for r in records if r["kind"] in (EVIDENCE, PASSAGE)}
    part = bib[bib["study_id"].isin(quoted)] if quoted else bib.iloc[:0]
    studies = {r["study_id"]: _study_label(r) for r in part.to_dict("records")}
    rows = []
    for r in records:
        if r["kind"] == EVIDENCE:
            kind, target = "code", r["target"]
        elif r["kind"] == PASSAGE:
            kind, _, target = r["target"].partition(":")
        else:
            continue
        rows.append({"target_kind": kind, "target": target,
                     "label": labels.get((kind, target), target), "study_id": r["study_id"],
                     "study": studies.get(r["study_id"], ""), "coder": r["coder"],
                     "quote": r["text"], "page": r["page"], "start": r["start"], "end": r["end"],
                     "file_sha256": r["file_sha256"],
                     "code_ticked": "" if kind != "code" or ticked is None else
                     "yes" if (r["study_id"], r["coder"], target) in ticked else "no"})

    def key(row):
        page = int(row["page"]) if str(row["page"]).isdigit() else 0
        start = int(row["start"]) if str(row["start"]).isdigit() else 0
        return (rank.get((row["target_kind"], row["target"]), len(rank)), row["target"],
                row["study"], row["study_id"], page, start, row["coder"])

    rows.sort(key=key)
    return pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS), dtype=object)

