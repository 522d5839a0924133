"""Verbs for duplicate detection: dedupe and pair."""

from __future__ import annotations

import click

from workbench.cli.common import cli, echo_json, open_review, plural, progress_bar


#: How many automatic merges the text output lists (all are in --json).
SHOWN = 10


@cli.command("dedupe")
@click.option("--json", "as_json", is_flag=True, help="Print the counts and pending pairs as JSON.")
@click.pass_context
def dedupe_cmd(ctx: click.Context, as_json: bool) -> None:
    """Group records into studies; list the pairs that wait for a person.

    Identifiers (DOI, PMID) and fuzzy matching of title, authors, year, venue,
    volume and pages decide certain duplicates; uncertain pairs wait for a
    person (`workbench pair` or the duplicates screen). Earlier answers are
    always respected.

    Example: workbench dedupe --json
    """
    review = open_review(ctx)
    records = review.records()
    with progress_bar("Finding duplicates", enabled=not as_json and len(records) > 5000) as progress:
        result = review.dedupe(progress=progress)
    by_id = review.record_by_id()
    pending = [
        {"record_a": p.record_a, "record_b": p.record_b, "score": round(p.score, 3),
         "reasons": list(p.reasons), "title_a": by_id[p.record_a].title,
         "title_b": by_id[p.record_b].title}
        for p in result.uncertain
    ]
    merged = [
        {"record_a": p.record_a, "record_b": p.record_b, "score": round(p.score, 3),
         "reasons": list(p.reasons), "study_id": result.record_to_study[p.record_a],
         "title_a": by_id[p.record_a].title, "title_b": by_id[p.record_b].title}
        for p in result.auto_merged_pairs
    ]
    if as_json:
        echo_json({**result.summary, "pending_pairs": pending, "merged_pairs": merged})
        return
    s = result.summary
    click.echo(f"Records: {s['records']}")
    click.echo(f"Studies: {s['studies']} ({plural(s['duplicates_removed'], 'duplicate record')} "
               "removed)")
    click.echo(f"Automatic merges: {plural(s['auto_merged_pairs'], 'pair')}; person decisions: "
               f"{s['person_merges']} same, {s['person_splits']} different")
    for p in merged[:SHOWN]:
        click.echo(f"  merged {p['record_a']} {p['record_b']} -> {p['study_id']}: "
                   f"{_cut('; '.join(p['reasons']), 50)}")
    if len(merged) > SHOWN:
        click.echo(f"  ... and {len(merged) - SHOWN} more (`workbench dedupe --json` lists all)")
    click.echo(f"Pairs waiting for a person: {len(pending)}")
    for p in pending:
        click.echo(f"  {p['record_a']} {p['record_b']} ({p['score']}): "
                   f"{_cut(p['title_a'], 60)!r} / {_cut(p['title_b'], 60)!r}")
    if pending:
        click.echo("Answer with `workbench pair A B same|different --reviewer NAME`, "
                   "or on the duplicates screen in `workbench`.")


@cli.command("pair")
@click.argument("record_a")
@click.argument("record_b")
@click.argument("verdict", type=click.Choice(["same", "different"]))
@click.option("--reviewer", required=True, help="Who decides.")
@click.option("--note", default="", help="Why (kept in the audit trail).")
@click.pass_context
def pair_cmd(ctx: click.Context, record_a: str, record_b: str, verdict: str, reviewer: str,
             note: str) -> None:
    """Decide whether two records are the same study; every later dedupe respects it.

    Example: workbench pair 7c8cb074-0002 6930e15f-0001 same --reviewer alice
    """
    review = open_review(ctx)
    review.decide_pair(reviewer, record_a, record_b, verdict, note)
    result = review.dedupe()
    click.echo(f"Saved: {record_a} and {record_b} are {'the same study' if verdict == 'same' else 'different studies'} "
               f"({plural(len(result.studies), 'study')}, {plural(len(result.uncertain), 'pair')} waiting).")


def _cut(text: str, width: int) -> str:
    """Shorten a text to `width` characters, ending in "…" when something was cut."""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"
