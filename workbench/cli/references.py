"""Verbs for the review folder and its references: init, import, status, records."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.cli.common import cli, echo_json, open_review, parse_mapping, plural, progress_bar
from workbench.core.wording import conflict_kinds


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--git", "with_git", is_flag=True,
              help="Also make it a git repository set up for `workbench sync`.")
def init_cmd(directory: Path, with_git: bool) -> None:
    """Make a new review folder with a commented codebook template.

    Example: workbench init my-review --git
    """
    from workbench.review import init_review
    review = init_review(directory)
    click.echo(f"Made a new review in {review.root}: edit codebook.yaml, then "
               f"`workbench import EXPORT --database NAME`.")
    if with_git:
        from workbench.review.sync import init_git
        init_git(review.root)
        click.echo("It is a git repository: commit it, add the team's remote "
                   "(git remote add origin URL), push, and each member runs `workbench sync`.")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database", help="Which database the export came from (guessed if omitted).")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid entries of a partly broken export and list the rest.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="Map a CSV column to a record field (repeatable).")
@click.pass_context
def import_cmd(ctx: click.Context, paths: tuple[Path, ...], database: str | None,
               skip_invalid: bool, maps: tuple[str, ...]) -> None:
    """Copy search exports into references/ untouched and record their database.

    Example: workbench import scopus.csv --database Scopus
    """
    review = open_review(ctx)
    big = sum(p.stat().st_size for p in paths) > 5_000_000
    with progress_bar("Importing", enabled=len(paths) > 1 or big) as progress:
        done = review.import_references(list(paths), database=database,
                                        skip_invalid=skip_invalid, mapping=parse_mapping(maps),
                                        progress=progress)
    for item in done:
        click.echo(f"{item.source}: {plural(item.records, 'record')} ({item.format}, "
                   f"{item.database or 'database unknown'}) -> {item.stored_as}")
        for problem in item.skipped:
            click.echo(f"skipped: {problem}", err=True)
    if any(not item.database for item in done):
        click.echo("A database the import could not tell is left empty: write its name in "
                   "the database column of references/imports.csv (PRISMA counts records "
                   "per database), or import with --database NAME next time.")


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def status_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show the exports, records per database and totals.

    Example: workbench status --json
    """
    status = open_review(ctx).status()
    if as_json:
        echo_json(status)
        return
    click.echo(f"Review: {status['review']}")
    for f in status["files"]:
        click.echo(f"  {f['file']}: {plural(f['records'], 'record')}, {f['database'] or '?'} "
                   f"({f['format']})")
    click.echo("Records per database:")
    for db, n in status["records_per_database"].items():
        click.echo(f"  {db}: {n}")
    click.echo(f"Records: {status['records']}")
    removed = status["records"] - status["studies"]
    waiting = status["duplicate_pairs_waiting"]
    click.echo(f"Studies: {status['studies']} ({plural(removed, 'duplicate record')} removed; "
               f"{plural(waiting, 'pair')} {'waits' if waiting == 1 else 'wait'} for a person)")
    for reviewer, stages in status["reviewers"].items():
        parts = [f"{stage} {p['done']}/{p['total']}"
                 + (f" ({p['flagged']} flagged)" if p.get("flagged") else "")
                 for stage, p in stages.items()]
        click.echo(f"Reviewer {reviewer}: " + ", ".join(parts))
    kinds = conflict_kinds(status.get("conflicts_by_kind", {}))
    click.echo(f"Conflicts to resolve: {status['conflicts_open']}"
               + (f" ({kinds}; see `workbench conflicts`)" if kinds else ""))


@cli.command("records")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="CSV or JSON Lines.")
@click.pass_context
def records_cmd(ctx: click.Context, fmt: str) -> None:
    """Print the normalized records, one row per record, with id, provenance and study id.

    Example: workbench records --format jsonl > records.jsonl
    """
    from workbench.io.exports.records_table import write_records
    review = open_review(ctx)
    records = review.records()
    study_of = review.study_of_records() if hasattr(review, "study_of_records") else {}
    write_records(records, sys.stdout, fmt=fmt, study_of=study_of)
