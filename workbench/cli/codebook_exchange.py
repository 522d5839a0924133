"""`workbench codebook export --qdc` and `workbench codebook import FILE.qdc` (REFI-QDA).

Both verbs belong to the one `codebook` group (defined with `history` and
`diff` in workbench/cli/history.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.common import open_review, plural
from workbench.cli.history import codebook_group


@codebook_group.command("export")
@click.option("--qdc", "qdc", is_flag=True, required=True,
              help="Write a REFI-QDA codebook (.qdc, QDA-XML 1.0) for NVivo, ATLAS.ti, "
                   "MAXQDA, QualCoder.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: exports/codebook.qdc).")
@click.pass_context
def codebook_export_cmd(ctx: click.Context, qdc: bool, out: Path | None) -> None:
    """Write the thematic framework as a REFI-QDA codebook (.qdc).

    Each dimension is a non-codable parent code, each code a codable child;
    descriptions carry definitions, examples and the workbench id. GUIDs are
    stable (derived from the ids) unless codebook.yaml keeps another tool's
    (`guid:`), so exporting twice gives the same file.

    Example: workbench codebook export --qdc --out framework.qdc
    """
    from workbench.review.refi_exchange import export_qdc
    review = open_review(ctx)
    path = export_qdc(review, out)
    codebook = review.codebook()
    n_codes = sum(len(d.all_codes()) for d in codebook.dimensions)
    click.echo(f"wrote {path}: {plural(len(codebook.dimensions), 'dimension')}, "
               f"{plural(n_codes, 'code')}")


@codebook_group.command("import")
@click.argument("qdc_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The draft to write (default: codebook.yaml when the review has none, "
                   "else codebook.imported.yaml).")
@click.option("--force", is_flag=True, help="Replace the draft file when it exists.")
@click.pass_context
def codebook_import_cmd(ctx: click.Context, qdc_file: Path, out: Path | None,
                        force: bool) -> None:
    """Read a REFI-QDA codebook (.qdc) into a codebook.yaml draft to review.

    Parent codes become dimensions and their children codes; a flat codebook
    (Taguette) is grouped by the part of each name before the first dot.
    Another tool's GUIDs and colours are kept (`guid:`, `color:`). The
    review's codebook.yaml is never replaced: the draft goes to
    codebook.imported.yaml (stages, criteria and fields copied from
    codebook.yaml) unless --out names another file; an existing file is
    replaced only with --force.

    Example: workbench codebook import nvivo_codes.qdc
    """
    from workbench.review.refi_exchange import import_qdc
    folder = Path(ctx.find_root().obj or Path("."))
    result = import_qdc(qdc_file, folder, out, force)
    origin = f" (written by {result.origin})" if result.origin else ""
    click.echo(f"wrote {result.path}{origin}: {plural(result.dimensions, 'dimension')}, "
               f"{plural(result.codes, 'code')}")
    for note in result.notes:
        click.echo(f"  note: {note}")
    click.echo("review it with `workbench check` before coding with it")
