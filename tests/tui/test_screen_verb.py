"""`workbench screen`: bad arguments fail before the TUI starts, with a clear message."""

from __future__ import annotations

import pytest

from workbench.cli import main


def run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr()


def test_unknown_stage_is_refused(review_dir, capsys):
    code, out = run(["--review", str(review_dir), "screen", "--reviewer", "alice",
                     "--stage", "ful_text"], capsys)
    assert code == 2 and out.out == ""  # a mistake in the command: usage error
    assert "unknown stage 'ful_text' (did you mean 'full_text'?)" in out.err
    assert "title_abstract, full_text" in out.err
    assert not (review_dir / "coding" / "alice.csv").exists()


def test_invalid_reviewer_is_refused(review_dir, capsys):
    code, out = run(["--review", str(review_dir), "screen", "--reviewer", "a b"], capsys)
    assert code == 1 and "not a valid reviewer name" in out.err
    assert not (review_dir / ".workbench" / "reviewer").exists()


def test_help_has_an_example(capsys):
    code, out = run(["screen", "--help"], capsys)
    assert code == 0 and "Example: workbench screen --reviewer alice" in out.out
