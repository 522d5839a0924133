"""The `code` verb: open the coding screen straight away."""

from __future__ import annotations

import click

from workbench.cli.common import check_stage, cli, open_review


@cli.command("code")
@click.option("--reviewer", help="Your coder name (asked once and remembered for this "
                                 "review folder when omitted).")
@click.option("--stage", "stage", help="The coding stage id (default: the first one).")
@click.pass_context
def code_cmd(ctx: click.Context, reviewer: str | None, stage: str | None) -> None:
    """Code the included studies in the terminal: codes, fields, groups, memos, flags.

    Every change is saved to coding/<reviewer>.csv at once; other coders'
    sheets are never shown.

    Example: workbench code --reviewer bob
    """
    from workbench.review.screening import write_remembered_reviewer
    from workbench.review.coding import coding_stage
    review = open_review(ctx)
    check_stage(review, stage)
    coding_stage(review, stage)
    if reviewer is not None:
        write_remembered_reviewer(review.root, reviewer)
    from workbench.tui.app import run_app
    ctx.exit(run_app(review.root, reviewer=reviewer, start="coding", stage=stage))
