"""Progress bars go to a terminal only: a run without one leaves nothing on stderr."""

from __future__ import annotations

import io
import sys

from workbench.cli.common import progress_bar

from tests.cli.conftest import CLI_DATA


def test_import_of_several_files_leaves_no_stray_label_without_a_terminal(review, run):
    files = sorted(p for p in CLI_DATA.iterdir() if p.suffix in (".bib", ".ris") and "broken" not in p.name)[:2]
    assert len(files) == 2
    result = run("import", *map(str, files), "--database", "Scopus")
    assert result.exit_code == 0, result.output
    assert "Importing" not in result.stderr
    result = run("export")
    assert "Exporting" not in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_on_a_terminal(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar("Importing") as progress:
        assert progress is not None
        progress(1, 2)
        progress(2, 2)
    assert "Importing" in terminal.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bar("Importing") as progress:
        assert progress is None
