"""Verbs for the audit trail: log, codebook history, codebook diff."""

from __future__ import annotations

import sys

import click

from workbench.cli.common import check_stage, cli, echo_json, open_review, plural


@cli.command("log")
@click.argument("studies", nargs=-1)
@click.option("--reviewer", help="Only this reviewer's events (and consensus they recorded).")
@click.option("--stage", help="Only this stage.")
@click.option("--since", help="Only events on or after this date (YYYY-MM-DD or a full time).")
@click.option("--after-consensus", is_flag=True,
              help="Only reviewers' changes made after a consensus on that study and stage.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="How to print the events.")
@click.pass_context
def log_cmd(ctx: click.Context, studies: tuple[str, ...], reviewer: str | None,
            stage: str | None, since: str | None, after_consensus: bool, fmt: str) -> None:
    """Show the history of decisions: who decided what, when, and what changed.

    Every event of every sheet (reviewers and consensus) and every duplicate
    answer, oldest first: a changed decision shows as "include -> exclude",
    an undo as undo, a consensus with its reason, each with the codebook
    version it was made under. Give study ids to see only those studies.

    Example: workbench log S7c8cb074-0001 --format json
    """
    from workbench.io.safe_cells import SafeWriter
    from workbench.core.history import COLUMNS, changes_after_consensus
    from workbench.review.history import review_history
    review = open_review(ctx)
    check_stage(review, stage)
    if since is not None and not _looks_like_time(since):
        raise click.BadParameter(f"{since!r} is not a date like 2026-03-01", param_hint="--since")
    entries = review_history(review, studies, reviewer=reviewer, stage=stage, since=since)
    if after_consensus:
        entries = changes_after_consensus(entries)
    rows = [e.as_dict() for e in entries]
    if fmt == "json":
        echo_json(rows)
        return
    if fmt == "csv":
        writer = SafeWriter(sys.stdout)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[c] for c in COLUMNS])
        return
    if not rows:
        click.echo("No events match.")
        return
    last_study = None
    for e in entries:
        if e.study_id != last_study:  # each study's id and title above its events
            click.echo(f"{e.study_id or '(no study)'}  {e.title[:70]}")
        last_study = e.study_id
        where = f"{e.stage} " if e.stage else ""
        line = (f"  {e.time[:19].replace('T', ' ')}  {e.reviewer:<10} {e.action:<7} "
                f"{where}{e.field}: {_one_line(e.change())}")
        if e.note:
            line += f"  ({'reason' if e.source == 'consensus' else 'note'}: {_one_line(e.note)})"
        if e.codebook_version:
            line += f"  [codebook {e.codebook_version[:7]}]"
        click.echo(line)
    click.echo(plural(len(rows), "event"))


def _one_line(text: str) -> str:
    """A value with line breaks (a memo, a passage quote) on one line: each break shows as ↵."""
    return " ↵ ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def _looks_like_time(text: str) -> bool:
    from datetime import datetime
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@cli.group("codebook")
def codebook_group() -> None:
    """Codebook versions: which were used, and what changed between them.

    Example: workbench codebook history
    """


@codebook_group.command("history")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
@click.pass_context
def codebook_history_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the codebook versions seen in the sheets: first and last use, by whom, how many events.

    A copy of each version is kept in coding/codebooks/ the first time it is
    loaded, so `workbench codebook diff` can compare versions later.

    Example: workbench codebook history
    """
    from workbench.review.history import codebook_history
    review = open_review(ctx)
    uses = codebook_history(review)
    if as_json:
        echo_json([u.__dict__ for u in uses])
        return
    for u in uses:
        when = (f"{u.first[:10]} to {u.last[:10]}" if u.first else "not used yet")
        who = ", ".join(u.reviewers) or "nobody"
        marks = [m for m, on in (("current", u.current), ("no copy kept", not u.kept)) if on]
        extra = f"  ({'; '.join(marks)})" if marks else ""
        click.echo(f"{u.version}  {when}  {plural(u.events, 'event')} by {who}{extra}")


@codebook_group.command("diff")
@click.argument("old")
@click.argument("new", default="current")
@click.pass_context
def codebook_diff_cmd(ctx: click.Context, old: str, new: str) -> None:
    """Show what changed between two codebook versions (ids or prefixes; NEW defaults to current).

    Lists stages, criteria, highlight terms, dimensions, codes (renamed ones
    once, as renamed), extraction fields and groups added, removed or changed.

    Example: workbench codebook diff 3f2a current
    """
    from workbench.review.history import codebook_diff
    review = open_review(ctx)
    before, after, changes = codebook_diff(review, old, new)
    click.echo(f"codebook {before.version} -> {after.version}: "
               f"{plural(len(changes), 'change')}")
    for change in changes:
        click.echo(f"  {change}")
