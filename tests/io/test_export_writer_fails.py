"""A forked export writer that fails or dies leaves exports/ as it was and says so.

`write_exports` forks two writers into its staging folder (review/exporting.py,
io/exports/background.py): the first writes the screening log, the audit log,
the references and the agreement, the second the charts and review.qdpx. Here
one of them fails (a full disk in the references, a killed process in the
middle of the agreement or of review.qdpx) after the parent and the other
writer have written their files. The export must raise an error that says
nothing was exported, leave every file of the previous export byte for byte as
it was, add no file and leave no staging folder behind.
"""

from __future__ import annotations

import errno
import os

import pytest

from tests.io.export_review import make_review
from workbench.errors import ExportError
from workbench.io.exports import background
from workbench.review import exporting
from workbench.review.exporting import write_exports


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    review = make_review(tmp_path_factory.mktemp("export") / "review")
    write_exports(review, charts=False)
    return review


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def dies(*args, **kwargs):
    os._exit(9)   # as the kernel's OOM killer would end it: no answer, no clean-up


@pytest.mark.parametrize("job, how", [
    ("write_reference_files", full_disk),   # first writer
    ("cached_agreement", dies),             # first writer, last jobs
    ("write_project_file", dies),           # second writer
    ("write_project_file", full_disk),
])
def test_a_writer_that_fails_leaves_exports_as_it_was(exported, monkeypatch, job, how):
    if not background.Background(None).parallel:
        pytest.skip("the writers are not forked here")
    review = exported
    before = snapshot(review.exports)
    parent = os.getpid()
    real = getattr(exporting, job)

    def failing(*args, **kwargs):
        if os.getpid() != parent:   # only in the forked writer
            return how(*args, **kwargs)
        return real(*args, **kwargs)
    monkeypatch.setattr(exporting, job, failing)
    with pytest.raises(ExportError) as caught:
        write_exports(review, charts=False)
    assert "nothing was exported" in str(caught.value)
    assert snapshot(review.exports) == before
    assert not [p for p in review.exports.iterdir() if p.name.startswith(".export-")]
