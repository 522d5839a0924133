"""Verbs for full texts: fulltext link, status, extract and overlap."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.common import cli, echo_json, open_review, plural, progress_bar


@cli.group("fulltext")
def fulltext_group() -> None:
    """Full texts: link PDFs/HTML/TXT/DOCX to studies, extract their text, see what is missing.

    Linked files are copied into fulltext/ of the review (never changed);
    link records go to coding/fulltext/<reviewer>.csv.

    Example: workbench fulltext link ~/Zotero/storage --reviewer alice
    """


@fulltext_group.command("link")
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@click.argument("study", required=False)
@click.option("--reviewer", required=True, help="Whose link records get the links.")
@click.option("--dry-run", is_flag=True, help="Match and report; link nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def link_cmd(ctx: click.Context, target: Path, study: str | None, reviewer: str, dry_run: bool,
             as_json: bool) -> None:
    """Link the full texts in a folder to studies, or one FILE to a STUDY id.

    A folder is searched recursively. A file is linked when its DOI (printed
    on page 1 or in a running header/footer), its file name (citation key,
    DOI, study id) or its first-page title names one study with certainty;
    uncertain matches are listed with their candidates for a person, who links
    them with `workbench fulltext link FILE STUDY`.

    Example: workbench fulltext link papers/smith2020.pdf 3fa2b1c9-0012 --reviewer alice
    """
    from workbench.review.fulltext import link_file, link_folder
    review = open_review(ctx)
    if study is not None:
        if target.is_dir():
            raise click.UsageError("give a FILE (not a folder) with a STUDY id")
        link = link_file(review, target, study, reviewer)
        if as_json:
            echo_json({"linked": [{"file": str(target), "study_id": study, "copy": link.file}]})
        else:
            click.echo(f"Linked {target} -> {study} (copied to {link.file})")
        return
    if not target.is_dir():
        raise click.UsageError("a single FILE needs a STUDY id: workbench fulltext link FILE STUDY")
    with progress_bar("Matching full texts", enabled=not as_json) as progress:
        report = link_folder(review, target, reviewer, dry_run=dry_run, progress=progress)
    titles = {s.id: s.title for s in review.studies()}
    if as_json:
        echo_json({
            "linked": [{"file": str(p), "study_id": l.study_id, "copy": l.file, "how": how}
                       for p, l, how in report.linked],
            "uncertain": [{"file": str(p), "candidates": [
                {"study_id": sid, "title": titles.get(sid, ""), "why": v.describe(sid)}
                for sid in v.candidates]} for p, v in report.uncertain],
            "unmatched": [{"file": str(p), "why": why} for p, why in report.unmatched],
            "already_linked": [{"file": str(p), "study_id": l.study_id}
                               for p, l in report.already],
            "dry_run": dry_run})
        return
    verb = "Would link" if dry_run else "Linked"
    click.echo(f"{verb} {plural(len(report.linked), 'file')}:")
    for path, link, how in report.linked:
        click.echo(f"  {path.name} -> {link.study_id} {titles.get(link.study_id, '')[:50]!r} "
                   f"({how})")
    if report.already:
        click.echo(f"Already linked: {plural(len(report.already), 'file')}")
    if report.uncertain:
        click.echo(f"Uncertain ({len(report.uncertain)}), for a person "
                   "(workbench fulltext link FILE STUDY):")
        for path, verdict in report.uncertain:
            click.echo(f"  {path}")
            for sid in verdict.candidates:
                click.echo(f"    ? {sid} {titles.get(sid, '')[:50]!r}: {verdict.describe(sid)}")
    if report.unmatched:
        click.echo(f"Not matched ({len(report.unmatched)}):")
        for path, why in report.unmatched:
            click.echo(f"  {path.name}: {why}")


@fulltext_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the counts and lists as JSON.")
@click.pass_context
def status_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the studies whose full text was sought, found and not found.

    Sought: studies that reach the full-text stage. PRISMA's "reports not
    retrieved" counts the ones a reviewer marked not retrieved (r).

    Example: workbench fulltext status --json
    """
    from workbench.review.fulltext_status import fulltext_status
    review = open_review(ctx)
    status = fulltext_status(review)
    if as_json:
        data = status.as_dict()
        data["found_files"] = {sid: link.file for sid, link in status.found.items()}
        echo_json(data)
        return
    where = f" (full-text stage {status.stage})" if status.stage else ""
    click.echo(f"Sought{where}: {len(status.sought)}")
    click.echo(f"Found: {len(status.found)}")
    for sid, link in sorted(status.found.items()):
        click.echo(f"  {sid}  {link.file}")
    click.echo(f"Not found: {len(status.not_found)}")
    for study in status.not_found:
        click.echo(f"  {study.id}  {study.title[:70]}")
    click.echo(f"Marked not retrieved (PRISMA reports not retrieved): {len(status.not_retrieved)}")
    if status.not_found_undecided:
        click.echo(f"Not found and not yet decided at the full-text stage: "
                   f"{len(status.not_found_undecided)} (link a file, or press r there)")
    if status.linked_but_not_retrieved:
        click.echo("Linked but marked not retrieved (check): "
                   + ", ".join(status.linked_but_not_retrieved))
    if status.linked_not_sought:
        click.echo(f"Linked but not (yet) sought: {status.linked_not_sought}")


@fulltext_group.command("extract")
@click.argument("study", required=False)
@click.option("--password", default=None, help="The PDF's password (for one STUDY).")
@click.option("--json", "as_json", is_flag=True, help="Print each file's pages and problem as JSON.")
@click.pass_context
def extract_cmd(ctx: click.Context, study: str | None, password: str | None,
                as_json: bool) -> None:
    """Extract (and cache) the text of linked full texts: one STUDY, or all of them.

    The text is cached in .workbench/fulltext/ by the file's SHA-256, so the
    screens open it at once. A PDF with a password needs --password once.

    Example: workbench fulltext extract 3fa2b1c9-0012 --password secret
    """
    from workbench.errors import FulltextError
    from workbench.review.fulltext import extraction_of_link, read_links
    review = open_review(ctx)
    links = read_links(review)
    if study is not None:
        if study not in links:
            raise FulltextError(f"study {study!r} has no linked full text",
                                hint="link one with `workbench fulltext link FILE STUDY`")
        links = {study: links[study]}
    elif password:
        raise click.UsageError("--password goes with one STUDY")
    out = []
    with progress_bar("Extracting", enabled=not as_json and len(links) > 1) as progress:
        for n, (sid, link) in enumerate(sorted(links.items()), 1):
            extraction = extraction_of_link(review, link, password)
            out.append({"study_id": sid, "file": link.file, "pages": len(extraction.pages),
                        "problem": extraction.problem, "message": extraction.message})
            if progress is not None:
                progress(n, len(links))
    if as_json:
        echo_json(out)
        return
    for item in out:
        note = f": {item['message']}" if item["message"] else ""
        click.echo(f"{item['study_id']}  {item['file']}  {plural(item['pages'], 'page')}{note}")


@fulltext_group.command("overlap")
@click.option("--stage", default=None, help="The coding stage (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
def overlap_cmd(ctx: click.Context, stage: str | None, as_json: bool) -> None:
    """Count, per code or field, the passages two coders tied to it that overlap.

    Overlap: the same page of the same file, overlapping characters, the same
    code or field; summed over the studies both coders coded from the text.

    Example: workbench fulltext overlap --json
    """
    from workbench.review.evidence import passage_overlap
    rows = passage_overlap(open_review(ctx), stage)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No study has full-text passages from two coders yet.")
        return
    for r in rows:
        click.echo(f"{r['target']}: {r['coder_a']} & {r['coder_b']}: {r['overlapping']} "
                   f"overlapping, {r['only_a']} only {r['coder_a']}, "
                   f"{r['only_b']} only {r['coder_b']}")


@fulltext_group.command("not-retrieved")
@click.option("--reviewer", required=True, help="Whose full-text decisions to record.")
@click.option("--dry-run", is_flag=True, help="List the studies; record nothing.")
@click.pass_context
def not_retrieved_cmd(ctx: click.Context, reviewer: str, dry_run: bool) -> None:
    """Record 'not retrieved' for every sought study without a full text (PRISMA's box).

    Only studies the reviewer has not decided at the full-text stage; each is
    saved like pressing r in the screening screen.

    Example: workbench fulltext not-retrieved --reviewer alice --dry-run
    """
    from workbench.review.fulltext_status import mark_not_retrieved
    marked = mark_not_retrieved(open_review(ctx), reviewer, dry_run)
    verb = "Would mark" if dry_run else "Marked"
    click.echo(f"{verb} {plural(len(marked), 'study', 'studies')} not retrieved for {reviewer}")
    for study_id in marked:
        click.echo(f"  {study_id}")
