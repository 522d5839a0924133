"""The `workbench export` verb."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.common import cli, echo_json, open_review, plural, progress_bar


@cli.command("export")
@click.option("--reviewer", default=None, metavar="NAME",
              help="Export one reviewer's sheet instead of the consensus.")
@click.option("--no-charts", is_flag=True,
              help="Write every table but no PRISMA diagram or chart (faster).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--require-agreed", is_flag=True,
              help="Refuse (export nothing) while any value is not agreed.")
@click.option("--json", "as_json", is_flag=True,
              help="Print what was exported as JSON, with every value not agreed.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Write to DIR instead of exports/ (e.g. from a read-only "
                                  "copy of a review).")
@click.pass_context
def export_cmd(ctx: click.Context, reviewer: str | None, no_charts: bool, quiet: bool,
               require_agreed: bool, as_json: bool, out: Path | None) -> None:
    """Write the coded dataset, references, screening log, PRISMA 2020 diagram and
    counts, summary tables and charts to exports/.

    The source is the consensus (coding/consensus.csv plus every decision all
    required reviewers agree on) unless --reviewer names one sheet. The export
    refuses to run while the PRISMA flow is unfinished (studies unscreened,
    conflicts unresolved) and lists every number that disagrees. At the end
    it names every value it left empty because the coders have not agreed on
    it (and decisions whose criteria differ, exported with their union);
    --require-agreed refuses instead.

    Example: workbench export --reviewer alice
    """
    from workbench.core.events import CONSENSUS
    from workbench.review.unresolved import describe
    from workbench.review.exporting import write_exports
    review = open_review(ctx)
    with progress_bar("Exporting", enabled=not (quiet or as_json)) as progress:
        done = write_exports(review, source=reviewer or CONSENSUS, progress=progress,
                             charts=not no_charts, require_agreed=require_agreed,
                             out=out)
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    p = done.prisma
    if as_json:
        echo_json({"folder": str(done.folder), "files": [str(f) for f in done.files],
                   "source": done.source, "codebook_version": done.codebook_version,
                   "sheets": list(done.sheets), "studies_included": done.studies_included,
                   "not_agreed": [n.as_dict() for n in done.not_agreed],
                   "warnings": list(done.warnings)})
        return
    click.echo(f"Exported {plural(len(done.files), 'file')} to {done.folder} (source: {done.source}, "
               f"codebook {done.codebook_version}, sheets: {', '.join(done.sheets) or 'none'})")
    for line in prisma_summary(p):
        click.echo(line)
    for line in describe(list(done.not_agreed)):
        click.echo(line)


def _unseen(n: int) -> str:
    return f"not screened by this reviewer {n}, " if n else ""


def prisma_summary(p) -> list[str]:
    """The PRISMA counts in words; with other methods, the reports of each column apart.

    Records are identified, deduplicated and screened together; from the
    reports sought on, PRISMA 2020 keeps databases and other methods in two
    columns, so one line of all the numbers would not add up.
    """
    head = (f"Records {p.records_identified}, duplicates {p.duplicates}, "
            + (f"not screened (stopping criterion met) {p.records_stopped}, "
               if p.records_stopped else "")
            + f"screened {p.records_screened}, excluded {p.records_excluded}")
    if not (p.other_sought or p.other_sources):
        return [f"{head}, sought {p.reports_sought}, not retrieved {p.reports_not_retrieved}, "
                + _unseen(p.reports_not_screened) +
                f"assessed {p.reports_assessed}, excluded {p.reports_excluded}, "
                f"included {p.studies_included}"]
    return [f"{head} (both columns)",
            f"  databases: sought {p.reports_sought}, not retrieved {p.reports_not_retrieved}, "
            + _unseen(p.reports_not_screened) + f"assessed {p.reports_assessed}, excluded {p.reports_excluded}, included "
            f"{p.reports_assessed - p.reports_excluded}",
            f"  other methods: sought {p.other_sought}, not retrieved {p.other_not_retrieved}, "
            + _unseen(p.other_not_screened) + f"assessed {p.other_assessed}, excluded {p.other_excluded}, included "
            f"{p.other_assessed - p.other_excluded}",
            f"Included in total {p.studies_included}"]
