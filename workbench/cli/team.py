"""The team verb: who does what, how far everyone is, how well they agree."""

from __future__ import annotations

import click

from workbench.cli.common import cli, echo_json, open_review, plural


@cli.command("team")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@click.pass_context
def team_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show each reviewer's roles and progress per stage, agreement so far, and pilot rounds.

    Roles come from the codebook's `team:` (screen, code, resolve); a stage's
    `pilot: N` is a calibration round whose agreement is shown once everyone
    who screens has decided its N studies.

    Example: workbench team
    """
    from workbench.review.team import pilot_status, team_overview
    review = open_review(ctx)
    members, agreement = team_overview(review)
    pilots = [p for s in review.codebook().screening_stages()
              if (p := pilot_status(review, s.id)) is not None]
    if as_json:
        echo_json({"members": [m.__dict__ for m in members],
                   "agreement": [a.__dict__ for a in agreement],
                   "pilots": [{**p.__dict__, "agreement": p.agreement.__dict__
                               if p.agreement else None, "waiting_for": p.waiting_for}
                              for p in pilots]})
        return
    if not members:
        click.echo("No reviewers yet (no `team:` in the codebook and no sheets in coding/).")
    for m in members:
        roles = ", ".join(m.roles) if m.roles else ("(no role)" if review.codebook().team
                                                    else "any role")
        stages = "  ".join(f"{stage} {done}/{total}" for stage, (done, total) in m.progress.items())
        click.echo(f"{m.name:<12} {roles:<22} {stages}")
    for a in agreement:
        click.echo(f"Agreement at {a.stage}: {_agreement_words(a)}")
    for p in pilots:
        if p.agreement is None:
            waiting = ", ".join(f"{n} ({p.done[n]}/{p.size})" for n in p.waiting_for)
            click.echo(f"Pilot round at {p.stage} ({plural(p.size, 'study')}): waiting for {waiting}")
        else:
            click.echo(f"Pilot round at {p.stage} ({plural(p.size, 'study')}) done: "
                       f"{_agreement_words(p.agreement)}")


def _agreement_words(a) -> str:
    if a.percent is None:
        return a.label
    kappa = "undefined" if a.kappa is None else f"{a.kappa:.2f}"
    return (f"{a.percent:.1%} on {plural(a.units, 'study')}, {a.kappa_name} {kappa}"
            + (f" ({a.label})" if a.label else "")
            + (f"; {a.bulk:,} of them decided in bulk by a reviewer" if a.bulk else ""))
