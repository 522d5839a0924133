"""The `workbench export` verb."""

from __future__ import annotations

import click

from workbench.cli.common import cli, open_review, progress_bar
from workbench.core.events import CONSENSUS
from workbench.review.exporting import write_exports


@cli.command("export")
@click.option("--reviewer", default=None, metavar="NAME",
              help="Export one reviewer's sheet instead of the consensus.")
@click.option("--no-charts", is_flag=True,
              help="Write every table but no PRISMA diagram or chart (faster).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def export_cmd(ctx: click.Context, reviewer: str | None, no_charts: bool, quiet: bool) -> None:
    """Write the coded dataset, references, screening log, PRISMA 2020 diagram and
    counts, summary tables and charts to exports/.

    The source is the consensus (coding/consensus.csv plus every decision all
    required reviewers agree on) unless --reviewer names one sheet. The export
    refuses to run while the PRISMA flow is unfinished (studies unscreened,
    conflicts unresolved) and lists every number that disagrees.

    Example: workbench export --reviewer alice
    """
    review = open_review(ctx)
    with progress_bar("Exporting", enabled=not quiet) as progress:
        done = write_exports(review, source=reviewer or CONSENSUS, progress=progress,
                             charts=not no_charts)
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    p = done.prisma
    click.echo(f"Exported {len(done.files)} files to {done.folder} (source: {done.source}, "
               f"codebook {done.codebook_version}, sheets: {', '.join(done.sheets) or 'none'})")
    click.echo(f"Records {p.records_identified}, duplicates {p.duplicates}, screened "
               f"{p.records_screened}, excluded {p.records_excluded}, sought {p.reports_sought},"
               f" not retrieved {p.reports_not_retrieved}, assessed {p.reports_assessed}, "
               f"excluded {p.reports_excluded}, included {p.studies_included}")
