"""Review: the one API both front ends (CLI and TUI) call."""

from workbench.review.folder import Review, init_review

__all__ = ["Review", "init_review"]
