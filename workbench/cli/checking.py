"""Verbs for the protocol and the sheets: check and sheet."""

from __future__ import annotations

import click

from workbench.cli.common import cli, open_review, plural


@cli.command("check")
@click.pass_context
def check_cmd(ctx: click.Context) -> None:
    """Validate codebook.yaml and every coding sheet against it.

    Reports unknown keys (with a did-you-mean), duplicate ids, codes used but
    not defined, impossible ranges, stages naming missing criteria, torn sheet
    lines, and decisions that use removed or renamed codes; lists decisions
    that two merged studies carry for one reviewer and that differ; warns about
    quotes for codes their sheet has not ticked. Changes nothing.

    Example: workbench check
    """
    from workbench.review.checking import check_review
    report = check_review(open_review(ctx))
    for notice in report.notices:
        click.echo(f"note: {notice}")
    for problem in report.problems:
        click.echo(str(problem), err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for merge in report.merge_conflicts:
        click.echo(f"conflict: merged studies differ: {merge}")
    if report.merge_conflicts:
        click.echo(f"{plural(len(report.merge_conflicts), 'conflict')} from merged studies wait to be "
                   "resolved (`workbench conflicts`); until then the export treats them as "
                   "not agreed")
    sheets = ", ".join(report.sheets) or "no sheets yet"
    summary = (f"codebook.yaml (version {report.codebook_version}) and "
               f"{plural(len(report.sheets), 'sheet')}: {sheets}")
    if report.problems:
        click.echo(f"{plural(len(report.problems), 'problem')} in {summary}; nothing was changed",
                   err=True)
        ctx.exit(1)
    if report.warnings:
        them = "it" if len(report.warnings) == 1 else "them"
        summary += (f" ({plural(len(report.warnings), 'warning')} above: nothing is wrong "
                    f"with the files, but look at {them})")
    click.echo(f"OK: {summary}")


@cli.command("sheet")
@click.option("--reviewer", help="Whose sheet.")
@click.option("--consensus", is_flag=True, help="The consensus sheet.")
@click.pass_context
def sheet_cmd(ctx: click.Context, reviewer: str | None, consensus: bool) -> None:
    """Write a coding sheet as a wide table, one row per study (CSV and XLSX in exports/).

    Example: workbench sheet --reviewer alice
    """
    from workbench.review.checking import wide_sheet_set_aside, write_wide_sheet
    if bool(reviewer) == consensus:
        raise click.UsageError("give either --reviewer NAME or --consensus")
    review = open_review(ctx)
    for path in write_wide_sheet(review, None if consensus else reviewer):
        click.echo(f"Wrote {path.relative_to(review.root)}")
    set_aside = wide_sheet_set_aside(review, None if consensus else reviewer)
    for problem in set_aside:
        click.echo(f"warning: {problem}", err=True)
    if set_aside:
        them = "it" if len(set_aside) == 1 else "them"
        click.echo(f"warning: {plural(len(set_aside), 'line')} of the sheet set aside (listed "
                   f"above): the wide sheet leaves {them} out, as every other command does "
                   f"(workbench check lists {them} too)", err=True)
