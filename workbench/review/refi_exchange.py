"""REFI-QDA codebook exchange for a review folder: export a .qdc, import one as a draft.

`export_qdc` writes the codebook's framework as exports/codebook.qdc (or a
path given). `import_qdc` reads a .qdc another tool wrote and writes a
codebook.yaml draft for the user to review: the dimensions come from the file,
everything else (stages, criteria, fields...) from the review's codebook.yaml
when there is one. It never overwrites a file unless told to (`force`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from workbench.errors import ImportProblems, Problem, WorkbenchError
from workbench.io.codebook_yaml import parse_codebook
from workbench.io.refi_codebook import codebook_qdc, qdc_dimensions, read_qdc

CODEBOOK = "codebook.yaml"
IMPORTED = "codebook.imported.yaml"
#: Stages of a draft made where no codebook.yaml exists yet (as the template's).
_DEFAULT_STAGES = [
    {"id": "title_abstract", "label": "Title and abstract screening", "kind": "screening",
     "reviewers": 2},
    {"id": "full_text", "label": "Full-text screening", "kind": "screening", "reviewers": 2,
     "source": "title_abstract"},
    {"id": "coding", "label": "Coding", "kind": "coding", "reviewers": 2,
     "source": "full_text"}]


@dataclass(frozen=True)
class QdcImport:
    """What an import wrote: the draft, how many dimensions and codes, notes for the user."""

    path: Path
    origin: str
    dimensions: int
    codes: int
    notes: tuple[str, ...]


def export_qdc(review, out: Path | None = None) -> Path:
    """Write the review's thematic framework as a REFI-QDA codebook; return the path.

    Args:
        review: an open Review.
        out: the file to write (default exports/codebook.qdc), replaced atomically.
    """
    codebook = review.codebook()
    target = Path(out) if out is not None else review.exports / "codebook.qdc"
    _write_atomic(target, codebook_qdc(codebook))
    return target


def default_target(folder: Path) -> Path:
    """Return where an import writes by default: codebook.yaml, or the .imported draft."""
    folder = Path(folder)
    return folder / (IMPORTED if (folder / CODEBOOK).exists() else CODEBOOK)


def import_qdc(qdc_path: Path, folder: Path, out: Path | None = None,
               force: bool = False) -> QdcImport:
    """Read a .qdc and write a codebook.yaml draft; return what was written.

    Args:
        qdc_path: the REFI-QDA codebook to read.
        folder: the review folder (its codebook.yaml, if any, supplies the
            stages, criteria, fields and everything but the dimensions).
        out: the draft to write (default: codebook.yaml when the folder has
            none, else codebook.imported.yaml).
        force: replace `out` when it exists (otherwise refuse).

    Raises:
        ImportProblems: the .qdc is refused (every problem named); nothing written.
        WorkbenchError: the target exists and `force` is not set, or the draft
            would not be a valid codebook.
    """
    qdc_path, folder = Path(qdc_path), Path(folder)
    target = Path(out) if out is not None else default_target(folder)
    if target.exists() and not force:
        raise WorkbenchError("the file exists; nothing was written", path=target,
                             hint="give --force to replace it, or --out another file")
    try:
        data = qdc_path.read_bytes()
    except OSError as exc:
        raise ImportProblems([Problem(str(qdc_path), None, None,
                                      f"cannot read the file ({exc.strerror or exc})")]) from exc
    qdc = read_qdc(data, qdc_path)
    dims, notes = qdc_dimensions(qdc)
    base_path = folder / CODEBOOK
    base = _base(base_path)
    renamed = base.get("renamed") or {}
    codes = {c["id"] for d in dims for c in _walk(d.get("codes", []))}
    kept = {old: new for old, new in renamed.items() if new in codes and old not in codes}
    if len(kept) < len(renamed):
        notes.append(f"{len(renamed) - len(kept)} renamed: entr(ies) dropped: their codes are "
                     "not in the imported codebook")
    draft = {**base, "dimensions": dims, "renamed": kept}
    if "stages" not in draft:
        draft = {"stages": _DEFAULT_STAGES, **draft}
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"# Draft written by `workbench codebook import` on {now} from {qdc_path.name}"
              f"{' (' + qdc.origin + ')' if qdc.origin else ''}.\n"
              "# The dimensions and codes come from that file"
              + (f"; everything else from {CODEBOOK}" if base else "") + ".\n"
              "# Review it (`workbench check`), then make it the codebook.yaml.\n"
              "# guid: keeps another tool's GUID so a round trip finds the same code.\n\n")
    text = header + yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=88)
    try:
        parse_codebook(text, str(target))
    except WorkbenchError as exc:
        raise WorkbenchError(f"the draft would not be a valid codebook:\n{exc}",
                             path=target, hint="nothing was written") from exc
    _write_atomic(target, text.encode("utf-8"))
    return QdcImport(target, qdc.origin, len(dims),
                     sum(len(list(_walk(d.get("codes", [])))) for d in dims), tuple(notes))


def _walk(codes: list[dict]):
    for code in codes:
        yield code
        yield from _walk(code.get("children", []))


def _base(path: Path) -> dict:
    """The review's codebook.yaml as plain data ({} when there is none)."""
    if not path.exists():
        return {}
    from workbench.io.codebook_yaml import load_codebook
    load_codebook(path)  # refuses a broken or hostile file, naming the line
    return yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
