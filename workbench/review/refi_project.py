"""The review as a REFI-QDA project: gathers studies, texts, codings and passages for the export.

`write_project` is called by `workbench export` and writes exports/review.qdpx
(see `workbench.io.refi_project`). A study's text is its linked full text (the
cached extraction of the linked file, so the saved passage offsets fit it),
else its title and abstract. A passage is placed only in the text it was coded
from (same file SHA-256, page in range, offsets inside the page); any other is
named in the returned warnings (it stays in annotations.csv).
"""

from __future__ import annotations

import logging

from workbench.core.screening import split_ids
from workbench.errors import WorkbenchError
from workbench.io.exports.decisions import SHEET
from workbench.io.refi_project import (PAGE_JOIN, ProjectSource, Selection,
                                       write_project_qdpx)

log = logging.getLogger(__name__)
PROJECT_FILE = "review.qdpx"


def _study_name(study) -> str:
    first = study.authors[0].split(",")[0].strip() if study.authors else ""
    year = f" ({study.year})" if study.year else ""
    head = f"{first}{year} " if first or year else ""
    return f"{head}{study.title}".strip()[:200] or study.id


def _full_text(review, link):
    """The extraction of a study's linked file, or None (with the reason) when it has no text."""
    from workbench.review.fulltext import extraction_of_link
    try:
        extraction = extraction_of_link(review, link)
    except WorkbenchError as exc:
        return None, str(exc)
    if not extraction.has_text:
        return None, extraction.message or "the full text has no text layer"
    return extraction, ""


def project_sources(review, codebook, included, latest, annotations, values,
                    coding_stage: str) -> tuple[list[ProjectSource], list[str], list[str]]:
    """Return (sources, coders, warnings) for the included studies.

    Args:
        review: the open Review (links and cached extractions).
        codebook: its codebook (renamed codes followed).
        included: the included studies (workbench.core.dedupe.duplicates.Study), in order.
        latest: every sheet's latest values (exports.decisions.latest_values).
        annotations: the export's annotations table (passages with offsets).
        values: the export's resolved values (study_id, field, value, source).
        coding_stage: the coding stage id ("" when the codebook has none).
    """
    from workbench.io.exports.tables import starts_with
    from workbench.review.fulltext import read_links
    links = read_links(review)
    ids = {s.id for s in included}
    codings: dict[str, list[tuple[str, str]]] = {}
    part = latest[(latest["stage"] == coding_stage) & latest["study_id"].isin(ids)]
    part = part[starts_with(part["field"], "code:")]
    codes_of: dict = {}   # a value -> its codes, renamed ones followed (few distinct values)
    for sheet, sid, value in zip(part[SHEET].tolist(), part["study_id"].tolist(),
                                 part["value"].tolist()):   # lists: str columns iterate slowly
        codes = codes_of.get(value)
        if codes is None:
            codes = codes_of[value] = [codebook.resolve_code(code) for code in split_ids(value)]
        if codes:
            codings.setdefault(sid, []).extend([(sheet, code) for code in codes])
    fields = values[starts_with(values["field"], "field:")] if len(values) else values
    by_study: dict[str, dict] = {}
    for sid, fid, value in zip(fields.get("study_id", []), fields.get("field", []),
                               fields.get("value", [])):
        by_study.setdefault(sid, {})[fid[len("field:"):]] = value
    passages = annotations[annotations["kind"] == "passage"] if len(annotations) else annotations
    passages_of_study: dict[str, list] = {}
    for row in passages.itertuples(index=False):  # grouped once: a mask per study is quadratic
        passages_of_study.setdefault(row.study_id, []).append(row)
    sources, coders, warnings = [], set(), []
    for study in included:
        extraction, why = (None, "") if study.id not in links else \
            _full_text(review, links[study.id])
        if why:
            warnings.append(f"{study.id}: {why}; its title and abstract are the source text")
        if extraction is not None:
            texts = [p.text for p in extraction.pages]
            starts, at = [], 0
            for text in texts:
                starts.append(at)
                at += len(text) + len(PAGE_JOIN)
            text, description = PAGE_JOIN.join(texts), f"full text: {extraction.name}"
        else:
            text = "\n\n".join(t for t in (study.title, study.abstract) if t)
            description, starts, texts = "title and abstract", [], []
        selections = []
        for row in passages_of_study.get(study.id, ()):
            try:
                page, start, end = int(row.page), int(row.start), int(row.end)
            except (TypeError, ValueError):
                page = start = end = -1
            fits = (extraction is not None and row.file_sha256 == extraction.sha256
                    and 1 <= page <= len(texts) and 0 <= start < end <= len(texts[page - 1]))
            if not fits:
                warnings.append(f"{study.id}: {row.coder}'s passage for {row.target} (page "
                                f"{row.page}, {row.start}-{row.end}) was coded from another "
                                "text than the linked one; it is in annotations.csv only")
                continue
            offset = starts[page - 1]
            selections.append(Selection(row.coder, row.target, offset + start, offset + end,
                                        row.text, page))
            coders.add(row.coder)
        for coder, _ in codings.get(study.id, []):
            coders.add(coder)
        sources.append(ProjectSource(study.id, _study_name(study), text, description,
                                     tuple(codings.get(study.id, [])), tuple(selections),
                                     by_study.get(study.id, {})))
    return sources, sorted(coders), warnings


def write_project(folder, review, codebook, included, latest, annotations, values,
                  coding_stage: str) -> list[str]:
    """Write exports/review.qdpx; return warnings about passages not placed."""
    sources, coders, warnings = project_sources(review, codebook, included, latest,
                                                annotations, values, coding_stage)
    write_project_file(folder, codebook, sources, coders)
    for warning in warnings:
        log.warning("review.qdpx: %s", warning)
    return warnings


def write_project_file(folder, codebook, sources, coders) -> None:
    """Write exports/review.qdpx from project_sources' sources and coders (the slow part:
    the export runs it in its second process), streamed into the file."""
    write_project_qdpx(folder.path(PROJECT_FILE), codebook, sources, coders,
                       codebook.review.title)
