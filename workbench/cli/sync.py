"""The team verb: sync."""

from __future__ import annotations

import click

from workbench.cli.common import cli, open_review


@cli.command("sync")
@click.option("--reviewer", help="Whose work to send (default: the name the app remembers).")
@click.pass_context
def sync_cmd(ctx: click.Context, reviewer: str | None) -> None:
    """Send your decisions to the team's git repository and bring in everyone else's.

    Commits only your own files (your sheet, duplicate answers, full-text
    links, and consensus lines you resolved), rebases onto the remote, pushes,
    and reports what came in. Refuses, changing nothing, when codebook.yaml,
    references/ or another reviewer's files have uncommitted edits. Offline,
    your work stays committed here and the next sync sends it.

    Example: workbench sync --reviewer alice
    """
    from workbench.review.agreement import count_conflicts
    from workbench.review.screening import read_remembered_reviewer
    from workbench.review.sync import sync_review
    review = open_review(ctx)
    name = reviewer or read_remembered_reviewer(review.root)
    if not name:
        raise click.UsageError("say who you are: workbench sync --reviewer NAME")
    report = sync_review(review, name, count_conflicts=count_conflicts)
    for line in report.lines():
        click.echo(line)
    if report.offline:
        ctx.exit(1)
