"""The `conflicts` and `resolve` verbs: what the coders have not agreed on, and settling it."""

from __future__ import annotations

import click

from workbench.cli.common import check_stage, cli, echo_json, open_review, reviewer_name

#: How a conflict kind is named in the text listing.
KIND_WORDS = {"decision": "decision", "criteria": "criteria (same decision)", "code": "codes",
              "field": "value", "row": "group row", "row_field": "value of a group row",
              "merge": "merged studies differ"}


def _row_text(values: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items() if v) or "(empty row)"


def conflict_json(c) -> dict:
    """Return one conflict as plain data (`conflicts --format json`)."""
    return {"study_id": c.study_id, "stage": c.stage, "field": c.field, "kind": c.kind,
            "values": c.values, "notes": c.notes, "consensus": c.consensus,
            "resolved": c.resolved, "group": c.group, "key": c.key, "rows": c.rows}


@cli.command("conflicts")
@click.option("--stage", "stage", default=None, metavar="ID", help="One stage (default: all).")
@click.option("--all", "show_all", is_flag=True,
              help="Also list conflicts already resolved, with the consensus value.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def conflicts_cmd(ctx: click.Context, stage: str | None, show_all: bool, fmt: str) -> None:
    """List every value the coders have not agreed on: study, field, each coder's value.

    Decisions, criteria under an agreeing decision, codes, extraction values,
    group rows one coder entered and another did not, fields of matched rows,
    and decisions two merged studies carry for one reviewer. A value one
    coder gave and another left empty is a conflict ("(none)").

    Example: workbench conflicts --stage coding
    """
    from workbench.review.conflicts import list_conflicts
    review = open_review(ctx)
    check_stage(review, stage)
    conflicts = list_conflicts(review, stage, include_resolved=show_all)
    if fmt == "json":
        echo_json([conflict_json(c) for c in conflicts])
        return
    if not conflicts:
        click.echo("No conflicts to resolve." if not show_all else "No conflicts.")
        return
    from workbench.core.value_labels import labelled, labelled_row
    from workbench.review.resolving import decision_criteria
    titles = review.study_index().titles   # the studies' titles without building every study
    codebook = review.codebook()
    criteria = decision_criteria(review, conflicts)   # what each coder excluded for
    for c in conflicts:
        settled = f"  (resolved: {c.consensus or '(none)'})" if show_all and c.resolved else ""
        title = titles.get(c.study_id, "")
        click.echo(f"{c.stage}  {c.study_id}  {c.field}  [{KIND_WORDS.get(c.kind, c.kind)}]"
                   f"{settled}" + (f"\n  {title[:76]}" if title else ""))
        width = max(len(r) for r in c.values)
        for coder, value in c.values.items():
            note = c.notes.get(coder, "")
            shown = labelled(codebook, c.field, value) or "(none)"
            if c.kind == "row":
                shown = _row_text(labelled_row(codebook, c.group, c.rows[coder])) \
                    if coder in c.rows else "(no row)"
            given = criteria.get((c.stage, c.study_id), {}).get(coder, "")
            if given:
                shown += f"  criteria: {labelled(codebook, 'criteria', given)}"
            click.echo(f"  {coder:<{width}}  {shown}" + (f"  · {note}" if note else ""))
    open_ = sum(1 for c in conflicts if not c.resolved)
    click.echo(f"{len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''}"
               + (f", {open_} still open." if show_all else ".")
               + ("\nResolve one: workbench resolve STUDY --stage S --field F "
                  "(--value V | --from CODER) --reason TEXT" if open_ and not show_all else ""))


@cli.command("resolve")
@click.argument("study_id")
@click.option("--stage", "stage", required=True, metavar="ID", help="The stage id.")
@click.option("--field", "field_name", required=True, metavar="F",
              help="decision or criteria (screening); code:<dimension>, field:<id>, "
                   "row:<group>:<key> (keep/drop), row:<group>:<key>:<field> or "
                   "row:<group> (a whole coder's table, with --from) (coding).")
@click.option("--value", default=None, metavar="V",
              help='The consensus value (codes or criteria joined by ";"; "" for none; '
                   "keep or drop for a row).")
@click.option("--from", "from_coder", default=None, metavar="CODER",
              help="Take this coder's value (their decision, codes, value, row or table).")
@click.option("--reviewer", default=None, metavar="NAME",
              help="Who resolves (default: workbench --reviewer, else the remembered one).")
@click.option("--reason", required=True, metavar="TEXT", help="Why this value.")
@click.option("--criteria", default=None, metavar="IDS",
              help='With --field decision: the criteria to record (";"-joined).')
@click.option("--yes", "confirmed", is_flag=True,
              help="Resolve even a conflict you took part in, without asking.")
@click.pass_context
def resolve_cmd(ctx: click.Context, study_id: str, stage: str, field_name: str,
                value: str | None, from_coder: str | None, reviewer: str | None, reason: str,
                criteria: str | None, confirmed: bool) -> None:
    """Record the consensus value of one study's field in coding/consensus.csv.

    Group rows are named by their key as `workbench conflicts` shows it
    (spelling, case and "#" do not matter) or by a row id. A reviewer who
    took part in the conflict is asked to confirm (the codebook's
    `resolvers:` names who resolves without asking).

    Example: workbench resolve 3f2a9c1e-0007 --stage coding --field "row:campaign:#MeTooPakistan" --from alice --reviewer carol --reason "Table 1"
    """
    from workbench.review.resolving import ResolverNotConfirmed, resolve_conflict
    review = open_review(ctx)
    check_stage(review, stage)
    resolver = reviewer or reviewer_name(ctx, review)
    if not resolver:
        raise click.UsageError("give --reviewer NAME (who resolves)")
    if value is None and from_coder is None:
        raise click.UsageError("give --value V or --from CODER")
    chosen = None if criteria is None else [c for c in criteria.split(";") if c.strip()]

    def run(yes: bool):
        return resolve_conflict(review, study_id, stage, field_name, value or "", resolver,
                                reason, criteria=chosen, from_coder=from_coder, confirmed=yes)
    try:
        written = run(confirmed)   # False: refuse when the resolver took part
    except ResolverNotConfirmed as exc:
        click.echo(f"warning: {str(exc).split(';')[0]}", err=True)
        if not click.confirm("Resolve it anyway?", default=False, err=True):
            raise click.Abort() from None
        written = run(True)
    for event in written:
        click.echo(f"{event.time}  {event.reviewer}  {event.study_id}  {event.stage}  "
                   f"{event.field} = {event.value or '(none)'}")
