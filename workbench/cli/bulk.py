"""The `bulk` verb: one screening decision for every study a filter shows, after a preview."""

from __future__ import annotations

import click

from workbench.cli.common import check_stage, cli, open_review, plural, reviewer_name

#: Studies listed in the preview before "... and N more".
LISTED = 50


@cli.command("bulk")
@click.argument("decision", type=click.Choice(["include", "exclude", "maybe", "not_retrieved"]))
@click.option("--criteria", default="", metavar="IDS",
              help="Criterion ids, ';' or ',' between (e.g. E4).")
@click.option("--years", default="", help="Years the studies were published: 2015, "
                                          "2015-2020, -2009 (up to), 2010- (from).")
@click.option("--text", default="", help="Words in title, abstract, authors, venue, keywords.")
@click.option("--database", default="", help="Part of a database name.")
@click.option("--decision", "current", default="",
              help="Change the studies with this decision of yours (e.g. maybe) instead of "
                   "the unscreened ones.")
@click.option("--stage", help="The screening stage id (default: the first one).")
@click.option("--reviewer", help="Your reviewer name (default: the remembered one).")
@click.option("--yes", is_flag=True, help="Save without asking (after printing the preview).")
@click.option("--dry-run", is_flag=True, help="Print the preview and save nothing.")
@click.pass_context
def bulk_cmd(ctx: click.Context, decision: str, criteria: str, years: str, text: str,
             database: str, current: str, stage: str | None, reviewer: str | None,
             yes: bool, dry_run: bool) -> None:
    """Decide every study a filter shows at once, e.g. exclude all published before 2010.

    Only your own sheet is read and written (screening stays blind). The
    studies with no decision of yours are decided (with --decision, those
    with that decision instead); each gets its own events in your sheet, with
    the note "bulk: <filter> (N studies)". The preview lists them; nothing is
    saved until you confirm. In the app, `b` does the same on the current
    filter and `u` right after takes the whole bulk back.

    Example: workbench bulk exclude --years -2009 --criteria E4 --reviewer alice
    """
    from workbench.review.bulk import apply_bulk, describe_filter, plan_bulk
    from workbench.review.screening import open_session, parse_filter
    review = open_review(ctx)
    check_stage(review, stage)
    name = reviewer or reviewer_name(ctx, review)
    if not name:
        raise click.UsageError("who is deciding? give --reviewer NAME")
    flt = parse_filter(text, current, years, database)
    session = open_session(review, name, stage)
    plan = plan_bulk(session, flt, decision, criteria.replace(",", ";").split(";"))
    label = session.stage.label or session.stage.id
    click.echo(f"{label} · {name} · {describe_filter(flt)}")
    for study in plan.studies[:LISTED]:
        click.echo(f"  {study.id}  {study.year or '----'}  {(study.title or '')[:60]}")
    if len(plan.studies) > LISTED:
        click.echo(f"  ... and {len(plan.studies) - LISTED} more")
    click.echo(f"Would {plan.describe()}." if plan.studies else
               f"Nothing to do: {plan.describe()}.")
    if not plan.studies or dry_run:
        return
    if not yes and not click.confirm("Save?", default=False, err=True):
        click.echo("Nothing was saved.")
        ctx.exit(1)
    n = apply_bulk(session, plan)
    click.echo(f"Saved {plural(n, 'decision')} to {session.sheet.path.name}, "
               f"{'each ' if n != 1 else ''}noted '{plan.note}'.")
