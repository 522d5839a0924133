"""The `screen` verb: open the screening screen straight away."""

from __future__ import annotations

import click

from workbench.cli.common import check_stage, cli, open_review, plural, reviewer_name


@cli.command("screen")
@click.option("--reviewer", help="Your reviewer name (asked once and remembered for this "
                                 "review folder when omitted).")
@click.option("--stage", "stage", help="The screening stage id (default: the first one).")
@click.option("--stop", is_flag=True, help="Close screening once the stopping test says stop: "
              "the studies you left unscreened are recorded as not screened (stopping "
              "criterion met), not excluded. Asks first.")
@click.option("--override", is_flag=True, help="With --stop: close although the stopping test "
              "does not say stop (the sheet and the export say so).")
@click.option("--yes", is_flag=True, help="With --stop: do not ask.")
@click.pass_context
def screen_cmd(ctx: click.Context, reviewer: str | None, stage: str | None, stop: bool,
               override: bool, yes: bool) -> None:
    """Screen studies in the terminal, one at a time, every decision saved at once.

    Example: workbench screen --reviewer alice --stage full_text
    Example: workbench screen --stop --reviewer alice
    """
    from workbench.review.screening import screening_stage, write_remembered_reviewer
    review = open_review(ctx)
    check_stage(review, stage)
    if override and not stop:
        raise click.UsageError("--override goes with --stop")
    if stop:
        _close(ctx, review, reviewer or reviewer_name(ctx, review), stage, override, yes)
        return
    screening_stage(review, stage)
    if reviewer is not None:
        write_remembered_reviewer(review.root, reviewer)
    from workbench.tui.app import run_app
    ctx.exit(run_app(review.root, reviewer=reviewer, start="screening", stage=stage))


def _close(ctx: click.Context, review, name: str | None, stage: str | None, override: bool,
           yes: bool) -> None:
    from workbench.review.screening import open_session
    from workbench.review.stopping_close import close_screening, plan_close
    if not name:
        raise click.UsageError("whose screening? give --reviewer NAME")
    session = open_session(review, name, stage)
    plan = plan_close(session, override)
    click.echo(f"{name} · {plan.describe()}")
    if not yes and not click.confirm("Close?", default=False, err=True):
        click.echo("Nothing was saved.")
        ctx.exit(1)
    n = close_screening(session, plan=plan)
    click.echo(f"Recorded {plural(n, 'study')} as not screened (stopping criterion met"
               f"{', override' if plan.override else ''}) in {session.sheet.path.name}.")
