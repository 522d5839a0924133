"""The `agreement` verb (`conflicts` and `resolve` are in workbench.cli.resolving)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import click

from workbench.cli.common import check_stage, cli, echo_json, open_review, plural
from workbench.core.agreement.defaults import DEFAULT_RESAMPLES, DEFAULT_SEED

if TYPE_CHECKING:
    from workbench.core.agreement.measures import StatResult
    from workbench.review.agreement import StageAgreement

WIDTH = 80
_NAMES = {"percent_agreement": "% agreement", "cohen_kappa": "Cohen's kappa",
          "fleiss_kappa": "Fleiss' kappa", "gwet_ac1": "Gwet's AC1", "pabak": "PABAK",
          "weighted_kappa_linear": "kappa linear", "weighted_kappa_quadratic": "kappa quadr.",
          "fleiss_kappa_linear": "Fleiss linear", "fleiss_kappa_quadratic": "Fleiss quadr."}


def statistic_name(result: StatResult) -> str:
    """Return the short display name of a statistic ("alpha (masi)", "AC1 q=3", "prev. include")."""
    if result.name == "krippendorff_alpha":
        return f"alpha ({result.level})"
    if result.name == "prevalence":
        return f"prev. {result.category}"
    if result.name == "specific_agreement":
        return f"agree {result.category}"
    if result.q is not None:
        return f"{_NAMES.get(result.name, result.name)} q={result.q}"
    return _NAMES.get(result.name, result.name)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def format_stage(report: StageAgreement, digits: int = 3) -> list[str]:
    """Return the lines of one stage's agreement table (each under 80 columns)."""
    st, sel = report.stage, report.selection
    lines = [_cut(f"Stage {st.id} · {st.label or st.kind}", WIDTH),
             _cut(f"  coders: {', '.join(report.reviewers) or 'none'} · codebook "
                  f"{sel.version or '-'}", WIDTH),
             f"  95% CI: bootstrap over units, {report.n_resamples} resamples, "
             f"seed {report.seed}"]
    if sel.after_consensus or sel.other_version:
        lines.append(f"  left out (not blind): {plural(sel.after_consensus, 'event')} after "
                     f"consensus, {sel.other_version} under other codebook versions")
    if not report.results:
        lines += ["  no decisions by two or more coders yet", ""]
        return lines
    lines += unmatched_lines(report)
    lines += summary_lines(report)
    lines += _wrap(f"methods: {report.methods()}", indent="  ")
    head = f"  {'statistic':<18}{'value':>9}  {'95% CI':<16}{'units':>6}{'coders':>7}  label"
    for variable, stats in report.results:
        title = variable.name if variable.label in ("", variable.name.split(":")[-1]) \
            else f"{variable.name} · {variable.label}"
        lines += ["", _cut(title, WIDTH)]
        if _never_chosen(variable, stats):
            lines.append(f"  never chosen by any coder ({plural(stats[0].n_units, 'unit')}): no variation,"
                         " kappa and alpha undefined")
            continue
        lines.append(head)
        for r in stats:
            ci = f"[{r.ci_low:.{digits}f}, {r.ci_high:.{digits}f}]" if r.ci_low is not None else ""
            value = f"{r.value:.{digits}f}" if r.defined else "undefined"
            lines.append(_cut(f"  {_cut(statistic_name(r), 17):<18}{value:>9}  {ci:<16}"
                              f"{r.n_units:>6}{r.n_coders:>7}  {r.label}".rstrip(), WIDTH))
            if r.name in ("prevalence", "specific_agreement"):
                continue
            if not r.defined:
                lines += _wrap(f"undefined: {r.reason}")
            elif r.note:
                lines += _wrap(f"note: {r.note}")
    lines.append("")
    return lines


def unmatched_lines(report: StageAgreement, limit: int = 10) -> list[str]:
    """Return the lines naming group rows some coders did not enter (first `limit`)."""
    if not report.unmatched:
        return []
    n = len(report.unmatched)
    lines = [f"  unmatched group rows: {n} (entered by some coders of the study only)"]
    for row in report.unmatched[:limit]:
        lines.append(_cut(f"    {row.study_id} · {row.group} · {row.key or '(no key)'}: "
                          f"not entered by {', '.join(row.missing)}", WIDTH))
    if n > limit:
        lines.append(f"    ... and {n - limit} more (--format json lists all)")
    return lines


_GRADES = ("reliable", "tentative", "unreliable", "undefined")


def _headline(name: str, r: StatResult) -> str:
    if not r.defined:
        return f"{name} undefined"
    ci = f", 95% CI [{r.ci_low:.3f}, {r.ci_high:.3f}]" if r.ci_low is not None else ""
    return f"{name} {r.value:.3f} {r.label}{ci}".rstrip()


def summary_lines(report: StageAgreement) -> list[str]:
    """Return the few lines that sum up a stage before its tables (each <= 80 columns).

    The decision's kappa and alpha (value, label, CI), when the stage has a
    decision; then how many variables have an alpha that is reliable,
    tentative, unreliable or undefined, naming the unreliable ones.
    """
    lines = []
    by_name = dict((v.name, stats) for v, stats in report.results)
    decision = by_name.get("decision")
    if decision:
        kappa = next((r for r in decision if r.name in ("cohen_kappa", "fleiss_kappa")), None)
        alpha = next((r for r in decision if r.name == "krippendorff_alpha"), None)
        heads = [_headline("kappa", kappa) if kappa else "",
                 _headline("alpha", alpha) if alpha else ""]
        heads = [h for h in heads if h]
        for i, head in enumerate(heads):
            lines.append(_cut(("  decision: " if i == 0 else " " * 12) + head, WIDTH))
    grades = dict.fromkeys(_GRADES, 0)
    unreliable = []
    for variable, stats in report.results:
        alpha = next((r for r in stats if r.name == "krippendorff_alpha"), None)
        grade = alpha.label if alpha is not None and alpha.label in _GRADES else "undefined"
        grades[grade] += 1
        if grade == "unreliable":
            unreliable.append(variable.name)
    lines.append(_cut(f"  alpha of {plural(len(report.results), 'variable')}: "
                      + ", ".join(f"{n} {g}" for g, n in grades.items()), WIDTH))
    if unreliable:
        lines.append(_cut("  unreliable: " + ", ".join(unreliable), WIDTH))
    return lines


def _wrap(text: str, indent: str = "      ") -> list[str]:
    return textwrap.wrap(text, WIDTH - 1, initial_indent=indent,
                         subsequent_indent=indent + "  ")


def _never_chosen(variable, stats: list[StatResult]) -> bool:
    """A criterion or code no coder ever chose (all its statistics say so)."""
    from workbench.review.agreement import PRESENT
    if variable.kind not in ("criterion", "code"):
        return False
    present = [r for r in stats if r.name == "prevalence" and r.category == PRESENT]
    return bool(present) and present[0].value == 0.0


def json_reports(reports: list[StageAgreement], digits: int | None = None) -> list[dict]:
    """Return the reports as JSON-ready values: full precision (or `digits`), integers as ints."""
    from workbench.core.agreement.measures import result_record
    out = []
    for report in reports:
        rows = []
        for variable, stats in report.results:
            for r in stats:
                rows.append({"stage": report.stage.id, "variable": variable.name,
                             "kind": variable.kind, "variable_label": variable.label,
                             **result_record(r, digits)})
        sel = report.selection
        out.append({"stage": report.stage.id, "label": report.stage.label,
                    "kind": report.stage.kind, "coders": list(report.reviewers),
                    "codebook_version": sel.version, "n_resamples": int(report.n_resamples),
                    "seed": int(report.seed), "left_out_after_consensus": sel.after_consensus,
                    "left_out_other_version": sel.other_version,
                    "methods": report.methods(),
                    "unmatched_rows": [{"study_id": u.study_id, "group": u.group, "key": u.key,
                                        "entered": u.entered, "missing": list(u.missing)}
                                       for u in report.unmatched],
                    "statistics": rows})
    return out


@cli.command("agreement")
@click.option("--stage", "stage", default=None, metavar="ID", help="One stage (default: all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="How to print the statistics.")
@click.option("--resamples", type=click.IntRange(min=0), default=DEFAULT_RESAMPLES,
              show_default=True, help="Bootstrap resamples for the 95% CIs (0: none).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Bootstrap seed (printed with the results).")
@click.option("--digits", type=click.IntRange(min=0, max=17), default=None, metavar="N",
              help="Round values and CIs to N decimals (default: full precision in csv "
                   "and json, 3 in the table).")
@click.pass_context
def agreement_cmd(ctx: click.Context, stage: str | None, fmt: str, resamples: int,
                  seed: int, digits: int | None) -> None:
    """Inter-coder agreement per stage on the coders' blind decisions.

    Screening: the decision and each criterion. Coding: each dimension, code
    and extraction field (ordered choices: weighted kappa and ordinal alpha).
    Percent agreement, Cohen's kappa (2 coders) or Fleiss' kappa (3+,
    missing ratings allowed), Krippendorff's alpha, Gwet's AC1 and PABAK
    (with q, the number of categories the stage offers), each value's
    specific agreement and prevalence, each with a 95% bootstrap CI, the
    units and coders it used and its conventional label; "undefined" with
    the reason where a statistic has no value. Each stage ends with a
    sentence for a methods section. Only reviewers who decided at a stage are
    its coders. csv and json keep full precision unless --digits is given.

    Example: workbench agreement --stage title_abstract --format csv > agreement.csv
    """
    from workbench.review.agreement import agreement_csv
    from workbench.review.agreement_cache import cached_agreement
    review = open_review(ctx)
    check_stage(review, stage)
    # .workbench/agreement.json answers an unchanged review (and what export computed)
    reports, warnings = cached_agreement(review, stage, n_resamples=resamples, seed=seed)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        echo_json(json_reports(reports, digits))
    elif fmt == "csv":
        click.echo(agreement_csv(reports, digits), nl=False)
    else:
        for report in reports:
            click.echo("\n".join(format_stage(report, 3 if digits is None else digits)))
