"""The `screen` verb: open the screening screen straight away."""

from __future__ import annotations

import click

from workbench.cli.common import check_stage, cli, open_review


@cli.command("screen")
@click.option("--reviewer", help="Your reviewer name (asked once and remembered for this "
                                 "review folder when omitted).")
@click.option("--stage", "stage", help="The screening stage id (default: the first one).")
@click.pass_context
def screen_cmd(ctx: click.Context, reviewer: str | None, stage: str | None) -> None:
    """Screen studies in the terminal, one at a time, every decision saved at once.

    Example: workbench screen --reviewer alice --stage full_text
    """
    from workbench.review.screening import screening_stage, write_remembered_reviewer
    review = open_review(ctx)
    check_stage(review, stage)
    screening_stage(review, stage)
    if reviewer is not None:
        write_remembered_reviewer(review.root, reviewer)
    from workbench.tui.app import run_app
    ctx.exit(run_app(review.root, reviewer=reviewer, start="screening", stage=stage))
