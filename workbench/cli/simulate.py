"""The `simulate` verb: replay a fully labelled review and print how much work prioritisation saves."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from workbench.cli.common import cli, plural
from workbench.core.ranking import MODELS


def _fmt(key: str, value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.1f}" if key == "atd" else f"{value:.3f}"


@cli.command("simulate")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seeds", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Replays; seed i picks one relevant and one irrelevant prior at random.")
@click.option("--model", type=click.Choice(sorted(MODELS)), default=None,
              help="The model (default: the one the workbench screens with).")
@click.option("--label", "label_column", default=None,
              help="The label column (default: label_included, included, label); in RIS the "
                   "tag (default LB, else an N1 note ASReview_relevant/irrelevant); in "
                   "BibTeX the field.")
@click.option("--plot", "plot", is_flag=False, flag_value="", default=None,
              help="Write the recall curve: --plot alone writes <dataset>_recall.png here; "
                   "--plot FILE.svg or FILE.png names the file.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
def simulate_cmd(dataset: Path, seeds: int, model: str | None, label_column: str | None,
                 plot: str | None, as_json: bool) -> None:
    """Replay a labelled review (CSV: title, abstract, label; or RIS, BibTeX) in prioritised order.

    Prints, per seed and as mean (sd), WSS@95 and WSS@100 (work saved over random
    order at 95% and 100% recall), recall after 10% screened, the average time to
    discovery (records screened until a relevant one is found) and the stopping
    test's recall and work saved. Definitions follow asreview-insights; the priors
    are excluded.

    Example: workbench simulate Cohen_2006_Opiods.csv --seeds 5 --plot opioids.png
    """
    from workbench.review.simulating import METRICS, simulate_file, write_simulation_plot
    with click.progressbar(length=seeds, label="Replaying", file=sys.stderr,
                           show_eta=False) as bar:
        last = [0]

        def progress(done: int, total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        report = simulate_file(dataset, model=model, seeds=seeds, label_column=label_column,
                               progress=progress)
    plot_path = None
    if plot is not None:
        plot_path = write_simulation_plot(report, Path(plot) if plot
                                          else Path(f"{dataset.stem}_recall.png"))
    if as_json:
        click.echo(json.dumps({"dataset": str(dataset), "model": report.model,
                               "records": len(report.dataset),
                               "relevant": sum(report.dataset.labels),
                               "runs": report.rows(),
                               "mean": {k: v[0] for k, v in report.means().items()},
                               "sd": {k: v[1] for k, v in report.means().items()},
                               "plot": str(plot_path) if plot_path else None}, indent=2))
        return
    data = report.dataset
    click.echo(f"{dataset.name}: {plural(len(data), 'record')}, {sum(data.labels)} relevant "
               f"(label column {data.label_column}); model {report.model}")
    heads = ["seed", "priors"] + [head for _, head in METRICS]
    widths = [max(len(h), 6) for h in heads]
    widths[1] = 11
    click.echo("  ".join(h.rjust(w) for h, w in zip(heads, widths)))
    for row in report.rows():
        cells = [str(row["seed"]), "/".join(map(str, row["priors"]))]
        cells += [_fmt(key, row[key]) for key, _ in METRICS]
        click.echo("  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    means = report.means()
    cells = ["mean", "(sd)"] + [f"{_fmt(k, means[k][0])}({_fmt(k, means[k][1])})"
                                for k, _ in METRICS]
    click.echo("  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    click.echo("WSS: work saved over random order at that recall; ATD in records; stop: the "
               "random-sampling stopping test (95% recall, 95% confidence) started after a "
               "run of 50 irrelevant.")
    if plot_path:
        click.echo(f"Recall curve written to {plot_path}")
